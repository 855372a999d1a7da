package dev.ocikit.junit;

import java.util.List;

/**
 * How to tell that a started container is ready for the test: a line in its output, a port that
 * accepts connections, an HTTP answer, a command that succeeds inside it, or its image's
 * {@code HEALTHCHECK}. A {@link ContainerSpec} may have several; they are awaited in order, and
 * the test starts once all have passed.
 *
 * <pre>{@code
 * ContainerSpec.of("localhost/db:1")
 *         .publish(5432)
 *         .waitingFor(WaitStrategy.forLogLine("ready to accept connections").times(2))
 *         .waitingFor(WaitStrategy.forPort(5432).timeout(Duration.ofSeconds(30)));
 * }</pre>
 *
 * <p>Each built-in strategy is immutable and has a timeout (default 60 s, {@code timeout(...)}
 * sets another); when it passes, it throws {@link WaitTimeoutException} whose message quotes the
 * container's last lines of output. If the container exits while awaited, it throws
 * {@link ContainerLaunchException} at once, with the exit code and the last lines.
 *
 * <p>An implementation of one's own gets the container through {@link RunningContainer}; it
 * must return once the container is ready, throw a {@link ContainerLaunchException} (or
 * {@link WaitTimeoutException}) when it will not be, bound its own waiting, and may be called
 * from any thread, for several containers at once.
 */
@FunctionalInterface
public interface WaitStrategy {
    /**
     * Returns once {@code container} is ready.
     *
     * @throws ContainerLaunchException if it will not be: its timeout passed, it exited
     * @throws InterruptedException if interrupted while waiting
     */
    void waitUntilReady(RunningContainer container) throws InterruptedException;

    /**
     * Waits for a line of standard output or error that matches {@code regex} (a
     * {@link java.util.regex.Pattern} found anywhere in the line), counting lines written before
     * the wait began.
     *
     * @throws java.util.regex.PatternSyntaxException if {@code regex} is not a valid pattern
     */
    static LogLineWait forLogLine(String regex) {
        return LogLineWait.of(regex);
    }

    /**
     * Waits until something listens on TCP {@code containerPort} inside the container and, when
     * the port is published, a connection to its host port is accepted.
     */
    static PortWait forPort(int containerPort) {
        return PortWait.of(containerPort);
    }

    /**
     * Waits until {@code GET http://host:mappedPort(containerPort)/path} answers 200 (or the
     * status set with {@link HttpWait#status(int)}). The port must be published.
     */
    static HttpWait forHttp(int containerPort, String path) {
        return HttpWait.of(containerPort, path);
    }

    /** Waits until {@code command}, run in the container as {@link RunningContainer#exec} runs it, exits 0. */
    static CommandWait forCommand(String... command) {
        return CommandWait.of(List.of(command));
    }

    /**
     * Waits until the image's {@code HEALTHCHECK} command succeeds, run in the container at the
     * check's interval ({@code CMD} as it is, {@code CMD-SHELL} through {@code /bin/sh -c}).
     */
    static HealthcheckWait forHealthcheck() {
        return HealthcheckWait.DEFAULT;
    }
}
