package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/**
 * An image asked for by name, tag, ID or digest that is not there: not in an image layout's
 * {@code index.json}, not in the image store, or no entry of an index for the wanted platform.
 */
public final class ImageUnknownException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String name;

    public ImageUnknownException(String name, String message) {
        super(message);
        this.name = name;
    }

    /** What was asked for, as given. */
    public String name() {
        return name;
    }
}
