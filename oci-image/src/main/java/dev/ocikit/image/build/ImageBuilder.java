package dev.ocikit.image.build;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.NoMatchingPlatformException;
import dev.ocikit.image.SourceImage;
import dev.ocikit.image.StoredImage;
import dev.ocikit.image.build.Steps.ConfigStep;
import dev.ocikit.image.build.Steps.ContentInput;
import dev.ocikit.image.build.Steps.FilesInput;
import dev.ocikit.image.build.Steps.LayerStep;
import dev.ocikit.image.build.Steps.RunStep;
import dev.ocikit.image.build.Steps.Step;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.policy.PolicyTarget;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.Healthcheck;
import dev.ocikit.spec.image.ImageConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Builds an image without a daemon, as Buildah does: from scratch or from a base image, with
 * files, tar archives, commands run inside it and config changes, each step recorded in the
 * image's history; then commits it to the local store or to any transport.
 *
 * <pre>{@code
 * BuiltImage app = ImageBuilder.from(store, "docker.io/library/eclipse-temurin:21-jre")
 *         .runsWith(runtime)                      // an oci-runtime OciRuntime
 *         .copy(Path.of("target/app.jar"), "/app/app.jar")
 *         .run(RunCommand.shell("useradd -r app"))
 *         .user("app")
 *         .entrypoint("java", "-jar", "/app/app.jar")
 *         .commit(store, "localhost/app:1.0");
 * }</pre>
 *
 * <p>An {@code ImageBuilder} is an immutable recipe: each method returns a new builder with one
 * more step or setting, and nothing is read, packed or run until {@link #commit}, which may be
 * called more than once (each commit runs the recipe again, or finds its steps in the
 * {@link #cache(BuildCache) cache}). The base image is read when the builder is made, and its
 * manifest digest pinned: a commit fails if the base has changed since.
 *
 * <p>Reproducible: with a {@link #timestamp(Instant) timestamp} (what {@code SOURCE_DATE_EPOCH}
 * gives), the same inputs give the same image digest on any machine: layer entries are sorted,
 * file times clamped to the timestamp, and the config's and history's times are the timestamp.
 */
public final class ImageBuilder {
    /** How much of the image {@link #squash()} folds into one layer. */
    enum Squash { NONE, NEW, ALL }

    /** Where the image starts. */
    sealed interface Base permits Scratch, FromImage {
        Platform platform();
    }

    record Scratch(Platform platform) implements Base {}

    record FromImage(TransportReference reference, Platform platform, Digest manifestDigest, ImageConfig config)
            implements Base {}

    record Settings(Optional<BuildRuntime> runtime, Optional<BuildCache> cache, Optional<ManifestFormat> format,
            Compression compression, Optional<Instant> timestamp, Squash squash, Map<String, String> annotations,
            Optional<String> author, OutputStream stdout, OutputStream stderr, Optional<ImageStore> store,
            BuildListener listener) {
        static Settings defaults() {
            return new Settings(Optional.empty(), Optional.empty(), Optional.empty(), Compression.GZIP, Optional.empty(),
                    Squash.NONE, Map.of(), Optional.empty(), OutputStream.nullOutputStream(),
                    OutputStream.nullOutputStream(), Optional.empty(), BuildListener.NONE);
        }
    }

    private final Base base;
    private final List<Step> steps;
    private final Settings settings;

    private ImageBuilder(Base base, List<Step> steps, Settings settings) {
        this.base = base;
        this.steps = List.copyOf(steps);
        this.settings = settings;
    }

    // ---- where it starts ---------------------------------------------------------------------

    /** An empty image for this host's platform. */
    public static ImageBuilder scratch() {
        return scratch(Platform.host());
    }

    /** An empty image for {@code platform}. */
    public static ImageBuilder scratch(Platform platform) {
        return new ImageBuilder(new Scratch(Objects.requireNonNull(platform, "platform")), List.of(), Settings.defaults());
    }

    /**
     * An image on top of one in the store (by name, full or short ID, or digest), for this host's
     * platform; the builder keeps its layers in that store and writes there by default.
     *
     * @throws dev.ocikit.image.ImageUnknownException if the store has no such image
     */
    public static ImageBuilder from(ImageStore store, String nameOrId) throws IOException {
        return from(store, nameOrId, Platform.host());
    }

    /** An image on top of one in the store, choosing {@code platform} from a multi-platform image. */
    public static ImageBuilder from(ImageStore store, String nameOrId, Platform platform) throws IOException {
        StoredImage image = store.resolve(nameOrId);
        ImageBuilder b = from(store.reference(image.id().toString()), platform);
        return b.with(withStore(b.settings, store));
    }

    /**
     * An image on top of the one {@code reference} names in any transport ({@code docker://…},
     * {@code oci:/dir:tag}, {@code docker-archive:…}), for this host's platform. Its manifest and
     * config are read now; its layers only when a commit needs them.
     */
    public static ImageBuilder from(String reference) throws IOException {
        return from(Transports.load().parse(reference), Platform.host());
    }

    /** An image on top of the one {@code reference} names, for {@code platform}. */
    public static ImageBuilder from(TransportReference reference, Platform platform) throws IOException {
        return from(reference, platform, Optional.empty());
    }

    /**
     * An image on top of the one {@code reference} names, for {@code platform}, if {@code policy}
     * accepts it as Buildah's {@code from} checks a pulled base: the image chosen for the platform
     * is judged by its own manifest and signatures.
     *
     * @throws dev.ocikit.image.policy.PolicyRejectedException if the policy refuses it
     */
    public static ImageBuilder from(TransportReference reference, Platform platform, TrustPolicy policy) throws IOException {
        return from(reference, platform, Optional.of(Objects.requireNonNull(policy, "policy")));
    }

    private static ImageBuilder from(TransportReference reference, Platform platform, Optional<TrustPolicy> policy)
            throws IOException {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
        try (ImageSource source = reference.openSource()) {
            // The policy decides on the manifest chosen, before its config is fetched.
            SourceImage image = SourceImage.read(source, platform, (instance, manifest) -> {
                if (policy.isPresent()) {
                    PolicyTarget target = instance.isPresent() ? PolicyTarget.of(reference).instance(instance.get())
                            : PolicyTarget.of(reference);
                    policy.get().decide(target, manifest.bytes(), source.signatures(instance));
                }
            });
            // A single-platform image is not chosen by platform: check it is the one asked for.
            Platform actual = image.config().model().platform();
            if (!platform.matcher().matches(actual)) {
                throw new NoMatchingPlatformException(reference.transport().name() + ":" + reference.withinTransport()
                        + " is an image for " + actual + ", not " + platform + "; get the " + platform
                        + " image (a pull with --platform " + platform + ") or build for " + actual, platform,
                        List.of(actual));
            }
            return new ImageBuilder(new FromImage(reference, platform, image.manifest().digest(), image.config().model()),
                    List.of(), Settings.defaults());
        }
    }

    // ---- content -------------------------------------------------------------------------------

    /**
     * Adds a file or directory at {@code destination} as one layer, as {@code COPY} does: owned
     * by root; a directory's contents go into the destination; a destination ending in {@code /},
     * or one that is a directory in the image at this step, names the directory a file goes into;
     * a relative destination is taken from the working directory. Directories the image has
     * already keep their owner and mode (see {@link LayerContent#files(List, dev.ocikit.image.ImageTree)}).
     */
    public ImageBuilder copy(Path source, String destination) {
        // Owned by root, as COPY records files: the host's owner would make the image depend on the machine.
        return add(List.of(AddedFile.of(source, destination).withOwner(0, 0)),
                "COPY " + source.getFileName() + " " + destination);
    }

    /** Adds files (with their owner, mode and time overrides) as one layer. */
    public ImageBuilder copy(AddedFile... files) {
        List<AddedFile> list = Arrays.asList(files);
        List<String> names = new ArrayList<>();
        for (AddedFile f : list) {
            names.add(f.source().getFileName() + " " + f.destination());
        }
        return add(list, "COPY " + String.join(", ", names));
    }

    /** Adds files as one layer, recorded in the history as {@code createdBy}. */
    public ImageBuilder add(List<AddedFile> files, String createdBy) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("nothing to add");
        }
        return step(new LayerStep(createdBy, new FilesInput(files)));
    }

    /**
     * Adds files as one layer owned by {@code owner}: {@code user[:group]}, each a name or a
     * number, names resolved against the image's {@code /etc/passwd} and {@code /etc/group} as
     * they are at this step, as {@code COPY --chown} does. A user without a group gets the group
     * of the same number, as Docker does.
     */
    public ImageBuilder add(List<AddedFile> files, String owner, String createdBy) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("nothing to add");
        }
        Objects.requireNonNull(owner, "owner");
        if (owner.isEmpty() || owner.startsWith(":") || owner.endsWith(":") || owner.split(":").length > 2) {
            throw new IllegalArgumentException("owner must be USER or USER:GROUP, not '" + owner + "'");
        }
        return step(new LayerStep(createdBy, new Steps.OwnedFilesInput(files, owner)));
    }

    /**
     * Extracts a local tar archive (uncompressed, gzip or zstd) into {@code directory} as one
     * layer, as {@code ADD archive.tar.gz /dir} does; entries keep the archive's owners and modes.
     */
    public ImageBuilder addTar(Path archive, String directory) {
        return step(new LayerStep("ADD " + archive.getFileName() + " " + directory, new TarInput(archive, directory)));
    }

    /** Adds a layer made of {@code content}, recorded in the history as {@code createdBy}. */
    public ImageBuilder layer(LayerContent content, String createdBy) {
        return step(new LayerStep(Objects.requireNonNull(createdBy, "createdBy"), new ContentInput(content)));
    }

    /**
     * Adds the layers of a Java application the way Jib lays them out, one per group that changes
     * at its own pace, so that a code change rebuilds and re-pushes one small layer. See
     * {@link JavaLayers}.
     */
    public ImageBuilder javaApp(JavaLayers app) {
        ImageBuilder b = this;
        for (JavaLayers.Group g : app.groups()) {
            b = b.add(g.files(), "COPY " + g.name() + " " + g.destination());
        }
        if (app.mainClass().isPresent()) {
            b = b.entrypoint(app.entrypoint());
        }
        return b;
    }

    /**
     * Runs a command in the image as it is at this step, through the runtime given to
     * {@link #runsWith}; what it changes becomes a layer. A non-zero exit fails the commit with
     * {@link BuildStepException}.
     */
    public ImageBuilder run(RunCommand command) {
        return step(new RunStep(Objects.requireNonNull(command, "command")));
    }

    /** Runs the program {@code command[0]} with the rest as its arguments (no shell). */
    public ImageBuilder run(String... command) {
        return run(RunCommand.of(command));
    }

    // ---- config --------------------------------------------------------------------------------

    public ImageBuilder entrypoint(String... command) {
        return entrypoint(Arrays.asList(command));
    }

    /**
     * The program a container runs. As in a Containerfile, it clears a {@code Cmd} inherited from
     * the base (that one was meant for the base's entrypoint), but not one this builder set.
     */
    public ImageBuilder entrypoint(List<String> command) {
        List<String> value = List.copyOf(command);
        boolean cmdSetHere = steps.stream().anyMatch(s -> s instanceof ConfigStep c && c.setsCmd());
        return config("ENTRYPOINT " + Steps.json(value), c -> cmdSetHere ? c.toBuilder().entrypoint(value).build()
                : c.toBuilder().entrypoint(value).cmd(List.of()).build());
    }

    public ImageBuilder cmd(String... command) {
        return cmd(Arrays.asList(command));
    }

    /** The default command, or the entrypoint's default arguments. */
    public ImageBuilder cmd(List<String> command) {
        List<String> value = List.copyOf(command);
        return step(new ConfigStep("CMD " + Steps.json(value), c -> c.toBuilder().cmd(value).build(), true));
    }

    /** Sets an environment variable. */
    public ImageBuilder env(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("environment variable name must be non-empty and without '=': " + name);
        }
        return config("ENV " + name + "=" + value, c -> c.toBuilder().env(name, value).build());
    }

    /** Sets a label. */
    public ImageBuilder label(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return config("LABEL " + key + "=" + value, c -> c.toBuilder().label(key, value).build());
    }

    /** The working directory; a relative one is taken from the current one, as {@code WORKDIR} does. */
    public ImageBuilder workdir(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("working directory must not be empty");
        }
        return config("WORKDIR " + path, c -> c.toBuilder()
                .workingDir(resolve(c.workingDir().orElse("/"), path)).build());
    }

    /** The user a container runs as: {@code name}, {@code uid}, {@code name:group}, {@code uid:gid}. */
    public ImageBuilder user(String user) {
        Objects.requireNonNull(user, "user");
        return config("USER " + user, c -> c.toBuilder().user(user.isEmpty() ? null : user).build());
    }

    /** Exposes a port: {@code 8080}, {@code 8080/tcp}, {@code 53/udp}. */
    public ImageBuilder expose(String port) {
        String value = normalizePort(port);
        return config("EXPOSE " + value, c -> c.toBuilder().exposePort(value).build());
    }

    /** Marks a directory as a volume. */
    public ImageBuilder volume(String path) {
        Objects.requireNonNull(path, "path");
        return config("VOLUME " + Steps.json(List.of(path)), c -> c.toBuilder().addVolume(path).build());
    }

    /** The signal that stops a container: {@code SIGTERM}, {@code 15}. */
    public ImageBuilder stopSignal(String signal) {
        Objects.requireNonNull(signal, "signal");
        return config("STOPSIGNAL " + signal, c -> c.toBuilder().stopSignal(signal).build());
    }

    /** The health check ({@link Healthcheck#none()} disables an inherited one). */
    public ImageBuilder healthcheck(Healthcheck check) {
        Objects.requireNonNull(check, "check");
        return config("HEALTHCHECK " + Steps.json(check.test()), c -> c.toBuilder().healthcheck(check).build());
    }

    /** Any change of the container config, recorded in the history as {@code createdBy}. */
    public ImageBuilder config(String createdBy, UnaryOperator<ContainerConfig> change) {
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(change, "change");
        return step(new ConfigStep(createdBy, change, false));
    }

    // ---- settings ------------------------------------------------------------------------------

    /** The runtime that runs {@link #run} steps (an {@code oci-runtime} {@code OciRuntime}). */
    public ImageBuilder runsWith(BuildRuntime runtime) {
        Settings s = settings;
        return with(new Settings(Optional.of(runtime), s.cache(), s.format(), s.compression(), s.timestamp(), s.squash(),
                s.annotations(), s.author(), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /** Finds steps in {@code cache}, and records the ones that run, so an unchanged rebuild runs nothing. */
    public ImageBuilder cache(BuildCache cache) {
        Settings s = settings;
        return with(new Settings(s.runtime(), Optional.of(cache), s.format(), s.compression(), s.timestamp(), s.squash(),
                s.annotations(), s.author(), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /** Where {@link #run} commands print; nowhere by default (a failure's message has the last lines). */
    public ImageBuilder output(OutputStream stdout, OutputStream stderr) {
        Settings s = settings;
        return with(new Settings(s.runtime(), s.cache(), s.format(), s.compression(), s.timestamp(), s.squash(),
                s.annotations(), s.author(), Objects.requireNonNull(stdout, "stdout"),
                Objects.requireNonNull(stderr, "stderr"), s.store(), s.listener()));
    }

    /** Told of each step as the commit reaches it: what the CLI prints as {@code STEP n/m}. */
    public ImageBuilder listener(BuildListener listener) {
        Settings s = settings;
        return with(new Settings(s.runtime(), s.cache(), s.format(), s.compression(), s.timestamp(), s.squash(),
                s.annotations(), s.author(), s.stdout(), s.stderr(), s.store(), Objects.requireNonNull(listener, "listener")));
    }

    /**
     * The manifest format: OCI, or Docker v2 schema 2. By default OCI, unless the destination
     * only takes Docker manifests (a {@code docker-archive:}).
     */
    public ImageBuilder format(ManifestFormat format) {
        Settings s = settings;
        return with(new Settings(s.runtime(), s.cache(), Optional.of(format), s.compression(), s.timestamp(), s.squash(),
                s.annotations(), s.author(), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /** How new layers are compressed; gzip by default. Base layers keep theirs. */
    public ImageBuilder compression(Compression compression) {
        Settings s = settings;
        return with(new Settings(s.runtime(), s.cache(), s.format(), Objects.requireNonNull(compression, "compression"),
                s.timestamp(), s.squash(), s.annotations(), s.author(), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /**
     * Makes the build reproducible: the image's and the history's creation times are
     * {@code instant}, and no file in a new layer is dated later (what {@code SOURCE_DATE_EPOCH}
     * and {@code buildah build --timestamp} do).
     */
    public ImageBuilder timestamp(Instant instant) {
        Settings s = settings;
        return with(new Settings(s.runtime(), s.cache(), s.format(), s.compression(), Optional.of(instant), s.squash(),
                s.annotations(), s.author(), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /** Folds the layers this builder adds into one (the base's stay), as {@code buildah build --squash}. */
    public ImageBuilder squash() {
        return squash(Squash.NEW);
    }

    /** Folds the whole image, base included, into one layer, as {@code buildah build --squash-all}. */
    public ImageBuilder squashAll() {
        return squash(Squash.ALL);
    }

    private ImageBuilder squash(Squash mode) {
        Settings s = settings;
        return with(new Settings(s.runtime(), s.cache(), s.format(), s.compression(), s.timestamp(), mode,
                s.annotations(), s.author(), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /** An annotation on the manifest (OCI format only; Docker manifests have none). */
    public ImageBuilder annotation(String key, String value) {
        Settings s = settings;
        Map<String, String> a = new LinkedHashMap<>(s.annotations());
        a.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return with(new Settings(s.runtime(), s.cache(), s.format(), s.compression(), s.timestamp(), s.squash(),
                Map.copyOf(a), s.author(), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /** The image's author. */
    public ImageBuilder author(String author) {
        Settings s = settings;
        return with(new Settings(s.runtime(), s.cache(), s.format(), s.compression(), s.timestamp(), s.squash(),
                s.annotations(), Optional.of(author), s.stdout(), s.stderr(), s.store(), s.listener()));
    }

    /**
     * The store whose blobs hold the layers this builder packs (and that RUN steps read); by
     * default the base's store, else a temporary one removed after the commit.
     */
    public ImageBuilder store(ImageStore store) {
        return with(withStore(settings, Objects.requireNonNull(store, "store")));
    }

    private static Settings withStore(Settings s, ImageStore store) {
        return new Settings(s.runtime(), s.cache(), s.format(), s.compression(), s.timestamp(), s.squash(),
                s.annotations(), s.author(), s.stdout(), s.stderr(), Optional.of(store), s.listener());
    }

    // ---- the result ----------------------------------------------------------------------------

    /** The platform the image is for. */
    public Platform platform() {
        return base.platform();
    }

    /** The container config the image will have, as far as config steps tell (they are cheap, so they run). */
    public ContainerConfig containerConfig() {
        ContainerConfig c = base instanceof FromImage f ? f.config().config() : ContainerConfig.EMPTY;
        for (Step s : steps) {
            if (s instanceof ConfigStep cs) {
                c = cs.change().apply(c);
            }
        }
        return c;
    }

    /**
     * Runs the recipe and writes the image into {@code store} under {@code name} (a short name
     * gets {@code localhost/}, as Podman does).
     */
    public BuiltImage commit(ImageStore store, String name) throws IOException, InterruptedException {
        Objects.requireNonNull(name, "name");
        ImageStore.normalizeName(name);
        ImageBuilder b = settings.store().isPresent() ? this : store(store);
        return b.commit(store.reference(name));
    }

    /** Runs the recipe and writes the image into {@code store} without a name (find it by its ID). */
    public BuiltImage commit(ImageStore store) throws IOException, InterruptedException {
        ImageBuilder b = settings.store().isPresent() ? this : store(store);
        return b.commit(store.reference(""));
    }

    /** Runs the recipe and writes the image to a transport reference: {@code oci:/dir:tag}, {@code docker://…}. */
    public BuiltImage commit(String destination) throws IOException, InterruptedException {
        return commit(Transports.load().parse(destination));
    }

    /** Runs the recipe and writes the image to {@code destination}. */
    public BuiltImage commit(TransportReference destination) throws IOException, InterruptedException {
        Objects.requireNonNull(destination, "destination");
        return BuildExecution.commit(this, destination);
    }

    /**
     * Runs each builder's recipe and writes the images, one per platform, under one index (a
     * manifest list in Docker format) at {@code destination}, as {@code buildah manifest push --all}
     * leaves them. The builders must be for different platforms and of one format.
     */
    public static BuiltIndex commitIndex(List<ImageBuilder> images, String destination)
            throws IOException, InterruptedException {
        return commitIndex(images, Transports.load().parse(destination));
    }

    /** {@link #commitIndex(List, String)} into a store, under {@code name}. */
    public static BuiltIndex commitIndex(List<ImageBuilder> images, ImageStore store, String name)
            throws IOException, InterruptedException {
        ImageStore.normalizeName(name);
        List<ImageBuilder> inStore = new ArrayList<>();
        for (ImageBuilder b : images) {
            inStore.add(b.settings.store().isPresent() ? b : b.store(store));
        }
        return commitIndex(inStore, store.reference(name));
    }

    /** {@link #commitIndex(List, String)} to a transport reference. */
    public static BuiltIndex commitIndex(List<ImageBuilder> images, TransportReference destination)
            throws IOException, InterruptedException {
        Objects.requireNonNull(destination, "destination");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("an index needs at least one image");
        }
        java.util.Set<String> platforms = new java.util.HashSet<>();
        java.util.Set<Optional<ManifestFormat>> formats = new java.util.HashSet<>();
        for (ImageBuilder b : images) {
            if (!platforms.add(b.platform().normalize().toString())) {
                throw new IllegalArgumentException("two images of the index are for " + b.platform()
                        + "; each platform may appear once");
            }
            formats.add(b.settings.format());
        }
        if (formats.size() > 1) {
            throw new IllegalArgumentException("the images of one index must have one manifest format");
        }
        return BuildExecution.commitIndex(images, destination);
    }

    Base base() {
        return base;
    }

    List<Step> steps() {
        return steps;
    }

    Settings settings() {
        return settings;
    }

    private ImageBuilder step(Step step) {
        List<Step> more = new ArrayList<>(steps);
        more.add(step);
        return new ImageBuilder(base, more, settings);
    }

    private ImageBuilder with(Settings newSettings) {
        return new ImageBuilder(base, steps, newSettings);
    }

    /** {@code path} taken from {@code dir} unless absolute, cleaned of {@code .} and {@code ..} (never above {@code /}). */
    static String resolve(String dir, String path) {
        String joined = path.startsWith("/") ? path : dir + "/" + path;
        List<String> parts = new ArrayList<>();
        for (String c : joined.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(c);
        }
        return "/" + String.join("/", parts);
    }

    private static String normalizePort(String port) {
        Objects.requireNonNull(port, "port");
        String p = port.contains("/") ? port : port + "/tcp";
        if (!p.matches("[0-9]{1,5}(-[0-9]{1,5})?/(tcp|udp|sctp)")) {
            throw new IllegalArgumentException("not a port: '" + port + "'; expected 8080, 8080/tcp or 53/udp");
        }
        return p;
    }

    @Override
    public String toString() {
        String from = base instanceof FromImage f ? f.reference().transport().name() + ":" + f.reference().withinTransport()
                : "scratch";
        return "ImageBuilder[from " + from + ", " + steps.size() + " steps]";
    }
}
