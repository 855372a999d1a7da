package dev.ocikit.image.build;

import dev.ocikit.spec.OciException;

/**
 * A build step failed: a command exited with a non-zero status, or a step's input could not be
 * read. The message names the step and, for a command, ends with the last lines it printed.
 */
public class BuildStepException extends OciException {
    private final String step;
    private final int exitCode;

    public BuildStepException(String step, int exitCode, String message) {
        super(message);
        this.step = step;
        this.exitCode = exitCode;
    }

    public BuildStepException(String step, String message) {
        this(step, -1, message);
    }

    public BuildStepException(String step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
        this.exitCode = -1;
    }

    /** The step, as the image's history would have recorded it. */
    public String step() {
        return step;
    }

    /** The command's exit code; -1 when the step was not a command that exited. */
    public int exitCode() {
        return exitCode;
    }
}
