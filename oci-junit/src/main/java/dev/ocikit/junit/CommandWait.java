package dev.ocikit.junit;

import java.time.Duration;
import java.util.List;

/**
 * Waits until a command run inside the container exits 0; see
 * {@link WaitStrategy#forCommand(String...)}. Attempts are repeated with a short back-off; one
 * that does not exit within the time left counts as failed (the process is left to end with the
 * container). Immutable and thread-safe.
 */
public final class CommandWait implements WaitStrategy {
    private final List<String> command;
    private final Duration timeout;

    private CommandWait(List<String> command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    static CommandWait of(List<String> command) {
        List<String> copy = List.copyOf(command);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a command wait needs a command");
        }
        return new CommandWait(copy, Probes.DEFAULT_TIMEOUT);
    }

    /** How long to wait (default 60 s). */
    public CommandWait timeout(Duration value) {
        return new CommandWait(command, Probes.positive(value, "timeout"));
    }

    public List<String> command() {
        return command;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void waitUntilReady(RunningContainer container) throws InterruptedException {
        String awaited = "`" + Probes.quote(command) + "` to exit 0";
        Probes.Deadline deadline = Probes.Deadline.after(timeout);
        Probes.Backoff backoff = new Probes.Backoff();
        String lastSeen = "";
        while (true) {
            Probes.requireRunning(container, awaited);
            Duration left = deadline.remaining();
            if (!left.isZero()) {
                Probes.Attempt attempt = Probes.exec(container, command, left);
                if (attempt.succeeded()) {
                    return;
                }
                if (attempt.answered() || !deadline.passed() || lastSeen.isEmpty()) {
                    lastSeen = attempt.describe(); // an attempt the deadline cut short says less than the one before it
                }
            }
            if (deadline.passed()) {
                throw Probes.timedOut(container, awaited, timeout, lastSeen);
            }
            backoff.pause(deadline);
        }
    }

    @Override
    public String toString() {
        return "forCommand(" + command + ", timeout " + timeout + ")";
    }
}
