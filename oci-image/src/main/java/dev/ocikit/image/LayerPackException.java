package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/**
 * Content that cannot be packed into a layer as asked: a file that changed while it was read, a
 * name reserved for whiteouts, two files added at one destination, an overlay upper directory
 * written with features a layer cannot express, a malformed {@code SOURCE_DATE_EPOCH}. The message
 * names the path and what to do. Nothing is stored when it is thrown from
 * {@link LayerPacker#pack}.
 */
public final class LayerPackException extends OciException {
    private static final long serialVersionUID = 1L;

    public LayerPackException(String message) {
        super(message);
    }
}
