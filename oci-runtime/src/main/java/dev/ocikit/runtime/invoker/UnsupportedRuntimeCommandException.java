package dev.ocikit.runtime.invoker;

/**
 * The runtime's version does not have this command (e.g. {@code features} before runc 1.1).
 * Upgrade the runtime, or do without the command.
 */
public class UnsupportedRuntimeCommandException extends RuntimeCommandException {
    public UnsupportedRuntimeCommandException(String runtime, String command, int exitCode, String runtimeError,
            String version) {
        super(runtime, command, exitCode, runtimeError,
                runtime + " " + version + " does not support the '" + command
                        + "' command (it said: " + runtimeError + "); upgrade the runtime to use it",
                null);
    }
}
