package dev.ocikit.registry;

import dev.ocikit.spec.OciException;
import java.util.OptionalInt;

/**
 * A lookaside signature storage (see {@link RegistriesD}) could not be read: its server answered
 * with an error other than "not found", sent a signature larger than any real one, redirected
 * where ocikit does not follow, or was reachable only by sending a credential over plain http;
 * or there were more signatures than any image has. The message names the storage URL without
 * any credential or query. Immutable.
 */
public final class LookasideException extends OciException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public LookasideException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status of the server's answer, when the failure was one. */
    public OptionalInt status() {
        return status > 0 ? OptionalInt.of(status) : OptionalInt.empty();
    }
}
