package dev.ocikit.runtime.invoker;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of {@code run} (foreground): immutable, built with withers from {@link #defaults()}.
 *
 * <pre>{@code
 * RunOptions.defaults()
 *     .pidFile(dir.resolve("pid"))
 *     .stdin(Redirect.from(stdinFifo)).stdout(Redirect.to(stdoutFifo)).stderr(Redirect.to(stderrFifo))
 * }</pre>
 *
 * <p>The redirects are the runtime's own stdio, which it passes through to the container's init
 * (for a non-tty container).
 *
 * @param pidFile where the runtime writes the init's host pid
 * @param consoleSocket the {@link ConsoleSocket} path the runtime sends the pty master to (tty containers)
 * @param noPivot use MS_MOVE instead of pivot_root (needed on a ramdisk root)
 * @param noNewKeyring keep the caller's session keyring
 * @param preserveFds how many fds past stdio (3, 4, …) the container inherits
 * @param stdin the runtime's stdin, default {@code /dev/null}
 * @param stdout the runtime's stdout, default discarded
 * @param stderr the runtime's stderr, default discarded
 */
public record RunOptions(Optional<Path> pidFile, Optional<Path> consoleSocket, boolean noPivot,
        boolean noNewKeyring, int preserveFds, Redirect stdin, Redirect stdout, Redirect stderr) {

    public RunOptions {
        pidFile = pidFile == null ? Optional.empty() : pidFile;
        consoleSocket = consoleSocket == null ? Optional.empty() : consoleSocket;
        if (preserveFds < 0) {
            throw new IllegalArgumentException("preserveFds must not be negative, got " + preserveFds);
        }
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** No options: stdin from /dev/null, stdout/stderr discarded. */
    public static RunOptions defaults() {
        return new RunOptions(Optional.empty(), Optional.empty(), false, false, 0,
                Stdio.DEFAULT.in(), Stdio.DEFAULT.out(), Stdio.DEFAULT.err());
    }

    public RunOptions pidFile(Path value) {
        return new RunOptions(Optional.of(value), consoleSocket, noPivot, noNewKeyring, preserveFds, stdin, stdout, stderr);
    }

    public RunOptions consoleSocket(Path value) {
        return new RunOptions(pidFile, Optional.of(value), noPivot, noNewKeyring, preserveFds, stdin, stdout, stderr);
    }

    public RunOptions noPivot(boolean value) {
        return new RunOptions(pidFile, consoleSocket, value, noNewKeyring, preserveFds, stdin, stdout, stderr);
    }

    public RunOptions noNewKeyring(boolean value) {
        return new RunOptions(pidFile, consoleSocket, noPivot, value, preserveFds, stdin, stdout, stderr);
    }

    public RunOptions preserveFds(int value) {
        return new RunOptions(pidFile, consoleSocket, noPivot, noNewKeyring, value, stdin, stdout, stderr);
    }

    public RunOptions stdin(Redirect value) {
        return new RunOptions(pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, value, stdout, stderr);
    }

    public RunOptions stdout(Redirect value) {
        return new RunOptions(pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, stdin, value, stderr);
    }

    public RunOptions stderr(Redirect value) {
        return new RunOptions(pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, stdin, stdout, value);
    }

    Stdio stdio() {
        return new Stdio(stdin, stdout, stderr);
    }
}
