package dev.ocikit.runtime.invoker;

/**
 * The runtime does not know the container: it was never created under this {@code --root}, or it
 * was already deleted. Recognised from the runtime's error text, so a sweep can treat it as
 * "already gone".
 */
public class NoSuchContainerException extends RuntimeCommandException {
    private final String containerId;

    public NoSuchContainerException(String runtime, String command, int exitCode, String runtimeError,
            String containerId) {
        super(runtime, command, exitCode, runtimeError,
                runtime + " " + command + ": container '" + containerId + "' does not exist (" + runtimeError
                        + "); check the id and the runtime's --root",
                null);
        this.containerId = containerId;
    }

    /** The id asked for. */
    public String containerId() {
        return containerId;
    }
}
