package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.examples.ImageChecks.Accepted;
import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoredImage;
import dev.ocikit.image.build.BuildListener;
import dev.ocikit.image.build.BuildRuntime;
import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.image.build.RunCommand;
import dev.ocikit.image.build.RunOutcome;
import dev.ocikit.image.build.RunRequest;
import dev.ocikit.image.containerfile.BaseImages;
import dev.ocikit.image.containerfile.ContainerfileBuild;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.registry.DockerTransport;
import dev.ocikit.registry.RegistryClient;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.OciRuntime;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof, through the library with real runc, a real registry on loopback, and skopeo
 * and umoci reading every result: a busybox image built from scratch runs; a build on a base pulled
 * from the registry writes and deletes files (a whiteout in the delete step's layer), is pushed,
 * pulled into a fresh store and run; a multi-stage build keeps only the last stage's layers; two
 * builds with a timestamp in separate stores are the same image; a rebuild found in the cache runs
 * no container.
 */
class BuildProofIT {
    private static final String BUSYBOX = "localhost/proof/busybox:1";
    private static final Instant EPOCH = Instant.ofEpochSecond(1_700_000_000L);

    @TempDir
    static Path shared;

    static TestRegistry registry;
    static DockerTransport docker;
    static Path stateRoot;

    /** The store the busybox image is built in, and its runtime. */
    static ImageStore store;
    static OciRuntime runtime;
    static BuiltImage busybox;
    /** The busybox image in the registry, as a FROM names it. */
    static String base;

    @TempDir
    Path tmp;

    /** The runtimes a test made, over stores of its own; with the shared one, checked for leftovers after it. */
    final List<OciRuntime> runtimes = new ArrayList<>();

    @BeforeAll
    static void busyboxFromScratchPushedToTheRegistry() throws Exception {
        Tools.require("runc");
        Tools.require("skopeo");
        Tools.require("umoci");
        stateRoot = Path.of("/run/ocikit-proof-" + UUID.randomUUID().toString().substring(0, 8));
        store = ImageStore.open(shared.resolve("store"));
        runtime = OciRuntime.builder().store(store).stateRoot(stateRoot).build();

        Path context = Files.createDirectories(shared.resolve("busybox-context"));
        Path busyboxBinary = Files.isExecutable(Path.of("/bin/busybox")) ? Path.of("/bin/busybox") : Tools.require("busybox");
        Files.copy(busyboxBinary, context.resolve("busybox"));
        Files.writeString(context.resolve("Containerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                CMD ["echo", "hello from scratch"]
                """);
        busybox = ContainerfileBuild.of(context.resolve("Containerfile"), context).withRuntime(runtime)
                .withTimestamp(EPOCH).build(store, List.of(BUSYBOX));

        registry = TestRegistry.plain();
        docker = new DockerTransport(RegistryClient.builder().plainHttp(registry.host()).build());
        base = registry.host() + "/proof/base:1";
        Copy.from(store.reference(BUSYBOX)).to(docker.parse("//" + base)).run();
    }

    @AfterAll
    static void stop() throws IOException {
        if (registry != null) {
            registry.close();
        }
        if (stateRoot != null && Files.isDirectory(stateRoot)) {
            FileTrees.deleteRecursively(stateRoot);
        }
    }

    @AfterEach
    void noContainerLeft() throws IOException {
        List<OciRuntime> all = new ArrayList<>(runtimes);
        all.add(runtime);
        for (OciRuntime r : all) {
            assertThat(r.list()).as("containers left under %s", r.root()).isEmpty();
            assertThat(CliContainersIT.mountsUnder(r.root())).as("mounts left under %s", r.root()).isEmpty();
            if (Files.isDirectory(r.root().resolve("containers"))) {
                try (var left = Files.list(r.root().resolve("containers"))) {
                    assertThat(left.toList()).as("container directories under %s", r.root()).isEmpty();
                }
            }
        }
    }

    OciRuntime runtime(ImageStore s) throws IOException {
        OciRuntime r = OciRuntime.builder().store(s).stateRoot(stateRoot).build();
        runtimes.add(r);
        return r;
    }

    /** A store of its own under {@code dir}. */
    static ImageStore freshStore(Path dir) throws IOException {
        return ImageStore.open(dir);
    }

    /** Base images pulled into {@code into} from the test registry (plain http on loopback) when missing. */
    static BaseImages pulledInto(ImageStore into) {
        return (reference, platform) -> {
            if (into.find(reference).isEmpty()) {
                Copy.from(docker.parse("//" + reference)).to(into.reference(reference)).platform(platform).run();
            }
            return ImageBuilder.from(into, reference, platform);
        };
    }

    static Path context(Path dir, String containerfile) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Containerfile"), containerfile);
        return dir;
    }

    record Output(int exit, String stdout, String stderr) {}

    /** Runs a container of {@code image} (its own command unless {@code command} is given) to its end, and removes it. */
    static Output run(OciRuntime r, String image, String... command) throws Exception {
        var builder = r.container(image);
        if (command.length > 0) {
            builder = builder.command(command);
        }
        try (Container c = builder.start()) {
            OptionalInt exit = c.waitFor(Duration.ofSeconds(60));
            assertThat(exit).as("%s exits", image).isPresent();
            return new Output(exit.getAsInt(), c.stdoutLog(), c.stderrLog());
        }
    }

    /** The history entries that made layers. */
    static List<String> layerSteps(ImageConfig config) {
        return config.history().stream().filter(h -> !h.madeNoLayer()).map(h -> h.createdBy().orElse("")).toList();
    }

    @Test
    void aBusyboxImageBuiltFromScratchRunsAndThePeersReadIt() throws Exception {
        assertThat(busybox.config().rootfs().diffIds()).as("COPY and RUN, nothing else").hasSize(2);
        assertThat(layerSteps(busybox.config())).hasSize(2);
        assertThat(layerSteps(busybox.config()).get(1)).contains("--install");

        Output cmd = run(runtime, BUSYBOX);
        assertThat(cmd).isEqualTo(new Output(0, "hello from scratch\n", ""));
        Output shell = run(runtime, BUSYBOX, "sh", "-c", "readlink /bin/sh; echo to-err >&2; exit 3");
        assertThat(shell).isEqualTo(new Output(3, "/bin/busybox\n", "to-err\n"));

        Accepted peers = ImageChecks.accepted(store, BUSYBOX, tmp);
        assertThat(peers.rootfs().resolve("bin/busybox")).isRegularFile().isExecutable()
                .hasSameBinaryContentAs(Path.of("/bin/busybox"));
        assertThat(Files.readSymbolicLink(peers.rootfs().resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
        assertThat(ImageChecks.listing(peers.rootfs())).as("only what COPY and RUN made")
                .allMatch(p -> p.equals("bin/") || p.startsWith("bin/"));
    }

    @Test
    void aBuildOnARegistryBaseWritesAndDeletesThenIsPushedPulledAndRun() throws Exception {
        ImageStore mine = freshStore(tmp.resolve("store"));
        OciRuntime myRuntime = runtime(mine);
        Path context = context(tmp.resolve("context"), """
                FROM %s
                RUN mkdir /app && echo written by RUN > /app/greeting && echo second > /app/second
                RUN rm /bin/ls
                CMD ["cat", "/app/greeting"]
                """.formatted(base));
        BuiltImage app = ContainerfileBuild.of(context.resolve("Containerfile"), context).withRuntime(myRuntime)
                .withBaseImages(pulledInto(mine)).build(mine, List.of("localhost/proof/app:1"));
        assertThat(mine.find(base)).as("the base, pulled from the registry").isPresent();
        assertThat(app.config().rootfs().diffIds()).as("the base's two layers and two RUNs")
                .hasSize(4).startsWith(busybox.config().rootfs().diffIds().toArray(Digest[]::new));

        Accepted peers = ImageChecks.accepted(mine, "localhost/proof/app:1", tmp.resolve("peers"));
        assertThat(peers.rootfs().resolve("app/greeting")).hasContent("written by RUN");
        assertThat(peers.rootfs().resolve("app/second")).hasContent("second");
        assertThat(peers.rootfs().resolve("bin/ls")).as("deleted by the second RUN").doesNotExist();
        assertThat(Files.exists(peers.rootfs().resolve("bin/ls"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.isSymbolicLink(peers.rootfs().resolve("bin/cat"))).as("the base's other files stay").isTrue();

        Map<String, TarArchiveEntry> deleteLayer = peers.layerOf("rm /bin/ls");
        assertThat(deleteLayer).as("the delete step's layer").containsKey("bin/.wh.ls");
        assertThat(deleteLayer.keySet()).as("and nothing of the other step").noneMatch(n -> n.startsWith("app"));
        Map<String, TarArchiveEntry> writeLayer = peers.layerOf("echo written by RUN");
        assertThat(writeLayer).containsKeys("app/greeting", "app/second");
        assertThat(writeLayer.keySet()).noneMatch(n -> n.contains(".wh."));

        // Pushed to the registry: skopeo reads it there, with the digest the store has.
        TransportReference pushed = docker.parse("//" + registry.host() + "/proof/app:1");
        Copy.from(mine.reference("localhost/proof/app:1")).to(pushed).run();
        JsonNode remote = ImageChecks.skopeoInspect("docker://" + registry.host() + "/proof/app:1", "--tls-verify=false");
        assertThat(remote.get("Digest").asText()).isEqualTo(app.digest().toString());
        // skopeo copies it out of the registry, and umoci unpacks that copy the same.
        Path theirLayout = tmp.resolve("skopeo-layout");
        ImageChecks.exec(Tools.require("skopeo").toString(), "copy", "--src-tls-verify=false",
                "docker://" + registry.host() + "/proof/app:1", "oci:" + theirLayout + ":app");
        Path theirRootfs = ImageChecks.umociUnpack(theirLayout, "app", tmp.resolve("skopeo-bundle"));
        assertThat(ImageChecks.listing(theirRootfs)).isEqualTo(ImageChecks.listing(peers.rootfs()));

        // Pulled into a fresh store and run there.
        ImageStore fresh = freshStore(tmp.resolve("fresh"));
        OciRuntime freshRuntime = runtime(fresh);
        String name = registry.host() + "/proof/app:1";
        Copy.from(pushed).to(fresh.reference(name)).run();
        assertThat(fresh.resolve(name).id()).isEqualTo(app.id());
        assertThat(run(freshRuntime, name)).isEqualTo(new Output(0, "written by RUN\n", ""));
        Output look = run(freshRuntime, name, "sh", "-c", "cat /app/second; test -e /bin/ls || echo ls is gone");
        assertThat(look).isEqualTo(new Output(0, "second\nls is gone\n", ""));
    }

    @Test
    void everyKindOfDeletionSurvivesTheLayersAsRuncAndUmociSeeThem() throws Exception {
        Path context = context(tmp.resolve("context"), """
                FROM %s
                RUN mkdir -p /d/sub /keep && echo f > /d/sub/f && echo old > /d/old && echo k > /keep/k \\
                    && ln /keep/k /keep/hard && echo same > /d/again
                RUN rm -rf /d/sub && mkdir /d/sub && echo g > /d/sub/g && rm /d/old && mv /keep /kept \\
                    && rm /d/again && echo recreated > /d/again && rm /bin/ls && chmod 700 /d
                """.formatted(BUSYBOX));
        ContainerfileBuild.of(context.resolve("Containerfile"), context).withRuntime(runtime).withTimestamp(EPOCH)
                .build(store, List.of("localhost/proof/deletions:1"));
        String expected = "d/\nd/again\nd/sub/\nd/sub/g\nkept/\nkept/hard\nkept/k\n";
        String listing = "find /d /keep /kept 2>/dev/null | sed 's,^/,,' | sort | while read p; do"
                + " if [ -d \"/$p\" ]; then echo \"$p/\"; else echo \"$p\"; fi; done";
        Output inside = run(runtime, "localhost/proof/deletions:1", "sh", "-c",
                listing + "; cat /d/again; stat -c %a /d; test -e /bin/ls || echo ls is gone;"
                        + " [ /kept/k -ef /kept/hard ] && echo hardlinked");
        assertThat(inside).isEqualTo(new Output(0, expected + "recreated\n700\nls is gone\nhardlinked\n", ""));

        Accepted peers = ImageChecks.accepted(store, "localhost/proof/deletions:1", tmp.resolve("peers"));
        Path r = peers.rootfs();
        assertThat(ImageChecks.listing(r).stream().filter(p -> p.startsWith("d/") || p.startsWith("keep") || p.startsWith("kept"))
                .map(p -> p + "\n").reduce("", String::concat)).isEqualTo(expected);
        assertThat(r.resolve("d/again")).hasContent("recreated");
        assertThat(Files.isSameFile(r.resolve("kept/k"), r.resolve("kept/hard"))).isTrue();
        assertThat(Files.exists(r.resolve("bin/ls"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.getPosixFilePermissions(r.resolve("d"))).hasSize(3);
    }

    @Test
    void aBuilderOnARegistryBaseCommitsStraightToTheRegistry() throws Exception {
        // No store at all: the base's layers come from the registry, the image goes back to it.
        TransportReference destination = docker.parse("//" + registry.host() + "/proof/direct:1");
        BuiltImage direct = ImageBuilder.from(docker.parse("//" + base), Platform.host()).runsWith(runtime)
                .run(RunCommand.shell("echo straight to the registry > /direct && rm /bin/ls"))
                .cmd("sh", "-c", "cat /direct; test -e /bin/ls || echo ls is gone")
                .timestamp(EPOCH)
                .commit(destination);
        assertThat(direct.steps()).isEqualTo(1);
        JsonNode remote = ImageChecks.skopeoInspect("docker://" + registry.host() + "/proof/direct:1", "--tls-verify=false");
        assertThat(remote.get("Digest").asText()).isEqualTo(direct.digest().toString());
        assertThat(remote.get("Layers")).hasSize(3);

        ImageStore fresh = freshStore(tmp.resolve("fresh"));
        String name = registry.host() + "/proof/direct:1";
        Copy.from(destination).to(fresh.reference(name)).run();
        assertThat(run(runtime(fresh), name)).isEqualTo(new Output(0, "straight to the registry\nls is gone\n", ""));
        Accepted peers = ImageChecks.accepted(fresh, name, tmp.resolve("peers"));
        assertThat(peers.layerOf("straight to the registry")).containsKeys("direct", "bin/.wh.ls");
    }

    @Test
    void aMultiStageBuildKeepsOnlyTheLastStagesLayers() throws Exception {
        Path context = context(tmp.resolve("context"), """
                FROM %s AS build
                RUN mkdir /out && echo made in the build stage > /out/artifact && echo junk > /junk
                FROM scratch
                COPY --from=build /bin/busybox /bin/busybox
                COPY --from=build /out/artifact /artifact
                ENTRYPOINT ["/bin/busybox"]
                CMD ["cat", "/artifact"]
                """.formatted(BUSYBOX));
        BuiltImage image = ContainerfileBuild.of(context.resolve("Containerfile"), context).withRuntime(runtime)
                .withTimestamp(EPOCH).build(store, List.of("localhost/proof/multistage:1"));

        // The build stage leaves no image behind; built on its own (the same layers, from the cache), none of
        // its layers but the busybox file are in the result (and that one only because COPY --from packed the
        // same file, at the same time, as the base's COPY).
        assertThat(store.list()).noneMatch(i -> i.names().isEmpty());
        ImageConfig buildStage = ContainerfileBuild.of(context.resolve("Containerfile"), context).withRuntime(runtime)
                .withTimestamp(EPOCH).withTarget("build").build(store, List.of("localhost/proof/stage:1")).config();
        assertThat(buildStage.rootfs().diffIds()).hasSize(3);
        assertThat(image.config().rootfs().diffIds()).as("the two COPYs of the last stage").hasSize(2)
                .doesNotContainAnyElementsOf(buildStage.rootfs().diffIds().subList(1, 3))
                .startsWith(buildStage.rootfs().diffIds().get(0));
        assertThat(layerSteps(image.config())).hasSize(2).allMatch(s -> s.contains("COPY"));
        assertThat(image.config().history()).noneMatch(h -> h.createdBy().orElse("").contains("mkdir /out"));

        Accepted peers = ImageChecks.accepted(store, "localhost/proof/multistage:1", tmp.resolve("peers"));
        assertThat(ImageChecks.listing(peers.rootfs())).containsExactly("artifact", "bin/", "bin/busybox");
        assertThat(peers.imageManifest().layers()).hasSize(2);
        assertThat(run(runtime, "localhost/proof/multistage:1")).isEqualTo(new Output(0, "made in the build stage\n", ""));
    }

    @Test
    void twoBuildsOfTheSameInputWithATimestampAreTheSameImage() throws Exception {
        Path context = context(tmp.resolve("context"), """
                FROM %s
                COPY note /etc/note
                RUN echo "ran with $(cat /etc/note)" > /ran && mkdir -p /var/made && touch /var/made/file
                ENV MODE=repro
                """.formatted(base));
        Files.writeString(context.resolve("note"), "a note\n");
        List<BuiltImage> builds = new ArrayList<>();
        for (String dir : List.of("first", "second")) {
            ImageStore s = freshStore(tmp.resolve(dir));
            builds.add(ContainerfileBuild.of(context.resolve("Containerfile"), context).withRuntime(runtime(s))
                    .withBaseImages(pulledInto(s)).withTimestamp(EPOCH).build(s, List.of("localhost/proof/repro:1")));
        }
        BuiltImage first = builds.get(0);
        BuiltImage second = builds.get(1);
        assertThat(first.cachedSteps()).isZero();
        assertThat(second.cachedSteps()).as("a separate store has a separate cache").isZero();
        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(first.config().createdInstant()).contains(EPOCH);
        assertThat(first.config().history()).extracting(HistoryEntry::createdInstant).containsOnly(java.util.Optional.of(EPOCH));

        Accepted a = ImageChecks.accepted(ImageStore.open(tmp.resolve("first")), "localhost/proof/repro:1", tmp.resolve("a"));
        Accepted b = ImageChecks.accepted(ImageStore.open(tmp.resolve("second")), "localhost/proof/repro:1", tmp.resolve("b"));
        assertThat(b.manifest()).isEqualTo(a.manifest());
        assertThat(a.rootfs().resolve("ran")).hasContent("ran with a note");
        Map<String, TarArchiveEntry> ran = a.layerOf("ran with");
        assertThat(ran).containsKeys("ran", "var/made/file");
        for (TarArchiveEntry e : ran.values()) {
            assertThat(e.getLastModifiedDate().toInstant()).as("%s is clamped to the timestamp", e.getName())
                    .isBeforeOrEqualTo(EPOCH);
        }
    }

    /** A runtime that counts the containers it is asked to run, and runs them with the real one. */
    static final class CountingRuntime implements BuildRuntime {
        final BuildRuntime real;
        final AtomicInteger runs = new AtomicInteger();

        CountingRuntime(BuildRuntime real) {
            this.real = real;
        }

        @Override
        public RunOutcome run(RunRequest request) throws IOException, InterruptedException {
            runs.incrementAndGet();
            return real.run(request);
        }
    }

    /** A build, how many containers it ran, and how many steps it announced as found in the cache. */
    record Counted(BuiltImage image, int runs, int cachedAnnounced) {}

    static Counted countedBuild(Path context, ImageStore s, BuildRuntime real) throws Exception {
        CountingRuntime counting = new CountingRuntime(real);
        AtomicInteger cached = new AtomicInteger();
        // no timestamp: the cache alone must give the same image
        BuiltImage image = ContainerfileBuild.of(context.resolve("Containerfile"), context).withRuntime(counting)
                .withBaseImages(pulledInto(s)).withListener(new BuildListener() {
                    @Override
                    public void stepCached(int number, String createdBy) {
                        cached.incrementAndGet();
                    }
                }).build(s, List.of("localhost/proof/cached:1"));
        return new Counted(image, counting.runs.get(), cached.get());
    }

    @Test
    void aRebuildFoundInTheCacheRunsNoContainer() throws Exception {
        ImageStore mine = freshStore(tmp.resolve("store"));
        OciRuntime myRuntime = runtime(mine);
        String containerfile = """
                FROM %s
                COPY note /note
                RUN echo one > /one
                ENV STAGE=%s
                RUN rm /bin/ls && echo "$STAGE" > /two
                CMD ["cat", "/one", "/two", "/note"]
                """;
        Path context = context(tmp.resolve("context"), containerfile.formatted(base, "two"));
        Files.writeString(context.resolve("note"), "noted\n");

        Counted first = countedBuild(context, mine, myRuntime);
        Counted again = countedBuild(context, mine, myRuntime);
        assertThat(first.runs()).isEqualTo(2);
        assertThat(first.image().steps()).as("COPY and two RUNs").isEqualTo(3);
        assertThat(first.image().cachedSteps()).isZero();
        assertThat(first.cachedAnnounced()).isZero();
        assertThat(again.runs()).as("containers run by the rebuild").isZero();
        assertThat(again.image().steps()).isEqualTo(3);
        assertThat(again.image().cachedSteps()).isEqualTo(again.image().steps());
        assertThat(again.cachedAnnounced()).isEqualTo(3);
        assertThat(again.image().id()).isEqualTo(first.image().id());
        assertThat(again.image().digest()).isEqualTo(first.image().digest());

        assertThat(run(myRuntime, "localhost/proof/cached:1")).isEqualTo(new Output(0, "one\ntwo\nnoted\n", ""));
        Accepted peers = ImageChecks.accepted(mine, "localhost/proof/cached:1", tmp.resolve("peers"));
        assertThat(peers.rootfs().resolve("two")).hasContent("two");
        assertThat(peers.layerOf("rm /bin/ls")).containsKey("bin/.wh.ls");

        // The cache is not blind: a changed ENV reruns the RUN after it only, a changed file everything after its COPY.
        Files.writeString(context.resolve("Containerfile"), containerfile.formatted(base, "three"));
        Counted env = countedBuild(context, mine, myRuntime);
        assertThat(env.runs()).isEqualTo(1);
        assertThat(env.image().cachedSteps()).isEqualTo(2);
        assertThat(env.image().id()).isNotEqualTo(first.image().id());
        Files.writeString(context.resolve("note"), "changed\n");
        Counted file = countedBuild(context, mine, myRuntime);
        assertThat(file.runs()).isEqualTo(2);
        assertThat(file.image().cachedSteps()).isZero();
        assertThat(run(myRuntime, "localhost/proof/cached:1")).isEqualTo(new Output(0, "one\nthree\nchanged\n", ""));
    }
}
