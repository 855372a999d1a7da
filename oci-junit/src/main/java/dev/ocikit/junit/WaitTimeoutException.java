package dev.ocikit.junit;

import java.time.Duration;
import java.util.List;

/**
 * A wait strategy's timeout passed before the container was ready. The message says what was
 * awaited, for how long, what was seen last (a status, an exit code, a refused connection), and
 * quotes the container's last lines of output.
 *
 * <p>Immutable.
 */
public class WaitTimeoutException extends ContainerLaunchException {
    private final Duration timeout;

    /**
     * @param container the container's name
     * @param awaited what was awaited, e.g. {@code "a line matching /ready/"}
     * @param timeout how long it was awaited
     * @param lastSeen what the last attempt saw, or empty
     * @param lastLines the container's last lines of output
     */
    public WaitTimeoutException(String container, String awaited, Duration timeout, String lastSeen,
            List<String> lastLines) {
        super("container " + container + " was not ready within " + describe(timeout) + ": waited for " + awaited
                + (lastSeen == null || lastSeen.isEmpty() ? "" : "; last attempt: " + lastSeen)
                + ". Raise the wait's timeout if it is merely slow, or look at its output below for why it is not ready",
                lastLines, null);
        this.timeout = timeout;
    }

    /** The timeout that passed. */
    public Duration timeout() {
        return timeout;
    }

    static String describe(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
