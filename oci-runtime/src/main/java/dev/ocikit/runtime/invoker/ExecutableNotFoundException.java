package dev.ocikit.runtime.invoker;

/**
 * The runtime could not start the container's process because its executable does not exist: not
 * on the container's {@code PATH}, or no file at the path given. Recognised from the runtime's
 * error text ({@code executable file not found in $PATH}, {@code exec: "/x": stat /x: no such file
 * or directory}); a command line maps it to exit code 127, as a shell and Podman do. Immutable.
 */
public class ExecutableNotFoundException extends RuntimeCommandException {
    private static final long serialVersionUID = 1L;

    public ExecutableNotFoundException(String runtime, String command, int exitCode, String runtimeError) {
        super(runtime, command, exitCode, runtimeError,
                runtime + " " + command + ": the container's executable was not found (" + runtimeError
                        + "); check the command's spelling, that the image contains it, and the PATH it is looked up in",
                null);
    }
}
