package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import java.util.Objects;

/**
 * A layer as {@link LayerPacker} wrote it: what a manifest needs (media type, blob digest and
 * size) and what the image config needs (the DiffID). Immutable.
 *
 * @param mediaType the OCI layer media type for its compression
 * @param digest the digest of the blob as written (compressed)
 * @param size the blob's length in bytes
 * @param diffId the SHA-256 of the uncompressed tar, for {@code rootfs.diff_ids}
 * @param uncompressedSize the uncompressed tar's length in bytes
 */
public record PackedLayer(String mediaType, Digest digest, long size, Digest diffId, long uncompressedSize) {
    public PackedLayer {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(diffId, "diffId");
        if (MediaTypes.layerCompression(mediaType).isEmpty()) {
            throw new IllegalArgumentException("not a layer media type: " + mediaType);
        }
        if (size < 0 || uncompressedSize < 0) {
            throw new IllegalArgumentException("sizes must not be negative");
        }
    }

    /** How the blob is compressed. */
    public Compression compression() {
        return MediaTypes.layerCompression(mediaType).orElseThrow();
    }

    /** The manifest's descriptor of this layer. */
    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, size);
    }

    /** The blob's identity in a {@link BlobStore}. */
    public BlobInfo blob() {
        return new BlobInfo(digest, size);
    }
}
