package dev.ocikit.registry;

import dev.ocikit.spec.distribution.RegistryError;
import java.util.List;

/**
 * The registry (or its token server) refused us: no credentials where some are needed, wrong
 * credentials, or credentials without the rights the operation needs (HTTP 401 or 403). Log in
 * (or pass credentials to the client's builder) with a user who may do the operation. The message
 * never contains the credentials. Immutable.
 */
public class UnauthorizedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public UnauthorizedException(String message, int status, List<RegistryError> errors) {
        super(message, status, errors);
    }
}
