package dev.ocikit.image.spi;

import dev.ocikit.spec.Digest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A manifest or index as its exact bytes, with the media type it was served or stored with.
 * Immutable. Its digest is always computed on {@link #bytes()}.
 */
public final class ManifestBlob {
    private final byte[] bytes;
    private final String mediaType;
    private final Digest digest;

    private ManifestBlob(byte[] bytes, String mediaType) {
        this.bytes = bytes.clone();
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
        this.digest = Digest.sha256(this.bytes);
    }

    public static ManifestBlob of(byte[] bytes, String mediaType) {
        return new ManifestBlob(Objects.requireNonNull(bytes, "bytes"), mediaType);
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public String mediaType() {
        return mediaType;
    }

    public Digest digest() {
        return digest;
    }

    public long size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestBlob m && m.mediaType.equals(mediaType) && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "ManifestBlob[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
    }
}
