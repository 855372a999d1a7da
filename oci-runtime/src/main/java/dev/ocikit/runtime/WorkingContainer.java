package dev.ocikit.runtime;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageUnknownException;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerSource;
import dev.ocikit.image.SourceImage;
import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.image.build.RunCommand;
import dev.ocikit.image.build.RunRequest;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Buildah's working container: a root file system made from an image (or from nothing) that
 * commands, copies and config changes accumulate in, until {@link #commit} turns what changed into
 * one new layer on top of the image. Unlike a {@link Container}, nothing runs in it between
 * calls: {@link #run} starts a container over its file system for one command.
 *
 * <pre>{@code
 * WorkingContainer wc = runtime.newWorkingContainer("docker.io/library/alpine:3");
 * wc.run(RunCommand.shell("apk add --no-cache curl"), System.out, System.err);
 * wc.copy(AddedFile.of(Path.of("app.sh"), "/usr/local/bin/app.sh"));
 * wc.config(c -> c.toBuilder().entrypoint("/usr/local/bin/app.sh").build());
 * wc.commit("localhost/app:1");
 * wc.remove();
 * }</pre>
 *
 * <p>Its state lives under {@code <root>/builds/<id>/} (the upper directory of its overlay, its
 * config and history in {@code state.json}) and survives the JVM: another process finds it with
 * {@link OciRuntime#openWorkingContainer} by name or id, as {@code buildah run} finds what
 * {@code buildah from} made. Operations on one working container are serialised across threads
 * and processes by a lock in its directory.
 *
 * <p>This handle is immutable and thread-safe; each call reads the current state from disk.
 */
public final class WorkingContainer {
    private static final String STATE = "state.json";
    private static final int MAX_STATE = 16 * 1024 * 1024;

    private final OciRuntime runtime;
    private final Path dir;
    private final String id;

    WorkingContainer(OciRuntime runtime, Path dir) {
        this.runtime = runtime;
        this.dir = dir;
        this.id = dir.getFileName().toString();
    }

    /**
     * What is kept of a working container between processes. Paths are not kept: they follow
     * from the runtime's root.
     *
     * @param imageId the store id of the base image; empty for scratch
     * @param diffIds the base's layers, whose snapshots are its lower directories
     * @param copied whether its root file system is a copy instead of an overlay
     */
    record State(String id, String name, String image, Optional<String> imageId, String platform, String created,
            ContainerConfig config, List<String> history, List<String> diffIds, boolean copied) {
        State {
            // the JSON leaves empty and absent values out
            imageId = imageId == null ? Optional.empty() : imageId;
            config = config == null ? ContainerConfig.EMPTY : config;
            history = history == null ? List.of() : List.copyOf(history);
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
            for (String field : new String[] {id, name, image, platform, created}) {
                if (field == null) {
                    throw new ContainerException("a working container's state lacks its id, name, image, platform or"
                            + " creation time; remove the working container");
                }
            }
        }

        State withConfig(ContainerConfig value) {
            return new State(id, name, image, imageId, platform, created, value, history, diffIds, copied);
        }

        State withHistory(String step) {
            List<String> h = new ArrayList<>(history);
            h.add(step);
            return new State(id, name, image, imageId, platform, created, config, h, diffIds, copied);
        }
    }

    /** The id: 64 hexadecimal digits. */
    public String id() {
        return id;
    }

    /** The name, unique among this runtime's containers. */
    public String name() throws IOException {
        return state().name();
    }

    /** The image it was made from, as it was named; {@code scratch} for none. */
    public String image() throws IOException {
        return state().image();
    }

    /** The store id of the image it was made from; empty when made from scratch. */
    public Optional<String> imageId() throws IOException {
        return state().imageId();
    }

    /** When it was made. */
    public Instant created() throws IOException {
        return Instant.parse(state().created());
    }

    /** The container config its image will have: the base image's, with the changes made since. */
    public ContainerConfig config() throws IOException {
        return state().config();
    }

    /** What was done to it since it was made, oldest first, as the history of a commit will say. */
    public List<String> history() throws IOException {
        return state().history();
    }

    /** Where its state lives. */
    public Path directory() {
        return dir;
    }

    /**
     * Runs {@code command} on the working container's file system, as {@code buildah run} does,
     * with its config's environment, user and working directory unless the command overrides
     * them; output goes to {@code stdout} and {@code stderr} as it comes. What the command writes
     * stays for later commands and the commit (mounts and generated {@code /etc} files excepted).
     *
     * @return the exit code; 128 + n for signal n
     * @throws dev.ocikit.runtime.invoker.RuntimeCommandException if the runtime refused the container
     */
    public int run(RunCommand command, OutputStream stdout, OutputStream stderr) throws IOException, InterruptedException {
        Objects.requireNonNull(command, "command");
        try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
            State s = state();
            RunRequest.Builder request = RunRequest.newBuilder(List.of(), s.config(), command.command())
                    .env(command.env()).network(command.network()).mounts(command.mounts()).output(stdout, stderr);
            command.user().ifPresent(request::user);
            command.workdir().ifPresent(request::workdir);
            runtime.cli().requireSafeVersion();
            dev.ocikit.runtime.invoker.ChildReaper.install();
            String cid = ContainerLauncher.newId();
            ContainerDirectory container = ContainerLauncher.newDirectory(runtime, cid, s.name() + "-" + cid.substring(0, 8),
                    "working container " + s.name(), s.imageId(), "SIGKILL");
            OciRuntime.registerRun(runtime, container);
            try {
                ContainerRootfs rootfs = rootfs(s, container.mountPointLayer(), container.rootfs());
                rootfs.mount();
                int code = BuildRun.run(runtime, container, rootfs, request.build());
                write(s.withHistory(command.createdBy().orElse("RUN " + String.join(" ", command.command()))));
                return code;
            } finally {
                try {
                    ContainerTeardown.of(runtime, container).run();
                } finally {
                    OciRuntime.unregisterRun(container);
                }
            }
        }
    }

    /** Runs {@code command} (exec form), collecting its output. */
    public ExecResult run(String... command) throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = run(RunCommand.of(command), out, err);
        return new ExecResult(code, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Copies host files into the working container, as {@code buildah copy} does (see
     * {@link AddedFile} for owner, mode and time overrides): through its mounted file system,
     * so that a file replacing one of the image's is copied up and one in a deleted directory
     * revives it, as overlayfs decides.
     */
    public void copy(AddedFile... files) throws IOException {
        List<AddedFile> list = List.of(files);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("nothing to copy");
        }
        try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
            State s = state();
            String workdir = s.config().workingDir().filter(w -> !w.isEmpty()).orElse("/");
            // no container, so no mount points to provide
            ContainerRootfs rootfs = rootfs(s, null, dir.resolve("merged"));
            rootfs.mount();
            try {
                RootfsCopy.copy(rootfs.target(), workdir, list);
            } finally {
                rootfs.unmount();
            }
            List<String> names = new ArrayList<>();
            for (AddedFile f : list) {
                names.add(f.source().getFileName() + " " + f.destination());
            }
            write(s.withHistory("COPY " + String.join(", ", names)));
        }
    }

    /** Copies {@code source} (a file or a directory's contents) to {@code destination}, keeping its metadata. */
    public void copy(Path source, String destination) throws IOException {
        copy(AddedFile.of(source, destination));
    }

    /**
     * Changes the config the committed image will have, as {@code buildah config} does:
     * entrypoint, command, environment, labels, working directory, user, ports, volumes...
     *
     * <pre>{@code wc.config(c -> c.toBuilder().env("MODE", "prod").exposePort("8080/tcp").build());}</pre>
     *
     * @return the new config
     */
    public ContainerConfig config(UnaryOperator<ContainerConfig> change) throws IOException {
        Objects.requireNonNull(change, "change");
        try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
            State s = state();
            ContainerConfig changed = Objects.requireNonNull(change.apply(s.config()), "the config change returned null");
            write(s.withConfig(changed));
            return changed;
        }
    }

    /**
     * Writes an image to the runtime's store under {@code name} (a short name gets
     * {@code localhost/}): the base image's layers, what changed in the working container as one
     * more layer, and its config, as {@code buildah commit} does. The working container stays, and
     * may be changed and committed again (each commit has everything since it was made).
     */
    public BuiltImage commit(String name) throws IOException, InterruptedException {
        Objects.requireNonNull(name, "name");
        try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
            State s = state();
            Platform platform = Platform.parse(s.platform());
            ImageBuilder builder;
            if (s.imageId().isPresent()) {
                try {
                    builder = ImageBuilder.from(runtime.store(), s.imageId().get(), platform);
                } catch (ImageUnknownException e) {
                    throw new ContainerException("working container " + s.name() + ": its image " + s.image()
                            + " is no longer in the store, and a commit builds on it; pull it again", e);
                }
            } else {
                builder = ImageBuilder.scratch(platform).store(runtime.store());
            }
            LayerContent changes = s.copied() ? LayerContent.diff(dir.resolve("lower"), dir.resolve("rootfs"))
                    : LayerContent.overlayUpper(dir.resolve("upper"));
            String createdBy = s.history().isEmpty() ? "working container " + s.name() : String.join(" && ", s.history());
            builder = builder.layer(changes, createdBy);
            if (!builder.containerConfig().equals(s.config())) {
                ContainerConfig config = s.config();
                builder = builder.config("CONFIG " + new String(Json.write(config), java.nio.charset.StandardCharsets.UTF_8),
                        c -> config);
            }
            return builder.commit(runtime.store(), name);
        }
    }

    /** Removes the working container and everything it holds; another handle to it then fails. */
    public void remove() throws IOException {
        try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
            for (Path m : RootfsMount.mountsUnder(dir)) {
                RootfsMount.unmount(m);
            }
            // the state goes first, so that a half-removed directory is no working container any more
            Files.deleteIfExists(dir.resolve(STATE));
        }
        FileTrees.deleteRecursively(dir);
    }

    /**
     * The root file system: an overlay of the base's snapshots under the upper directory, mounted
     * at {@code target}, or the copy.
     */
    private ContainerRootfs rootfs(State s, Path mountPointLayer, Path target) throws IOException {
        if (s.copied()) {
            return ContainerRootfs.copied(dir.resolve("rootfs"), Optional.of(dir.resolve("lower")));
        }
        return ContainerRootfs.overlay(lowers(s), dir.resolve("empty"), dir.resolve("upper"), dir.resolve("work"),
                mountPointLayer, target);
    }

    /** The base's snapshot directories: found by DiffID, or extracted again from the store. */
    private List<Path> lowers(State s) throws IOException {
        List<Path> found = new ArrayList<>();
        for (String d : s.diffIds()) {
            Optional<Path> p = runtime.snapshots().find(Digest.parse(d));
            if (p.isEmpty()) {
                return runtime.snapshots().prepare(baseLayers(s)).directories();
            }
            found.add(p.get());
        }
        return found;
    }

    private List<LayerSource> baseLayers(State s) throws IOException {
        if (s.imageId().isEmpty()) {
            return List.of();
        }
        try (ImageSource source = runtime.store().reference(s.imageId().get()).openSource()) {
            return SourceImage.read(source, Platform.parse(s.platform())).layers();
        } catch (ImageUnknownException e) {
            throw new ContainerException("working container " + s.name() + ": its image " + s.image()
                    + " is no longer in the store, and its layers are needed; pull it again", e);
        }
    }

    State state() throws IOException {
        Path file = dir.resolve(STATE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchContainerException(id);
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length > MAX_STATE) {
            throw new ContainerException(file + " is " + bytes.length + " bytes, more than a working container's state"
                    + " can be; remove the working container");
        }
        State s = Json.parse(bytes, State.class, "working container state " + file);
        if (!id.equals(s.id())) {
            throw new ContainerException(file + " names working container " + s.id() + ", not " + id
                    + "; the directory was moved or tampered with: remove it");
        }
        return s;
    }

    void write(State s) throws IOException {
        Path tmp = Files.createTempFile(dir, ".state.", ".tmp");
        try {
            Files.write(tmp, Json.write(s));
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkingContainer w && w.dir.equals(dir);
    }

    @Override
    public int hashCode() {
        return dir.hashCode();
    }

    @Override
    public String toString() {
        return "WorkingContainer[" + id.substring(0, 12) + "]";
    }
}
