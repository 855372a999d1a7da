package dev.ocikit.runtime.invoker;

/**
 * The runtime could not start the container's process because its executable may not be run: no
 * execute permission for the container's user, or it is a directory. Recognised from the
 * runtime's error text ({@code exec: "/x": permission denied}); a command line maps it to exit code
 * 126, as a shell and Podman do. Immutable.
 */
public class ExecutableNotPermittedException extends RuntimeCommandException {
    private static final long serialVersionUID = 1L;

    public ExecutableNotPermittedException(String runtime, String command, int exitCode, String runtimeError) {
        super(runtime, command, exitCode, runtimeError,
                runtime + " " + command + ": the container's executable cannot be run (" + runtimeError
                        + "); give a file with execute permission for the container's user",
                null);
    }
}
