package dev.ocikit.junit;

import dev.ocikit.junit.internal.LaunchDefinition;
import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.spec.ImageReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What container a test needs: an image and what to change of its defaults, the ports to
 * publish, the files to copy in, the resources it may use and how to tell that it is ready.
 * Everything not set is the image's (entrypoint, command, environment, working directory, user)
 * or Podman's default.
 *
 * <pre>{@code
 * static final ContainerSpec WEB = ContainerSpec.of("localhost/web:1")
 *         .env("MODE", "test")
 *         .copyFile(Path.of("src/test/resources/site.conf"), "/etc/web/site.conf")
 *         .publish(8080)
 *         .memory(256 * 1024 * 1024)
 *         .waitingFor(WaitStrategy.forHttp(8080, "/health"));
 * }</pre>
 *
 * <h2>Images</h2>
 * The image is a name or ID of the test's image store ({@code localhost/web:1},
 * {@code docker.io/library/redis:7}, {@code redis:7}); a name the store lacks is pulled through
 * {@code docker://} (except {@code localhost/} names, which are only ever built locally). A
 * transport reference ({@code docker://…}, {@code oci:/dir:tag}, {@code oci-archive:/file.tar})
 * is copied into the store first.
 *
 * <h2>Defaults</h2>
 * No network but loopback unless a port is {@linkplain #publish published} (then a private
 * network, ports on the host's 127.0.0.1) or {@link #network} says otherwise; no resource limits;
 * no wait (the test starts as soon as the container's process has); a stop that kills at once
 * ({@link #stopTimeout}: 0), since a test's container has nothing to save.
 *
 * <p>Immutable and thread-safe: each method returns a new definition, so a shared base can be
 * specialised per test. Arguments are checked at once; files to copy are read at start.
 */
public final class ContainerSpec {
    private static final Pattern TRANSPORT = Pattern.compile("([a-z][a-z0-9-]*):.*");
    private static final Pattern ID = Pattern.compile("(?:sha256:)?[0-9a-f]{12,64}");
    private static final Pattern ENV_KEY = Pattern.compile("[^=\\x00]+");

    private final String image;
    private final Optional<List<String>> entrypoint;
    private final Optional<List<String>> command;
    private final Map<String, String> env;
    private final Optional<String> workdir;
    private final Optional<String> user;
    private final Optional<String> hostname;
    private final List<LaunchDefinition.FileCopy> files;
    private final List<LaunchDefinition.Bind> binds;
    private final List<String> tmpfs;
    private final List<Integer> ports;
    private final Optional<NetworkMode> network;
    private final Optional<Long> memory;
    private final Optional<Double> cpus;
    private final Optional<Long> pidsLimit;
    private final Duration stopTimeout;
    private final List<WaitStrategy> waits;
    private final List<Consumer<String>> outputListeners;
    private final boolean reuse;

    private ContainerSpec(Draft d) {
        this.image = d.image;
        this.entrypoint = d.entrypoint;
        this.command = d.command;
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(d.env));
        this.workdir = d.workdir;
        this.user = d.user;
        this.hostname = d.hostname;
        this.files = List.copyOf(d.files);
        this.binds = List.copyOf(d.binds);
        this.tmpfs = List.copyOf(d.tmpfs);
        this.ports = List.copyOf(d.ports);
        this.network = d.network;
        this.memory = d.memory;
        this.cpus = d.cpus;
        this.pidsLimit = d.pidsLimit;
        this.stopTimeout = d.stopTimeout;
        this.waits = List.copyOf(d.waits);
        this.outputListeners = List.copyOf(d.outputListeners);
        this.reuse = d.reuse;
    }

    /** The mutable copy each change is made on, then frozen into a new definition. */
    private static final class Draft {
        String image;
        Optional<List<String>> entrypoint = Optional.empty();
        Optional<List<String>> command = Optional.empty();
        Map<String, String> env = new LinkedHashMap<>();
        Optional<String> workdir = Optional.empty();
        Optional<String> user = Optional.empty();
        Optional<String> hostname = Optional.empty();
        List<LaunchDefinition.FileCopy> files = new ArrayList<>();
        List<LaunchDefinition.Bind> binds = new ArrayList<>();
        List<String> tmpfs = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        Optional<NetworkMode> network = Optional.empty();
        Optional<Long> memory = Optional.empty();
        Optional<Double> cpus = Optional.empty();
        Optional<Long> pidsLimit = Optional.empty();
        Duration stopTimeout = Duration.ZERO;
        List<WaitStrategy> waits = new ArrayList<>();
        List<Consumer<String>> outputListeners = new ArrayList<>();
        boolean reuse;
    }

    private Draft draft() {
        Draft d = new Draft();
        d.image = image;
        d.entrypoint = entrypoint;
        d.command = command;
        d.env = new LinkedHashMap<>(env);
        d.workdir = workdir;
        d.user = user;
        d.hostname = hostname;
        d.files = new ArrayList<>(files);
        d.binds = new ArrayList<>(binds);
        d.tmpfs = new ArrayList<>(tmpfs);
        d.ports = new ArrayList<>(ports);
        d.network = network;
        d.memory = memory;
        d.cpus = cpus;
        d.pidsLimit = pidsLimit;
        d.stopTimeout = stopTimeout;
        d.waits = new ArrayList<>(waits);
        d.outputListeners = new ArrayList<>(outputListeners);
        d.reuse = reuse;
        return d;
    }

    private ContainerSpec with(Consumer<Draft> change) {
        Draft d = draft();
        change.accept(d);
        return new ContainerSpec(d);
    }

    /**
     * A container of {@code image}: a name or ID of the image store, or a transport reference
     * ({@code docker://}, {@code oci:}, {@code oci-archive:}, ...) to copy into it.
     *
     * @throws dev.ocikit.spec.InvalidReferenceException if it is neither a valid image name, an
     *     ID, nor a transport reference
     */
    public static ContainerSpec of(String image) {
        Objects.requireNonNull(image, "image");
        if (image.isBlank()) {
            throw new IllegalArgumentException("a container needs an image; got an empty name");
        }
        if (!ID.matcher(image).matches() && !isTransportReference(image)) {
            ImageReference.parse(image); // a bad name fails here, where it is written, not when the test starts
        }
        Draft d = new Draft();
        d.image = image;
        return new ContainerSpec(d);
    }

    /**
     * Whether {@code image} reads as {@code transport:reference} rather than as a name: it starts
     * with a transport's name and a colon, and is not a valid image name ({@code redis:7} and
     * {@code localhost:5000/app} are names; {@code oci:/dir:tag} and {@code docker://redis} are not).
     */
    static boolean isTransportReference(String image) {
        if (!TRANSPORT.matcher(image).matches()) {
            return false;
        }
        try {
            ImageReference.parse(image);
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** Replaces the image's command (Cmd); its entrypoint, if any, still runs it. */
    public ContainerSpec command(String... args) {
        return command(Arrays.asList(args));
    }

    /** Replaces the image's command (Cmd); its entrypoint, if any, still runs it. */
    public ContainerSpec command(List<String> args) {
        List<String> copy = List.copyOf(args);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program; to keep the image's, do not set one");
        }
        return with(d -> d.command = Optional.of(copy));
    }

    /**
     * Replaces the image's entrypoint; as in Podman this also drops the image's command. No
     * arguments clears it.
     */
    public ContainerSpec entrypoint(String... args) {
        List<String> copy = List.copyOf(Arrays.asList(args));
        return with(d -> d.entrypoint = Optional.of(copy));
    }

    /** Sets an environment variable, over the image's value. */
    public ContainerSpec env(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (!ENV_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("an environment variable's name is not empty and has no '=' or NUL: \""
                    + key + "\"");
        }
        return with(d -> d.env.put(key, value));
    }

    /** Sets environment variables, over the image's values. */
    public ContainerSpec env(Map<String, String> values) {
        ContainerSpec spec = this;
        for (Map.Entry<String, String> e : values.entrySet()) {
            spec = spec.env(e.getKey(), e.getValue());
        }
        return spec;
    }

    /** The working directory, created if the image lacks it. */
    public ContainerSpec workdir(String path) {
        String checked = containerPath(path, "working directory");
        return with(d -> d.workdir = Optional.of(checked));
    }

    /** The user: a name, a uid, {@code uid:gid} or {@code name:group}, resolved in the image. */
    public ContainerSpec user(String value) {
        Objects.requireNonNull(value, "user");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a user is a name or a uid; got an empty one");
        }
        return with(d -> d.user = Optional.of(value));
    }

    /** The container's host name (default: the start of its id). */
    public ContainerSpec hostname(String value) {
        Objects.requireNonNull(value, "hostname");
        if (!value.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})")) {
            throw new IllegalArgumentException("not a host name: \"" + value + "\"");
        }
        return with(d -> d.hostname = Optional.of(value));
    }

    /**
     * Copies a host file or directory into the container at {@code containerPath}: a private
     * copy made at each start is mounted there, so the container may change it and the
     * original stays as it is. Read at start; a missing file fails the start.
     */
    public ContainerSpec copyFile(Path hostPath, String containerPath) {
        Objects.requireNonNull(hostPath, "hostPath");
        String target = containerPath(containerPath, "file's container path");
        String source = hostPath.toAbsolutePath().normalize().toString();
        return with(d -> d.files.add(new LaunchDefinition.FileCopy(source, target)));
    }

    /** Mounts a host file or directory as it is (not a copy): what the container writes there, the host sees. */
    public ContainerSpec bind(Path hostPath, String containerPath, boolean readOnly) {
        Objects.requireNonNull(hostPath, "hostPath");
        String target = containerPath(containerPath, "bind mount's container path");
        String source = hostPath.toAbsolutePath().normalize().toString();
        return with(d -> d.binds.add(new LaunchDefinition.Bind(source, target, readOnly)));
    }

    /** An empty tmpfs at {@code containerPath}. */
    public ContainerSpec tmpfs(String containerPath) {
        String target = containerPath(containerPath, "tmpfs path");
        return with(d -> d.tmpfs.add(target));
    }

    /**
     * Publishes TCP container ports, each on a free port of the host's 127.0.0.1, found with
     * {@link OciContainer#mappedPort(int)}. Gives the container a private network.
     *
     * @throws IllegalArgumentException if the network is {@code NONE} or {@code HOST}, where
     *     nothing can be published, or a port is published twice
     */
    public ContainerSpec publish(int... containerPorts) {
        List<Integer> added = new ArrayList<>();
        for (int port : containerPorts) {
            checkPort(port);
            if (ports.contains(port) || added.contains(port)) {
                throw new IllegalArgumentException("port " + port + " is published twice");
            }
            added.add(port);
        }
        if (!added.isEmpty() && network.isPresent() && network.get() != NetworkMode.PRIVATE) {
            throw conflict(network.get());
        }
        return with(d -> d.ports.addAll(added));
    }

    /**
     * The network: {@code NONE} (only loopback; the default without published ports),
     * {@code PRIVATE} (its own namespace attached to the outside; implied by {@link #publish})
     * or {@code HOST} (the host's own).
     *
     * @throws IllegalArgumentException if ports are published and the mode is not {@code PRIVATE}
     */
    public ContainerSpec network(NetworkMode mode) {
        Objects.requireNonNull(mode, "mode");
        if (!ports.isEmpty() && mode != NetworkMode.PRIVATE) {
            throw conflict(mode);
        }
        return with(d -> d.network = Optional.of(mode));
    }

    private static IllegalArgumentException conflict(NetworkMode mode) {
        return new IllegalArgumentException("published ports need the PRIVATE network, not " + mode
                + ": drop the network setting, or the published ports");
    }

    /** A memory limit, in bytes. */
    public ContainerSpec memory(long bytes) {
        if (bytes < 4 * 1024 * 1024) {
            throw new IllegalArgumentException("a memory limit below 4 MiB leaves no room for a process; got " + bytes
                    + " bytes (the argument is in bytes, not MiB)");
        }
        return with(d -> d.memory = Optional.of(bytes));
    }

    /** CPU time, as a number of CPUs ({@code 0.5} is half of one), as Podman's {@code --cpus}. */
    public ContainerSpec cpus(double value) {
        if (!(value >= 0.01) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("cpus must be at least 0.01, got " + value);
        }
        return with(d -> d.cpus = Optional.of(value));
    }

    /** The most processes (and threads) the container may have. */
    public ContainerSpec pidsLimit(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("a pids limit is at least 1, got " + value);
        }
        return with(d -> d.pidsLimit = Optional.of(value));
    }

    /**
     * How long a stop waits after the image's stop signal before SIGKILL (default 0: killed at
     * once, as a test's container has nothing to save).
     */
    public ContainerSpec stopTimeout(Duration value) {
        Objects.requireNonNull(value, "stopTimeout");
        if (value.isNegative()) {
            throw new IllegalArgumentException("a stop timeout is not negative, got " + value);
        }
        return with(d -> d.stopTimeout = value);
    }

    /** Adds a readiness check; checks are awaited in the order they were added. */
    public ContainerSpec waitingFor(WaitStrategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        return with(d -> d.waits.add(strategy));
    }

    /**
     * Also gives each line the container writes to standard output or error to {@code lines},
     * on the thread reading that stream: a listener must be quick and must not throw. Not used
     * for a {@linkplain #reuse reused} container, whose output goes to its log files.
     */
    public ContainerSpec onOutput(Consumer<String> lines) {
        Objects.requireNonNull(lines, "lines");
        return with(d -> d.outputListeners.add(lines));
    }

    /**
     * Keeps the container running after the tests and across test runs, to save its start-up
     * next time (default: not reused). It is named {@code ocikit-reuse-<hash>} after a hash of
     * this definition, of the image's ID and of the files copied in: a later run with the same
     * definition finds it running and uses it; any change makes a new one. It runs under a small
     * supervising JVM of its own, started from the test's class path: stopping that process
     * (SIGTERM; it is the owner {@code ocikit inspect NAME} shows) removes the container, as
     * does {@code ocikit rm -f NAME}. Wait strategies are awaited again each time; output
     * listeners are not used. A container that fails its wait strategies is removed.
     */
    public ContainerSpec reuse(boolean value) {
        return with(d -> d.reuse = value);
    }

    /** The image, as given to {@link #of}. */
    public String image() {
        return image;
    }

    /** The published container ports, in the order given. */
    public List<Integer> publishedPorts() {
        return ports;
    }

    /** The readiness checks, in the order they are awaited. */
    public List<WaitStrategy> waitStrategies() {
        return waits;
    }

    /** Whether the container is kept for later runs ({@link #reuse}). */
    public boolean isReusable() {
        return reuse;
    }

    /** The stop timeout ({@link #stopTimeout}). */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    List<Consumer<String>> outputListeners() {
        return outputListeners;
    }

    /** What to ask of the runtime, for the store image {@code imageId}. */
    LaunchDefinition definition(String imageId) {
        NetworkMode mode = network.orElse(ports.isEmpty() ? NetworkMode.NONE : NetworkMode.PRIVATE);
        return new LaunchDefinition(imageId, entrypoint, command, env, workdir, user, hostname, files, binds, tmpfs,
                ports, mode.name(), memory, cpus, pidsLimit, stopTimeout.toMillis());
    }

    static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a TCP port is between 1 and 65535, got " + port);
        }
        return port;
    }

    private static String containerPath(String path, String what) {
        Objects.requireNonNull(path, what);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a " + what + " is absolute, got \"" + path + "\"");
        }
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("a " + what + " has no '..', got \"" + path + "\"");
            }
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a " + what + " has no NUL or newline");
        }
        return path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContainerSpec s && image.equals(s.image) && entrypoint.equals(s.entrypoint)
                && command.equals(s.command) && env.equals(s.env) && workdir.equals(s.workdir) && user.equals(s.user)
                && hostname.equals(s.hostname) && files.equals(s.files) && binds.equals(s.binds)
                && tmpfs.equals(s.tmpfs) && ports.equals(s.ports) && network.equals(s.network)
                && memory.equals(s.memory) && cpus.equals(s.cpus) && pidsLimit.equals(s.pidsLimit)
                && stopTimeout.equals(s.stopTimeout) && waits.equals(s.waits)
                && outputListeners.equals(s.outputListeners) && reuse == s.reuse;
    }

    @Override
    public int hashCode() {
        return Objects.hash(image, entrypoint, command, env, workdir, user, hostname, files, binds, tmpfs, ports, network,
                memory, cpus, pidsLimit, stopTimeout, waits, outputListeners, reuse);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ContainerSpec[").append(image);
        entrypoint.ifPresent(e -> b.append(", entrypoint ").append(e));
        command.ifPresent(c -> b.append(", command ").append(c));
        if (!env.isEmpty()) {
            b.append(", env ").append(env.keySet()); // values may be secrets
        }
        if (!ports.isEmpty()) {
            b.append(", publish ").append(ports);
        }
        network.ifPresent(n -> b.append(", network ").append(n));
        if (!files.isEmpty()) {
            b.append(", ").append(files.size()).append(" file(s) copied");
        }
        if (!waits.isEmpty()) {
            b.append(", waiting for ").append(waits);
        }
        if (reuse) {
            b.append(", reused");
        }
        return b.append(']').toString();
    }
}
