package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.OciException;

/**
 * An OCI runtime command failed. Carries the runtime, the command, the exit code and the
 * runtime's own error text, taken from its JSON log ({@code {"level":"error","msg":…}}) or, when
 * the log holds nothing, from its stderr. Immutable.
 */
public class RuntimeCommandException extends OciException {
    private final String runtime;
    private final String command;
    private final int exitCode;
    private final String runtimeError;

    public RuntimeCommandException(String runtime, String command, int exitCode, String runtimeError) {
        super(message(runtime, command, exitCode, runtimeError));
        this.runtime = runtime;
        this.command = command;
        this.exitCode = exitCode;
        this.runtimeError = runtimeError == null ? "" : runtimeError;
    }

    RuntimeCommandException(String runtime, String command, int exitCode, String runtimeError, String message,
            Throwable cause) {
        super(message, cause);
        this.runtime = runtime;
        this.command = command;
        this.exitCode = exitCode;
        this.runtimeError = runtimeError == null ? "" : runtimeError;
    }

    private static String message(String runtime, String command, int exitCode, String error) {
        String text = error == null || error.isBlank() ? "(it printed no error; run it by hand with --debug)" : error;
        return runtime + " " + command + " failed with exit code " + exitCode + ": " + text;
    }

    /** The runtime's name ({@code runc}, {@code crun} …). */
    public String runtime() {
        return runtime;
    }

    /** The command that failed ({@code create}, {@code exec} …). */
    public String command() {
        return command;
    }

    /** The runtime's exit code; -1 if it did not exit on its own (interrupted). */
    public int exitCode() {
        return exitCode;
    }

    /** The runtime's own error text, empty if it gave none. */
    public String runtimeError() {
        return runtimeError;
    }
}
