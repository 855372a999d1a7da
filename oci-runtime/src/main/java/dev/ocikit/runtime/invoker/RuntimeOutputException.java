package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.OciException;

/**
 * The runtime exited successfully but printed something that is not what the command promises
 * (malformed or unexpected JSON). Names the runtime and the command; the parse error is the cause.
 */
public class RuntimeOutputException extends OciException {
    private final String runtime;
    private final String command;

    public RuntimeOutputException(String runtime, String command, String problem, Throwable cause) {
        super(runtime + " " + command + " printed output ocikit cannot read: " + problem
                + "; is this runtime OCI-compatible (runc/crun)?", cause);
        this.runtime = runtime;
        this.command = command;
    }

    /** The runtime's name. */
    public String runtime() {
        return runtime;
    }

    /** The command whose output was malformed. */
    public String command() {
        return command;
    }
}
