package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import java.util.List;

/**
 * What an unpack did that a caller may need to know: the DiffIDs it computed, and what it could
 * not apply as the layer asked (device nodes and privileged attributes in rootless mode,
 * ownership recorded instead of applied, entry types that are not file-system objects).
 * Immutable.
 *
 * @param diffIds the DiffID of each layer, bottom first
 * @param entries the tar entries read, all layers together
 * @param skipped one line per thing not applied, naming the entry; at most
 *     {@value #MAX_SKIPPED_LISTED} lines, the first ones
 * @param skippedCount how many things were not applied, all of them
 * @param ownershipRecorded how many entries had their owner recorded in
 *     {@code user.rootlesscontainers} instead of applied (rootless mode)
 */
public record UnpackReport(List<Digest> diffIds, long entries, List<String> skipped, long skippedCount,
        long ownershipRecorded) {
    /** The most lines {@link #skipped()} holds, so that a hostile layer cannot grow the report without bound. */
    public static final int MAX_SKIPPED_LISTED = 1000;

    public UnpackReport {
        diffIds = List.copyOf(diffIds);
        skipped = List.copyOf(skipped);
        if (skippedCount < skipped.size()) {
            throw new IllegalArgumentException("skippedCount " + skippedCount + " < " + skipped.size() + " lines");
        }
    }
}
