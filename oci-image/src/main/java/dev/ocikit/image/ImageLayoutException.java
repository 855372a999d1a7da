package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/**
 * A directory that is not the image directory it should be: not an OCI image layout (no
 * {@code oci-layout} file, an unsupported layout version, no {@code index.json}), not a
 * {@code dir:} transport directory, or a directory with other content that ocikit refuses to
 * write over. The message names the directory and what to do.
 */
public final class ImageLayoutException extends OciException {
    private static final long serialVersionUID = 1L;

    public ImageLayoutException(String message) {
        super(message);
    }

    public ImageLayoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
