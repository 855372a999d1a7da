package dev.ocikit.runtime.bundle;

import dev.ocikit.spec.OciException;

/**
 * The root of the failures of {@link BundleSpec}, {@link EtcFiles} and {@link IdMappings}: a
 * container that cannot be described as asked. The message says what was wrong and what to do.
 * Immutable.
 */
public class BundleException extends OciException {
    private static final long serialVersionUID = 1L;

    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
