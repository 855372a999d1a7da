package dev.ocikit.runtime.bundle;

/**
 * {@code /etc/subuid} or {@code /etc/subgid} could not be read or has a malformed line, or
 * explicit mappings overlap. Immutable.
 */
public final class IdMappingException extends BundleException {
    private static final long serialVersionUID = 1L;

    IdMappingException(String message) {
        super(message);
    }

    IdMappingException(String message, Throwable cause) {
        super(message, cause);
    }
}
