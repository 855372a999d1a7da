package dev.ocikit.spec;

/**
 * The root of every exception ocikit throws on purpose. Unchecked: callers catch the subtype they
 * can act on, and the message always says what was wrong and, where it can, what to do next.
 * Third-party exception types never cross ocikit's public surface; they travel as the cause.
 */
public class OciException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OciException(String message) {
        super(message);
    }

    public OciException(String message, Throwable cause) {
        super(message, cause);
    }
}
