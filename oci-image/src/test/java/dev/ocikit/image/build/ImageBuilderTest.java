package dev.ocikit.image.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageLayout;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuilderTest {
    static final Instant EPOCH = Instant.parse("2024-01-02T03:04:05Z");
    static final Platform AMD64 = Platform.of("linux", "amd64");

    @TempDir
    Path tmp;

    private Path context() throws IOException {
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx.resolve("app/lib"));
        Files.writeString(ctx.resolve("app/run.sh"), "#!/bin/sh\necho hi\n");
        Files.writeString(ctx.resolve("app/lib/a.txt"), "a");
        Files.writeString(ctx.resolve("hello.txt"), "hello");
        return ctx;
    }

    private static ImageLayout layout(BuiltImage built) throws IOException {
        String within = built.destination().withinTransport();
        return ImageLayout.open(Path.of(within.substring(0, within.lastIndexOf(':'))));
    }

    private static Parsed<ImageManifest> manifest(ImageLayout layout, String tag) throws IOException {
        return layout.imageManifest(layout.resolve(tag), Platform.host());
    }

    /** Entry name to "type mode uid:gid [content]" for each entry of a gzip layer. */
    static Map<String, String> entries(InputStream blob, boolean gzip) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip ? new GZIPInputStream(blob) : blob)) {
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                String type = e.isDirectory() ? "dir" : e.isSymbolicLink() ? "link" : "file";
                String content = e.isFile() ? " " + new String(tar.readAllBytes(), StandardCharsets.UTF_8) : "";
                out.put(e.getName(), type + " " + Integer.toOctalString(e.getMode() & 07777) + " " + e.getLongUserId()
                        + ":" + e.getLongGroupId() + content);
            }
        }
        return out;
    }

    @Test
    void scratchImageWithFilesAndConfigIsWrittenToALayout() throws Exception {
        Path ctx = context();
        BuiltImage built = ImageBuilder.scratch(AMD64)
                .copy(ctx.resolve("app"), "/app")
                .copy(AddedFile.of(ctx.resolve("hello.txt"), "/etc/").withOwner(7, 8).withMode(0600))
                .entrypoint("/app/run.sh")
                .cmd("--verbose")
                .env("MODE", "prod")
                .label("org.example", "yes")
                .workdir("/app")
                .user("1000:1000")
                .expose("8080")
                .volume("/data")
                .stopSignal("SIGINT")
                .author("team")
                .annotation("org.opencontainers.image.title", "demo")
                .timestamp(EPOCH)
                .commit("oci:" + tmp.resolve("out") + ":demo");

        ImageLayout layout = layout(built);
        Parsed<ImageManifest> m = manifest(layout, "demo");
        assertThat(m.digest()).isEqualTo(built.digest());
        assertThat(m.model().mediaTypeOrDefault()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.model().annotations()).containsEntry("org.opencontainers.image.title", "demo");
        assertThat(m.model().layers()).hasSize(2).allSatisfy(l -> assertThat(l.mediaType())
                .isEqualTo(MediaTypes.OCI_LAYER_TAR_GZIP));
        ImageConfig config = layout.config(m.model()).model();
        assertThat(config.platform().architecture()).isEqualTo("amd64");
        assertThat(config.created()).contains("2024-01-02T03:04:05Z");
        assertThat(config.author()).contains("team");
        assertThat(config.config().entrypoint()).containsExactly("/app/run.sh");
        assertThat(config.config().cmd()).containsExactly("--verbose");
        assertThat(config.config().envValue("MODE")).contains("prod");
        assertThat(config.config().labels()).containsEntry("org.example", "yes");
        assertThat(config.config().workingDir()).contains("/app");
        assertThat(config.config().user()).contains("1000:1000");
        assertThat(config.config().exposedPorts()).containsExactly("8080/tcp");
        assertThat(config.config().volumes()).containsExactly("/data");
        assertThat(config.config().stopSignal()).contains("SIGINT");
        assertThat(config.history()).extracting(h -> h.createdBy().orElse(""))
                .containsExactly("COPY app /app", "COPY hello.txt /etc/", "ENTRYPOINT [\"/app/run.sh\"]",
                        "CMD [\"--verbose\"]", "ENV MODE=prod", "LABEL org.example=yes", "WORKDIR /app",
                        "USER 1000:1000", "EXPOSE 8080/tcp", "VOLUME [\"/data\"]", "STOPSIGNAL SIGINT");
        assertThat(config.history()).filteredOn(h -> !h.madeNoLayer()).hasSize(2);
        assertThat(config.diffIds()).hasSize(2);
        assertThat(built.id()).isEqualTo(m.model().config().digest());

        Map<String, String> first = entries(layout.openBlob(m.model().layers().get(0).digest()), true);
        assertThat(first).containsKeys("app/", "app/lib/", "app/lib/a.txt", "app/run.sh");
        assertThat(first.get("app/run.sh")).endsWith("#!/bin/sh\necho hi\n");
        Map<String, String> second = entries(layout.openBlob(m.model().layers().get(1).digest()), true);
        assertThat(second).containsEntry("etc/hello.txt", "file 600 7:8 hello");
    }

    @Test
    void theSameInputsGiveTheSameDigest() throws Exception {
        Path ctx = context();
        ImageBuilder recipe = ImageBuilder.scratch(AMD64).copy(ctx, "/srv").cmd("/srv/app/run.sh").timestamp(EPOCH);
        BuiltImage a = recipe.commit("oci:" + tmp.resolve("a") + ":x");
        // A fresh copy of the context, written later: the file times differ, the digest must not.
        Path ctx2 = tmp.resolve("elsewhere/ctx");
        Files.createDirectories(ctx2);
        try (var walk = Files.walk(ctx)) {
            for (Path p : walk.sorted().toList()) {
                Path target = ctx2.resolve(ctx.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        BuiltImage b = ImageBuilder.scratch(AMD64).copy(ctx2, "/srv").cmd("/srv/app/run.sh").timestamp(EPOCH)
                .commit("oci:" + tmp.resolve("b") + ":x");
        assertThat(b.digest()).isEqualTo(a.digest());
        assertThat(b.id()).isEqualTo(a.id());

        BuiltImage other = recipe.timestamp(EPOCH.plusSeconds(1)).commit("oci:" + tmp.resolve("c") + ":x");
        assertThat(other.digest()).isNotEqualTo(a.digest());
    }

    @Test
    void relativeDestinationsFollowTheWorkingDirectory() throws Exception {
        Path ctx = context();
        BuiltImage built = ImageBuilder.scratch(AMD64).workdir("/opt").workdir("svc")
                .copy(ctx.resolve("hello.txt"), "conf/")
                .timestamp(EPOCH).commit("oci:" + tmp.resolve("out") + ":w");
        ImageLayout layout = layout(built);
        ImageManifest m = manifest(layout, "w").model();
        assertThat(layout.config(m).model().config().workingDir()).contains("/opt/svc");
        assertThat(entries(layout.openBlob(m.layers().get(0).digest()), true)).containsKey("opt/svc/conf/hello.txt");
    }

    @Test
    void theCacheMakesAnUnchangedRebuildRunNothing() throws Exception {
        Path ctx = context();
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        BuildCache cache = BuildCache.of(store);
        ImageBuilder recipe = ImageBuilder.scratch(AMD64).copy(ctx.resolve("app"), "/app").env("A", "1")
                .copy(ctx.resolve("hello.txt"), "/hello.txt").cache(cache).timestamp(EPOCH);
        BuiltImage first = recipe.commit(store, "cached:1");
        assertThat(first.cachedSteps()).isZero();
        BuiltImage second = recipe.commit(store, "cached:2");
        assertThat(second.cachedSteps()).isEqualTo(2);
        assertThat(second.digest()).isEqualTo(first.digest());

        // A changed file misses for its step and every layer step after it.
        Files.writeString(ctx.resolve("app/lib/a.txt"), "changed");
        BuiltImage third = recipe.commit(store, "cached:3");
        assertThat(third.cachedSteps()).isZero();
        assertThat(third.digest()).isNotEqualTo(first.digest());

        // A config change before a step misses that step too.
        BuiltImage fourth = ImageBuilder.scratch(AMD64).copy(ctx.resolve("app"), "/app").env("A", "2")
                .copy(ctx.resolve("hello.txt"), "/hello.txt").cache(cache).timestamp(EPOCH).commit(store, "cached:4");
        assertThat(fourth.cachedSteps()).isEqualTo(1);
    }

    @Test
    void aRebuildFoundInTheCacheIsTheSameImageWithoutATimestamp() throws Exception {
        Path ctx = context();
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        ImageBuilder.scratch(AMD64).copy(ctx.resolve("app"), "/app").timestamp(EPOCH).commit(store, "base:1");
        ImageBuilder recipe = ImageBuilder.from(store, "base:1", AMD64).env("A", "1").copy(ctx.resolve("hello.txt"), "/h")
                .cmd("/app/run.sh").cache(BuildCache.of(store));
        BuiltImage first = recipe.commit(store, "nots:1");
        BuiltImage second = recipe.commit(store, "nots:2");
        assertThat(second.cachedSteps()).isEqualTo(1);
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(first.config().created()).isNotEqualTo(Optional.of("2024-01-02T03:04:05Z"));
    }

    @Test
    void aDamagedCacheEntryIsAMiss() throws Exception {
        Path ctx = context();
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        BuildCache cache = BuildCache.of(store);
        ImageBuilder recipe = ImageBuilder.scratch(AMD64).copy(ctx.resolve("hello.txt"), "/h").cache(cache)
                .timestamp(EPOCH);
        BuiltImage first = recipe.commit(store, "d:1");
        try (var files = Files.list(cache.root())) {
            for (Path f : files.toList()) {
                Files.writeString(f, "garbage");
            }
        }
        BuiltImage again = recipe.commit(store, "d:2");
        assertThat(again.cachedSteps()).isZero();
        assertThat(again.digest()).isEqualTo(first.digest());
    }

    @Test
    void anImageFromTheStoreKeepsItsBaseLayersAndHistory() throws Exception {
        Path ctx = context();
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        BuiltImage base = ImageBuilder.scratch(AMD64).copy(ctx.resolve("app"), "/app").cmd("/app/run.sh")
                .env("FROM_BASE", "1").timestamp(EPOCH).commit(store, "base:1");
        BuiltImage child = ImageBuilder.from(store, "base:1", AMD64).copy(ctx.resolve("hello.txt"), "/hello.txt")
                .env("CHILD", "1").timestamp(EPOCH).commit(store, "child:1");
        ImageManifest bm = store.manifest(store.resolve("base:1"), AMD64).model();
        ImageManifest cm = store.manifest(store.resolve("child:1"), AMD64).model();
        assertThat(cm.layers()).hasSize(2);
        assertThat(cm.layers().get(0).digest()).isEqualTo(bm.layers().get(0).digest());
        ImageConfig cc = store.config(cm).model();
        assertThat(cc.config().envMap()).containsEntry("FROM_BASE", "1").containsEntry("CHILD", "1");
        assertThat(cc.config().cmd()).containsExactly("/app/run.sh");

        // An entrypoint clears the base's Cmd (meant for the base's entrypoint), not one set here.
        ImageConfig cleared = ImageBuilder.from(store, "base:1", AMD64).entrypoint("/bin/sh").timestamp(EPOCH)
                .commit(store, "child:2").config();
        assertThat(cleared.config().cmd()).isEmpty();
        ImageConfig kept = ImageBuilder.from(store, "base:1", AMD64).cmd("-c", "true").entrypoint("/bin/sh")
                .timestamp(EPOCH).commit(store, "child:3").config();
        assertThat(kept.config().cmd()).containsExactly("-c", "true");
        assertThat(cc.history()).extracting(h -> h.createdBy().orElse("")).startsWith("COPY app /app", "CMD [\"/app/run.sh\"]");
        assertThat(child.id()).isNotEqualTo(base.id());
    }

    @Test
    void dockerFormatAndUncompressedLayers() throws Exception {
        Path ctx = context();
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        ImageBuilder.scratch(AMD64).copy(ctx.resolve("hello.txt"), "/h")
                .format(ManifestFormat.DOCKER_V2S2).compression(Compression.NONE).timestamp(EPOCH)
                .commit(store, "docker:1");
        ImageManifest m = store.manifest(store.resolve("docker:1"), AMD64).model();
        assertThat(m.mediaTypeOrDefault()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(m.config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(m.layers().get(0).mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER_TAR);
        assertThat(entries(store.openBlob(m.layers().get(0).digest()), false)).containsKey("h");

        // An OCI layout holds OCI manifests only: refused before anything is written.
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> ImageBuilder.scratch(AMD64).copy(ctx.resolve("hello.txt"), "/h")
                .format(ManifestFormat.DOCKER_V2S2).commit("oci:" + out + ":d"))
                .hasMessageContaining("Docker v2 schema 2").hasMessageContaining("OCI");
        try (var blobs = Files.walk(out)) {
            assertThat(blobs.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .doesNotContain(m.layers().get(0).digest().encoded());
        }
    }

    @Test
    void zstdLayersCannotBeDockerImages() throws Exception {
        Path ctx = context();
        ImageBuilder b = ImageBuilder.scratch(AMD64).copy(ctx.resolve("hello.txt"), "/h")
                .format(ManifestFormat.DOCKER_V2S2).compression(Compression.ZSTD);
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        assertThatThrownBy(() -> b.commit(store, "z:1"))
                .hasMessageContaining("zstd").hasMessageContaining("Docker v2 schema 2");
        assertThat(store.find("z:1")).isEmpty();
    }

    @Test
    void aRunStepWithoutARuntimeSaysWhatToDo() throws Exception {
        ImageBuilder b = ImageBuilder.scratch(AMD64).run("/bin/true");
        assertThatThrownBy(() -> b.commit("oci:" + tmp.resolve("o") + ":r"))
                .isInstanceOf(BuildStepException.class).hasMessageContaining("runsWith");
    }

    @Test
    void addTarExtractsTheArchiveAndRefusesEscapes() throws Exception {
        Path archive = tmp.resolve("files.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
            TarArchiveEntry e = new TarArchiveEntry("bin/tool");
            byte[] body = "tool".getBytes(StandardCharsets.UTF_8);
            e.setSize(body.length);
            e.setMode(0755);
            e.setIds(5, 6);
            tar.putArchiveEntry(e);
            tar.write(body);
            tar.closeArchiveEntry();
        }
        BuiltImage built = ImageBuilder.scratch(AMD64).addTar(archive, "/opt/tool").timestamp(EPOCH)
                .commit("oci:" + tmp.resolve("out") + ":t");
        ImageLayout layout = layout(built);
        ImageManifest m = manifest(layout, "t").model();
        Map<String, String> entries = entries(layout.openBlob(m.layers().get(0).digest()), true);
        assertThat(entries).containsKey("opt/tool/");
        if (dev.ocikit.image.Unpacker.defaults().isRootless()) {
            assertThat(entries.get("opt/tool/bin/tool")).startsWith("file 755").endsWith(" tool");
        } else {
            assertThat(entries).containsEntry("opt/tool/bin/tool", "file 755 5:6 tool");
        }

        Path hostile = tmp.resolve("hostile.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(hostile))) {
            TarArchiveEntry e = new TarArchiveEntry("../../escaped");
            e.setSize(1);
            tar.putArchiveEntry(e);
            tar.write('x');
            tar.closeArchiveEntry();
        }
        Path out2 = tmp.resolve("out2");
        assertThatThrownBy(() -> ImageBuilder.scratch(AMD64).addTar(hostile, "/x").commit("oci:" + out2 + ":h"))
                .isInstanceOf(dev.ocikit.image.HostileLayerException.class);
        assertThat(tmp.resolve("escaped")).doesNotExist();
    }

    @Test
    void squashFoldsTheNewLayersAndKeepsTheBase() throws Exception {
        Path ctx = context();
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        ImageBuilder.scratch(AMD64).copy(ctx.resolve("app"), "/app").timestamp(EPOCH).commit(store, "base:1");
        Path gone = tmp.resolve("empty");
        Files.createDirectories(gone);
        BuiltImage squashed = ImageBuilder.from(store, "base:1", AMD64)
                .copy(ctx.resolve("hello.txt"), "/one.txt")
                .copy(ctx.resolve("hello.txt"), "/two.txt")
                .squash().timestamp(EPOCH).commit(store, "sq:1");
        ImageManifest m = store.manifest(store.resolve("sq:1"), AMD64).model();
        assertThat(m.layers()).hasSize(2);
        assertThat(entries(store.openBlob(m.layers().get(1).digest()), true)).containsOnlyKeys("one.txt", "two.txt");
        assertThat(squashed.config().history()).extracting(h -> h.createdBy().orElse(""))
                .last().asString().startsWith("squashed: ").contains("one.txt").contains("two.txt");

        ImageBuilder.from(store, "base:1", AMD64).copy(ctx.resolve("hello.txt"), "/one.txt").squashAll()
                .timestamp(EPOCH).commit(store, "sq:2");
        ImageManifest all = store.manifest(store.resolve("sq:2"), AMD64).model();
        assertThat(all.layers()).hasSize(1);
        assertThat(entries(store.openBlob(all.layers().get(0).digest()), true)).containsKeys("app/run.sh", "one.txt");
    }

    @Test
    void javaAppLayersChangeOneLayerForACodeChange() throws Exception {
        Path lib = tmp.resolve("lib");
        Files.createDirectories(lib);
        Path dep = Files.writeString(lib.resolve("guava-33.0.jar"), "guava");
        Path snap = Files.writeString(lib.resolve("mine-1.0-SNAPSHOT.jar"), "mine");
        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes.resolve("com/example"));
        Files.writeString(classes.resolve("com/example/Main.class"), "v1");
        Path resources = tmp.resolve("resources");
        Files.createDirectories(resources);
        Files.writeString(resources.resolve("app.properties"), "x=1");
        JavaLayers app = JavaLayers.app().withDependencies(List.of(dep, snap)).withResources(resources)
                .withClasses(classes).withMainClass("com.example.Main").withJvmFlags(List.of("-Xmx64m"));
        BuiltImage v1 = ImageBuilder.scratch(AMD64).javaApp(app).commit("oci:" + tmp.resolve("j1") + ":a");
        Files.writeString(classes.resolve("com/example/Main.class"), "v2");
        BuiltImage v2 = ImageBuilder.scratch(AMD64).javaApp(app).commit("oci:" + tmp.resolve("j2") + ":a");

        ImageManifest m1 = manifest(layout(v1), "a").model();
        ImageManifest m2 = manifest(layout(v2), "a").model();
        assertThat(m1.layers()).hasSize(4);
        List<Boolean> same = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            same.add(m1.layers().get(i).digest().equals(m2.layers().get(i).digest()));
        }
        assertThat(same).containsExactly(true, true, true, false);
        assertThat(v1.config().config().entrypoint()).containsExactly("java", "-Xmx64m", "-cp",
                "/app/resources:/app/classes:/app/libs/*", "com.example.Main");
        Map<String, String> libs = entries(layout(v1).openBlob(m1.layers().get(0).digest()), true);
        assertThat(libs).containsEntry("app/libs/guava-33.0.jar", "file 644 0:0 guava");
    }

    @Test
    void aFailedCommandNamesTheStepAndQuotesItsOutput() throws Exception {
        BuildRuntime failing = request -> {
            request.stderr().write("apk: package nope not found\n".getBytes(StandardCharsets.UTF_8));
            return new RunOutcome() {
                @Override
                public int exitCode() {
                    return 2;
                }

                @Override
                public LayerContent changes() {
                    throw new AssertionError("a failed step's changes are never packed");
                }

                @Override
                public void close() {}
            };
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path out = tmp.resolve("out");
        ImageBuilder b = ImageBuilder.scratch(AMD64).runsWith(failing).output(OutputStream_null(), err)
                .run(RunCommand.shell("apk add nope"));
        assertThatThrownBy(() -> b.commit("oci:" + out + ":f"))
                .isInstanceOf(BuildStepException.class)
                .hasMessageContaining("RUN [\"/bin/sh\",\"-c\",\"apk add nope\"]")
                .hasMessageContaining("exit status 2")
                .hasMessageContaining("apk: package nope not found")
                .satisfies(e -> assertThat(((BuildStepException) e).exitCode()).isEqualTo(2));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope not found");
        assertThat(out.resolve("index.json")).doesNotExist();
    }

    private static java.io.OutputStream OutputStream_null() {
        return java.io.OutputStream.nullOutputStream();
    }

    @Test
    void aBaseThatChangedSinceTheBuilderReadItIsRefused() throws Exception {
        Path ctx = context();
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        ImageBuilder.scratch(AMD64).copy(ctx.resolve("hello.txt"), "/a").timestamp(EPOCH).commit("oci:" + tmp.resolve("l") + ":base");
        ImageBuilder b = ImageBuilder.from("oci:" + tmp.resolve("l") + ":base");
        ImageBuilder.scratch(AMD64).copy(ctx.resolve("hello.txt"), "/b").timestamp(EPOCH).commit("oci:" + tmp.resolve("l") + ":base");
        assertThatThrownBy(() -> b.commit(store, "x:1")).hasMessageContaining("has changed since the builder read it");
        assertThat(store.find("x:1")).isEmpty();
    }

    @Test
    void historyEntriesCarryTheTimestampAndAuthor() throws Exception {
        Path ctx = context();
        BuiltImage built = ImageBuilder.scratch(AMD64).author("me").copy(ctx.resolve("hello.txt"), "/h").env("A", "b")
                .timestamp(EPOCH).commit("oci:" + tmp.resolve("o") + ":h");
        assertThat(built.config().history()).extracting(HistoryEntry::created).containsOnly(java.util.Optional.of("2024-01-02T03:04:05Z"));
        assertThat(built.config().history()).extracting(HistoryEntry::author).containsOnly(java.util.Optional.of("me"));
        assertThat(built.config().history().get(1).madeNoLayer()).isTrue();
        assertThat(built.manifest().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        Descriptor d = built.manifest();
        assertThat(d.size()).isPositive();
    }
}
