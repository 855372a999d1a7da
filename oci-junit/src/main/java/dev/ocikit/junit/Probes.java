package dev.ocikit.junit;

import dev.ocikit.runtime.ExecResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** What the built-in wait strategies share: deadlines, pauses between attempts, bounded execs, failures. */
final class Probes {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** First pause between attempts of a readiness probe; doubled each time up to {@link #MAX_PAUSE}. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(20);
    static final Duration MAX_PAUSE = Duration.ofMillis(500);

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final String NO_EXIT = "no exit within ";
    /** Runs execs that a probe must be able to stop waiting for; a hung one ends with its container. */
    private static final ExecutorService EXECS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ocikit-junit-probe-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private Probes() {}

    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }

    /** A point in time measured on the monotonic clock. */
    static final class Deadline {
        private final long end;

        private Deadline(long end) {
            this.end = end;
        }

        static Deadline after(Duration timeout) {
            long now = System.nanoTime();
            long nanos = timeout.toNanos();
            return new Deadline(Long.MAX_VALUE - now < nanos ? Long.MAX_VALUE : now + nanos);
        }

        Duration remaining() {
            long left = end - System.nanoTime();
            return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
        }

        boolean passed() {
            return end - System.nanoTime() <= 0;
        }

        /** {@code limit}, or what is left if that is less. */
        Duration atMost(Duration limit) {
            Duration left = remaining();
            return left.compareTo(limit) < 0 ? left : limit;
        }
    }

    /**
     * Pauses between two attempts of a probe: {@link #FIRST_PAUSE}, doubling up to
     * {@link #MAX_PAUSE}, never past the deadline. A readiness probe's back-off, not a way to
     * order two events: nothing signals readiness, so it is asked for again.
     */
    static final class Backoff {
        private Duration next = FIRST_PAUSE;
        private final Duration max;

        Backoff() {
            this(MAX_PAUSE);
        }

        Backoff(Duration max) {
            this.max = max;
        }

        void pause(Deadline deadline) throws InterruptedException {
            Duration pause = deadline.atMost(next);
            next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
            if (!pause.isZero()) {
                TimeUnit.NANOSECONDS.sleep(pause.toNanos());
            }
        }
    }

    /** Throws if the container's first process has exited: no wait can succeed then. */
    static void requireRunning(RunningContainer container, String awaited) {
        if (!container.isRunning()) {
            throw exited(container, awaited);
        }
    }

    static ContainerLaunchException exited(RunningContainer container, String awaited) {
        return new ContainerLaunchException("container " + container.name() + " exited"
                + container.exitCode().map(c -> " with code " + c).orElse("") + " before it was ready (waited for "
                + awaited + "). Its command may have failed, or may not be meant to keep running", container.lastLines(),
                null);
    }

    static WaitTimeoutException timedOut(RunningContainer container, String awaited, Duration timeout, String lastSeen) {
        return new WaitTimeoutException(container.name(), awaited, timeout, lastSeen, container.lastLines());
    }

    /** What one bounded exec came to: a result, a failure to run it, or no answer in time. */
    record Attempt(ExecResult result, String failure) {
        boolean succeeded() {
            return result != null && result.exitCode() == 0;
        }

        /** Whether the command ran to its end (or could not run at all), rather than being given up on. */
        boolean answered() {
            return result != null || !failure.startsWith(NO_EXIT);
        }

        String describe() {
            if (result == null) {
                return failure;
            }
            String err = result.stderr().strip();
            String out = result.stdout().strip();
            String said = !err.isEmpty() ? err : out;
            if (said.length() > 300) {
                said = "..." + said.substring(said.length() - 300);
            }
            return "exit code " + result.exitCode() + (said.isEmpty() ? "" : ", output: " + said);
        }
    }

    /** Runs {@code command} in the container, waiting at most {@code limit} for it. */
    static Attempt exec(RunningContainer container, List<String> command, Duration limit) throws InterruptedException {
        Future<ExecResult> run = EXECS.submit(() -> container.exec(command.toArray(String[]::new)));
        try {
            return new Attempt(run.get(limit.toNanos(), TimeUnit.NANOSECONDS), null);
        } catch (TimeoutException e) {
            // Left to finish on its own: killing the exec'd process is the container's removal's job.
            return new Attempt(null, NO_EXIT + WaitTimeoutException.describe(limit));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InterruptedException) {
                throw new InterruptedException("interrupted while running " + command);
            }
            return new Attempt(null, "could not run " + command + ": " + (cause instanceof IOException
                    || cause instanceof RuntimeException ? cause.getMessage() : cause.toString()));
        } catch (InterruptedException e) {
            run.cancel(true);
            throw e;
        }
    }

    static String quote(List<String> command) {
        return String.join(" ", command);
    }
}
