package dev.ocikit.image.build;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.BlobStore;
import dev.ocikit.image.ImageTree;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerFiles;
import dev.ocikit.image.LayerPackException;
import dev.ocikit.image.LayerPacker;
import dev.ocikit.image.LayerSource;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.PackOptions;
import dev.ocikit.image.PackedLayer;
import dev.ocikit.image.SourceImage;
import dev.ocikit.image.Unpacker;
import dev.ocikit.image.build.ImageBuilder.FromImage;
import dev.ocikit.image.build.ImageBuilder.Settings;
import dev.ocikit.image.build.ImageBuilder.Squash;
import dev.ocikit.image.build.Steps.ConfigStep;
import dev.ocikit.image.build.Steps.FilesInput;
import dev.ocikit.image.build.Steps.LayerInput;
import dev.ocikit.image.build.Steps.LayerStep;
import dev.ocikit.image.build.Steps.RunStep;
import dev.ocikit.image.build.Steps.Step;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.UnsupportedManifestException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an {@link ImageBuilder}'s recipe: the base opened, each step run (or found in the
 * cache), the layers packed into the work store, then the image written to a destination.
 * Single-threaded; closing it closes the base and removes temporary files.
 */
final class BuildExecution implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BuildExecution.class);
    /** How much of a failed command's output its exception quotes. */
    private static final int OUTPUT_TAIL = 4096;

    /** A layer of the image being built, and where its blob is read from. */
    record Layer(Digest digest, long size, Compression compression, Digest diffId, LayerSource source) {}

    /** What {@link #write} wrote. */
    record Written(Descriptor manifest, Digest configDigest, ImageConfig config) {}

    private final ImageBuilder builder;
    private final Settings settings;
    /**
     * When the step being recorded happened: the timestamp asked for; else when it ran, or, for a
     * step found in the cache, when it first ran; a config step takes the time of the step before.
     */
    private Instant created;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Path tempDir;
    private BlobStore work;
    private Optional<SourceImage> baseImage = Optional.empty();
    private final List<Layer> layers = new ArrayList<>();
    /** What the first {@code belowLayers} of {@link #layers} hold, for steps that add files on top. */
    private ImageTree below = ImageTree.empty();
    private int belowLayers;
    private final List<HistoryEntry> history = new ArrayList<>();
    private ContainerConfig config;
    private int baseLayers;
    private int baseHistory;
    private Digest key;
    private int ran;
    private int cached;
    /** The step running now, from 1. */
    private int number;

    private BuildExecution(ImageBuilder builder) {
        this.builder = builder;
        this.settings = builder.settings();
        this.created = settings.timestamp().orElse(null);
    }

    static BuiltImage commit(ImageBuilder builder, TransportReference destination) throws IOException, InterruptedException {
        try (BuildExecution ex = new BuildExecution(builder)) {
            ex.open();
            ex.runSteps();
            ex.squash();
            try (ImageDestination d = destination.openDestination()) {
                Written w = ex.write(d, false);
                d.commit();
                LOG.debug("built {} as {} ({} steps, {} from the cache)", builder, w.manifest().digest(), ex.ran, ex.cached);
                return new BuiltImage(destination, w.manifest(), w.configDigest(), w.config(), ex.ran + ex.cached, ex.cached);
            }
        }
    }

    static BuiltIndex commitIndex(List<ImageBuilder> builders, TransportReference destination)
            throws IOException, InterruptedException {
        List<BuildExecution> executions = new ArrayList<>();
        try {
            for (ImageBuilder b : builders) {
                BuildExecution ex = new BuildExecution(b);
                executions.add(ex);
                ex.open();
                ex.runSteps();
                ex.squash();
            }
            try (ImageDestination d = destination.openDestination()) {
                List<BuiltImage> images = new ArrayList<>();
                List<Descriptor> entries = new ArrayList<>();
                ManifestFormat format = null;
                for (BuildExecution ex : executions) {
                    Written w = ex.write(d, true);
                    format = ManifestFormat.of(w.manifest().mediaType()).orElseThrow();
                    entries.add(w.manifest());
                    images.add(new BuiltImage(destination, w.manifest(), w.configDigest(), w.config(), ex.ran + ex.cached,
                            ex.cached));
                }
                ImageIndex.Builder ib = ImageIndex.builder().mediaType(format.indexMediaType()).manifests(entries);
                byte[] bytes = ib.build().toJson();
                ManifestBlob index = ManifestBlob.of(bytes, format.indexMediaType());
                d.putManifest(index, Optional.empty());
                d.commit();
                return new BuiltIndex(destination, Descriptor.of(format.indexMediaType(), index.digest(), index.size()),
                        images);
            }
        } finally {
            IOException failure = null;
            for (BuildExecution ex : executions) {
                try {
                    ex.close();
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    void open() throws IOException {
        if (settings.store().isPresent()) {
            work = settings.store().get().blobStore();
        } else {
            work = BlobStore.open(tempDir().resolve("blobs"));
        }
        if (builder.base() instanceof FromImage from) {
            ImageSource source = from.reference().openSource();
            resources.add(source);
            SourceImage image = SourceImage.read(source, from.platform());
            if (!image.manifest().digest().equals(from.manifestDigest())) {
                throw new OciException("base image " + from.reference().transport().name() + ":"
                        + from.reference().withinTransport() + " has changed since the builder read it (was "
                        + from.manifestDigest() + ", now " + image.manifest().digest() + "); make a new builder from it");
            }
            baseImage = Optional.of(image);
            List<Descriptor> descriptors = image.manifest().model().layers();
            for (int i = 0; i < descriptors.size(); i++) {
                Descriptor d = descriptors.get(i);
                LayerSource s = image.layers().get(i);
                layers.add(new Layer(d.digest(), d.size(), s.compression(), s.diffId().orElseThrow(), s));
            }
            config = image.config().model().config();
            if (created == null) {
                // Config steps before the first layer are dated as the base, so that a rebuild found
                // wholly in the cache is the same image.
                created = image.config().model().createdInstant().orElse(null);
            }
            history.addAll(image.config().model().history());
            key = chain(null, "base", image.manifest().digest().toString());
        } else {
            config = ContainerConfig.EMPTY;
            key = chain(null, "scratch", builder.platform().toString());
        }
        baseLayers = layers.size();
        baseHistory = history.size();
        key = chain(key, "compression", settings.compression().name(), "timestamp",
                settings.timestamp().map(Instant::toString).orElse("-"));
    }

    void runSteps() throws IOException, InterruptedException {
        List<Step> steps = builder.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            number = i + 1;
            settings.listener().stepStarted(number, steps.size(), step.createdBy());
            if (step instanceof ConfigStep c) {
                config = c.change().apply(config);
                history.add(entry(c.createdBy()).withEmptyLayer(true));
                key = chain(key, "config", new String(Json.write(config), StandardCharsets.UTF_8));
            } else {
                try {
                    if (step instanceof LayerStep l) {
                        layerStep(l);
                    } else if (step instanceof RunStep r) {
                        runStep(r.command());
                    }
                } catch (LayerPackException | java.nio.file.NoSuchFileException | IllegalStateException e) {
                    // Named for its step, so that a Containerfile build can point at the instruction.
                    String what = e instanceof java.nio.file.NoSuchFileException n ? "no such file: " + n.getFile()
                            : e.getMessage();
                    throw new BuildStepException(step.createdBy(), "error building at step \"" + step.createdBy()
                            + "\": " + what, e);
                }
            }
        }
    }

    private void layerStep(LayerStep step) throws IOException {
        LayerInput input = inWorkdir(owned(step.input(), step.createdBy()));
        Optional<String> fingerprint;
        try {
            fingerprint = input.fingerprint();
        } catch (IOException e) {
            throw new BuildStepException(step.createdBy(), "error building at step \"" + step.createdBy() + "\": "
                    + e.getMessage(), e);
        }
        Optional<Digest> stepKey = fingerprint.map(f -> chain(key, "layer", f));
        if (stepKey.isPresent() && fromCache(stepKey.get(), step.createdBy())) {
            return;
        }
        PackedLayer packed;
        try (Steps.Opened opened = input.open(this::below)) {
            packed = pack(opened.content());
        }
        ran++;
        added(packed, step.createdBy());
        if (stepKey.isPresent()) {
            remember(stepKey.get(), packed);
            key = chain(stepKey.get(), packed.diffId().toString());
        } else {
            key = chain(key, "layer", packed.diffId().toString());
        }
    }

    /** The image the layers so far make; each layer is read once per run, and only when a step asks. */
    private ImageTree below() throws IOException {
        for (; belowLayers < layers.size(); belowLayers++) {
            below = below.plus(layers.get(belowLayers).source());
        }
        return below;
    }

    private void runStep(RunCommand command) throws IOException, InterruptedException {
        BuildRuntime runtime = settings.runtime().orElseThrow(() -> new IllegalStateException(
                "step \"" + command.description() + "\" runs a command, and the builder has no runtime:"
                        + " give it one with runsWith(...), such as an oci-runtime OciRuntime"));
        // A read-only mount is an input: its content keys the step. A writable one (a cache, a
        // scratch directory) is not, or the step would never be found again.
        List<String> mounts = new ArrayList<>();
        for (BuildMount m : command.mounts()) {
            if (m.readOnly()) {
                Steps.Hasher h = new Steps.Hasher();
                h.tree(m.source().toRealPath(), "", false, p -> false);
                mounts.add(m.destination() + ":ro:" + h.hex());
            } else {
                mounts.add(m.destination() + ":rw");
            }
        }
        Digest stepKey = chain(key, "run", Steps.json(command.command()), Steps.json(command.env()),
                command.user().orElse("-"), command.workdir().orElse("-"), command.network().name(), Steps.json(mounts));
        if (fromCache(stepKey, command.description())) {
            return;
        }
        List<LayerSource> sources = new ArrayList<>();
        for (Layer l : layers) {
            sources.add(l.source());
        }
        OutputTail tail = new OutputTail(OUTPUT_TAIL);
        RunRequest.Builder request = RunRequest.newBuilder(sources, config, command.command())
                .env(command.env())
                .network(command.network())
                .mounts(command.mounts())
                .output(tail.tee(settings.stdout()), tail.tee(settings.stderr()));
        command.user().ifPresent(request::user);
        command.workdir().ifPresent(request::workdir);
        LOG.debug("running {}", command.description());
        PackedLayer packed;
        try (RunOutcome outcome = runtime.run(request.build())) {
            if (outcome.exitCode() != 0) {
                String out = tail.text();
                throw new BuildStepException(command.description(), outcome.exitCode(), "error building at step \""
                        + command.description() + "\": exit status " + outcome.exitCode()
                        + (out.isEmpty() ? "" : "; its last output:\n" + out));
            }
            packed = pack(outcome.changes());
        }
        ran++;
        added(packed, command.description());
        remember(stepKey, packed);
        // What the step made keys the steps after it: a rerun that made something else (its
        // cached layer was collected) must not pick up entries built on the old layer.
        key = chain(stepKey, packed.diffId().toString());
    }

    /** Files owned by names: the names looked up in the image's {@code /etc/passwd} and {@code /etc/group} now. */
    private LayerInput owned(LayerInput input, String createdBy) throws IOException {
        if (!(input instanceof Steps.OwnedFilesInput o)) {
            return input;
        }
        String[] parts = o.owner().split(":", 2);
        long uid = id(parts[0], "etc/passwd", 2, createdBy);
        long gid = parts.length > 1 ? id(parts[1], "etc/group", 2, createdBy) : uid;
        List<AddedFile> files = new ArrayList<>();
        for (AddedFile f : o.files()) {
            files.add(f.withOwner(uid, gid));
        }
        return new FilesInput(files);
    }

    private long id(String value, String file, int field, String createdBy) throws IOException {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
            long v = Long.parseLong(value.length() > 10 ? "99999999999" : value);
            if (v > 0xfffffffeL) {
                throw new BuildStepException(createdBy, "error building at step \"" + createdBy + "\": id " + value
                        + " is out of range");
            }
            return v;
        }
        Optional<byte[]> content = LayerFiles.read(sources(layers), file, 16L << 20);
        if (content.isPresent()) {
            for (String line : new String(content.get(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split(":", -1);
                if (f.length > field && f[0].equals(value)) {
                    try {
                        return Long.parseLong(f[field].strip());
                    } catch (NumberFormatException e) {
                        break;
                    }
                }
            }
        }
        if (value.equals("root")) {
            return 0;
        }
        throw new BuildStepException(createdBy, "error building at step \"" + createdBy + "\": no "
                + (file.equals("etc/passwd") ? "user" : "group") + " '" + value + "' in the image's /" + file
                + (content.isEmpty() ? " (the image has no /" + file + ")" : "") + "; use numeric ids, or create it"
                + " in an earlier step");
    }

    /** A relative destination is taken from the working directory at this step, as COPY does. */
    private LayerInput inWorkdir(LayerInput input) {
        String dir = config.workingDir().orElse("/");
        if (input instanceof FilesInput f) {
            List<AddedFile> files = new ArrayList<>();
            for (AddedFile a : f.files()) {
                files.add(a.destination().startsWith("/") ? a : a.withDestination(absolute(dir, a.destination())));
            }
            return new FilesInput(files);
        }
        if (input instanceof TarInput t && !t.directory().startsWith("/")) {
            return new TarInput(t.archive(), absolute(dir, t.directory()));
        }
        return input;
    }

    private static String absolute(String dir, String path) {
        String resolved = ImageBuilder.resolve(dir, path);
        return path.endsWith("/") && !resolved.endsWith("/") ? resolved + "/" : resolved;
    }

    private boolean fromCache(Digest stepKey, String createdBy) throws IOException {
        if (settings.cache().isEmpty()) {
            return false;
        }
        Optional<BuildCache.Entry> hit = settings.cache().get().find(stepKey);
        if (hit.isEmpty()) {
            return false;
        }
        BuildCache.Entry e = hit.get();
        Optional<Long> size = work.size(e.digest());
        if (size.isEmpty() || size.get() != e.size()) {
            LOG.debug("cache entry for \"{}\" names {}, no longer stored; running the step", createdBy, e.digest());
            return false;
        }
        LOG.debug("found \"{}\" in the cache: {}", createdBy, e.digest());
        settings.listener().stepCached(number, createdBy);
        layers.add(new Layer(e.digest(), e.size(), e.compression(), e.diffId(),
                LayerSource.of(work, e.digest(), e.compression(), e.diffId())));
        if (settings.timestamp().isEmpty()) {
            created = e.created();
        }
        history.add(entry(createdBy));
        cached++;
        key = chain(stepKey, e.diffId().toString());
        return true;
    }

    private void remember(Digest stepKey, PackedLayer packed) throws IOException {
        if (settings.cache().isPresent()) {
            settings.cache().get().put(stepKey, new BuildCache.Entry(packed.digest(), packed.size(), packed.compression(),
                    packed.diffId(), now()));
        }
    }

    private PackedLayer pack(LayerContent content) throws IOException {
        PackOptions options = PackOptions.newBuilder().compression(settings.compression())
                .sourceDateEpoch(settings.timestamp()).build();
        return LayerPacker.of(options).pack(content, work);
    }

    private void added(PackedLayer packed, String createdBy) {
        if (settings.timestamp().isEmpty()) {
            created = Instant.now();
        }
        layers.add(new Layer(packed.digest(), packed.size(), packed.compression(), packed.diffId(),
                LayerSource.of(work, packed.digest(), packed.compression(), packed.diffId())));
        history.add(entry(createdBy));
    }

    /** Folds layers into one, as asked: the difference between the base's tree and the whole image's. */
    void squash() throws IOException {
        Squash mode = settings.squash();
        int from = mode == Squash.ALL ? 0 : baseLayers;
        // Folding a single new layer changes nothing; folding a whole image always gives one layer.
        if (mode == Squash.NONE || layers.size() - from < (mode == Squash.ALL ? 1 : 2)) {
            return;
        }
        Path lower = Files.createDirectory(tempDir().resolve("squash-lower"));
        Path upper = Files.createDirectory(tempDir().resolve("squash-upper"));
        Unpacker unpacker = Unpacker.defaults();
        unpacker.unpack(sources(layers.subList(0, from)), lower);
        unpacker.unpack(sources(layers), upper);
        PackedLayer packed = pack(LayerContent.diff(lower, upper));
        List<String> steps = new ArrayList<>();
        for (HistoryEntry h : history.subList(mode == Squash.ALL ? 0 : baseHistory, history.size())) {
            h.createdBy().ifPresent(steps::add);
        }
        String summary = "squashed: " + String.join("; ", steps);
        if (summary.length() > 1024) {
            summary = summary.substring(0, 1021) + "...";
        }
        layers.subList(from, layers.size()).clear();
        history.subList(mode == Squash.ALL ? 0 : baseHistory, history.size()).clear();
        added(packed, summary);
    }

    private static List<LayerSource> sources(List<Layer> list) {
        List<LayerSource> out = new ArrayList<>();
        for (Layer l : list) {
            out.add(l.source());
        }
        return out;
    }

    /** Writes the blobs, the config and the manifest; an index entry when {@code asInstance}. */
    Written write(ImageDestination d, boolean asInstance) throws IOException {
        ManifestFormat format = settings.format().orElseGet(() -> {
            // The destination's preferred image manifest type, OCI when it has no preference.
            for (String type : d.supportedManifestMediaTypes()) {
                if (MediaTypes.isManifest(type) && !MediaTypes.isIndex(type)) {
                    return ManifestFormat.of(type).orElse(ManifestFormat.OCI);
                }
            }
            return ManifestFormat.OCI;
        });
        List<String> accepted = d.supportedManifestMediaTypes();
        if (!accepted.isEmpty() && !accepted.contains(format.manifestMediaType())) {
            throw new UnsupportedManifestException(format.manifestMediaType(), d.reference().transport().name() + ":" + d.reference().withinTransport()
                    + " cannot store " + (format == ManifestFormat.OCI ? "OCI" : "Docker v2 schema 2")
                    + " images (it takes " + accepted + "); build in " + (format == ManifestFormat.OCI ? "Docker" : "OCI")
                    + " format");
        }
        List<Descriptor> descriptors = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (Layer l : layers) {
            if (format == ManifestFormat.DOCKER_V2S2 && l.compression() == Compression.ZSTD) {
                throw new OciException("layer " + l.digest() + " is zstd-compressed, which Docker v2 schema 2 images"
                        + " cannot hold; build in OCI format, or with gzip");
            }
            Descriptor desc = Descriptor.of(format.layerMediaType(l.compression()), l.digest(), l.size());
            if (d.tryReuseBlob(desc).isEmpty()) {
                try (InputStream in = l.source().opener().open()) {
                    d.putBlob(in, BlobWrite.of(desc.mediaType(), l.digest(), l.size()));
                }
            }
            descriptors.add(desc);
            diffIds.add(l.diffId());
        }
        ImageConfig.Builder cb = baseImage.map(b -> b.config().model().toBuilder())
                .orElseGet(() -> ImageConfig.builder().platform(builder.platform()));
        cb.created(now()).config(config).diffIds(diffIds).history(history);
        settings.author().ifPresent(cb::author);
        ImageConfig imageConfig = cb.build();
        byte[] configBytes = imageConfig.toJson();
        Descriptor configDesc = Descriptor.of(format.configMediaType(), configBytes);
        if (d.tryReuseBlob(configDesc).isEmpty()) {
            d.putBlob(new ByteArrayInputStream(configBytes), BlobWrite.of(configDesc.mediaType(), configDesc.digest(),
                    configDesc.size()));
        }
        ImageManifest.Builder mb = ImageManifest.builder().mediaType(format.manifestMediaType()).config(configDesc)
                .layers(descriptors);
        if (format == ManifestFormat.OCI && !settings.annotations().isEmpty()) {
            mb.annotations(settings.annotations());
        } else if (!settings.annotations().isEmpty()) {
            LOG.warn("Docker v2 schema 2 manifests have no annotations; {} dropped", settings.annotations().keySet());
        }
        byte[] manifestBytes = mb.build().toJson();
        ManifestBlob manifest = ManifestBlob.of(manifestBytes, format.manifestMediaType());
        d.putManifest(manifest, asInstance ? Optional.of(manifest.digest()) : Optional.empty());
        Descriptor manifestDesc = Descriptor.of(format.manifestMediaType(), manifest.digest(), manifest.size());
        if (asInstance) {
            manifestDesc = manifestDesc.withPlatform(imageConfig.platform());
        }
        return new Written(manifestDesc, configDesc.digest(), imageConfig);
    }

    /** The time the current step is recorded with. */
    private Instant now() {
        if (created == null) {
            created = Instant.now();
        }
        return created;
    }

    private HistoryEntry entry(String createdBy) {
        HistoryEntry h = HistoryEntry.of(now(), createdBy);
        return settings.author().map(h::withAuthor).orElse(h);
    }

    private Path tempDir() throws IOException {
        if (tempDir == null) {
            tempDir = Files.createTempDirectory("ocikit-build-");
        }
        return tempDir;
    }

    /** The next cache key: {@code prev} and the step's parts, hashed. */
    static Digest chain(Digest prev, String... parts) {
        Steps.Hasher h = new Steps.Hasher();
        h.text(prev == null ? "" : prev.toString());
        for (String p : parts) {
            h.text(p);
        }
        return Digest.parse("sha256:" + h.hex());
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                }
            }
        }
        if (tempDir != null) {
            FileTrees.deleteRecursively(tempDir);
        }
        if (failure != null) {
            throw failure;
        }
    }
}
