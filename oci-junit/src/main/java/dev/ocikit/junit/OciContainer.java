package dev.ocikit.junit;

import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.ContainerException;
import dev.ocikit.runtime.ContainerLogs;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A test's container: declared from a {@link ContainerSpec} as a {@link dev.ocikit.junit.Container @Container}
 * field, started and removed by the {@link OciContainers @OciContainers} extension, and asked by
 * the test where it listens and what it wrote.
 *
 * <pre>{@code
 * @Container
 * static OciContainer redis = OciContainer.of(ContainerSpec.of("docker.io/library/redis:7")
 *         .publish(6379)
 *         .waitingFor(WaitStrategy.forLogLine("Ready to accept connections")));
 *
 * @Test
 * void stores() throws Exception {
 *     try (Socket s = new Socket(redis.host(), redis.mappedPort(6379))) { ... }
 *     assertThat(redis.exec("redis-cli", "ping").stdout()).contains("PONG");
 * }
 * }</pre>
 *
 * <p>Outside the extension, {@link #start()} and {@link #close()} do the same by hand, with the
 * image store of the system property {@code ocikit.store} (else the default store).
 *
 * <p>Thread-safe. Its accessors throw {@link IllegalStateException} while it is not started;
 * once stopped it can be started again, which makes a new container.
 */
public final class OciContainer implements RunningContainer, AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContainerSpec spec;
    private final Object lifecycle = new Object();
    private volatile Attachment attachment;
    /** Test classes using this container through the extension at this moment (a shared static field). */
    private int users;

    private OciContainer(ContainerSpec spec) {
        this.spec = spec;
    }

    /** A container of this definition, not started. */
    public static OciContainer of(ContainerSpec spec) {
        return new OciContainer(Objects.requireNonNull(spec, "spec"));
    }

    /** A container of {@code image} with the image's defaults, not started; see {@link ContainerSpec#of}. */
    public static OciContainer of(String image) {
        return of(ContainerSpec.of(image));
    }

    /** Its definition. */
    public ContainerSpec spec() {
        return spec;
    }

    /**
     * Starts the container, as the extension does, with the image store of the system property
     * {@code ocikit.store} (else the default store): the image is pulled if the store lacks it,
     * the container started, and its wait strategies awaited.
     *
     * @return this
     * @throws ContainerLaunchException if it could not be made ready; nothing is left running
     * @throws IllegalStateException if it is already started
     */
    public OciContainer start() {
        synchronized (lifecycle) {
            if (attachment != null) {
                throw new IllegalStateException("container " + attachment.name() + " is already started");
            }
            launch(Environment.defaults(), defaultName());
            return this;
        }
    }

    /**
     * Stops and removes the container (a {@linkplain ContainerSpec#reuse reused} one is left
     * running for the next run). Does nothing if it is not started.
     *
     * @throws ContainerException if it could not be removed
     */
    public void stop() {
        synchronized (lifecycle) {
            Attachment current = attachment;
            attachment = null;
            if (current != null) {
                try {
                    current.detach();
                } catch (IOException e) {
                    throw new ContainerException("could not remove container " + current.name() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** {@link #stop()}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    /** Starts it for the extension, unless another test class already did; see {@link #releaseShared()}. */
    void acquireShared(Environment env, String name) {
        synchronized (lifecycle) {
            if (users == 0) {
                if (attachment != null) {
                    throw new IllegalStateException("container " + attachment.name() + " was started by hand;"
                            + " a @Container field's container is started by the extension: do not start it yourself");
                }
                launch(env, name);
            }
            users++;
        }
    }

    /** Stops it once the last test class using it is done. */
    void releaseShared() {
        synchronized (lifecycle) {
            if (users == 0) {
                return;
            }
            if (--users == 0) {
                stop();
            }
        }
    }

    private void launch(Environment env, String name) {
        Attachment attached;
        try {
            attached = spec.isReusable() ? ReusedAttachment.attach(env, spec) : OwnAttachment.start(env, spec, name);
        } catch (ContainerLaunchException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerLaunchException("interrupted while starting a container of " + spec.image(), e);
        } catch (IOException | OciException e) {
            throw new ContainerLaunchException("could not start a container of " + spec.image() + ": " + e.getMessage(), e);
        }
        attachment = attached;
        try {
            for (WaitStrategy wait : spec.waitStrategies()) {
                wait.waitUntilReady(this);
            }
        } catch (ContainerLaunchException e) {
            discard(attached, e);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ContainerLaunchException failure = new ContainerLaunchException("interrupted while waiting for container "
                    + attached.name() + " to be ready", e);
            discard(attached, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            // An Error too (a wait strategy written with assertions throws AssertionError): the container
            // must not outlive the failed start.
            ContainerLaunchException failure = new ContainerLaunchException("container " + attached.name()
                    + ": a wait strategy failed: " + e, attached.lastLines(), e);
            discard(attached, failure);
            throw failure;
        }
    }

    /** A container that never became ready is removed, reused or not: it would not be ready next time either. */
    private void discard(Attachment attached, Exception failure) {
        attachment = null;
        try {
            attached.discard();
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    private String defaultName() {
        String image = spec.image();
        int slash = image.lastIndexOf('/');
        String base = image.substring(slash + 1);
        int colon = base.indexOf(':');
        return nameFor(colon > 0 ? base.substring(0, colon) : base);
    }

    /** A unique container name starting with {@code hint}, cleaned to the characters names allow. */
    static String nameFor(String hint) {
        String clean = hint.replaceAll("[^a-zA-Z0-9_.-]", "-").replaceAll("^[^a-zA-Z0-9]+", "");
        if (clean.length() > 60) {
            clean = clean.substring(0, 60);
        }
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return (clean.isEmpty() ? "ocikit" : clean) + "-" + HexFormat.of().formatHex(random);
    }

    private Attachment attached() {
        Attachment current = attachment;
        if (current == null) {
            throw new IllegalStateException("the container of " + spec.image() + " is not started: declare it as a"
                    + " @Container field of an @OciContainers test class, or call start()");
        }
        return current;
    }

    /** Whether it is started (and not stopped since). */
    public boolean isStarted() {
        return attachment != null;
    }

    /**
     * Whether it is attached to a container that an earlier run left running
     * ({@link ContainerSpec#reuse}); false for one started by this run.
     */
    public boolean isReused() {
        return attached().reused();
    }

    /**
     * The runtime's handle of the container, for what this class does not offer (signals,
     * stats, pause, commit); empty for a container kept for reuse ({@link ContainerSpec#reuse}),
     * which belongs to its supervising process.
     */
    public Optional<Container> runtimeContainer() {
        return attached().runtimeContainer();
    }

    @Override
    public String name() {
        return attached().name();
    }

    @Override
    public String id() {
        return attached().id();
    }

    @Override
    public String host() {
        return attached().host();
    }

    @Override
    public int mappedPort(int containerPort) {
        return attached().mappedPort(containerPort);
    }

    @Override
    public long pid() {
        return attached().pid();
    }

    @Override
    public boolean isRunning() {
        return attached().isRunning();
    }

    @Override
    public Optional<Integer> exitCode() {
        return attached().exitCode();
    }

    @Override
    public ExecResult exec(String... command) throws IOException, InterruptedException {
        if (command.length == 0) {
            throw new IllegalArgumentException("exec needs a command");
        }
        return attached().exec(List.of(command));
    }

    @Override
    public ContainerLogs logs() throws IOException {
        return attached().logs();
    }

    @Override
    public List<String> lastLines() {
        return attached().lastLines();
    }

    @Override
    public boolean awaitLogLines(String regex, int count, Duration timeout) throws InterruptedException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        return attached().awaitLogLines(regex, count, timeout);
    }

    @Override
    public ContainerConfig imageConfig() {
        return attached().imageConfig();
    }

    @Override
    public String toString() {
        Attachment current = attachment;
        return "OciContainer[" + spec.image() + (current == null ? ", not started" : ", " + current.name()) + "]";
    }
}
