package dev.ocikit.image.spi;

import dev.ocikit.spec.OciException;

/**
 * A destination that cannot store image signatures was given some. Copies refuse this before
 * writing anything, unless told to drop the signatures.
 */
public final class SignaturesNotSupportedException extends OciException {
    private static final long serialVersionUID = 1L;

    private final String destination;

    public SignaturesNotSupportedException(String destination) {
        this(destination, "Cannot copy signatures to " + destination + ": destination does not support signatures;"
                + " drop them with removeSignatures() (--remove-signatures)");
    }

    /** With a message of the caller's: {@code destination} is the {@code transport:reference}. */
    public SignaturesNotSupportedException(String destination, String message) {
        super(message);
        this.destination = destination;
    }

    /** The destination, as {@code transport:reference}. */
    public String destination() {
        return destination;
    }
}
