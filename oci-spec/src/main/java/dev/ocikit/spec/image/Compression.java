package dev.ocikit.spec.image;

/** How a layer's tar stream is compressed, as its media type says. */
public enum Compression {
    /** A plain tar stream. */
    NONE,
    /** gzip (RFC 1952). */
    GZIP,
    /** Zstandard (RFC 8878). */
    ZSTD
}
