package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.OciException;

/** The console socket or the terminal it received failed (socket call, timeout, no fd sent). */
public class ConsoleSocketException extends OciException {
    public ConsoleSocketException(String message) {
        super(message);
    }

    public ConsoleSocketException(String message, Throwable cause) {
        super(message, cause);
    }
}
