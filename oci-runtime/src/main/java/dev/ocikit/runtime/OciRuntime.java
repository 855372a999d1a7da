package dev.ocikit.runtime;

import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerSnapshots;
import dev.ocikit.image.SourceImage;
import dev.ocikit.image.StoredImage;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.build.BuildRuntime;
import dev.ocikit.image.build.RunOutcome;
import dev.ocikit.image.build.RunRequest;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.runtime.invoker.ChildReaper;
import dev.ocikit.runtime.invoker.RuntimeCli;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers from images, run through an OCI runtime (runc, crun, ...), with no daemon: the
 * entry point of Podman's half of ocikit.
 *
 * <pre>{@code
 * OciRuntime runtime = OciRuntime.builder().store(ImageStore.open()).build();
 * try (Container redis = runtime.container("docker.io/library/redis:7").publish(6379).start()) {
 *     redis.waitForLog("Ready to accept connections", Duration.ofSeconds(30));
 *     connect(redis.host(), redis.mappedPort(6379));
 * }
 * }</pre>
 *
 * <p>It is also Buildah's half: a {@link BuildRuntime} that runs an image builder's {@code RUN}
 * steps ({@link #run(RunRequest)}), Buildah's {@link WorkingContainer working containers}
 * ({@link #newWorkingContainer}), and Podman's {@link #commit(String, String) commit}.
 *
 * <p>Container directories live under {@code <root>/containers} (by default the image store's
 * root), working containers under {@code <root>/builds}, layer snapshots under
 * {@code <root>/snapshots}, and the runtime's own state under
 * {@link #stateRoot()} ({@code /run/ocikit/<runtime>}, or under {@code $XDG_RUNTIME_DIR} when not
 * root). Building a runtime sweeps what a JVM killed with SIGKILL left behind; a shutdown hook
 * stops and removes the containers this JVM started.
 *
 * <p>Immutable and thread-safe.
 */
public final class OciRuntime implements BuildRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(OciRuntime.class);
    private static final Set<Container> LIVE = ConcurrentHashMap.newKeySet();
    /** Build containers of this JVM not yet closed, removed at exit like {@link #LIVE}. */
    private static final java.util.Map<ContainerDirectory, OciRuntime> LIVE_RUNS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OciRuntime::stopAllOnExit, "ocikit-container-cleanup"));
    }

    private final RuntimeCli cli;
    private final ImageStore store;
    private final Path root;
    private final Path stateRoot;
    private final boolean rootless;
    private final Platform platform;
    private final boolean copyRootfs;
    private volatile LayerSnapshots snapshots;
    private final java.util.Map<dev.ocikit.spec.Digest, SourceImage> images = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<dev.ocikit.spec.Digest, SourceImage> eldest) {
                    return size() > 64;
                }
            });

    private OciRuntime(Builder b) throws IOException {
        this.copyRootfs = b.copyRootfs;
        this.store = b.store != null ? b.store : ImageStore.open();
        Path given = (b.root != null ? b.root : store.root()).toAbsolutePath().normalize();
        Files.createDirectories(given);
        // The real path: mounts are listed by it in /proc/self/mountinfo, and teardown finds
        // them there; a root reached through a symlink would otherwise leak every overlay.
        this.root = given.toRealPath();
        this.rootless = b.rootless != null ? b.rootless : effectiveUid() != 0;
        RuntimeCli base = b.cli != null ? b.cli : RuntimeCli.runc();
        this.stateRoot = privateDirectory(b.stateRoot != null ? b.stateRoot : defaultStateRoot(base.name(), rootless));
        this.cli = base.root(stateRoot);
        this.platform = b.platform != null ? b.platform : Platform.host();
        // Containers, snapshots and volumes hold images' setuid files, -e secrets in config.json
        // and the containers' output: for their owner only (CVE-2021-41091 is this, for Docker).
        for (String dir : List.of("containers", "snapshots", "volumes")) {
            privateDirectory(root.resolve(dir));
        }
    }

    private static final java.nio.file.attribute.FileAttribute<java.util.Set<java.nio.file.attribute.PosixFilePermission>>
            OWNER_ONLY = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

    /**
     * Creates {@code dir} (and missing parents) for this user alone, or checks that an existing
     * one is a real directory, not a symlink, owned by this user, that no one else may write;
     * its mode is then narrowed to 0700. A directory someone else prepared (in a shared /tmp,
     * where the rootless state root falls back to without XDG_RUNTIME_DIR) is refused.
     */
    static Path privateDirectory(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Files.createDirectories(absolute, OWNER_ONLY);
        java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(absolute,
                java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) Files.getAttribute(absolute, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory() || owner != effectiveUid()) {
            throw new ContainerException(absolute + " is " + (a.isSymbolicLink() ? "a symbolic link"
                    : !a.isDirectory() ? "not a directory" : "owned by uid " + owner + ", not by this user (uid "
                    + effectiveUid() + ")") + "; ocikit keeps containers' state only in a directory of its user's own."
                    + " Remove it, or set XDG_RUNTIME_DIR or the runtime's roots elsewhere");
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = a.permissions();
        if (!perms.equals(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"))) {
            Files.setPosixFilePermissions(absolute, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        return absolute;
    }

    /**
     * Starts, on a background thread, the one-time work the first container of a process needs:
     * the native bindings (JNA) and the child subreaper, then the JSON mappings of image and
     * runtime documents. A short-lived process that starts one container (a CLI) calls this
     * first, so that the work overlaps with its own start-up instead of adding to it; a
     * long-lived one need not bother. Safe to call more than once.
     */
    public static void warmUpInBackground() {
        Thread warmUp = new Thread(() -> {
            // in the order a container start needs them: the image's documents, natives, the spec
            dev.ocikit.spec.image.ImageIndex.parse(WARM_UP_INDEX);
            dev.ocikit.spec.image.ImageManifest.parse(WARM_UP_MANIFEST);
            dev.ocikit.spec.image.ImageConfig.parse(WARM_UP_CONFIG);
            ChildReaper.install();
            Libc.geteuid();
            dev.ocikit.spec.Json.write(dev.ocikit.spec.runtime.Spec.builder()
                    .process(dev.ocikit.spec.runtime.Process.builder().args("true").cwd("/").build())
                    .linux(dev.ocikit.spec.runtime.Linux.builder().build())
                    .build());
        }, "ocikit-warm-up");
        warmUp.setDaemon(true);
        warmUp.setUncaughtExceptionHandler((thread, e) -> LOG.debug("warm-up failed, the real call will say why: {}", e.toString()));
        warmUp.start();
    }

    private static final byte[] WARM_UP_INDEX = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":2,"
            + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"a\"},\"platform\":{\"os\":\"linux\","
            + "\"architecture\":\"amd64\"}}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] WARM_UP_MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":2},\"layers\":[]}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] WARM_UP_CONFIG = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=b\"],"
            + "\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{\"created_by\":\"x\"}]}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** The effective uid, from /proc rather than libc: deciding rootless mode must not wait for JNA. */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux's /proc: ask libc
        }
        return Libc.geteuid();
    }

    /** A runtime with every default: runc, the default image store, root's or the user's paths. */
    public static OciRuntime runc() throws IOException {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    static Path defaultStateRoot(String runtimeName, boolean rootless) {
        if (!rootless) {
            return Path.of("/run/ocikit", runtimeName);
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("java.io.tmpdir"),
                "ocikit-" + effectiveUid());
        return base.resolve("ocikit").resolve(runtimeName);
    }

    /** The runtime CLI in use, with its {@code --root} set to {@link #stateRoot()}. */
    public RuntimeCli cli() {
        return cli;
    }

    public ImageStore store() {
        return store;
    }

    /** Where container directories and layer snapshots live. */
    public Path root() {
        return root;
    }

    /** The runtime's own state directory ({@code runc --root}). */
    public Path stateRoot() {
        return stateRoot;
    }

    public boolean rootless() {
        return rootless;
    }

    /** Whether each container gets a copy of its image instead of an overlay mount. */
    public boolean copiesRootfs() {
        return copyRootfs || rootless;
    }

    Path containersDir() {
        return root.resolve("containers");
    }

    /**
     * Where a container's network keeps its state. Rootless, that holds slirp4netns' API socket,
     * whose path must fit sockaddr_un (107 bytes): {@code <root>/containers/<64-hex id>/network}
     * does not under a home directory, so rootless containers use a short directory under the
     * state root instead (as console sockets do).
     */
    Path networkDir(ContainerDirectory dir) {
        return rootless ? stateRoot.resolve("net").resolve(dir.id().substring(0, 24)) : dir.network();
    }

    /** The layer snapshots, opened once: opening makes directories, which a start need not repeat. */
    LayerSnapshots snapshots() throws IOException {
        LayerSnapshots s = snapshots;
        if (s == null) {
            s = LayerSnapshots.at(root.resolve("snapshots"));
            snapshots = s;
        }
        return s;
    }

    Platform platform() {
        return platform;
    }

    /**
     * A container definition for an image of the store, by name, full or short ID, or digest.
     *
     * @throws dev.ocikit.image.ImageUnknownException if the store does not have it
     */
    public ContainerBuilder container(String image) throws IOException {
        StoredImage stored = store.resolve(image);
        return container(stored, image);
    }

    /** A container definition for an image of the store. */
    public ContainerBuilder container(StoredImage image) throws IOException {
        return container(image, image.names().isEmpty() ? image.shortId() : image.names().get(0).toString());
    }

    private ContainerBuilder container(StoredImage image, String label) throws IOException {
        return new ContainerBuilder(this, read(image), label, Optional.of(image.id().toString()));
    }

    /** An image's manifest and config; its content never changes under its digest: read and verified once per runtime. */
    private SourceImage read(StoredImage image) throws IOException {
        SourceImage read = images.get(image.digest());
        if (read == null) {
            try (ImageSource source = store.reference(image.id().toString()).openSource()) {
                read = SourceImage.read(source, platform);
            }
            images.put(image.digest(), read);
        }
        return read;
    }

    /** A container definition for an image already read from any source. */
    public ContainerBuilder container(SourceImage image, String label) {
        return new ContainerBuilder(this, Objects.requireNonNull(image, "image"), label, Optional.empty());
    }

    /** The containers under this runtime's root, of every process, oldest first. */
    public List<ContainerInfo> list() throws IOException {
        List<ContainerInfo> all = new ArrayList<>();
        // one runtime call for every container's status, not one per container
        java.util.Map<String, String> statuses = new java.util.HashMap<>();
        for (dev.ocikit.runtime.invoker.ContainerSummary s : cli.list()) {
            statuses.put(s.id(), s.status());
        }
        try (Stream<Path> dirs = Files.list(containersDir())) {
            for (Path dir : dirs.sorted().toList()) {
                if (Files.isDirectory(dir)) {
                    ContainerInfo.read(new ContainerDirectory(dir), Optional.ofNullable(statuses.get(dir.getFileName().toString())))
                            .ifPresent(all::add);
                }
            }
        }
        all.sort((a, b) -> a.created().compareTo(b.created()));
        return List.copyOf(all);
    }

    /** The id of the container that has this name, read from the containers' records alone. */
    Optional<String> idOfName(String name) throws IOException {
        try (Stream<Path> dirs = Files.list(containersDir())) {
            for (Path dir : dirs.toList()) {
                if (new ContainerDirectory(dir).name().filter(name::equals).isPresent()) {
                    return Optional.of(dir.getFileName().toString());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The container with this id, unique id prefix, or name.
     *
     * @throws NoSuchContainerException if there is none
     */
    public ContainerInfo inspect(String idOrName) throws IOException {
        // Matched on the records alone; only the one found is asked of the runtime.
        Path exact = null;
        List<Path> prefixed = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(containersDir())) {
            for (Path dir : dirs.sorted().toList()) {
                String id = dir.getFileName().toString();
                if (id.equals(idOrName) || new ContainerDirectory(dir).name().filter(idOrName::equals).isPresent()) {
                    exact = dir;
                    break;
                }
                if (idOrName.length() >= 3 && id.startsWith(idOrName)) {
                    prefixed.add(dir);
                }
            }
        }
        if (exact == null && prefixed.size() > 1) {
            throw new ContainerException("container id prefix \"" + idOrName + "\" is ambiguous: it matches "
                    + prefixed.size() + " containers; give more of the id");
        }
        Path found = exact != null ? exact : prefixed.isEmpty() ? null : prefixed.get(0);
        if (found == null) {
            throw new NoSuchContainerException(idOrName);
        }
        return ContainerInfo.read(this, new ContainerDirectory(found))
                .orElseThrow(() -> new NoSuchContainerException(idOrName));
    }

    // ---------------------------------------------------------------- commits and working containers

    /**
     * Writes an image of a container of any process under this root (running, exited, or kept;
     * not removed) to the store under {@code image}, as {@code podman commit} does: the layers of
     * the image it was made from, what it changed as one more layer (the generated {@code /etc}
     * files, mount points and mounts excepted), and that image's config. A running container is
     * paused while its changes are read.
     *
     * @throws NoSuchContainerException if there is no such container
     * @throws ContainerException if its image did not come from the store, or is no longer there
     */
    public dev.ocikit.image.build.BuiltImage commit(String container, String image) throws IOException, InterruptedException {
        return commit(container, image, java.util.function.UnaryOperator.identity());
    }

    /**
     * {@link #commit(String, String)} with the config changed ({@code podman commit --change}):
     * {@code change} gets the image's config and returns the new image's.
     */
    public dev.ocikit.image.build.BuiltImage commit(String container, String image,
            java.util.function.UnaryOperator<dev.ocikit.spec.image.ContainerConfig> change)
            throws IOException, InterruptedException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(change, "change");
        ContainerInfo info = inspect(container);
        ContainerDirectory dir = new ContainerDirectory(containersDir().resolve(info.id()));
        String imageId = info.imageId().orElseThrow(() -> new ContainerException("container " + info.name()
                + " was made from an image read elsewhere (" + info.image() + "), not from the store; a commit builds"
                + " on the image in the store: copy it there and run the container from it"));
        dev.ocikit.image.build.ImageBuilder builder;
        try {
            builder = dev.ocikit.image.build.ImageBuilder.from(store, imageId, platform);
        } catch (dev.ocikit.image.ImageUnknownException e) {
            throw new ContainerException("container " + info.name() + ": its image " + info.image()
                    + " is no longer in the store, and a commit builds on it; pull it again", e);
        }
        String createdBy = "commit of container " + info.name();
        try {
            dev.ocikit.spec.runtime.Spec spec = dev.ocikit.spec.runtime.Spec.parse(Files.readAllBytes(dir.config()));
            createdBy = String.join(" ", spec.process().orElseThrow().args());
        } catch (IOException | RuntimeException e) {
            LOG.debug("container {} has no readable config.json; its history entry names the container", info.name());
        }
        boolean pause = info.status().equals("running");
        Path reference = dir.dir().resolve("commit-reference");
        if (pause) {
            cli.pause(info.id());
        }
        try {
            LayerContent changes;
            if (Files.isDirectory(dir.upper())) {
                changes = LayerContent.overlayUpper(dir.upper());
            } else {
                // A copied root file system: measured against a fresh copy of the image's layers,
                // given the same mount points.
                if (Files.exists(reference)) {
                    dev.ocikit.image.internal.FileTrees.deleteRecursively(reference);
                }
                java.util.List<dev.ocikit.image.LayerSource> layers;
                try (ImageSource source = store.reference(imageId).openSource()) {
                    layers = SourceImage.read(source, platform).layers();
                }
                (rootless ? dev.ocikit.image.Unpacker.defaults().rootless(true) : dev.ocikit.image.Unpacker.defaults())
                        .unpack(layers, reference);
                MountPoints.createIn(reference, dir.mountPoints());
                changes = LayerContent.diff(reference, dir.rootfs());
            }
            builder = builder.layer(changes, createdBy);
            dev.ocikit.spec.image.ContainerConfig base = builder.containerConfig();
            dev.ocikit.spec.image.ContainerConfig changed = Objects.requireNonNull(change.apply(base),
                    "the config change returned null");
            if (!changed.equals(base)) {
                builder = builder.config("CONFIG " + new String(dev.ocikit.spec.Json.write(changed),
                        java.nio.charset.StandardCharsets.UTF_8), c -> changed);
            }
            return builder.commit(store, image);
        } finally {
            try {
                if (Files.exists(reference)) {
                    dev.ocikit.image.internal.FileTrees.deleteRecursively(reference);
                }
            } finally {
                if (pause) {
                    cli.resume(info.id());
                }
            }
        }
    }

    Path buildsDir() throws IOException {
        return privateDirectory(root.resolve("builds"));
    }

    /**
     * A new working container from an image of the store (by name, full or short ID, or digest),
     * as {@code buildah from} makes one, named {@code <image>-working-container} (then
     * {@code -1}, {@code -2}... while the name is taken). {@code scratch} makes an empty one.
     *
     * @throws dev.ocikit.image.ImageUnknownException if the store does not have the image
     */
    public WorkingContainer newWorkingContainer(String image) throws IOException {
        return newWorkingContainer(image, Optional.empty());
    }

    /**
     * A new working container named {@code name} from an image of the store ({@code scratch} for
     * none), as {@code buildah from --name}.
     *
     * @throws ContainerException if the name is taken or not valid
     */
    public WorkingContainer newWorkingContainer(String image, String name) throws IOException {
        return newWorkingContainer(image, Optional.of(Objects.requireNonNull(name, "name")));
    }

    /** A new working container from an image of the store, named as {@link #newWorkingContainer(String)} does. */
    public WorkingContainer newWorkingContainer(StoredImage image) throws IOException {
        return newWorkingContainer(image, Optional.empty());
    }

    private WorkingContainer newWorkingContainer(String image, Optional<String> name) throws IOException {
        Objects.requireNonNull(image, "image");
        return image.equals("scratch") ? newWorkingContainer((StoredImage) null, name)
                : newWorkingContainer(store.resolve(image), name);
    }

    private WorkingContainer newWorkingContainer(StoredImage image, Optional<String> name) throws IOException {
        SourceImage read = image == null ? null : read(image);
        String id = ContainerLauncher.newId();
        Path dir = buildsDir().resolve(id);
        String label = image == null ? "scratch" : image.names().isEmpty() ? image.shortId() : image.names().get(0).toString();
        String base = image == null || image.names().isEmpty() ? ""
                : image.names().get(0).path().substring(image.names().get(0).path().lastIndexOf('/') + 1) + "-";
        WorkingContainer.State state = withNamesLocked(() -> {
            String chosen;
            if (name.isPresent()) {
                chosen = name.get();
                if (!ContainerLauncher.VALID_NAME.matcher(chosen).matches()) {
                    throw new ContainerException("invalid container name \"" + chosen.replace("\n", "\\n")
                            + "\": use letters, digits, '_', '.' and '-', starting with a letter or digit, as Buildah does");
                }
                if (nameTaken(chosen)) {
                    throw new ContainerException("the container name \"" + chosen + "\" is already in use;"
                            + " remove that container or choose another name");
                }
            } else {
                chosen = base + "working-container";
                for (int n = 1; nameTaken(chosen); n++) {
                    chosen = base + "working-container-" + n;
                }
            }
            Files.createDirectories(dir);
            WorkingContainer.State s = new WorkingContainer.State(id, chosen, label,
                    Optional.ofNullable(image).map(i -> i.id().toString()), read == null ? platform.specifier()
                    : read.config().model().platform().specifier(), java.time.Instant.now().toString(),
                    read == null ? dev.ocikit.spec.image.ContainerConfig.EMPTY : read.config().model().config(),
                    List.of(), read == null ? List.of() : read.config().model().diffIds().stream().map(Object::toString).toList(),
                    copiesRootfs());
            new WorkingContainer(this, dir).write(s);
            return s;
        });
        try {
            if (state.copied()) {
                List<dev.ocikit.image.LayerSource> layers = read == null ? List.of() : read.layers();
                dev.ocikit.image.Unpacker unpacker = rootless ? dev.ocikit.image.Unpacker.defaults().rootless(true)
                        : dev.ocikit.image.Unpacker.defaults();
                unpacker.unpack(layers, dir.resolve("rootfs"));
                unpacker.unpack(layers, dir.resolve("lower"));
            } else {
                if (read != null) {
                    snapshots().prepare(read.layers()); // extracted now, so that a failing layer fails here
                }
                for (String d : List.of("upper", "work", "empty", "merged")) {
                    Files.createDirectories(dir.resolve(d));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                dev.ocikit.image.internal.FileTrees.deleteRecursively(dir);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return new WorkingContainer(this, dir);
    }

    /** Whether a container or a working container has this name. Call with the names locked. */
    private boolean nameTaken(String name) throws IOException {
        if (idOfName(name).isPresent()) {
            return true;
        }
        for (WorkingContainer w : workingContainers()) {
            if (w.state().name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deletes the blobs no image of the store uses, then the layer snapshots that no image of the
     * store and no container or working container (of any process) uses, as {@code podman rmi}
     * frees an image's storage. Snapshots are all kept while a container's layers are not known (one
     * made by an older ocikit, or being made right now), since they may be mounted.
     *
     * @return the DiffIDs of the snapshots removed
     */
    public List<Digest> collectGarbage() throws IOException {
        store.collectGarbage();
        return snapshots().collectGarbage(this::layersInUse);
    }

    private Optional<java.util.Set<Digest>> layersInUse() throws IOException {
        java.util.Set<Digest> live = new java.util.HashSet<>(store.layerDiffIds());
        try (Stream<Path> dirs = Files.list(containersDir())) {
            for (Path dir : dirs.toList()) {
                Optional<java.util.Set<Digest>> used = new ContainerDirectory(dir).recordedLayers();
                if (used.isEmpty()) {
                    LOG.info("keeping every layer snapshot: container {} does not record its layers", dir.getFileName());
                    return Optional.empty();
                }
                live.addAll(used.get());
            }
        }
        if (Files.isDirectory(buildsDir())) {
            try (Stream<Path> dirs = Files.list(buildsDir())) {
                for (Path dir : dirs.toList()) {
                    try {
                        for (String d : new WorkingContainer(this, dir).state().diffIds()) {
                            live.add(Digest.parse(d));
                        }
                    } catch (dev.ocikit.spec.OciException e) { // NoSuchContainerException too: being made right now
                        LOG.info("keeping every layer snapshot: working container {} cannot be read ({})",
                                dir.getFileName(), e.getMessage());
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.of(live);
    }

    /** The working containers under this root, of every process, oldest first. */
    public List<WorkingContainer> workingContainers() throws IOException {
        List<WorkingContainer> all = new ArrayList<>();
        java.util.Map<WorkingContainer, String> created = new java.util.HashMap<>();
        try (Stream<Path> dirs = Files.list(buildsDir())) {
            for (Path dir : dirs.sorted().toList()) {
                WorkingContainer w = new WorkingContainer(this, dir);
                try {
                    created.put(w, w.state().created());
                    all.add(w);
                } catch (NoSuchContainerException e) {
                    // being made, or half removed
                } catch (dev.ocikit.spec.OciException e) {
                    // one damaged state must not hide the others; it can still be opened by id, and removed
                    LOG.warn("skipping working container {}: {}", dir.getFileName(), e.getMessage());
                }
            }
        }
        all.sort(java.util.Comparator.comparing(created::get));
        return List.copyOf(all);
    }

    /**
     * The working container with this id, unique id prefix (at least 3 characters), or name, as
     * {@code buildah run} and {@code buildah commit} find the one {@code buildah from} made.
     *
     * @throws NoSuchContainerException if there is none
     */
    public WorkingContainer openWorkingContainer(String idOrName) throws IOException {
        Objects.requireNonNull(idOrName, "idOrName");
        if (idOrName.matches("[0-9a-f]{64}") && Files.isRegularFile(buildsDir().resolve(idOrName).resolve("state.json"))) {
            return new WorkingContainer(this, buildsDir().resolve(idOrName)); // found without reading its state
        }
        List<WorkingContainer> prefixed = new ArrayList<>();
        for (WorkingContainer w : workingContainers()) {
            if (w.id().equals(idOrName) || w.state().name().equals(idOrName)) {
                return w;
            }
            if (idOrName.length() >= 3 && w.id().startsWith(idOrName)) {
                prefixed.add(w);
            }
        }
        if (prefixed.size() > 1) {
            throw new ContainerException("working container id prefix \"" + idOrName + "\" is ambiguous: it matches "
                    + prefixed.size() + " working containers; give more of the id");
        }
        if (prefixed.isEmpty()) {
            throw new NoSuchContainerException(idOrName);
        }
        return prefixed.get(0);
    }

    /** Sends a signal to the first process of a container of any process under this root. */
    public void kill(String idOrName, String signal) throws IOException {
        cli.kill(inspect(idOrName).id(), signal, false);
    }

    /**
     * Stops a container of any process under this root: its stop signal, then SIGKILL to all its
     * processes after {@code grace}.
     *
     * @return the exit code, once its supervising process has recorded it (empty if that process
     *     is gone)
     */
    public OptionalInt stop(String idOrName, Duration grace) throws IOException, InterruptedException {
        ContainerInfo info = inspect(idOrName);
        ContainerDirectory dir = new ContainerDirectory(containersDir().resolve(info.id()));
        if (!info.status().equals("running") && !info.status().equals("paused") && !info.status().equals("created")) {
            return dir.exitCode();
        }
        String signal = dir.stopSignal().orElse("SIGTERM");
        try {
            cli.kill(info.id(), signal, false);
        } catch (dev.ocikit.runtime.invoker.NoSuchContainerException e) {
            return dir.exitCode();
        }
        OptionalInt code = ExitWatch.await(dir, grace);
        if (code.isEmpty()) {
            try {
                killAll(info.id());
            } catch (dev.ocikit.runtime.invoker.NoSuchContainerException e) {
                // exited between the two signals
            }
            code = ExitWatch.await(dir, Duration.ofSeconds(10));
        }
        return code;
    }

    /**
     * SIGKILL to every process of a container. {@code runc kill --all} finds them through the
     * container's cgroup, which a rootless container on cgroup v1 does not have (runc fails with
     * "lstat : no such file or directory"); then SIGKILL to its init does the same, because every
     * container has its own pid namespace, whose processes the kernel kills with its init.
     */
    void killAll(String id) {
        try {
            cli.kill(id, "SIGKILL", true);
        } catch (dev.ocikit.runtime.invoker.NoSuchContainerException e) {
            throw e;
        } catch (dev.ocikit.runtime.invoker.RuntimeCommandException e) {
            if (!rootless) {
                throw e;
            }
            LOG.debug("kill --all failed for rootless container {} ({}); killing its init", id, e.runtimeError());
            cli.kill(id, "SIGKILL", false);
        }
    }

    /**
     * Waits until a container of any process under this root has exited and its supervising
     * process has recorded the exit code.
     *
     * @return the exit code, or empty if {@code timeout} passed first
     */
    public OptionalInt awaitExit(String idOrName, Duration timeout) throws IOException, InterruptedException {
        ContainerInfo info = inspect(idOrName);
        return ExitWatch.await(new ContainerDirectory(containersDir().resolve(info.id())), timeout);
    }

    /**
     * Removes a container of any process under this root, with everything it holds.
     *
     * @param force kill it first if it runs; otherwise a running container is refused
     */
    public void remove(String idOrName, boolean force) throws IOException {
        ContainerInfo info = inspect(idOrName);
        if (info.status().equals("running") || info.status().equals("paused")) {
            if (!force) {
                throw new ContainerException("container " + info.name() + " is running; stop it first, or remove it by force");
            }
        }
        ContainerTeardown.of(this, new ContainerDirectory(containersDir().resolve(info.id()))).run();
    }

    /** Runs a process in a running container of any process under this root, as {@link Container#exec}. */
    public ExecResult exec(String idOrName, List<String> command) throws IOException, InterruptedException {
        ContainerInfo info = inspect(idOrName);
        ContainerDirectory dir = new ContainerDirectory(containersDir().resolve(info.id()));
        dev.ocikit.spec.runtime.Spec spec = dev.ocikit.spec.runtime.Spec.parse(Files.readAllBytes(dir.config()));
        return ContainerExec.run(cli, info.id(), info.name(), spec.process().orElseThrow(), command);
    }

    /** What a container of any process under this root wrote to standard output and error so far. */
    public ContainerLogs logs(String idOrName) throws IOException {
        ContainerInfo info = inspect(idOrName);
        ContainerDirectory dir = new ContainerDirectory(containersDir().resolve(info.id()));
        return new ContainerLogs(readIfPresent(dir.stdoutLog()), readIfPresent(dir.stderrLog()));
    }

    private static String readIfPresent(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /**
     * Removes the containers whose owning process has gone (a JVM killed with SIGKILL, a reboot):
     * their processes are killed, networks torn down, runtime state deleted, root file systems
     * unmounted and directories removed. Containers started detached by the CLI belong to their
     * supervising process and are kept while it runs.
     *
     * @return the ids of the containers removed
     */
    public List<String> sweep() throws IOException {
        List<String> removed = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(containersDir())) {
            for (Path dir : dirs.sorted().toList()) {
                ContainerDirectory cd = new ContainerDirectory(dir);
                Optional<ContainerDirectory.Owner> owner = cd.owner();
                if (owner.isPresent() && owner.get().alive()) {
                    continue;
                }
                if (cd.kept()) {
                    // An exited container kept for logs and inspect: only what it held is released.
                    ContainerTeardown.of(this, cd).release();
                    continue;
                }
                if (owner.isEmpty() && recentlyCreated(dir)) {
                    continue; // being created right now by another process, which writes the owner first
                }
                try {
                    ContainerTeardown.of(this, cd).run();
                    removed.add(cd.id());
                } catch (RuntimeException | IOException e) {
                    LOG.warn("could not sweep container {}: {}", cd.id(), e.toString());
                }
            }
        }
        sweepWorkingContainers();
        sweepMountPointLeftovers();
        return removed;
    }

    /**
     * Deletes what a process that died while writing a shared mount-point layer left: its
     * temporary directory or hint file. Only old ones: a young one may be another process's, being
     * written right now. Finished layers are never deleted here, as a running container may have
     * one among its lower directories.
     */
    private void sweepMountPointLeftovers() {
        Path shared = root.resolve("mount-points");
        if (!Files.isDirectory(shared)) {
            return;
        }
        java.time.Instant before = java.time.Instant.now().minus(Duration.ofMinutes(10));
        try (Stream<Path> entries = Files.list(shared)) {
            for (Path p : entries.filter(e -> e.getFileName().toString().startsWith(".tmp-")).toList()) {
                try {
                    if (Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
                        dev.ocikit.image.internal.FileTrees.deleteRecursively(p);
                    }
                } catch (IOException e) {
                    LOG.warn("could not delete the leftover {}: {}", p, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", shared, e.toString());
        }
    }

    /**
     * Unmounts what working containers of processes that died left mounted (a copy into one was
     * under way): a mount under a working container whose lock no one holds.
     */
    private void sweepWorkingContainers() throws IOException {
        Path builds = root.resolve("builds");
        if (!Files.isDirectory(builds)) {
            return;
        }
        java.util.Set<Path> mounted = new java.util.TreeSet<>();
        Path real = builds.toRealPath();
        for (Path m : RootfsMount.mountsUnder(builds)) {
            if (m.startsWith(real) && m.getNameCount() > real.getNameCount()) {
                mounted.add(builds.resolve(m.getName(real.getNameCount()).toString()));
            }
        }
        for (Path dir : mounted) {
            Optional<DirectoryLock> lock = DirectoryLock.tryAcquire(dir);
            if (lock.isEmpty()) {
                continue; // in use
            }
            try (DirectoryLock held = lock.get()) {
                for (Path m : RootfsMount.mountsUnder(dir)) {
                    RootfsMount.unmount(m);
                }
            } catch (RuntimeException e) {
                LOG.warn("could not unmount what working container {} left mounted: {}", dir.getFileName(), e.toString());
            }
        }
    }

    private static boolean recentlyCreated(Path dir) {
        try {
            long age = System.currentTimeMillis() - Files.getLastModifiedTime(dir).toMillis();
            return age < 60_000;
        } catch (IOException e) {
            return false;
        }
    }

    /** Serialises the checks that keep container names unique, across JVMs. */
    <T> T withNamesLocked(IoSupplier<T> action) throws IOException {
        synchronized (OciRuntime.class) {
            try (FileChannel channel = FileChannel.open(root.resolve("containers.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                return action.get();
            }
        }
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    /**
     * Runs a build step's command, as {@code buildah run} does during {@code buildah build}: a
     * container whose root file system is an overlay of the request's layers (their snapshots,
     * extracted once and shared) under a fresh writable layer, or a copy of them when this runtime
     * copies root file systems. The command gets the config's environment, user and working
     * directory unless the request overrides them ({@code PATH} defaults to
     * {@link dev.ocikit.runtime.bundle.BundleSpec#DEFAULT_PATH}; a missing working directory is
     * created, and is part of the changes), stdin from /dev/null and no terminal; the host's
     * network with its {@code /etc/resolv.conf} and {@code /etc/hosts}, or only loopback. Its
     * output goes to the request's streams as it comes.
     *
     * <p>The outcome's {@link RunOutcome#changes() changes} are the writable layer: files the
     * command wrote, a whiteout for each it deleted, a copy of each whose mode or owner it changed.
     * The generated {@code /etc/hosts}, {@code /etc/resolv.conf}, {@code /etc/hostname} and
     * the mount points the image lacked are not in them, nor is anything under a mount. With a
     * copied root file system the changes are the difference from a second copy of the layers.
     *
     * <p>The container lives in this runtime's containers directory until the outcome is closed
     * (or this JVM exits, or a later runtime's sweep finds its JVM gone).
     *
     * @throws dev.ocikit.image.HostileLayerException and the other unpack failures of
     *     {@link LayerSnapshots#prepare} if a layer cannot be extracted
     * @throws dev.ocikit.runtime.invoker.RuntimeCommandException if the runtime refused the
     *     container (a program that does not exist, for one)
     * @throws InterruptedException if interrupted while the command runs: it is killed and its
     *     container removed
     */
    @Override
    public RunOutcome run(RunRequest request) throws IOException, InterruptedException {
        Objects.requireNonNull(request, "request");
        cli.requireSafeVersion();
        ChildReaper.install();
        String id = ContainerLauncher.newId();
        String label = "RUN " + String.join(" ", request.command()).replaceAll("[\\r\\n]", " ");
        ContainerDirectory dir = ContainerLauncher.newDirectory(this, id, "build-" + id.substring(0, 12),
                label.length() > 80 ? label.substring(0, 77) + "..." : label, Optional.empty(), "SIGKILL");
        registerRun(this, dir);
        try {
            Path reference = dir.dir().resolve("lower");
            ContainerRootfs rootfs = ContainerLauncher.mountOrCopy(this, request.layers(), dir, dir.upper(), dir.work(),
                    Optional.of(reference));
            int code = BuildRun.run(this, dir, rootfs, request);
            LayerContent changes = rootfs.isOverlay() ? LayerContent.overlayUpper(dir.upper())
                    : LayerContent.diff(reference, dir.rootfs());
            return new BuildOutcome(this, dir, code, changes);
        } catch (IOException | RuntimeException | Error | InterruptedException e) {
            try {
                ContainerTeardown.of(this, dir).run();
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                LIVE_RUNS.remove(dir);
            }
            throw e;
        }
    }

    static void registerRun(OciRuntime runtime, ContainerDirectory dir) {
        LIVE_RUNS.put(dir, runtime);
    }

    static void unregisterRun(ContainerDirectory dir) {
        LIVE_RUNS.remove(dir);
    }

    static void register(Container container) {
        LIVE.add(container);
    }

    static void unregister(Container container) {
        LIVE.remove(container);
    }

    private static void stopAllOnExit() {
        for (Container c : List.copyOf(LIVE)) {
            try {
                c.removeNow();
            } catch (RuntimeException | IOException e) {
                System.err.println("ocikit: could not remove container " + c.id() + " at exit: " + e);
            }
        }
        for (java.util.Map.Entry<ContainerDirectory, OciRuntime> run : List.copyOf(LIVE_RUNS.entrySet())) {
            try {
                ContainerTeardown.of(run.getValue(), run.getKey()).run();
            } catch (RuntimeException | IOException e) {
                System.err.println("ocikit: could not remove build container " + run.getKey().id() + " at exit: " + e);
            }
        }
    }

    @Override
    public String toString() {
        return "OciRuntime[" + cli.name() + ", root=" + root + "]";
    }

    /** Chooses the runtime, the store and the paths; every setting has a default. */
    public static final class Builder {
        private RuntimeCli cli;
        private ImageStore store;
        private Path root;
        private Path stateRoot;
        private Boolean rootless;
        private Platform platform;
        private boolean sweep = true;
        private boolean copyRootfs;

        private Builder() {}

        /** The OCI runtime to run containers with (default: runc on PATH). */
        public Builder runtime(RuntimeCli value) {
            this.cli = Objects.requireNonNull(value, "runtime");
            return this;
        }

        /** The image store images come from (default: {@link ImageStore#open()}). */
        public Builder store(ImageStore value) {
            this.store = Objects.requireNonNull(value, "store");
            return this;
        }

        /** Where container directories and layer snapshots live (default: the store's root). */
        public Builder root(Path value) {
            this.root = Objects.requireNonNull(value, "root");
            return this;
        }

        /** The runtime's state directory, {@code --root} of runc (default: /run/ocikit/runc). */
        public Builder stateRoot(Path value) {
            this.stateRoot = Objects.requireNonNull(value, "stateRoot");
            return this;
        }

        /** Rootless mode (default: when not root): a user namespace, a copied rootfs, slirp4netns. */
        public Builder rootless(boolean value) {
            this.rootless = value;
            return this;
        }

        /** The platform to pick from multi-platform images (default: this machine's). */
        public Builder platform(Platform value) {
            this.platform = Objects.requireNonNull(value, "platform");
            return this;
        }

        /**
         * Copies the image's layers into each container instead of mounting overlayfs over the
         * shared layer snapshots (what Podman's vfs driver does): start costs grow with the
         * image, but any file system will do. Rootless runtimes always copy; a failed overlay
         * mount falls back to a copy with a warning.
         */
        public Builder copyRootfs(boolean value) {
            this.copyRootfs = value;
            return this;
        }

        /** Whether {@link #build()} sweeps what killed JVMs left behind (default: yes). */
        public Builder sweepOnStart(boolean value) {
            this.sweep = value;
            return this;
        }

        public OciRuntime build() throws IOException {
            OciRuntime runtime = new OciRuntime(this);
            if (sweep) {
                List<String> swept = runtime.sweep();
                if (!swept.isEmpty()) {
                    LOG.info("removed {} container(s) left by processes that are gone: {}", swept.size(), swept);
                }
            }
            return runtime;
        }
    }

}
