package dev.ocikit.runtime;

import dev.ocikit.image.SourceImage;
import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.runtime.network.PortMapping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A container to start from an image, with Podman's semantics for whatever is not set: the
 * image's entrypoint, command, environment, working directory and user; a private network
 * namespace with only loopback; Podman's default capabilities, masked paths and mounts.
 *
 * <pre>{@code
 * try (Container web = runtime.container("localhost/web:1")
 *         .env("MODE", "test")
 *         .bind(Path.of("site"), "/www", true)
 *         .publish(8080)
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Not thread-safe: build on one thread, then {@link #start()}; each start makes a new
 * container from the same definition.
 */
public final class ContainerBuilder {
    final OciRuntime runtime;
    final SourceImage image;
    final String imageLabel;
    final Optional<String> imageId;
    Optional<List<String>> entrypoint = Optional.empty();
    Optional<List<String>> command = Optional.empty();
    final Map<String, String> env = new LinkedHashMap<>();
    Optional<String> workdir = Optional.empty();
    Optional<String> user = Optional.empty();
    final List<String> groups = new ArrayList<>();
    Optional<String> hostname = Optional.empty();
    Optional<String> name = Optional.empty();
    final List<Bind> binds = new ArrayList<>();
    final List<Tmpfs> tmpfs = new ArrayList<>();
    final List<Volume> volumes = new ArrayList<>();
    boolean readOnly;
    Optional<Long> memory = Optional.empty();
    Optional<Long> pidsLimit = Optional.empty();
    Optional<Long> cpuShares = Optional.empty();
    Optional<long[]> cpuQuota = Optional.empty();
    final List<Rlimit> rlimits = new ArrayList<>();
    final List<String> capAdd = new ArrayList<>();
    final List<String> capDrop = new ArrayList<>();
    boolean noNewPrivileges;
    NetworkMode network = NetworkMode.NONE;
    final List<PortMapping> ports = new ArrayList<>();
    final List<Consumer<String>> stdoutConsumers = new ArrayList<>();
    final List<Consumer<String>> stderrConsumers = new ArrayList<>();
    Optional<Path> stdoutFile = Optional.empty();
    Optional<Path> stderrFile = Optional.empty();
    boolean stdin;
    boolean tty;
    final Map<String, String> annotations = new LinkedHashMap<>();
    java.time.Duration stopTimeout = java.time.Duration.ofSeconds(10);

    record Bind(Path source, String destination, boolean readOnly) {}

    record Tmpfs(String destination, List<String> options) {}

    record Volume(String name, String destination, boolean readOnly) {}

    record Rlimit(String type, long soft, long hard) {}

    ContainerBuilder(OciRuntime runtime, SourceImage image, String imageLabel, Optional<String> imageId) {
        this.runtime = runtime;
        this.image = image;
        this.imageLabel = imageLabel;
        this.imageId = imageId;
    }

    /** Replaces the image's command (its Cmd); the entrypoint, if any, still runs it. */
    public ContainerBuilder command(String... args) {
        this.command = Optional.of(List.copyOf(Arrays.asList(args)));
        return this;
    }

    public ContainerBuilder command(List<String> args) {
        this.command = Optional.of(List.copyOf(args));
        return this;
    }

    /**
     * Replaces the image's entrypoint; as in Podman this also drops the image's Cmd. No
     * arguments clears the entrypoint ({@code --entrypoint ""}).
     */
    public ContainerBuilder entrypoint(String... args) {
        this.entrypoint = Optional.of(List.copyOf(Arrays.asList(args)));
        return this;
    }

    /** Sets an environment variable, over the image's value. */
    public ContainerBuilder env(String key, String value) {
        env.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    public ContainerBuilder env(Map<String, String> values) {
        values.forEach(this::env);
        return this;
    }

    /** The working directory, created if the image lacks it. */
    public ContainerBuilder workdir(String dir) {
        this.workdir = Optional.of(dir);
        return this;
    }

    /** The user: a name, a uid, {@code uid:gid} or {@code name:group}, resolved in the image. */
    public ContainerBuilder user(String value) {
        this.user = Optional.of(value);
        return this;
    }

    /** Supplementary groups, by name or gid. */
    public ContainerBuilder groupAdd(String... values) {
        groups.addAll(Arrays.asList(values));
        return this;
    }

    public ContainerBuilder hostname(String value) {
        this.hostname = Optional.of(value);
        return this;
    }

    /** A name unique among this root's containers (default: a generated one). */
    public ContainerBuilder name(String value) {
        this.name = Optional.of(value);
        return this;
    }

    /** Bind-mounts a host file or directory. */
    public ContainerBuilder bind(Path source, String destination, boolean readOnly) {
        binds.add(new Bind(source.toAbsolutePath().normalize(), destination, readOnly));
        return this;
    }

    /** A tmpfs at {@code destination}, with mount options such as {@code size=64m}. */
    public ContainerBuilder tmpfs(String destination, String... options) {
        tmpfs.add(new Tmpfs(destination, List.of(options)));
        return this;
    }

    /** A named volume, kept under the runtime's root across containers, created empty if new. */
    public ContainerBuilder volume(String name, String destination, boolean readOnly) {
        volumes.add(new Volume(name, destination, readOnly));
        return this;
    }

    /** Mounts the root file system read-only. */
    public ContainerBuilder readOnlyRootfs(boolean value) {
        this.readOnly = value;
        return this;
    }

    /** Memory limit in bytes. */
    public ContainerBuilder memory(long bytes) {
        this.memory = Optional.of(bytes);
        return this;
    }

    public ContainerBuilder pidsLimit(long value) {
        this.pidsLimit = Optional.of(value);
        return this;
    }

    public ContainerBuilder cpuShares(long value) {
        this.cpuShares = Optional.of(value);
        return this;
    }

    /** CPU time: {@code quota} microseconds in each {@code period}. */
    public ContainerBuilder cpuQuota(long quota, long period) {
        this.cpuQuota = Optional.of(new long[] {quota, period});
        return this;
    }

    /** A resource limit such as {@code RLIMIT_NOFILE} (or {@code nofile}). */
    public ContainerBuilder rlimit(String type, long soft, long hard) {
        rlimits.add(new Rlimit(type, soft, hard));
        return this;
    }

    public ContainerBuilder capAdd(String... caps) {
        capAdd.addAll(Arrays.asList(caps));
        return this;
    }

    public ContainerBuilder capDrop(String... caps) {
        capDrop.addAll(Arrays.asList(caps));
        return this;
    }

    /**
     * Whether the process is barred from gaining privileges through setuid binaries and file
     * capabilities (default: not barred, as in Podman, so that sudo or ping work inside).
     */
    public ContainerBuilder noNewPrivileges(boolean value) {
        this.noNewPrivileges = value;
        return this;
    }

    /** The network: {@code NONE} (default; loopback only), {@code HOST} or {@code PRIVATE}. */
    public ContainerBuilder network(NetworkMode mode) {
        this.network = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * Publishes a container port on a free port of the host's 127.0.0.1 ({@link Container#mappedPort});
     * implies a {@code PRIVATE} network.
     */
    public ContainerBuilder publish(int containerPort) {
        return publish(PortMapping.parse(Integer.toString(containerPort)));
    }

    /** Publishes a port as Podman's {@code -p} does, e.g. {@code 18080:8080} or {@code 127.0.0.1::53/udp}. */
    public ContainerBuilder publish(PortMapping mapping) {
        ports.add(Objects.requireNonNull(mapping, "mapping"));
        this.network = NetworkMode.PRIVATE;
        return this;
    }

    /** Receives each line the container writes to standard output. */
    public ContainerBuilder onStdout(Consumer<String> lines) {
        stdoutConsumers.add(Objects.requireNonNull(lines, "lines"));
        return this;
    }

    /** Receives each line the container writes to standard error. */
    public ContainerBuilder onStderr(Consumer<String> lines) {
        stderrConsumers.add(Objects.requireNonNull(lines, "lines"));
        return this;
    }

    /** Also writes standard output, byte for byte, to {@code file} (created or truncated), which outlives the container. */
    public ContainerBuilder stdoutTo(Path file) {
        this.stdoutFile = Optional.of(file.toAbsolutePath());
        return this;
    }

    /** Also writes standard error, byte for byte, to {@code file} (created or truncated), which outlives the container. */
    public ContainerBuilder stderrTo(Path file) {
        this.stderrFile = Optional.of(file.toAbsolutePath());
        return this;
    }

    /** Keeps standard input open for {@link Container#stdin()} (default: /dev/null). */
    public ContainerBuilder stdin(boolean value) {
        this.stdin = value;
        return this;
    }

    /** Runs the process on a terminal, reached through {@link Container#terminal()}. */
    public ContainerBuilder tty(boolean value) {
        this.tty = value;
        return this;
    }

    /**
     * How long {@link Container#close()} and {@link Container#remove()} wait after the stop
     * signal before SIGKILL (default: 10 s, as Podman's {@code --stop-timeout}). A shell or
     * server running as PID 1 without a handler ignores SIGTERM, and then waits this long.
     */
    public ContainerBuilder stopTimeout(java.time.Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("stop timeout must not be negative: " + value);
        }
        this.stopTimeout = value;
        return this;
    }

    public ContainerBuilder annotation(String key, String value) {
        annotations.put(key, value);
        return this;
    }

    /**
     * Creates and starts the container: the root file system mounted, the bundle written, the
     * runtime's create, the network, then start.
     *
     * @throws ContainerException naming the step that failed; nothing is left behind
     * @throws dev.ocikit.runtime.invoker.RuntimeCommandException with the runtime's own error text
     */
    public Container start() throws IOException {
        Container container = ContainerLauncher.create(this, true);
        try {
            return container.start();
        } catch (RuntimeException e) {
            try {
                container.removeNow();
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Creates the container without starting it, as {@code podman create}: the root file system
     * mounted, the bundle written, the runtime's create done and the network attached; its first
     * process waits for {@link Container#start()}.
     *
     * @throws ContainerException naming the step that failed; nothing is left behind
     * @throws dev.ocikit.runtime.invoker.RuntimeCommandException with the runtime's own error text
     */
    public Container create() throws IOException {
        return ContainerLauncher.create(this, false);
    }
}
