package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.OciException;

/**
 * A bundle's config or an exec process asks for something that is a known container-escape
 * vector, e.g. a {@code cwd} under {@code /proc/self/fd} (CVE-2024-21626). Refused before the
 * runtime runs; fix the spec.
 */
public class UnsafeSpecException extends OciException {
    public UnsafeSpecException(String message) {
        super(message);
    }
}
