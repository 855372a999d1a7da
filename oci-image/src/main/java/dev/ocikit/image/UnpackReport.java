package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import java.util.List;

/**
 * What an unpack did that a caller may need to know: the DiffIDs it computed, and what it could
 * not apply as the layer asked (device nodes and privileged attributes in rootless mode,
 * ownership recorded instead of applied). Immutable.
 */
public record UnpackReport(List<Digest> diffIds, long entries, List<String> skipped, long ownershipRecorded) {
    public UnpackReport {
        diffIds = List.copyOf(diffIds);
        skipped = List.copyOf(skipped);
    }
}
