package dev.ocikit.runtime.invoker;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of {@code exec}: immutable, built with withers from {@link #defaults()}.
 *
 * @param detach return once the process started (its pid in {@code pidFile}); no exit code
 * @param tty give the process a pseudo-terminal (sets {@code process.terminal}); needs {@code consoleSocket},
 *     and implies {@code detach}: a foreground runtime would want a terminal of its own on stdin
 * @param consoleSocket the {@link ConsoleSocket} path the pty master goes to
 * @param pidFile where the runtime writes the process's host pid
 * @param preserveFds how many fds past stdio the process inherits
 * @param stdin stdin of the runtime, passed to the process; default {@code /dev/null}
 * @param stdout default discarded
 * @param stderr default discarded
 */
public record ExecOptions(boolean detach, boolean tty, Optional<Path> consoleSocket, Optional<Path> pidFile,
        int preserveFds, Redirect stdin, Redirect stdout, Redirect stderr) {

    public ExecOptions {
        consoleSocket = consoleSocket == null ? Optional.empty() : consoleSocket;
        pidFile = pidFile == null ? Optional.empty() : pidFile;
        if (preserveFds < 0) {
            throw new IllegalArgumentException("preserveFds must not be negative, got " + preserveFds);
        }
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** Foreground, no tty, stdin from /dev/null, output discarded. */
    public static ExecOptions defaults() {
        return new ExecOptions(false, false, Optional.empty(), Optional.empty(), 0,
                Stdio.DEFAULT.in(), Stdio.DEFAULT.out(), Stdio.DEFAULT.err());
    }

    public ExecOptions detach(boolean value) {
        return new ExecOptions(value, tty, consoleSocket, pidFile, preserveFds, stdin, stdout, stderr);
    }

    /**
     * A pseudo-terminal whose master the runtime sends to {@code socket}; detaches (runc refuses a
     * console socket in the foreground). Learn the exit with {@link #pidFile} and
     * {@link ChildReaper#exitOf}.
     */
    public ExecOptions tty(Path socket) {
        return new ExecOptions(true, true, Optional.of(socket), pidFile, preserveFds, stdin, stdout, stderr);
    }

    public ExecOptions pidFile(Path value) {
        return new ExecOptions(detach, tty, consoleSocket, Optional.of(value), preserveFds, stdin, stdout, stderr);
    }

    public ExecOptions preserveFds(int value) {
        return new ExecOptions(detach, tty, consoleSocket, pidFile, value, stdin, stdout, stderr);
    }

    public ExecOptions stdin(Redirect value) {
        return new ExecOptions(detach, tty, consoleSocket, pidFile, preserveFds, value, stdout, stderr);
    }

    public ExecOptions stdout(Redirect value) {
        return new ExecOptions(detach, tty, consoleSocket, pidFile, preserveFds, stdin, value, stderr);
    }

    public ExecOptions stderr(Redirect value) {
        return new ExecOptions(detach, tty, consoleSocket, pidFile, preserveFds, stdin, stdout, value);
    }

    Stdio stdio() {
        return new Stdio(stdin, stdout, stderr);
    }
}
