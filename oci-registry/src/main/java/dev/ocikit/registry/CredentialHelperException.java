package dev.ocikit.registry;

import dev.ocikit.spec.OciException;

/**
 * A {@code docker-credential-<name>} helper failed for another reason than "credentials not
 * found" (which is a plain miss): it exited with an error, answered something that is not its
 * JSON protocol, or did not answer in time. The message names the helper, the operation and the
 * registry, and carries the helper's own (shortened) error text, never a credential.
 */
public class CredentialHelperException extends OciException {
    private static final long serialVersionUID = 1L;

    public CredentialHelperException(String message) {
        super(message);
    }

    public CredentialHelperException(String message, Throwable cause) {
        super(message, cause);
    }
}
