package dev.ocikit.registry;

import dev.ocikit.spec.OciException;

/**
 * A {@link Sync} cannot be done as asked: the source holds no image to copy, or the pair of
 * transports is one that sync does not support ({@code dir} to {@code dir}; copy the directory
 * instead). Nothing has been written when it is thrown.
 */
public class SyncException extends OciException {
    private static final long serialVersionUID = 1L;

    public SyncException(String message) {
        super(message);
    }
}
