package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import java.util.Objects;

/** A blob's identity: its digest and its size in bytes. Immutable. */
public record BlobInfo(Digest digest, long size) {
    public BlobInfo {
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }
}
