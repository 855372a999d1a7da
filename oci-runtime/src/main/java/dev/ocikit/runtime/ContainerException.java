package dev.ocikit.runtime;

import dev.ocikit.spec.OciException;

/** A container could not be created, started, stopped or removed; the message says why and what to do. */
public class ContainerException extends OciException {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
