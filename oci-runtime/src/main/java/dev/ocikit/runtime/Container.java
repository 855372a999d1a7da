package dev.ocikit.runtime;

import dev.ocikit.runtime.invoker.ChildReaper;
import dev.ocikit.runtime.invoker.Terminal;
import dev.ocikit.runtime.network.ContainerNetwork;
import dev.ocikit.spec.runtime.State;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A running (or exited) container this JVM started: its output, its exit code, signals, exec,
 * and removal. {@link #close()} stops and removes it, so try-with-resources leaves nothing
 * behind; a shutdown hook does the same for containers still open when the JVM exits, and the
 * next {@link OciRuntime} built sweeps those of a JVM killed outright.
 *
 * <p>Thread-safe.
 */
public final class Container implements AutoCloseable {
    private final OciRuntime runtime;
    private final ContainerDirectory dir;
    private final String name;
    private final long pid;
    private final CompletableFuture<Integer> exit;
    private final CompletableFuture<Void> exitRecorded;
    private final Optional<OutputPump> stdout;
    private final Optional<OutputPump> stderr;
    private final Optional<OutputStream> stdin;
    private final Optional<Terminal> terminal;
    private final Optional<ContainerNetwork> network;
    private final dev.ocikit.spec.runtime.Process process;
    private final String stopSignal;
    private final Duration stopTimeout;
    private final AtomicBoolean removed = new AtomicBoolean();
    private final AtomicBoolean started;

    Container(OciRuntime runtime, ContainerDirectory dir, String name, long pid, Optional<OutputPump> stdout,
            Optional<OutputPump> stderr, Optional<OutputStream> stdin, Optional<Terminal> terminal,
            Optional<ContainerNetwork> network, dev.ocikit.spec.runtime.Process process, String stopSignal,
            Duration stopTimeout, boolean started) {
        this.started = new AtomicBoolean(started);
        this.runtime = runtime;
        this.dir = dir;
        this.name = name;
        this.pid = pid;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdin = stdin;
        this.terminal = terminal;
        this.network = network;
        this.process = process;
        this.stopSignal = stopSignal;
        this.stopTimeout = stopTimeout;
        this.exit = ChildReaper.exitOf(pid);
        // Recorded for other processes (ocikit wait, ps) after waiters here have been told.
        this.exitRecorded = exit.thenAcceptAsync(code -> {
            try {
                dir.writeExitCode(code);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Starts a container made by {@link ContainerBuilder#create()}: its first process runs.
     *
     * @return this container (starting it again does nothing)
     * @throws dev.ocikit.runtime.invoker.RuntimeCommandException if the runtime cannot start it
     */
    public Container start() {
        if (started.compareAndSet(false, true)) {
            runtime.cli().start(id());
        }
        return this;
    }

    /** The container's id, as the runtime knows it. */
    public String id() {
        return dir.id();
    }

    public String name() {
        return name;
    }

    /** The host pid of the container's first process. */
    public long pid() {
        return pid;
    }

    /** The host address published ports listen on. */
    public String host() {
        return network.map(ContainerNetwork::host).orElse("127.0.0.1");
    }

    /**
     * The host port a published container port is reachable on, at {@link #host()}.
     *
     * @throws IllegalArgumentException if that port was not published
     */
    public int mappedPort(int containerPort) {
        return network.orElseThrow(() -> new dev.ocikit.runtime.network.PortNotPublishedException(containerPort,
                dev.ocikit.runtime.network.PortMapping.Protocol.TCP, "none: container " + name
                + " has no private network; call publish(" + containerPort + ") before start()"))
                .mappedPort(containerPort);
    }

    /** The container's standard input, if it was asked for with {@code stdin(true)}; close it to send EOF. */
    public OutputStream stdin() {
        return stdin.orElseThrow(() -> new IllegalStateException("container " + name
                + " was started without stdin; call stdin(true) before start()"));
    }

    /** The terminal, if the container was started with {@code tty(true)}. */
    public Optional<Terminal> terminal() {
        return terminal;
    }

    /** Everything written to standard output so far (kept in a file, not in memory). */
    public String stdoutLog() throws IOException {
        return readLog(dir.stdoutLog());
    }

    /** Everything written to standard error so far. */
    public String stderrLog() throws IOException {
        return readLog(dir.stderrLog());
    }

    private static String readLog(java.nio.file.Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** The last lines written to standard output and error, for failure messages. */
    public List<String> lastLines() {
        List<String> lines = new java.util.ArrayList<>();
        stdout.ifPresent(p -> lines.addAll(p.tail()));
        stderr.ifPresent(p -> lines.addAll(p.tail()));
        return lines;
    }

    /**
     * Waits until {@code count} lines of standard output or error (together) matched
     * {@code regex}, counting lines written before the call.
     *
     * @throws ContainerException naming the pattern and quoting the last lines if the timeout
     *     passes, or the container exits first
     */
    public void waitForLog(String regex, int count, Duration timeout) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        AtomicInteger seen = new AtomicInteger();
        CountDownLatch matched = new CountDownLatch(1);
        Consumer<String> watcher = line -> {
            if (pattern.matcher(line).find() && seen.incrementAndGet() >= count) {
                matched.countDown();
            }
        };
        stdout.ifPresent(p -> p.subscribe(watcher));
        stderr.ifPresent(p -> p.subscribe(watcher));
        CompletableFuture<Void> outputDone = CompletableFuture.allOf(
                stdout.map(OutputPump::done).orElse(CompletableFuture.completedFuture(null)),
                stderr.map(OutputPump::done).orElse(CompletableFuture.completedFuture(null)));
        outputDone.thenRun(matched::countDown);
        try {
            boolean ok = matched.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (ok && seen.get() >= count) {
                return;
            }
            String why = ok ? "the container's output ended (it exited" + exitCode().map(c -> " with " + c).orElse("")
                    + ")" : "no such line within " + timeout;
            throw new ContainerException("container " + name + ": waited for " + count + " line(s) matching /" + regex
                    + "/, saw " + seen.get() + "; " + why + ". Last lines:\n" + String.join("\n", lastLines()));
        } finally {
            stdout.ifPresent(p -> p.unsubscribe(watcher));
            stderr.ifPresent(p -> p.unsubscribe(watcher));
        }
    }

    public void waitForLog(String regex, Duration timeout) throws InterruptedException {
        waitForLog(regex, 1, timeout);
    }

    /** Waits for the container's first process to exit; returns its exit code (128 + signal if killed). */
    public int waitFor() throws InterruptedException {
        try {
            int code = exit.get();
            drainOutput();
            return code;
        } catch (ExecutionException e) {
            throw new ContainerException("container " + name + ": lost its exit status: " + e.getCause(), e.getCause());
        }
    }

    /** Waits at most {@code timeout}; empty if the container still runs then. */
    public OptionalInt waitFor(Duration timeout) throws InterruptedException {
        try {
            int code = exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            drainOutput();
            return OptionalInt.of(code);
        } catch (TimeoutException e) {
            return OptionalInt.empty();
        } catch (ExecutionException e) {
            throw new ContainerException("container " + name + ": lost its exit status: " + e.getCause(), e.getCause());
        }
    }

    /** The exit code, once the container has exited. */
    public Optional<Integer> exitCode() {
        return exit.isDone() && !exit.isCompletedExceptionally() ? Optional.of(exit.join()) : Optional.empty();
    }

    public boolean isRunning() {
        return !exit.isDone();
    }

    /** Completes with the exit code when the container exits. */
    public CompletableFuture<Integer> onExit() {
        return exit.copy();
    }

    /** Output written before exit may still be in the pipes; callers of waitFor expect it in the logs. */
    private void drainOutput() throws InterruptedException {
        try {
            CompletableFuture.allOf(
                    stdout.map(OutputPump::done).orElse(CompletableFuture.completedFuture(null)),
                    stderr.map(OutputPump::done).orElse(CompletableFuture.completedFuture(null)))
                    .get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // a process the container left behind (an exec'd daemon) may hold the pipe; the log has what came
        }
    }

    /** Sends a signal ({@code SIGTERM}, {@code TERM}, {@code 15}) to the container's first process. */
    public void kill(String signal) {
        if (exit.isDone()) {
            return;
        }
        runtime.cli().kill(id(), signal, false);
    }

    /**
     * Stops the container as Podman does: its stop signal (the image's StopSignal, else SIGTERM),
     * then SIGKILL to every process after {@code grace}.
     *
     * @return the exit code
     */
    public int stop(Duration grace) throws InterruptedException {
        if (!exit.isDone()) {
            try {
                kill(stopSignal);
            } catch (RuntimeException e) {
                if (!exit.isDone()) {
                    throw e;
                }
            }
            if (waitFor(grace).isEmpty()) {
                try {
                    runtime.killAll(id());
                } catch (RuntimeException e) {
                    if (!exit.isDone()) {
                        throw e;
                    }
                }
            }
        }
        return waitFor();
    }

    /** Freezes every process of the container (the freezer cgroup). */
    public void pause() {
        runtime.cli().pause(id());
    }

    /** Thaws a paused container. */
    public void resume() {
        runtime.cli().resume(id());
    }

    /** The host pids of the container's processes. */
    public List<Long> processes() {
        return runtime.cli().ps(id());
    }

    /** CPU, memory and pids figures from the container's cgroups. */
    public dev.ocikit.runtime.invoker.ContainerStats stats() {
        return runtime.cli().stats(id());
    }

    /** The runtime's view: status, pid, bundle. */
    public State state() {
        return runtime.cli().state(id());
    }

    /** Runs another process in the container, waiting for it; its output is collected. */
    public ExecResult exec(String... command) throws IOException, InterruptedException {
        return ContainerExec.run(this, List.of(command));
    }

    /**
     * Writes an image of this container to the runtime's store under {@code image}, as
     * {@code podman commit} does: its image's layers and config, with what the container changed
     * as one more layer. A running container is paused meanwhile.
     *
     * @see OciRuntime#commit(String, String, java.util.function.UnaryOperator)
     */
    public dev.ocikit.image.build.BuiltImage commit(String image) throws IOException, InterruptedException {
        if (removed.get()) {
            throw new ContainerException("container " + name + " was removed; commit it before removing it");
        }
        return runtime.commit(id(), image);
    }

    OciRuntime runtime() {
        return runtime;
    }

    ContainerDirectory directory() {
        return dir;
    }

    /** The container's process as the bundle gives it: exec runs with its user, environment and directory. */
    dev.ocikit.spec.runtime.Process process() {
        return process;
    }

    /**
     * Stops the container (its stop timeout, 10 s unless set, then SIGKILL), tears its network
     * down, deletes it from the runtime, unmounts its root file system and removes its directory.
     * Idempotent.
     */
    public void remove() throws IOException, InterruptedException {
        if (removed.get()) {
            return;
        }
        if (isRunning()) {
            stop(stopTimeout);
        }
        removeNow();
    }

    /**
     * Waits for the container to exit, then frees what it holds (runtime state, network, root
     * file system mount) but keeps its record (logs, exit code, bundle, the upper directory) for
     * {@link OciRuntime#logs}, {@link OciRuntime#inspect} and {@link OciRuntime#list}, until
     * {@link OciRuntime#remove}: what Podman does with a container run without {@code --rm}.
     *
     * @return the exit code
     */
    public int keep() throws IOException, InterruptedException {
        int code = waitFor();
        try {
            exitRecorded.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ContainerException("container " + name + ": could not record its exit code: " + e.getCause(),
                    e.getCause());
        }
        if (!removed.compareAndSet(false, true)) {
            return code;
        }
        try {
            dir.markKept();
            closeNetworkThen(() -> ContainerTeardown.of(runtime, dir).release());
        } finally {
            OciRuntime.unregister(this);
        }
        return code;
    }

    private interface Teardown {
        void run() throws IOException;
    }

    /** Tears the network down, then the rest, which runs even when the network's teardown fails. */
    private void closeNetworkThen(Teardown rest) throws IOException {
        RuntimeException networkFailure = null;
        if (network.isPresent()) {
            try {
                network.get().close();
            } catch (RuntimeException e) {
                networkFailure = e;
            }
        }
        try {
            rest.run();
        } catch (IOException | RuntimeException e) {
            if (networkFailure != null) {
                e.addSuppressed(networkFailure);
            }
            throw e;
        }
        if (networkFailure != null) {
            throw networkFailure;
        }
    }

    /** The exit code is written to the directory asynchronously; teardown must not race that write. */
    private void awaitExitRecord() {
        if (exit.isDone()) {
            try {
                exitRecorded.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // not recorded: the directory goes anyway
            }
        }
    }

    /** Kills whatever still runs and removes everything; used at JVM exit too. */
    void removeNow() throws IOException {
        if (!removed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (isRunning()) {
                try {
                    runtime.killAll(id());
                    exit.get(10, java.util.concurrent.TimeUnit.SECONDS); // reaped here, then recorded
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | ExecutionException | TimeoutException e) {
                    // it may have exited meanwhile; delete --force below settles it
                }
            }
            stdin.ifPresent(s -> {
                try {
                    s.close();
                } catch (IOException e) {
                    // the container is going away; nothing to tell
                }
            });
            terminal.ifPresent(Terminal::close);
            awaitExitRecord();
            closeNetworkThen(() -> ContainerTeardown.of(runtime, dir).run());
        } finally {
            OciRuntime.unregister(this);
        }
    }

    /** {@link #remove()}, for try-with-resources. */
    @Override
    public void close() throws IOException {
        try {
            remove();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            removeNow();
        }
    }

    @Override
    public String toString() {
        return "Container[" + name + " " + id().substring(0, 12) + "]";
    }
}
