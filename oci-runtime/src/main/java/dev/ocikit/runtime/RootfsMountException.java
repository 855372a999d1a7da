package dev.ocikit.runtime;

import dev.ocikit.spec.OciException;

/** A container's root file system could not be mounted or unmounted; the message says why. */
public final class RootfsMountException extends OciException {
    RootfsMountException(String message) {
        super(message);
    }

    RootfsMountException(String message, Throwable cause) {
        super(message, cause);
    }
}
