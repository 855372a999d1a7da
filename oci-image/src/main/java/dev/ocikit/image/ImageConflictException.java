package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/**
 * An operation on the image store that its current state forbids without {@code force}, such
 * as removing by ID an image that still has several names (as {@code podman rmi} refuses).
 */
public final class ImageConflictException extends OciException {
    private static final long serialVersionUID = 1L;

    public ImageConflictException(String message) {
        super(message);
    }
}
