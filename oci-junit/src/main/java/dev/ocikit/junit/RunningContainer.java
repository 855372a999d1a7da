package dev.ocikit.junit;

import dev.ocikit.runtime.ContainerLogs;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a started container offers a test and a {@link WaitStrategy}: where its published ports
 * are, its output, and processes run inside it. {@link OciContainer} is the one users hold;
 * wait strategies see it through this interface, so that they can be tried against any
 * implementation.
 *
 * <p>Implementations are thread-safe. Each method of a container that has not been started (or
 * was stopped) throws {@link IllegalStateException}.
 */
public interface RunningContainer {
    /** The container's name, unique under its runtime's root. */
    String name();

    /** The container's id, as the OCI runtime knows it. */
    String id();

    /** The host address published ports listen on ({@code 127.0.0.1}). */
    String host();

    /**
     * The host port that a published container port is reachable on, at {@link #host()}.
     *
     * @throws dev.ocikit.runtime.network.PortNotPublishedException if that port was not published
     */
    int mappedPort(int containerPort);

    /** The host pid of the container's first process. */
    long pid();

    /** Whether the container's first process still runs. */
    boolean isRunning();

    /** Its exit code, once the container's first process has exited. */
    Optional<Integer> exitCode();

    /**
     * Runs a command in the container, with its first process's user, environment and working
     * directory, and waits for it to exit.
     *
     * @throws dev.ocikit.runtime.invoker.RuntimeCommandException if the runtime could not run
     *     it (no such program in the image, for one)
     */
    ExecResult exec(String... command) throws IOException, InterruptedException;

    /** Everything the container wrote to standard output and error so far. */
    ContainerLogs logs() throws IOException;

    /** The last lines the container wrote, standard output's then standard error's, oldest first. */
    List<String> lastLines();

    /**
     * Waits until {@code count} lines of the container's output (standard output and error
     * together, including lines written before the call) have matched {@code regex}.
     *
     * @return whether they did within {@code timeout}; false also if the container's output
     *     ended first (it exited)
     */
    boolean awaitLogLines(String regex, int count, Duration timeout) throws InterruptedException;

    /** The config of the image the container was made from (its Cmd, Env, Healthcheck...). */
    ContainerConfig imageConfig();
}
