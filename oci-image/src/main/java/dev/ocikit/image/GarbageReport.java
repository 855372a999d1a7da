package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import java.util.List;

/** What a garbage collection removed. Immutable. */
public record GarbageReport(List<Digest> removed, long bytesFreed) {
    public GarbageReport {
        removed = List.copyOf(removed);
    }
}
