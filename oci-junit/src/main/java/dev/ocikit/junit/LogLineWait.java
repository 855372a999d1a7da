package dev.ocikit.junit;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Waits for lines of the container's output that match a pattern; see
 * {@link WaitStrategy#forLogLine(String)}. Immutable and thread-safe.
 */
public final class LogLineWait implements WaitStrategy {
    private final Pattern pattern;
    private final int times;
    private final Duration timeout;

    private LogLineWait(Pattern pattern, int times, Duration timeout) {
        this.pattern = pattern;
        this.times = times;
        this.timeout = timeout;
    }

    static LogLineWait of(String regex) {
        return new LogLineWait(Pattern.compile(Objects.requireNonNull(regex, "regex")), 1, Probes.DEFAULT_TIMEOUT);
    }

    /** Waits for {@code count} matching lines instead of one (a server that logs "ready" per listener). */
    public LogLineWait times(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a log wait needs at least one line, got " + count);
        }
        return new LogLineWait(pattern, count, timeout);
    }

    /** How long to wait (default 60 s). */
    public LogLineWait timeout(Duration value) {
        return new LogLineWait(pattern, times, Probes.positive(value, "timeout"));
    }

    public String regex() {
        return pattern.pattern();
    }

    public int times() {
        return times;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void waitUntilReady(RunningContainer container) throws InterruptedException {
        if (container.awaitLogLines(pattern.pattern(), times, timeout)) {
            return;
        }
        String awaited = describe();
        Probes.requireRunning(container, awaited);
        throw Probes.timedOut(container, awaited, timeout, "");
    }

    private String describe() {
        return (times == 1 ? "a line" : times + " lines") + " matching /" + pattern.pattern() + "/";
    }

    @Override
    public String toString() {
        return "forLogLine(" + describe() + ", timeout " + timeout + ")";
    }
}
