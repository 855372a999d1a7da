package dev.ocikit.image.spi;

import dev.ocikit.spec.OciException;

/** A {@code transport:reference} string that cannot be parsed, or names no known transport. */
public final class InvalidTransportReferenceException extends OciException {
    private static final long serialVersionUID = 1L;

    public InvalidTransportReferenceException(String reference, String problem) {
        super("invalid image name \"" + shorten(reference) + "\": " + problem);
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
