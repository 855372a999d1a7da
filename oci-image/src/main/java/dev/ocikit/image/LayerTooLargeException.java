package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/** A layer that expands beyond one of its {@link LayerLimits}: a decompression bomb, or a limit set too low. */
public final class LayerTooLargeException extends OciException {
    private static final long serialVersionUID = 1L;

    public LayerTooLargeException(String message) {
        super(message);
    }
}
