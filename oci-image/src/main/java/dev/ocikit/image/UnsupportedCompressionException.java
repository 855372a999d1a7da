package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/** A layer compressed with bzip2, xz or another format no layer media type allows. */
public final class UnsupportedCompressionException extends OciException {
    private static final long serialVersionUID = 1L;

    UnsupportedCompressionException(String format) {
        super("layer is " + format + "-compressed, which no OCI or Docker layer media type allows;"
                + " only uncompressed tar, gzip and zstd are supported");
    }
}
