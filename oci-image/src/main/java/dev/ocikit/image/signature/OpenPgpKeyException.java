package dev.ocikit.image.signature;

import dev.ocikit.spec.OciException;

/**
 * A key that cannot be used: an unreadable keyring or key file, a fingerprint that is not there,
 * a wrong passphrase, a key that may not sign. The message names the source and the key.
 */
public final class OpenPgpKeyException extends OciException {
    private static final long serialVersionUID = 1L;

    public OpenPgpKeyException(String message) {
        super(message);
    }

    public OpenPgpKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
