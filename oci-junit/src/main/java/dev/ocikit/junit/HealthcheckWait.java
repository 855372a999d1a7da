package dev.ocikit.junit;

import dev.ocikit.spec.image.Healthcheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Waits until the image's {@code HEALTHCHECK} succeeds; see {@link WaitStrategy#forHealthcheck()}.
 *
 * <p>The check's command runs in the container ({@code CMD} as given, {@code CMD-SHELL} through
 * {@code /bin/sh -c}), the first time at once, then at the check's interval (its start interval
 * during its start period, when it has one; 30 s when it sets none, as Docker's default), or at
 * {@link #interval(Duration)} when set; each run may take the check's timeout (default 30 s).
 * The first success ends the wait; the check's retries do not matter, since no failure makes a
 * starting container unhealthy before this wait's own timeout. Immutable and thread-safe.
 */
public final class HealthcheckWait implements WaitStrategy {
    static final Duration DOCKER_DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final Duration DOCKER_DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final HealthcheckWait DEFAULT = new HealthcheckWait(Optional.empty(), Probes.DEFAULT_TIMEOUT);

    private final Optional<Duration> interval;
    private final Duration timeout;

    private HealthcheckWait(Optional<Duration> interval, Duration timeout) {
        this.interval = interval;
        this.timeout = timeout;
    }

    /** Runs the check this often instead of at the image's interval. */
    public HealthcheckWait interval(Duration value) {
        return new HealthcheckWait(Optional.of(Probes.positive(value, "interval")), timeout);
    }

    /** How long to wait for a success (default 60 s). */
    public HealthcheckWait timeout(Duration value) {
        return new HealthcheckWait(interval, Probes.positive(value, "timeout"));
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void waitUntilReady(RunningContainer container) throws InterruptedException {
        Healthcheck check = container.imageConfig().healthcheck()
                .filter(h -> !h.test().isEmpty() && !h.test().get(0).equals("NONE"))
                .orElseThrow(() -> new ContainerLaunchException("container " + container.name()
                        + ": its image has no HEALTHCHECK to wait for; wait for a log line, a port or a command instead"));
        List<String> command = command(check, container.name());
        Duration perCheck = check.timeoutDuration().filter(d -> !d.isZero()).orElse(DOCKER_DEFAULT_TIMEOUT);
        String awaited = "its HEALTHCHECK `" + Probes.quote(command) + "` to succeed";
        Probes.Deadline deadline = Probes.Deadline.after(timeout);
        Probes.Deadline startPeriod = Probes.Deadline.after(check.startPeriodDuration().orElse(Duration.ZERO));
        String lastSeen = "";
        while (true) {
            Probes.requireRunning(container, awaited);
            Duration limit = deadline.atMost(perCheck);
            if (!limit.isZero()) {
                Probes.Attempt attempt = Probes.exec(container, command, limit);
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
            Duration pause = deadline.atMost(interval(check, !startPeriod.passed()));
            if (!pause.isZero()) {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(pause.toNanos()); // the check's own schedule
            }
        }
    }

    /** The interval before the next check: this wait's, else the start interval in the start period, else the check's. */
    Duration interval(Healthcheck check, boolean inStartPeriod) {
        if (interval.isPresent()) {
            return interval.get();
        }
        if (inStartPeriod) {
            Optional<Duration> start = check.startIntervalDuration().filter(d -> !d.isZero());
            if (start.isPresent()) {
                return start.get();
            }
        }
        return check.intervalDuration().filter(d -> !d.isZero()).orElse(DOCKER_DEFAULT_INTERVAL);
    }

    /** The command a check runs. */
    static List<String> command(Healthcheck check, String container) {
        List<String> test = check.test();
        String kind = test.get(0);
        if (kind.equals("CMD") && test.size() > 1) {
            return List.copyOf(test.subList(1, test.size()));
        }
        if (kind.equals("CMD-SHELL") && test.size() == 2) {
            List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c"));
            shell.add(test.get(1));
            return shell;
        }
        throw new ContainerLaunchException("container " + container + ": its image's HEALTHCHECK " + test
                + " is neither [\"CMD\", program, args...] nor [\"CMD-SHELL\", command]; fix the image or wait for"
                + " something else");
    }

    @Override
    public String toString() {
        return "forHealthcheck(" + interval.map(i -> "interval " + i + ", ").orElse("") + "timeout " + timeout + ")";
    }
}
