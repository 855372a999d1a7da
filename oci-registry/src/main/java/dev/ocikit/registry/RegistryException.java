package dev.ocikit.registry;

import dev.ocikit.spec.OciException;
import dev.ocikit.spec.distribution.ErrorCode;
import dev.ocikit.spec.distribution.RegistryError;
import java.util.List;

/**
 * A registry answered a request with an error: the HTTP status and the distribution-spec error
 * entries it sent (empty when the body was not an error envelope). The message names the
 * operation, the registry and repository, the status and the codes; it never holds credentials.
 * Subtypes: {@link ManifestUnknownException}, {@link UnauthorizedException}. Immutable.
 */
public class RegistryException extends OciException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<RegistryError> errors;

    public RegistryException(String message, int status, List<RegistryError> errors) {
        super(message);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /** The HTTP status code of the response, or 0 when the failure was not an HTTP response. */
    public int status() {
        return status;
    }

    /** The error entries of the registry's error response, in its order; may be empty. */
    public List<RegistryError> errors() {
        return errors == null ? List.of() : errors;
    }

    /** Whether the registry reported this code. */
    public boolean has(ErrorCode code) {
        return errors().stream().anyMatch(e -> e.errorCode() == code);
    }
}
