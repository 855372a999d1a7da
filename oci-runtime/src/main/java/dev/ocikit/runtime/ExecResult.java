package dev.ocikit.runtime;

/**
 * What a process run inside a container with {@link Container#exec} left behind. Immutable.
 *
 * @param exitCode its exit code; 128 + the signal number when a signal ended it
 * @param stdout everything it wrote to standard output, decoded as UTF-8
 * @param stderr everything it wrote to standard error, decoded as UTF-8
 */
public record ExecResult(int exitCode, String stdout, String stderr) {
    public ExecResult {
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
