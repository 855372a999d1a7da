package dev.ocikit.runtime.network;

import dev.ocikit.spec.OciException;

/**
 * A container's network could not be set up, inspected or torn down. The message names the step
 * that failed and what to do next. Subclasses carry the details of one kind of failure.
 */
public class NetworkException extends OciException {
    public NetworkException(String message) {
        super(message);
    }

    public NetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
