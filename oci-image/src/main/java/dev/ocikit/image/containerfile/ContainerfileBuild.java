package dev.ocikit.image.containerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ocikit.image.AddedFile;
import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerSource;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.NoMatchingPlatformException;
import dev.ocikit.image.SourceImage;
import dev.ocikit.image.Unpacker;
import dev.ocikit.image.build.BuildCache;
import dev.ocikit.image.build.BuildListener;
import dev.ocikit.image.build.BuildMount;
import dev.ocikit.image.build.BuildNetwork;
import dev.ocikit.image.build.BuildRuntime;
import dev.ocikit.image.build.BuildStepException;
import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.image.build.RunCommand;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.Healthcheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the image a Containerfile (or Dockerfile) describes, as {@code buildah build} does: each
 * stage becomes an {@link ImageBuilder} recipe (FROM a base, a stage or scratch; RUN through a
 * {@link BuildRuntime}; COPY and ADD from the context, honouring {@code .containerignore}, or
 * from another stage; ENV, ARG, WORKDIR, USER, ENTRYPOINT, CMD, LABEL, EXPOSE, VOLUME,
 * STOPSIGNAL, HEALTHCHECK, SHELL), committed to the store. Only the stages the target needs are
 * built. With a {@link BuildCache} an unchanged rebuild runs no command.
 *
 * <p>Immutable: each {@code with…} returns a new build. Errors in the file, or in what an
 * instruction refers to (a COPY source that does not exist), are {@link ContainerfileException}s
 * naming the file, the line and the instruction.
 */
public final class ContainerfileBuild {
    private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

    private final Path containerfile;
    private final Path context;
    private final Map<String, String> buildArgs;
    private final Optional<String> target;
    private final Optional<BuildRuntime> runtime;
    private final boolean cache;
    private final Optional<ManifestFormat> format;
    private final Compression compression;
    private final Optional<Instant> timestamp;
    private final Platform platform;
    private final boolean squash;
    private final BuildNetwork network;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final BuildListener listener;
    private final Optional<BaseImages> bases;
    private final Optional<TrustPolicy> policy;

    private ContainerfileBuild(Path containerfile, Path context, Map<String, String> buildArgs, Optional<String> target,
            Optional<BuildRuntime> runtime, boolean cache, Optional<ManifestFormat> format, Compression compression,
            Optional<Instant> timestamp, Platform platform, boolean squash, BuildNetwork network, OutputStream stdout,
            OutputStream stderr, BuildListener listener, Optional<BaseImages> bases, Optional<TrustPolicy> policy) {
        this.containerfile = containerfile;
        this.context = context;
        this.buildArgs = Map.copyOf(buildArgs);
        this.target = target;
        this.runtime = runtime;
        this.cache = cache;
        this.format = format;
        this.compression = compression;
        this.timestamp = timestamp;
        this.platform = platform;
        this.squash = squash;
        this.network = network;
        this.stdout = stdout;
        this.stderr = stderr;
        this.listener = listener;
        this.bases = bases;
        this.policy = policy;
    }

    /**
     * A build of {@code containerfile} with {@code context} as the build context (what COPY reads
     * from). Defaults: this host's platform, OCI format, gzip, the cache on, the host's network for
     * RUN, output discarded.
     */
    public static ContainerfileBuild of(Path containerfile, Path context) {
        return new ContainerfileBuild(Objects.requireNonNull(containerfile, "containerfile"),
                Objects.requireNonNull(context, "context"), Map.of(), Optional.empty(), Optional.empty(), true,
                Optional.empty(), Compression.GZIP, Optional.empty(), Platform.host(), false, BuildNetwork.HOST,
                OutputStream.nullOutputStream(), OutputStream.nullOutputStream(), BuildListener.NONE, Optional.empty(),
                Optional.empty());
    }

    private ContainerfileBuild copy(Map<String, String> args, Optional<String> t, Optional<BuildRuntime> r, boolean c,
            Optional<ManifestFormat> f, Compression z, Optional<Instant> ts, Platform p, boolean sq, BuildNetwork n,
            OutputStream out, OutputStream err, BuildListener l, Optional<BaseImages> b) {
        return new ContainerfileBuild(containerfile, context, args, t, r, c, f, z, ts, p, sq, n, out, err, l, b, policy);
    }

    /** A build argument, as {@code --build-arg NAME=value}. */
    public ContainerfileBuild withBuildArg(String name, String value) {
        Map<String, String> args = new LinkedHashMap<>(buildArgs);
        args.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return copy(args, target, runtime, cache, format, compression, timestamp, platform, squash, network, stdout, stderr,
                listener, bases);
    }

    /** Builds the stage named (or numbered) {@code stage} instead of the last one. */
    public ContainerfileBuild withTarget(String stage) {
        return copy(buildArgs, Optional.of(stage), runtime, cache, format, compression, timestamp, platform, squash,
                network, stdout, stderr, listener, bases);
    }

    /** The runtime for RUN instructions. */
    public ContainerfileBuild withRuntime(BuildRuntime value) {
        return copy(buildArgs, target, Optional.of(value), cache, format, compression, timestamp, platform, squash,
                network, stdout, stderr, listener, bases);
    }

    /** Whether to use the layer cache (kept with the store); on by default, {@code --no-cache} turns it off. */
    public ContainerfileBuild withCache(boolean value) {
        return copy(buildArgs, target, runtime, value, format, compression, timestamp, platform, squash, network, stdout,
                stderr, listener, bases);
    }

    public ContainerfileBuild withFormat(ManifestFormat value) {
        return copy(buildArgs, target, runtime, cache, Optional.of(value), compression, timestamp, platform, squash,
                network, stdout, stderr, listener, bases);
    }

    public ContainerfileBuild withCompression(Compression value) {
        return copy(buildArgs, target, runtime, cache, format, value, timestamp, platform, squash, network, stdout, stderr,
                listener, bases);
    }

    /** Makes the build reproducible, as {@code --timestamp} or {@code SOURCE_DATE_EPOCH}. */
    public ContainerfileBuild withTimestamp(Instant value) {
        return copy(buildArgs, target, runtime, cache, format, compression, Optional.of(value), platform, squash, network,
                stdout, stderr, listener, bases);
    }

    public ContainerfileBuild withPlatform(Platform value) {
        return copy(buildArgs, target, runtime, cache, format, compression, timestamp, value, squash, network, stdout,
                stderr, listener, bases);
    }

    /** Folds the layers the final stage adds into one. */
    public ContainerfileBuild withSquash(boolean value) {
        return copy(buildArgs, target, runtime, cache, format, compression, timestamp, platform, value, network, stdout,
                stderr, listener, bases);
    }

    /** The network RUN instructions get unless they say {@code --network}. */
    public ContainerfileBuild withNetwork(BuildNetwork value) {
        return copy(buildArgs, target, runtime, cache, format, compression, timestamp, platform, squash, value, stdout,
                stderr, listener, bases);
    }

    /** Where RUN instructions print. */
    public ContainerfileBuild withOutput(OutputStream out, OutputStream err) {
        return copy(buildArgs, target, runtime, cache, format, compression, timestamp, platform, squash, network, out, err,
                listener, bases);
    }

    public ContainerfileBuild withListener(BuildListener value) {
        return copy(buildArgs, target, runtime, cache, format, compression, timestamp, platform, squash, network, stdout,
                stderr, value, bases);
    }

    /**
     * How base images are found; by default the store, then a pull through {@code docker://}
     * (which needs oci-registry on the class path) into the store.
     */
    public ContainerfileBuild withBaseImages(BaseImages value) {
        return copy(buildArgs, target, runtime, cache, format, compression, timestamp, platform, squash, network, stdout,
                stderr, listener, Optional.of(value));
    }

    /**
     * The trust policy base images must satisfy when they are pulled or read from a transport
     * (images already in the store are not judged again, as with Podman). By default, the
     * machine's {@code policy.json} if it has one ({@link TrustPolicy#loadIfPresent()}), read
     * when the build starts. Bases found through {@link #withBaseImages} are that resolver's to
     * judge: this policy does not apply to them.
     */
    public ContainerfileBuild withPolicy(TrustPolicy value) {
        return new ContainerfileBuild(containerfile, context, buildArgs, target, runtime, cache, format, compression,
                timestamp, platform, squash, network, stdout, stderr, listener, bases,
                Optional.of(Objects.requireNonNull(value, "policy")));
    }

    /**
     * Builds the target stage and writes it into {@code store}, named by each of {@code tags}
     * (none: only by its ID). Stages before it that it needs are written too, without names.
     */
    public BuiltImage build(ImageStore store, List<String> tags) throws IOException, InterruptedException {
        Objects.requireNonNull(store, "store");
        for (String t : tags) {
            ImageStore.normalizeName(t);
        }
        Containerfile file = Containerfile.parse(containerfile);
        IgnoreFile ignore = IgnoreFile.read(context, containerfile);
        try (Run run = new Run(file, ignore, store)) {
            return run.build(tags);
        }
    }

    /** One build: the stages built so far and the temporary trees COPY --from reads. */
    private final class Run implements AutoCloseable {
        private final Containerfile file;
        private final IgnoreFile ignore;
        private final ImageStore store;
        private final Map<String, String> globals = new LinkedHashMap<>();
        private final Map<Integer, BuiltImage> built = new HashMap<>();
        private final Map<String, Path> rootfsOf = new HashMap<>();
        private final List<Path> temporary = new ArrayList<>();
        private final Path realContext;
        /** Read on first need (null until then): a build whose bases are all in the store never reads policy.json. */
        private Optional<TrustPolicy> trust;

        Run(Containerfile file, IgnoreFile ignore, ImageStore store) throws IOException {
            this.file = file;
            this.ignore = ignore;
            this.store = store;
            this.realContext = context.toRealPath();
            // BuildKit's automatic platform arguments are there before the file's own, so that
            // ARG BASE=image-${TARGETARCH} sees them.
            globals.put("TARGETPLATFORM", platform.toString());
            globals.put("TARGETOS", platform.os());
            globals.put("TARGETARCH", platform.architecture());
            platform.variant().ifPresent(v -> globals.put("TARGETVARIANT", v));
            globals.put("BUILDPLATFORM", Platform.host().toString());
            globals.put("BUILDOS", Platform.host().os());
            globals.put("BUILDARCH", Platform.host().architecture());
            for (Instruction.Arg arg : file.globalArgs()) {
                Instruction.Arg expanded = file.expand(arg, name -> Optional.ofNullable(globals.get(name)));
                for (ArgDefinition d : expanded.definitions()) {
                    String value = buildArgs.containsKey(d.name()) ? buildArgs.get(d.name()) : d.defaultValue().orElse(null);
                    if (value != null) {
                        globals.put(d.name(), value);
                    }
                }
            }
        }

        BuiltImage build(List<String> tags) throws IOException, InterruptedException {
            Stage last = target.map(t -> file.stage(t).orElseThrow(() -> new ContainerfileException(file.fileName(), 0,
                    null, "target stage '" + t + "' is not in the file; its stages are " + stageNames())))
                    .orElse(file.stages().get(file.stages().size() - 1));
            BuiltImage result = null;
            for (Stage stage : needed(last)) {
                boolean isTarget = stage == last;
                ImageBuilder recipe = recipe(stage, isTarget);
                try {
                    if (isTarget) {
                        result = tags.isEmpty() ? recipe.commit(store) : recipe.commit(store, tags.get(0));
                        for (String extra : tags.subList(Math.min(1, tags.size()), tags.size())) {
                            store.tag(result.id().toString(), extra);
                        }
                    } else {
                        built.put(stage.index(), recipe.commit(store));
                    }
                } catch (BuildStepException e) {
                    // The step is named by its instruction's text: point at the instruction.
                    Optional<Instruction> failed = stage.instructions().stream()
                            .filter(i -> i.source().equals(e.step())).findFirst();
                    if (failed.isEmpty()) {
                        throw e;
                    }
                    throw new ContainerfileException(file.fileName(), failed.get().line(), failed.get().keyword(),
                            e.getMessage(), e);
                }
            }
            return result;
        }

        private String stageNames() {
            List<String> names = new ArrayList<>();
            for (Stage s : file.stages()) {
                names.add(s.name().orElse(String.valueOf(s.index())));
            }
            return names.toString();
        }

        /** The stages {@code last} depends on (FROM a stage, COPY --from, RUN --mount from), then itself, in file order. */
        private List<Stage> needed(Stage last) {
            Set<Integer> want = new LinkedHashSet<>();
            List<Stage> todo = new ArrayList<>(List.of(last));
            while (!todo.isEmpty()) {
                Stage s = todo.remove(todo.size() - 1);
                if (!want.add(s.index())) {
                    continue;
                }
                List<String> refs = new ArrayList<>();
                refs.add(s.baseImage(name -> Optional.ofNullable(globals.get(name))));
                for (Instruction i : s.instructions()) {
                    if (i instanceof Instruction.Copy c && c.from().isPresent()) {
                        // --from=$STAGE: stage variables are not known yet; the global args are what
                        // can name a stage here, as in BuildKit.
                        refs.add(Substitution.expand(c.from().get(), name -> Optional.ofNullable(globals.get(name)),
                                file.escape()));
                    } else if (i instanceof Instruction.Run r) {
                        for (RunMount m : r.mounts()) {
                            m.from().ifPresent(refs::add);
                        }
                    }
                }
                for (String ref : refs) {
                    file.stage(ref).filter(d -> d.index() < s.index()).ifPresent(todo::add);
                }
            }
            List<Stage> out = new ArrayList<>();
            for (Stage s : file.stages()) {
                if (want.contains(s.index())) {
                    out.add(s);
                }
            }
            return out;
        }

        private ImageBuilder base(Stage stage) throws IOException {
            String image = stage.baseImage(name -> Optional.ofNullable(globals.get(name)));
            Platform p = stage.platform(name -> Optional.ofNullable(globals.get(name))).map(Platform::parse).orElse(platform);
            Optional<Stage> earlier = file.stage(image).filter(s -> s.index() < stage.index());
            if (earlier.isPresent()) {
                return ImageBuilder.from(store, built.get(earlier.get().index()).id().toString(), p);
            }
            if (image.equalsIgnoreCase("scratch")) {
                return ImageBuilder.scratch(p);
            }
            try {
                return resolveImage(image, p);
            } catch (IOException | RuntimeException e) {
                if (e instanceof ContainerfileException) {
                    throw e;
                }
                throw new ContainerfileException(file.fileName(), stage.from().line(), "FROM",
                        "cannot use base image " + image + ": " + e.getMessage(), e);
            }
        }

        private Optional<TrustPolicy> trust() throws IOException {
            if (trust == null) {
                trust = policy.isPresent() ? policy : TrustPolicy.loadIfPresent();
            }
            return trust;
        }

        private ImageBuilder resolveImage(String image, Platform p) throws IOException {
            if (bases.isPresent()) {
                return bases.get().from(image, p);
            }
            // A transport prefix (oci:/dir:tag, docker-archive:file) names the image outright, as buildah allows.
            Transports transports = Transports.load();
            int colon = image.indexOf(':');
            if (colon > 0 && transports.get(image.substring(0, colon)).isPresent()) {
                return trust().isPresent() ? ImageBuilder.from(transports.parse(image), p, trust().get())
                        : ImageBuilder.from(transports.parse(image), p);
            }
            if (store.find(image).isPresent()) {
                try {
                    return ImageBuilder.from(store, image, p);
                } catch (NoMatchingPlatformException wrongPlatform) {
                    // the store has it for another platform: pull this platform's, as podman does
                }
            }
            dev.ocikit.image.spi.TransportReference remote = transports.parse("docker://" + image);
            String name = remote.dockerReference().map(Object::toString).orElse(image);
            Copy pull = Copy.from(remote).to(store.reference(name)).platform(p);
            pull = trust().isPresent() ? pull.policy(trust().get()) : pull;
            pull.run();
            return ImageBuilder.from(store, name, p);
        }

        private ImageBuilder recipe(Stage stage, boolean isTarget) throws IOException {
            ImageBuilder b = base(stage).store(store).compression(compression).output(stdout, stderr).listener(listener);
            if (runtime.isPresent()) {
                b = b.runsWith(runtime.get());
            }
            if (cache) {
                b = b.cache(BuildCache.of(store));
            }
            if (format.isPresent()) {
                b = b.format(format.get());
            }
            if (timestamp.isPresent()) {
                b = b.timestamp(timestamp.get());
            }
            if (isTarget && squash) {
                b = b.squash();
            }
            StageState st = new StageState(b);
            st.onBuildTriggers(stage);
            for (Instruction raw : stage.instructions()) {
                Instruction i = file.expand(raw, st::lookup);
                try {
                    st.apply(i);
                } catch (ContainerfileException e) {
                    throw e;
                } catch (IllegalArgumentException e) {
                    throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), e.getMessage(), e);
                }
            }
            return st.builder;
        }

        /** What a stage has declared so far: its builder, variables and shell. */
        private final class StageState {
            ImageBuilder builder;
            final Map<String, String> env = new LinkedHashMap<>();
            final Map<String, String> args = new LinkedHashMap<>();
            List<String> shell = DEFAULT_SHELL;

            StageState(ImageBuilder builder) {
                this.builder = builder;
                ContainerConfig base = builder.containerConfig();
                env.putAll(base.envMap());
                // Docker keeps a stage's SHELL in the image config; a stage built on it runs RUN with it.
                if (base.unknownFields().get("Shell") instanceof ArrayNode shellNode && !shellNode.isEmpty()) {
                    List<String> inherited = new ArrayList<>();
                    shellNode.forEach(n -> inherited.add(n.asText()));
                    shell = List.copyOf(inherited);
                }
            }

            /**
             * The base image's ONBUILD triggers run first, as Docker runs them, and are then dropped
             * from the config (they are for the image built on it, not for the one after).
             */
            void onBuildTriggers(Stage stage) throws IOException {
                JsonNode triggers = builder.containerConfig().unknownFields().get("OnBuild");
                if (!(triggers instanceof ArrayNode list) || list.isEmpty()) {
                    return;
                }
                String origin = file.fileName() + " (ONBUILD of " + stage.baseImage() + ")";
                for (JsonNode t : list) {
                    Containerfile trigger = Containerfile.parse("FROM scratch\n" + t.asText() + "\n", origin);
                    for (Instruction raw : trigger.stages().get(0).instructions()) {
                        Instruction i = trigger.expand(raw, this::lookup);
                        if (i instanceof Instruction.Onbuild || i instanceof Instruction.From) {
                            throw new ContainerfileException(origin, stage.from().line(), i.keyword(),
                                    "an ONBUILD trigger cannot be " + i.keyword());
                        }
                        apply(i);
                    }
                }
                builder = builder.config("ONBUILD triggers of " + stage.baseImage() + " run", c -> {
                    Map<String, JsonNode> unknown = new LinkedHashMap<>(c.unknownFields());
                    unknown.remove("OnBuild");
                    return c.toBuilder().unknownFields(unknown).build();
                });
            }

            Optional<String> lookup(String name) {
                if (env.containsKey(name)) {
                    return Optional.of(env.get(name));
                }
                return Optional.ofNullable(args.get(name));
            }

            void apply(Instruction i) throws IOException {
                String src = i.source();
                if (i instanceof Instruction.Arg a) {
                    for (ArgDefinition d : a.definitions()) {
                        String value = buildArgs.containsKey(d.name()) ? buildArgs.get(d.name())
                                : d.defaultValue().orElse(globals.get(d.name()));
                        if (value != null) {
                            args.put(d.name(), value);
                        }
                    }
                } else if (i instanceof Instruction.Env e) {
                    for (KeyValue kv : e.pairs()) {
                        env.put(kv.key(), kv.value());
                    }
                    List<KeyValue> pairs = e.pairs();
                    builder = builder.config(src, c -> {
                        ContainerConfig.Builder cb = c.toBuilder();
                        pairs.forEach(kv -> cb.env(kv.key(), kv.value()));
                        return cb.build();
                    });
                } else if (i instanceof Instruction.Label l) {
                    List<KeyValue> pairs = l.pairs();
                    builder = builder.config(src, c -> {
                        ContainerConfig.Builder cb = c.toBuilder();
                        pairs.forEach(kv -> cb.label(kv.key(), kv.value()));
                        return cb.build();
                    });
                } else if (i instanceof Instruction.Workdir w) {
                    builder = builder.workdir(w.path());
                } else if (i instanceof Instruction.User u) {
                    builder = builder.user(u.user());
                } else if (i instanceof Instruction.Expose x) {
                    for (String port : x.ports()) {
                        for (String one : expandRange(port)) {
                            builder = builder.expose(one.toLowerCase(Locale.ROOT));
                        }
                    }
                } else if (i instanceof Instruction.Volume v) {
                    for (String path : v.paths()) {
                        builder = builder.volume(path);
                    }
                } else if (i instanceof Instruction.StopSignal s) {
                    builder = builder.stopSignal(s.signal());
                } else if (i instanceof Instruction.Healthcheck h) {
                    Healthcheck check = Healthcheck.of(h.test());
                    if (h.interval().isPresent()) {
                        check = check.withInterval(h.interval().get());
                    }
                    if (h.timeout().isPresent()) {
                        check = check.withTimeout(h.timeout().get());
                    }
                    if (h.startPeriod().isPresent()) {
                        check = check.withStartPeriod(h.startPeriod().get());
                    }
                    if (h.startInterval().isPresent()) {
                        check = check.withStartInterval(h.startInterval().get());
                    }
                    if (h.retries().isPresent()) {
                        check = check.withRetries(h.retries().get());
                    }
                    builder = builder.healthcheck(check);
                } else if (i instanceof Instruction.Shell s) {
                    shell = s.shell();
                    ArrayNode value = JsonNodeFactory.instance.arrayNode();
                    s.shell().forEach(value::add);
                    builder = builder.config(src, c -> {
                        Map<String, JsonNode> unknown = new LinkedHashMap<>(c.unknownFields());
                        unknown.put("Shell", value);
                        return c.toBuilder().unknownFields(unknown).build();
                    });
                } else if (i instanceof Instruction.Maintainer m) {
                    builder = builder.author(m.name());
                } else if (i instanceof Instruction.Entrypoint e) {
                    builder = builder.entrypoint(e.command().argv(shell));
                } else if (i instanceof Instruction.Cmd c) {
                    builder = builder.cmd(c.command().argv(shell));
                } else if (i instanceof Instruction.Onbuild o) {
                    String trigger = o.trigger();
                    builder = builder.config(src, c -> {
                        Map<String, JsonNode> unknown = new LinkedHashMap<>(c.unknownFields());
                        ArrayNode list = unknown.get("OnBuild") instanceof ArrayNode existing ? existing.deepCopy()
                                : JsonNodeFactory.instance.arrayNode();
                        list.add(trigger);
                        unknown.put("OnBuild", list);
                        return c.toBuilder().unknownFields(unknown).build();
                    });
                } else if (i instanceof Instruction.Run r) {
                    builder = builder.run(runCommand(r));
                } else if (i instanceof Instruction.Copy c) {
                    if (c.parents()) {
                        throw new ContainerfileException(file.fileName(), c.line(), "COPY", "--parents is not supported;"
                                + " copy each directory to its destination");
                    }
                    builder = copy(c, c.from(), c.sources(), c.heredocs(), c.destination(), c.chown(), c.chmod(),
                            c.excludes(), false);
                } else if (i instanceof Instruction.Add a) {
                    if (!a.remoteSources().isEmpty()) {
                        throw new ContainerfileException(file.fileName(), a.line(), "ADD", "fetching "
                                + a.remoteSources().get(0) + " is not supported; download it in a RUN step"
                                + " (curl, wget) or copy a local file");
                    }
                    builder = copy(a, Optional.empty(), a.sources(), a.heredocs(), a.destination(), a.chown(), a.chmod(),
                            a.excludes(), a.unpack().orElse(true));
                } else if (i instanceof Instruction.From) {
                    throw new IllegalStateException("FROM inside a stage");
                }
            }

            private RunCommand runCommand(Instruction.Run r) throws IOException {
                List<String> argv = r.command().execForm() ? r.command().arguments()
                        : concat(shell, r.script().orElseThrow());
                RunCommand cmd = RunCommand.of(argv).withCreatedBy(r.source());
                for (Map.Entry<String, String> a : args.entrySet()) {
                    if (!env.containsKey(a.getKey())) {
                        cmd = cmd.withEnv(a.getKey(), a.getValue());
                    }
                }
                String net = r.network().orElse("default");
                cmd = cmd.withNetwork(switch (net) {
                    case "none" -> BuildNetwork.NONE;
                    case "host" -> BuildNetwork.HOST;
                    default -> network;
                });
                for (RunMount m : r.mounts()) {
                    cmd = cmd.withMount(mount(r, m));
                }
                if (!r.devices().isEmpty()) {
                    throw new ContainerfileException(file.fileName(), r.line(), "RUN", "--device is not supported");
                }
                return cmd;
            }

            private BuildMount mount(Instruction.Run r, RunMount m) throws IOException {
                String targetPath = m.target().orElseThrow(() -> new ContainerfileException(file.fileName(), r.line(),
                        "RUN", "--mount=" + m.spec() + " has no target"));
                String target = targetPath.startsWith("/") ? targetPath : "/" + targetPath;
                switch (m.type()) {
                    case "cache" -> {
                        String id = m.id().orElse(target);
                        Path dir = store.root().resolve("build-cache").resolve("mounts")
                                .resolve(Integer.toHexString(id.hashCode()) + "-" + id.replaceAll("[^A-Za-z0-9_.-]", "_"));
                        Files.createDirectories(dir);
                        return new BuildMount(dir, target, m.readOnly());
                    }
                    case "bind" -> {
                        Path root = m.from().isPresent() ? rootfs(r, m.from().get()) : realContext;
                        Path src = inside(r, root, m.source().orElse("/"));
                        if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
                            throw new ContainerfileException(file.fileName(), r.line(), "RUN", "--mount source "
                                    + m.source().orElse("/") + " does not exist");
                        }
                        // runc follows links in a mount source: the real path must stay inside too.
                        Path real = src.toRealPath();
                        if (!real.startsWith(root)) {
                            throw new ContainerfileException(file.fileName(), r.line(), "RUN", "--mount source "
                                    + m.source().orElse("/") + " is a link that leads outside "
                                    + (m.from().isPresent() ? m.from().get() : "the build context"));
                        }
                        if (m.readOnly()) {
                            return new BuildMount(real, target, true);
                        }
                        // As BuildKit: a writable bind mount's writes are thrown away, never made to the context.
                        Path scratch = Files.createTempDirectory("ocikit-bind-");
                        temporary.add(scratch);
                        Path copy = scratch.resolve("m");
                        FileTrees.copyRecursively(real, copy);
                        return new BuildMount(copy, target, false);
                    }
                    case "tmpfs" -> {
                        Path dir = Files.createTempDirectory("ocikit-tmpfs-");
                        temporary.add(dir);
                        return new BuildMount(dir, target, false);
                    }
                    default -> throw new ContainerfileException(file.fileName(), r.line(), "RUN", "--mount type="
                            + m.type() + " is not supported; bind, cache and tmpfs are");
                }
            }

            private ImageBuilder copy(Instruction i, Optional<String> from, List<String> sources, List<Heredoc> heredocs,
                    String destination, Optional<String> chown, Optional<String> chmod, List<String> excludes,
                    boolean unpackArchives) throws IOException {
                Path root = from.isPresent() ? rootfs(i, from.get()) : realContext;
                boolean fromContext = from.isEmpty();
                IgnoreFile excluded = fromContext ? ignore : IgnoreFile.none();
                IgnoreFile flagExcludes = excludes.isEmpty() ? IgnoreFile.none() : IgnoreFile.parse(String.join("\n", excludes));
                List<Path> paths = new ArrayList<>();
                for (String s : sources) {
                    List<Path> matched = glob(i, root, s, excluded);
                    if (matched.isEmpty()) {
                        throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), "no such file or directory: "
                                + s + (fromContext ? " in the build context " + context
                                : " in " + from.get()) + (fromContext && excluded.excluded(strip(s))
                                ? " (it is excluded by " + ignore.file().map(Path::toString).orElse("the ignore file") + ")" : ""));
                    }
                    paths.addAll(matched);
                }
                for (Heredoc h : heredocs) {
                    // The delimiter names the file: a name, never a path (it must not leave the temporary directory).
                    if (h.name().isEmpty() || h.name().contains("/") || h.name().indexOf('\0') >= 0
                            || h.name().equals(".") || h.name().equals("..")) {
                        throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), "heredoc name '"
                                + h.name() + "' cannot name a file; use a plain name such as EOF");
                    }
                    Path dir = Files.createTempDirectory("ocikit-heredoc-");
                    temporary.add(dir);
                    paths.add(Files.writeString(dir.resolve(h.name()), h.text(), StandardCharsets.UTF_8));
                }
                boolean many = paths.size() > 1 || sources.stream().anyMatch(ContainerfileBuild::hasWildcard);
                if (many && !destination.endsWith("/")) {
                    throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), "with more than one source,"
                            + " the destination must be a directory ending in '/': " + destination);
                }
                // Numeric owners are known now; names are looked up in the image when the step runs.
                long[] owner = chown.filter(o -> o.matches("[0-9]+(:[0-9]+)?")).map(o -> owner(i, o))
                        .orElse(new long[] {0, 0});
                Optional<String> namedOwner = chown.filter(o -> !o.matches("[0-9]+(:[0-9]+)?"));
                Optional<Integer> mode = chmod.map(m -> mode(i, m));
                List<AddedFile> files = new ArrayList<>();
                ImageBuilder b = builder;
                for (Path p : paths) {
                    if (unpackArchives && Files.isRegularFile(p) && isArchive(p)) {
                        if (!files.isEmpty()) {
                            b = namedOwner.isPresent() ? b.add(files, namedOwner.get(), i.source()) : b.add(files, i.source());
                            files = new ArrayList<>();
                        }
                        b = b.addTar(p, destination);
                        continue;
                    }
                    String dest = Files.isDirectory(p) || destination.endsWith("/") || !many ? destination
                            : destination + p.getFileName();
                    AddedFile f = AddedFile.of(p, dest).withOwner(owner[0], owner[1]);
                    if (mode.isPresent()) {
                        f = f.withMode(mode.get());
                    }
                    if (Files.isDirectory(p) && (!excluded.isEmpty() || !flagExcludes.isEmpty())) {
                        Path base = fromContext ? realContext : p;
                        Path top = p;
                        f = f.withExclude(q -> {
                            String rel = base.relativize(q).toString();
                            String relTop = top.relativize(q).toString();
                            boolean dir = Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS);
                            return skip(excluded, rel, dir) || skip(flagExcludes, relTop, dir);
                        });
                    }
                    files.add(f);
                }
                if (!files.isEmpty()) {
                    b = namedOwner.isPresent() ? b.add(files, namedOwner.get(), i.source()) : b.add(files, i.source());
                }
                return b;
            }

            private long[] owner(Instruction i, String spec) {
                String[] parts = spec.split(":", 2);
                long uid = id(i, parts[0], "root");
                long gid = parts.length > 1 ? id(i, parts[1], "root") : uid;
                return new long[] {uid, gid};
            }

            private long id(Instruction i, String value, String rootName) {
                if (value.equals(rootName)) {
                    return 0;
                }
                try {
                    long v = Long.parseLong(value);
                    if (v < 0 || v > 0xfffffffeL) {
                        throw new NumberFormatException();
                    }
                    return v;
                } catch (NumberFormatException e) {
                    throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), "--chown=" + value
                            + ": only numeric ids (and root) are supported; write the uid and gid the image gives that user");
                }
            }

            private int mode(Instruction i, String value) {
                try {
                    int m = Integer.parseInt(value, 8);
                    if (m < 0 || m > 07777) {
                        throw new NumberFormatException();
                    }
                    return m;
                } catch (NumberFormatException e) {
                    throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), "--chmod=" + value
                            + " is not an octal mode from 0 to 7777");
                }
            }
        }

        /** The root filesystem of a stage or image that COPY --from or RUN --mount from reads, extracted once. */
        private Path rootfs(Instruction i, String ref) throws IOException {
            Path have = rootfsOf.get(ref);
            if (have != null) {
                return have;
            }
            Optional<Stage> stage = file.stage(ref);
            String id;
            Platform p = platform;
            if (stage.isPresent()) {
                BuiltImage b = built.get(stage.get().index());
                if (b == null) {
                    throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), "stage " + ref
                            + " is not built before this instruction; a stage can only use earlier ones");
                }
                id = b.id().toString();
            } else {
                try {
                    resolveImage(ref, p);
                } catch (IOException | RuntimeException e) {
                    throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), "cannot use image " + ref
                            + ": " + e.getMessage(), e);
                }
                id = store.resolve(ref).id().toString();
            }
            Path dir = Files.createTempDirectory("ocikit-stage-");
            temporary.add(dir);
            try (ImageSource source = store.reference(id).openSource()) {
                SourceImage image = SourceImage.read(source, p);
                List<LayerSource> layers = image.layers();
                Unpacker.defaults().unpack(layers, dir);
            }
            Path real = dir.toRealPath();
            rootfsOf.put(ref, real);
            return real;
        }

        /** {@code path} inside {@code root}, refusing one that leaves it. */
        private Path inside(Instruction i, Path root, String path) {
            Path resolved = root.resolve(strip(path)).normalize();
            if (!resolved.startsWith(root)) {
                throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), path
                        + " is outside the build context; COPY and ADD can only read inside it");
            }
            return resolved;
        }

        /** The paths a source names: itself, or what its wildcards match; sources under the root only. */
        private List<Path> glob(Instruction i, Path root, String source, IgnoreFile excluded) throws IOException {
            String rel = strip(source);
            Path literal = inside(i, root, rel);
            if (!hasWildcard(rel)) {
                String relLiteral = root.relativize(literal).toString();
                if (!Files.exists(literal, LinkOption.NOFOLLOW_LINKS) || excluded.excluded(relLiteral)
                        && !(Files.isDirectory(literal, LinkOption.NOFOLLOW_LINKS) && excluded.mayIncludeUnder(relLiteral))) {
                    return List.of();
                }
                Path real = literal.toRealPath();
                if (!real.startsWith(root)) {
                    throw new ContainerfileException(file.fileName(), i.line(), i.keyword(), source
                            + " is a link that leads outside the build context");
                }
                return List.of(real);
            }
            List<Path> current = List.of(root);
            for (String segment : rel.split("/")) {
                if (segment.isEmpty() || segment.equals(".")) {
                    continue;
                }
                List<Path> next = new ArrayList<>();
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + segment.replace("\\", "\\\\")
                        .replace("{", "\\{").replace("}", "\\}"));
                for (Path dir : current) {
                    if (!Files.isDirectory(dir)) {
                        continue;
                    }
                    List<Path> children = new ArrayList<>();
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                        ds.forEach(children::add);
                    }
                    children.sort(null);
                    for (Path c : children) {
                        if (matcher.matches(c.getFileName())) {
                            next.add(c);
                        }
                    }
                }
                current = next;
            }
            List<Path> out = new ArrayList<>();
            for (Path p : current) {
                String r = root.relativize(p).toString();
                if (excluded.excluded(r) && !(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && excluded.mayIncludeUnder(r))) {
                    continue;
                }
                Path real = p.toRealPath();
                if (real.startsWith(root)) {
                    out.add(real);
                }
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            IOException failed = null;
            // Stages built only for later ones leave no image behind (their layers stay, for the cache).
            for (BuiltImage stage : built.values()) {
                try {
                    Optional<dev.ocikit.image.StoredImage> image = store.find(stage.id().toString());
                    if (image.isPresent() && image.get().names().isEmpty()) {
                        store.remove(stage.id().toString(), false);
                    }
                } catch (IOException e) {
                    failed = failed == null ? e : failed;
                }
            }
            for (Path p : temporary) {
                try {
                    FileTrees.deleteRecursively(p);
                } catch (IOException e) {
                    failed = failed == null ? e : failed;
                }
            }
            if (failed != null) {
                throw failed;
            }
        }
    }

    private static boolean skip(IgnoreFile ignore, String rel, boolean directory) {
        return ignore.excluded(rel) && !(directory && ignore.mayIncludeUnder(rel));
    }

    private static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static String strip(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        return p.isEmpty() || p.equals(".") ? "." : p;
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    private static List<String> expandRange(String port) {
        String[] protoSplit = port.split("/", 2);
        String proto = protoSplit.length > 1 ? "/" + protoSplit[1] : "";
        String[] range = protoSplit[0].split("-", 2);
        if (range.length == 1) {
            return List.of(port);
        }
        int first = Integer.parseInt(range[0]);
        int last = Integer.parseInt(range[1]);
        List<String> out = new ArrayList<>();
        for (int p = first; p <= last; p++) {
            out.add(p + proto);
        }
        return out;
    }

    /**
     * Whether a file is a tar archive ADD extracts: a tar, plain or compressed with gzip or zstd.
     * A compressed file that is not a tar inside ({@code dump.sql.gz}) is copied as it is, as Docker does.
     */
    static boolean isArchive(Path p) throws IOException {
        byte[] head = new byte[6];
        int n;
        try (InputStream in = Files.newInputStream(p)) {
            n = in.readNBytes(head, 0, head.length);
        }
        Compression compression;
        try {
            compression = dev.ocikit.image.LayerCodecs.detect(head, n);
        } catch (dev.ocikit.image.UnsupportedCompressionException bzip2OrXz) {
            return false; // not a layer codec: copied as it is
        }
        try (InputStream raw = Files.newInputStream(p)) {
            InputStream in = switch (compression) {
                case GZIP -> new java.util.zip.GZIPInputStream(raw);
                case ZSTD -> new com.github.luben.zstd.ZstdInputStreamNoFinalizer(raw);
                case NONE -> raw;
            };
            byte[] block = new byte[512];
            int got;
            try {
                got = in.readNBytes(block, 0, block.length);
            } catch (IOException corrupt) {
                return false;
            }
            return got == 512 && isTarHeader(block);
        }
    }

    /** A tar header: its checksum field matches its bytes (POSIX, GNU and old v7 headers alike). */
    private static boolean isTarHeader(byte[] h) {
        String field = new String(h, 148, 8, StandardCharsets.US_ASCII).trim().replace("\0", "");
        if (field.isEmpty()) {
            return false;
        }
        long recorded;
        try {
            recorded = Long.parseLong(field.trim(), 8);
        } catch (NumberFormatException e) {
            return false;
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        return sum == recorded;
    }

    @Override
    public String toString() {
        return "ContainerfileBuild[" + containerfile + ", context " + context + "]";
    }
}
