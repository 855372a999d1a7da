package dev.ocikit.image.spi;

import dev.ocikit.spec.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * What a destination is told about a blob it is asked to store. Immutable; a record so that the
 * SPI can grow fields without breaking implementations.
 *
 * @param mediaType the blob's media type, as its descriptor will say
 * @param digest the digest the content must have; empty when it is being computed on the fly
 *     (for example while recompressing), and then the destination computes it
 * @param size the content's size, or -1 when not known in advance
 */
public record BlobWrite(String mediaType, Optional<Digest> digest, long size) {
    public BlobWrite {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < -1) {
            throw new IllegalArgumentException("size must be -1 (unknown) or positive: " + size);
        }
    }

    /** A blob whose digest and size are known. */
    public static BlobWrite of(String mediaType, Digest digest, long size) {
        return new BlobWrite(mediaType, Optional.of(digest), size);
    }
}
