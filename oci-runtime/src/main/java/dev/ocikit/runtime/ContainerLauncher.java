package dev.ocikit.runtime;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.LayerSnapshots;
import dev.ocikit.image.Unpacker;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.runtime.bundle.BundleSpec;
import dev.ocikit.runtime.bundle.IdMappings;
import dev.ocikit.runtime.invoker.ChildReaper;
import dev.ocikit.runtime.invoker.ConsoleSocket;
import dev.ocikit.runtime.invoker.CreateOptions;
import dev.ocikit.runtime.invoker.Terminal;
import dev.ocikit.runtime.network.ContainerNetwork;
import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.runtime.network.NetworkSettings;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.runtime.Spec;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The steps from a {@link ContainerBuilder} to a started {@link Container}, undone in reverse on failure. */
final class ContainerLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerLauncher.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    static final java.util.regex.Pattern VALID_NAME = java.util.regex.Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}");

    private ContainerLauncher() {}

    /** Everything up to the runtime's create and the network: the container exists, its process waits to start. */
    static Container create(ContainerBuilder b, boolean start) throws IOException {
        OciRuntime runtime = b.runtime;
        String id = newId();
        String name = b.name.orElse(id.substring(0, 12));
        if (!VALID_NAME.matcher(name).matches()) {
            throw new ContainerException("invalid container name \"" + name.replace("\n", "\\n")
                    + "\": use letters, digits, '_', '.' and '-', starting with a letter or digit, as Podman does");
        }
        String stopSignal = stopSignal(b);
        if (stopSignal.chars().anyMatch(Character::isWhitespace)) {
            throw new ContainerException("the image's StopSignal \"" + stopSignal.replace("\n", "\\n")
                    + "\" is not a signal name or number");
        }
        ContainerDirectory dir = newDirectory(runtime, id, name, b.imageLabel, b.imageId, stopSignal);
        Optional<ContainerNetwork> network = Optional.empty();
        Optional<OutputPump> stdout = Optional.empty();
        Optional<OutputPump> stderr = Optional.empty();
        CompletableFuture<OutputStream> stdin = CompletableFuture.completedFuture(null);
        Terminal received = null;
        try {
            // What can refuse the container outright goes first, before any thread or pipe exists.
            runtime.cli().requireSafeVersion();
            ChildReaper.install();
            ContainerRootfs rootfs = prepareRootfs(runtime, b, dir);
            BundleSpec bundleSpec = spec(runtime, b, dir);
            Spec spec = bundleSpec.build(dir.rootfs());
            // Mount points the image lacks stay out of the upper directory, which a commit reads.
            rootfs.provideMountPoints(spec.mounts());
            dir.writeMountPoints(rootfs.stubs());
            bundleSpec.prepareRootfs(dir.rootfs());
            Files.write(dir.config(), Json.write(spec));
            dev.ocikit.spec.runtime.Process process = spec.process().orElseThrow();

            Optional<ConsoleSocket> console = Optional.empty();
            CreateOptions options = CreateOptions.defaults().pidFile(dir.pidFile());
            if (b.tty) {
                // AF_UNIX paths are short (108 bytes): the socket lives under the runtime's state root
                Path socket = runtime.stateRoot().resolve("console").resolve(id.substring(0, 24) + ".sock");
                Files.createDirectories(socket.getParent());
                console = Optional.of(ConsoleSocket.listen(socket));
                options = options.consoleSocket(socket)
                        .stdin(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .stdout(ProcessBuilder.Redirect.DISCARD)
                        .stderr(ProcessBuilder.Redirect.DISCARD);
            } else {
                stdout = Optional.of(pump(dir, "stdout", dir.stdoutPipe(), dir.stdoutLog(), b.stdoutFile, b.stdoutConsumers));
                stderr = Optional.of(pump(dir, "stderr", dir.stderrPipe(), dir.stderrLog(), b.stderrFile, b.stderrConsumers));
                options = options.stdout(ProcessBuilder.Redirect.to(dir.stdoutPipe().toFile()))
                        .stderr(ProcessBuilder.Redirect.to(dir.stderrPipe().toFile()));
                if (b.stdin) {
                    mkfifo(dir.stdinPipe());
                    Path pipe = dir.stdinPipe();
                    // Opening a pipe's write end waits for its reader, which runc's start opens.
                    stdin = CompletableFuture.supplyAsync(() -> {
                        try {
                            return new FileOutputStream(pipe.toFile());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, r -> daemon(r, "ocikit-" + name + "-stdin").start());
                    options = options.stdin(ProcessBuilder.Redirect.from(pipe.toFile()));
                } else {
                    options = options.stdin(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
            }
            CompletableFuture<Terminal> terminal = CompletableFuture.completedFuture(null);
            if (console.isPresent()) {
                ConsoleSocket socket = console.get();
                // runc create connects and hands over the pty master before it exits
                terminal = CompletableFuture.supplyAsync(() -> socket.receive(Duration.ofSeconds(60)),
                        r -> daemon(r, "ocikit-" + name + "-console").start());
            }
            // With no network to attach between create and start, one runtime process does both.
            boolean startNow = start && b.network != NetworkMode.PRIVATE;
            try {
                if (startNow) {
                    runtime.cli().createAndStart(id, dir.bundle(), options);
                } else {
                    runtime.cli().create(id, dir.bundle(), options);
                }
                received = join(terminal); // runc create hands the pty over before it exits
            } finally {
                console.ifPresent(ConsoleSocket::close);
            }
            long pid = dir.pid().orElseThrow(() -> new ContainerException("the runtime created container " + name
                    + " but wrote no pid file at " + dir.pidFile()));
            if (b.network == NetworkMode.PRIVATE) {
                NetworkSettings.Builder settings = NetworkSettings.newBuilder().mode(b.network);
                b.ports.forEach(settings::publish);
                network = Optional.of(ContainerNetwork.attach(settings.build(), id, pid, runtime.networkDir(dir)));
                Optional<String> address = network.get().containerAddress().map(java.net.InetAddress::getHostAddress);
                if (address.isPresent()) {
                    bundleSpec.etcFiles().containerAddress(address.get()).updateHosts(dir.etc());
                }
            }
            Container container = new Container(runtime, dir, name, pid, stdout, stderr,
                    Optional.ofNullable(join(stdin)), Optional.ofNullable(received), network, process,
                    stopSignal, b.stopTimeout, startNow);
            OciRuntime.register(container);
            return container;
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (received != null) {
                    received.close();
                }
                releaseStdio(dir, stdout, stderr, stdin);
                network.ifPresent(ContainerNetwork::close);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                try {
                    ContainerTeardown.of(runtime, dir).run();
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** A new random container id. */
    static String newId() {
        return HexFormat.of().formatHex(randomBytes());
    }

    /**
     * Makes the directory of a new container and records its owner (this process), name and
     * image, with the check that the name is free, across processes.
     */
    static ContainerDirectory newDirectory(OciRuntime runtime, String id, String name, String imageLabel,
            Optional<String> imageId, String stopSignal) throws IOException {
        ContainerDirectory dir = new ContainerDirectory(runtime.containersDir().resolve(id));
        runtime.withNamesLocked(() -> {
            Optional<String> taken = runtime.idOfName(name);
            if (taken.isPresent()) {
                throw new ContainerException("the container name \"" + name + "\" is already in use by container "
                        + taken.get().substring(0, 12) + "; remove that container or choose another name");
            }
            Files.createDirectories(dir.dir());
            dir.writeInfo(ContainerDirectory.Owner.current(), name, imageLabel, imageId, stopSignal);
            return null;
        });
        return dir;
    }

    /**
     * After a failed start, ends the threads waiting on the container's pipes. Each pipe is held
     * open at both ends (which never blocks) until its thread has opened its own end, then let
     * go: an output copier then reads EOF, a stdin writer gets its stream, which is closed.
     */
    private static void releaseStdio(ContainerDirectory dir, Optional<OutputPump> stdout, Optional<OutputPump> stderr,
            CompletableFuture<OutputStream> stdin) {
        release(dir.stdoutPipe(), stdout.map(OutputPump::opened));
        release(dir.stderrPipe(), stderr.map(OutputPump::opened));
        if (!stdin.isDone()) {
            release(dir.stdinPipe(), Optional.of(stdin));
        }
        OutputStream in = stdin.getNow(null);
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // going away anyway
            }
        }
    }

    static void release(Path fifo, Optional<? extends CompletableFuture<?>> waiter) {
        if (waiter.isEmpty() || waiter.get().isDone()) {
            return;
        }
        int fd = Libc.holdFifo(fifo);
        if (fd < 0) {
            return;
        }
        try {
            waiter.get().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // failed or slow: nothing more to do for it
        } finally {
            Libc.close(fd);
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static <T> T join(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while starting the container", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ContainerException("could not connect the container's standard streams: " + e.getCause(), e.getCause());
        }
    }

    private static String stopSignal(ContainerBuilder b) {
        return b.image.config().model().config().stopSignal().orElse("SIGTERM");
    }

    private static ContainerRootfs prepareRootfs(OciRuntime runtime, ContainerBuilder b, ContainerDirectory dir)
            throws IOException {
        return mountOrCopy(runtime, b.image.layers(), dir, dir.upper(), dir.work(), Optional.empty());
    }

    /**
     * The root file system at {@code dir.rootfs()}: an overlay of the layers' snapshots with
     * {@code upper} and {@code work}, mounted; or, rootless, with {@code copyRootfs}, or where
     * overlayfs cannot be mounted, the layers unpacked there (and into {@code reference}, if
     * given, for changes to be measured against).
     */
    static ContainerRootfs mountOrCopy(OciRuntime runtime, List<dev.ocikit.image.LayerSource> layers,
            ContainerDirectory dir, Path upper, Path work, Optional<Path> reference) throws IOException {
        dir.writeLayers(layers.stream().map(dev.ocikit.image.LayerSource::diffId).toList());
        if (!runtime.copiesRootfs()) {
            LayerSnapshots.Chain chain = runtime.snapshots().prepare(layers);
            ContainerRootfs overlay = ContainerRootfs.overlay(chain.directories(), dir.empty(), upper, work,
                    dir.mountPointLayer(), dir.rootfs()).sharingMountPoints(runtime.root().resolve("mount-points"));
            try {
                overlay.mount();
                return overlay;
            } catch (RootfsMountException e) {
                // overlayfs cannot sit on every file system (an overlay itself, some network ones)
                LOG.warn("{}; copying the image's layers into the container instead", e.getMessage());
                if (Files.exists(dir.rootfs())) {
                    FileTrees.deleteRecursively(dir.rootfs());
                }
            }
        }
        // No mount without privileges in this mount namespace: the layers are copied instead.
        Unpacker unpacker = runtime.rootless() ? Unpacker.defaults().rootless(true) : Unpacker.defaults();
        unpacker.unpack(layers, dir.rootfs());
        if (reference.isPresent()) {
            unpacker.unpack(layers, reference.get());
        }
        return ContainerRootfs.copied(dir.rootfs(), reference);
    }

    /** The runtime config: the image's, then the caller's choices, with Podman's defaults for the rest. */
    private static BundleSpec spec(OciRuntime runtime, ContainerBuilder b, ContainerDirectory dir) throws IOException {
        BundleSpec spec = BundleSpec.from(b.image.config().model());
        if (b.entrypoint.isPresent()) {
            spec = spec.entrypoint(b.entrypoint.get().toArray(String[]::new));
        }
        if (b.command.isPresent()) {
            spec = spec.command(b.command.get());
        }
        spec = spec.env(b.env);
        if (b.workdir.isPresent()) {
            spec = spec.workdir(b.workdir.get());
        }
        if (b.user.isPresent()) {
            spec = spec.user(b.user.get());
        }
        if (!b.groups.isEmpty()) {
            spec = spec.groupAdd(b.groups.toArray(String[]::new));
        }
        spec = spec.hostname(b.hostname.orElse(dir.id().substring(0, 12)));
        for (ContainerBuilder.Bind bind : b.binds) {
            spec = spec.bind(bind.source(), bind.destination(), bind.readOnly());
        }
        for (ContainerBuilder.Tmpfs t : b.tmpfs) {
            spec = spec.tmpfs(t.destination(), t.options().toArray(String[]::new));
        }
        for (ContainerBuilder.Volume v : b.volumes) {
            Path data = runtime.root().resolve("volumes").resolve(volumeName(v.name())).resolve("_data");
            Files.createDirectories(data);
            spec = spec.bind(data, v.destination(), v.readOnly(), "nosuid", "nodev"); // as Podman mounts volumes
        }
        spec = spec.readOnlyRootfs(b.readOnly);
        if (b.memory.isPresent()) {
            spec = spec.memory(b.memory.get());
        }
        if (b.pidsLimit.isPresent()) {
            spec = spec.pidsLimit(b.pidsLimit.get());
        }
        if (b.cpuShares.isPresent()) {
            spec = spec.cpuShares(b.cpuShares.get());
        }
        if (b.cpuQuota.isPresent()) {
            spec = spec.cpuQuota(b.cpuQuota.get()[0], b.cpuQuota.get()[1]);
        }
        for (ContainerBuilder.Rlimit r : b.rlimits) {
            spec = spec.rlimit(r.type(), r.soft(), r.hard());
        }
        if (!b.capAdd.isEmpty()) {
            spec = spec.capAdd(b.capAdd.toArray(String[]::new));
        }
        if (!b.capDrop.isEmpty()) {
            spec = spec.capDrop(b.capDrop.toArray(String[]::new));
        }
        spec = spec.noNewPrivileges(b.noNewPrivileges);
        spec = switch (b.network) {
            case HOST -> spec.hostNetwork();
            case NONE -> spec.noNetwork();
            case PRIVATE -> spec.newNetwork();
        };
        spec = spec.terminal(b.tty);
        for (var a : b.annotations.entrySet()) {
            spec = spec.annotation(a.getKey(), a.getValue());
        }
        if (runtime.rootless()) {
            spec = spec.rootless(IdMappings.forCurrentUser());
        }
        return spec.mounts(spec.etcFiles().write(dir.etc()));
    }

    static String volumeName(String name) {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*") || name.length() > 128) {
            throw new ContainerException("invalid volume name \"" + name
                    + "\": use letters, digits, '_', '.', '-', starting with a letter or digit");
        }
        return name;
    }

    private static OutputPump pump(ContainerDirectory dir, String stream, Path pipe, Path log, Optional<Path> copy,
            List<java.util.function.Consumer<String>> consumers) throws IOException {
        mkfifo(pipe);
        OutputStream out = Files.newOutputStream(log);
        if (copy.isPresent()) {
            out = new TeeOutputStream(out, Files.newOutputStream(copy.get()));
        }
        OutputPump pump = new OutputPump(dir.id().substring(0, 12) + " " + stream,
                () -> new FileInputStream(pipe.toFile()), out, consumers);
        daemon(pump, "ocikit-" + dir.id().substring(0, 12) + "-" + stream).start();
        return pump;
    }

    /** Writes to both; closing closes both. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeOutputStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }

        @Override
        public void close() throws IOException {
            try (OutputStream a = first; OutputStream b = second) {
                flush();
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void mkfifo(Path path) {
        try {
            Libc.mkfifo(path.toString(), 0600);
        } catch (LastErrorException e) {
            throw new ContainerException("cannot make the pipe " + path + ": " + Libc.strerror(e.getErrorCode()), e);
        }
    }
}
