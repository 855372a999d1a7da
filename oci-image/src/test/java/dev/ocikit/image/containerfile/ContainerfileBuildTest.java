package dev.ocikit.image.containerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.ImageStore;
import dev.ocikit.image.build.BuildListener;
import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.ImageBuilderTestAccess;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Containerfiles without RUN: everything but the runtime, against a real store. */
class ContainerfileBuildTest {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Instant EPOCH = Instant.parse("2024-01-02T03:04:05Z");

    @TempDir
    Path tmp;
    Path ctx;
    ImageStore store;

    @BeforeEach
    void context() throws IOException {
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.createDirectories(ctx.resolve("src/sub"));
        Files.writeString(ctx.resolve("src/a.txt"), "a");
        Files.writeString(ctx.resolve("src/b.log"), "b");
        Files.writeString(ctx.resolve("src/sub/c.txt"), "c");
        Files.writeString(ctx.resolve("top.txt"), "top");
        store = ImageStore.open(tmp.resolve("store"));
    }

    private BuiltImage build(String containerfile, String... tags) throws Exception {
        Path f = Files.writeString(ctx.resolve("Containerfile"), containerfile);
        return ContainerfileBuild.of(f, ctx).withPlatform(AMD64).withTimestamp(EPOCH).build(store, List.of(tags));
    }

    private Map<String, String> layer(BuiltImage built, int index) throws IOException {
        ImageManifest m = store.manifest(store.resolve(built.id().toString()), AMD64).model();
        return ImageBuilderTestAccess.entries(store.openBlob(m.layers().get(index).digest()));
    }

    @Test
    void copyEnvArgLabelAndTheRestLandInTheImage() throws Exception {
        BuiltImage built = build("""
                # a comment
                ARG VERSION=1.0
                FROM scratch
                ARG VERSION
                ARG WHO=world
                ENV APP_HOME=/opt/app \\
                    GREETING="hello ${WHO}"
                WORKDIR $APP_HOME
                COPY src/ ./
                COPY --chmod=0600 --chown=10:20 top.txt /etc/top-${VERSION}.txt
                LABEL version=$VERSION org.example.who="$WHO"
                EXPOSE 8080 53/udp 9000-9001
                VOLUME ["/data"]
                USER 1000:1000
                STOPSIGNAL SIGINT
                HEALTHCHECK --interval=5s --retries=3 CMD ["/bin/check"]
                ENTRYPOINT ["/opt/app/run"]
                CMD ["--flag"]
                """, "app:1", "app:latest");
        ImageConfig c = built.config();
        assertThat(c.config().envMap()).containsEntry("APP_HOME", "/opt/app").containsEntry("GREETING", "hello world");
        assertThat(c.config().workingDir()).contains("/opt/app");
        assertThat(c.config().labels()).containsEntry("version", "1.0").containsEntry("org.example.who", "world");
        assertThat(c.config().exposedPorts()).containsExactlyInAnyOrder("8080/tcp", "53/udp", "9000/tcp", "9001/tcp");
        assertThat(c.config().volumes()).containsExactly("/data");
        assertThat(c.config().user()).contains("1000:1000");
        assertThat(c.config().stopSignal()).contains("SIGINT");
        assertThat(c.config().healthcheck().get().test()).containsExactly("CMD", "/bin/check");
        assertThat(c.config().healthcheck().get().retries()).contains(3);
        assertThat(c.config().entrypoint()).containsExactly("/opt/app/run");
        assertThat(c.config().cmd()).containsExactly("--flag");
        assertThat(c.history()).filteredOn(h -> !h.madeNoLayer()).extracting(h -> h.createdBy().orElse(""))
                .containsExactly("COPY src/ ./", "COPY --chmod=0600 --chown=10:20 top.txt /etc/top-${VERSION}.txt");
        assertThat(layer(built, 0)).containsKeys("opt/app/a.txt", "opt/app/sub/c.txt")
                .hasEntrySatisfying("opt/app/a.txt", v -> assertThat(v).startsWith("file 644 0:0"));
        assertThat(layer(built, 1)).containsEntry("etc/top-1.0.txt", "file 600 10:20 top");
        assertThat(store.find("app:latest")).isPresent();
        assertThat(store.resolve("app:1").id()).isEqualTo(built.id());
    }

    @Test
    void buildArgsOverrideDefaults() throws Exception {
        Path f = Files.writeString(ctx.resolve("Containerfile"), "FROM scratch\nARG NAME=default\nLABEL name=$NAME\n");
        BuiltImage built = ContainerfileBuild.of(f, ctx).withPlatform(AMD64).withBuildArg("NAME", "given")
                .build(store, List.of("args:1"));
        assertThat(built.config().config().labels()).containsEntry("name", "given");
    }

    @Test
    void theIgnoreFileKeepsFilesOutAndExceptionsBringThemBack() throws Exception {
        Files.writeString(ctx.resolve(".containerignore"), "**/*.log\nsrc/sub\n!src/sub/c.txt\n");
        BuiltImage built = build("FROM scratch\nCOPY . /ctx/\n");
        Map<String, String> entries = layer(built, 0);
        assertThat(entries).containsKeys("ctx/src/a.txt", "ctx/top.txt", "ctx/src/sub/c.txt")
                .doesNotContainKey("ctx/src/b.log");
        assertThatThrownBy(() -> build("FROM scratch\nCOPY src/b.log /x\n"))
                .isInstanceOf(ContainerfileException.class)
                .hasMessageContaining("Containerfile:2: COPY: no such file or directory: src/b.log")
                .hasMessageContaining("excluded");
    }

    @Test
    void wildcardsNeedADirectoryDestination() throws Exception {
        BuiltImage built = build("FROM scratch\nCOPY src/*.txt top.txt /files/\n");
        assertThat(layer(built, 0)).containsKeys("files/a.txt", "files/top.txt").doesNotContainKey("files/b.log");
        assertThatThrownBy(() -> build("FROM scratch\nCOPY src/*.txt /file\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("Containerfile:2: COPY:")
                .hasMessageContaining("must be a directory ending in '/'");
    }

    @Test
    void sourcesOutsideTheContextAreRefused() throws Exception {
        Files.writeString(tmp.resolve("secret"), "s");
        assertThatThrownBy(() -> build("FROM scratch\nCOPY ../secret /x\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("outside the build context");
        Files.createSymbolicLink(ctx.resolve("link"), tmp.resolve("secret"));
        assertThatThrownBy(() -> build("FROM scratch\nCOPY link /x\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("outside the build context");
    }

    @Test
    void multiStageCopiesFromAnEarlierStageAndSkipsUnneededOnes() throws Exception {
        BuiltImage built = build("""
                FROM scratch AS assets
                COPY src/ /assets/
                FROM scratch AS unused
                COPY --from=nowhere /x /y
                FROM scratch
                COPY --from=assets /assets/sub/c.txt /final/c.txt
                COPY --from=0 /assets/a.txt /final/
                """, "multi:1");
        assertThat(built.config().diffIds()).hasSize(2);
        assertThat(store.list()).extracting(i -> i.names().toString()).containsExactly("[localhost/multi:1]");
        assertThat(layer(built, 0)).containsKey("final/c.txt");
        assertThat(layer(built, 1)).containsKey("final/a.txt");
    }

    @Test
    void aStageBuildsOnAnEarlierOne() throws Exception {
        BuiltImage built = build("""
                FROM scratch AS base
                ENV FROM_BASE=yes
                COPY top.txt /
                FROM base
                COPY src/a.txt /
                """);
        assertThat(built.config().diffIds()).hasSize(2);
        assertThat(built.config().config().envMap()).containsEntry("FROM_BASE", "yes");
    }

    @Test
    void addExtractsLocalArchives() throws Exception {
        Path archive = ctx.resolve("files.tar.gz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(
                Files.newOutputStream(archive)))) {
            TarArchiveEntry e = new TarArchiveEntry("inside.txt");
            e.setSize(2);
            tar.putArchiveEntry(e);
            tar.write("in".getBytes());
            tar.closeArchiveEntry();
        }
        try (java.io.OutputStream gz = new GzipCompressorOutputStream(Files.newOutputStream(ctx.resolve("dump.sql.gz")))) {
            gz.write("select 1;\n".getBytes());
        }
        BuiltImage built = build("FROM scratch\nADD files.tar.gz /x/\nADD top.txt /y/\nADD dump.sql.gz /z/\n");
        assertThat(layer(built, 0)).containsKey("x/inside.txt");
        assertThat(layer(built, 1)).containsKey("y/top.txt");
        assertThat(layer(built, 2)).containsKey("z/dump.sql.gz"); // compressed, but no tar inside: copied as it is
        assertThatThrownBy(() -> build("FROM scratch\nADD https://example.com/x /x\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("Containerfile:2: ADD:");
    }

    @Test
    void anUnchangedRebuildComesFromTheCacheAndTellsTheListener() throws Exception {
        Path f = Files.writeString(ctx.resolve("Containerfile"), "FROM scratch\nCOPY src/ /src/\nENV A=1\nCOPY top.txt /\n");
        List<String> events = new ArrayList<>();
        BuildListener listener = new BuildListener() {
            @Override
            public void stepStarted(int number, int count, String createdBy) {
                events.add("STEP " + number + "/" + count + ": " + createdBy);
            }

            @Override
            public void stepCached(int number, String createdBy) {
                events.add("cached " + number);
            }
        };
        ContainerfileBuild b = ContainerfileBuild.of(f, ctx).withPlatform(AMD64).withTimestamp(EPOCH).withListener(listener);
        BuiltImage first = b.build(store, List.of("c:1"));
        assertThat(events).containsExactly("STEP 1/3: COPY src/ /src/", "STEP 2/3: ENV A=1", "STEP 3/3: COPY top.txt /");
        events.clear();
        BuiltImage second = b.build(store, List.of("c:2"));
        assertThat(second.cachedSteps()).isEqualTo(2);
        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(events).contains("cached 1", "cached 3");
        BuiltImage uncached = b.withCache(false).build(store, List.of("c:3"));
        assertThat(uncached.cachedSteps()).isZero();
    }

    @Test
    void errorsNameTheFileLineAndInstruction() throws Exception {
        assertThatThrownBy(() -> build("FROM scratch\nCOPY missing.txt /x\n"))
                .isInstanceOf(ContainerfileException.class)
                .hasMessageContaining("Containerfile:2: COPY: no such file or directory: missing.txt");
        assertThatThrownBy(() -> build("FROM scratch\nCOPY --chown=app top.txt /x\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("Containerfile:2: COPY")
                .hasMessageContaining("no user 'app' in the image's /etc/passwd (the image has no /etc/passwd)");
        assertThatThrownBy(() -> build("FROM scratch\nRUN true\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("Containerfile:2: RUN:")
                .hasMessageContaining("runsWith");
        assertThatThrownBy(() -> build("FROM scratch\nCOPY <<../../evil /x\nhi\n../../evil\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("heredoc name");
        assertThatThrownBy(() -> build("FROM scratch\nCOPY --parents src/a.txt /x/\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("--parents is not supported");
        Path f = Files.writeString(ctx.resolve("Containerfile"), "FROM scratch AS a\n");
        assertThatThrownBy(() -> ContainerfileBuild.of(f, ctx).withTarget("b").build(store, List.of()))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("target stage 'b'");
    }

    @Test
    void chownNamesAreLookedUpInTheImageAtThatStep() throws Exception {
        Files.createDirectories(ctx.resolve("etc"));
        Files.writeString(ctx.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        Files.writeString(ctx.resolve("etc/group"), "root:x:0:\nstaff:x:50:app\n");
        BuiltImage built = build("""
                FROM scratch
                COPY etc/ /etc/
                COPY --chown=app:staff top.txt /home/app/
                COPY --chown=app src/a.txt /home/app/
                """);
        assertThat(layer(built, 1)).containsEntry("home/app/top.txt", "file 644 1000:50 top");
        assertThat(layer(built, 2)).containsEntry("home/app/a.txt", "file 644 1000:1000 a");
        assertThatThrownBy(() -> build("FROM scratch\nCOPY etc/ /etc/\nCOPY --chown=app:nogroup top.txt /x\n"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("Containerfile:3: COPY")
                .hasMessageContaining("no group 'nogroup'");
    }

    @Test
    void onbuildTriggersRunInTheImageBuiltOnTheBaseAndShellIsKept() throws Exception {
        build("""
                FROM scratch
                SHELL ["/bin/busybox", "sh", "-c"]
                ONBUILD COPY top.txt /from-trigger.txt
                ONBUILD LABEL triggered=yes
                """, "onbuild-base:1");
        assertThat(store.config(store.manifest(store.resolve("onbuild-base:1"), AMD64).model()).model().config()
                .unknownFields()).containsKeys("OnBuild", "Shell");
        BuiltImage child = build("FROM onbuild-base:1\nCOPY src/a.txt /a.txt\nENTRYPOINT echo hi\n");
        assertThat(child.config().config().labels()).containsEntry("triggered", "yes");
        assertThat(child.config().config().unknownFields()).doesNotContainKey("OnBuild");
        assertThat(layer(child, 0)).containsKey("from-trigger.txt");
        assertThat(layer(child, 1)).containsKey("a.txt");
        assertThat(child.config().config().entrypoint()).containsExactly("/bin/busybox", "sh", "-c", "echo hi");
    }

    @Test
    void aBaseFromAnOciLayoutByTransportName() throws Exception {
        build("FROM scratch\nCOPY top.txt /\nENV X=1\n", "base:1");
        dev.ocikit.image.Copy.from(store.reference("base:1")).to("oci:" + tmp.resolve("layout") + ":b").run();
        BuiltImage built = build("FROM oci:" + tmp.resolve("layout") + ":b\nCOPY src/a.txt /\n");
        assertThat(built.config().diffIds()).hasSize(2);
        assertThat(built.config().config().envMap()).containsEntry("X", "1");
    }

    @Test
    void aBaseReadThroughATransportMustSatisfyTheTrustPolicy() throws Exception {
        build("FROM scratch\nCOPY top.txt /\n", "base:1");
        Path layout = tmp.resolve("layout");
        dev.ocikit.image.Copy.from(store.reference("base:1")).to("oci:" + layout + ":b").run();
        Path f = Files.writeString(ctx.resolve("Containerfile"), "FROM oci:" + layout + ":b\nCOPY src/a.txt /\n");
        dev.ocikit.image.policy.TrustPolicy rejectLayouts = dev.ocikit.image.policy.TrustPolicy.parse(
                ("{\"default\": [{\"type\": \"insecureAcceptAnything\"}], \"transports\": {\"oci\": {\"" + layout
                        + "\": [{\"type\": \"reject\"}]}}}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "test policy");
        int before = store.list().size();
        assertThatThrownBy(() -> ContainerfileBuild.of(f, ctx).withPlatform(AMD64).withPolicy(rejectLayouts).build(store, List.of("app:1")))
                .isInstanceOf(ContainerfileException.class)
                .hasMessageContaining("FROM").hasMessageContaining("rejected by policy")
                .hasRootCauseInstanceOf(dev.ocikit.image.policy.PolicyRejectedException.class);
        assertThat(store.list()).hasSize(before);

        dev.ocikit.image.policy.TrustPolicy acceptAll = dev.ocikit.image.policy.TrustPolicy.parse(
                "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "open");
        BuiltImage built = ContainerfileBuild.of(f, ctx).withPlatform(AMD64).withPolicy(acceptAll).build(store, List.of("app:1"));
        assertThat(built.config().diffIds()).hasSize(2);
    }
}
