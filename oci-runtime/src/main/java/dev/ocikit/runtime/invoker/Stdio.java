package dev.ocikit.runtime.invoker;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.util.Objects;

/**
 * The three redirects a runtime process gets and passes through to the container's process.
 * Immutable. Defaults: stdin from {@code /dev/null}, stdout and stderr discarded.
 *
 * <p>{@link Redirect#PIPE} is refused for {@code create}/{@code run}: the container keeps the pipe
 * open after the runtime exits, and nobody would read it. Use FIFOs or files, or
 * {@link RuntimeCli#startExec} for a streamed process.
 */
record Stdio(Redirect in, Redirect out, Redirect err) {
    static final Redirect DEV_NULL_IN = Redirect.from(new File("/dev/null"));
    static final Stdio DEFAULT = new Stdio(DEV_NULL_IN, Redirect.DISCARD, Redirect.DISCARD);

    Stdio {
        Objects.requireNonNull(in, "stdin redirect");
        Objects.requireNonNull(out, "stdout redirect");
        Objects.requireNonNull(err, "stderr redirect");
    }

    void refusePipes(String command) {
        if (in == Redirect.PIPE || out == Redirect.PIPE || err == Redirect.PIPE) {
            throw new IllegalArgumentException(command + " cannot hand a Redirect.PIPE to the container (no one"
                    + " would own it); give FIFOs or files (Redirect.from/to), or use startExec for streams");
        }
    }
}
