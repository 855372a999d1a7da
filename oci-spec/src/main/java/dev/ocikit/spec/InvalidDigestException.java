package dev.ocikit.spec;

/** A string that is not a well-formed digest of a supported algorithm. */
public final class InvalidDigestException extends OciException {
    private static final long serialVersionUID = 1L;

    public InvalidDigestException(String message) {
        super(message);
    }
}
