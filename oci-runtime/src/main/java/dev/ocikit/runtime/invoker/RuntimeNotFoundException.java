package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.OciException;

/** The OCI runtime executable asked for is not installed (or not executable). */
public class RuntimeNotFoundException extends OciException {
    public RuntimeNotFoundException(String message) {
        super(message);
    }
}
