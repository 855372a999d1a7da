package dev.ocikit.spec;

/** Content whose bytes do not hash to the digest (or do not have the size) it was declared with. */
public final class DigestMismatchException extends OciException {
    private static final long serialVersionUID = 1L;
    private final Digest expected;
    private final Digest actual;

    public DigestMismatchException(Digest expected, Digest actual) {
        super("content digest mismatch: expected " + expected + " but the bytes hash to " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public DigestMismatchException(String message, Digest expected, Digest actual) {
        super(message);
        this.expected = expected;
        this.actual = actual;
    }

    /** The digest the content was declared with. */
    public Digest expected() {
        return expected;
    }

    /** The digest of the bytes that arrived; empty when reading stopped early (content too long). */
    public java.util.Optional<Digest> actual() {
        return java.util.Optional.ofNullable(actual);
    }
}
