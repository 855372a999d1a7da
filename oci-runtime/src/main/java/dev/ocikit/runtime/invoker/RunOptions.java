package dev.ocikit.runtime.invoker;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of {@code run} in the foreground: immutable, built with withers from {@link #defaults()}.
 * There is no console socket: runc refuses one unless it detaches, and a foreground tty would need
 * the JVM's own terminal; for a tty container use {@code create} + {@link ConsoleSocket} + {@code start}.
 *
 * @param pidFile where the runtime writes the init's host pid
 * @param noPivot use MS_MOVE instead of pivot_root (needed on a ramdisk root)
 * @param noNewKeyring keep the caller's session keyring
 * @param preserveFds how many fds past stdio (3, 4, …) the container inherits
 * @param stdin the runtime's stdin, passed to the container; default {@code /dev/null}
 * @param stdout default discarded
 * @param stderr default discarded
 */
public record RunOptions(Optional<Path> pidFile, boolean noPivot, boolean noNewKeyring, int preserveFds,
        Redirect stdin, Redirect stdout, Redirect stderr) {

    public RunOptions {
        pidFile = pidFile == null ? Optional.empty() : pidFile;
        if (preserveFds < 0) {
            throw new IllegalArgumentException("preserveFds must not be negative, got " + preserveFds);
        }
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** No options: stdin from /dev/null, stdout/stderr discarded. */
    public static RunOptions defaults() {
        return new RunOptions(Optional.empty(), false, false, 0, Stdio.DEFAULT.in(), Stdio.DEFAULT.out(),
                Stdio.DEFAULT.err());
    }

    public RunOptions pidFile(Path value) {
        return new RunOptions(Optional.of(value), noPivot, noNewKeyring, preserveFds, stdin, stdout, stderr);
    }

    public RunOptions noPivot(boolean value) {
        return new RunOptions(pidFile, value, noNewKeyring, preserveFds, stdin, stdout, stderr);
    }

    public RunOptions noNewKeyring(boolean value) {
        return new RunOptions(pidFile, noPivot, value, preserveFds, stdin, stdout, stderr);
    }

    public RunOptions preserveFds(int value) {
        return new RunOptions(pidFile, noPivot, noNewKeyring, value, stdin, stdout, stderr);
    }

    public RunOptions stdin(Redirect value) {
        return new RunOptions(pidFile, noPivot, noNewKeyring, preserveFds, value, stdout, stderr);
    }

    public RunOptions stdout(Redirect value) {
        return new RunOptions(pidFile, noPivot, noNewKeyring, preserveFds, stdin, value, stderr);
    }

    public RunOptions stderr(Redirect value) {
        return new RunOptions(pidFile, noPivot, noNewKeyring, preserveFds, stdin, stdout, value);
    }

    Stdio stdio() {
        return new Stdio(stdin, stdout, stderr);
    }
}
