package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoredImage;
import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.RunCommand;
import dev.ocikit.runtime.testing.BusyboxImage;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Buildah's working containers and Podman's commit, with real runc. */
class WorkingContainerIT {
    static final List<String> GENERATED = List.of("etc/hosts", "etc/resolv.conf", "etc/hostname", "proc/", "sys/",
            "dev/", "etc/");

    @TempDir
    static Path dir;

    static ImageStore store;
    static Path state;
    static OciRuntime runtime;

    @BeforeAll
    static void storeAndRuntime() throws IOException {
        Tools.require("runc");
        store = ImageStore.open(dir.resolve("store"));
        BusyboxImage.store(store, "localhost/busybox:test", dir);
        state = Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8));
        runtime = runtime(dir.resolve("runtime"), false);
    }

    static OciRuntime runtime(Path root, boolean copy) throws IOException {
        return OciRuntime.builder().store(store).root(root).stateRoot(state).copyRootfs(copy).build();
    }

    @AfterAll
    static void noLeftovers() throws IOException {
        if (runtime != null) {
            for (WorkingContainer w : runtime.workingContainers()) {
                w.remove();
            }
            assertThat(RootfsMount.mountsUnder(runtime.root())).isEmpty();
            try (Stream<Path> left = Files.list(runtime.root().resolve("containers"))) {
                assertThat(left).isEmpty();
            }
            assertThat(runtime.cli().list()).isEmpty();
        }
    }

    /** The manifest of a stored image. */
    static ImageManifest manifest(String name) throws IOException {
        StoredImage image = store.resolve(name);
        return store.manifest(image, Platform.host()).model();
    }

    static ImageConfig config(String name) throws IOException {
        return store.config(manifest(name)).model();
    }

    /** The entries of an image's last layer, by name. */
    static Map<String, TarArchiveEntry> topLayer(String name) throws IOException {
        List<Descriptor> layers = manifest(name).layers();
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (InputStream blob = store.openBlob(layers.get(layers.size() - 1).digest());
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(blob))) {
            TarArchiveEntry e;
            while ((e = tar.getNextTarEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    @Test
    void runThenCommitAddsOneLayerWithTheFileAndTheWhiteout() throws Exception {
        WorkingContainer wc = runtime.newWorkingContainer("localhost/busybox:test");
        try {
            assertThat(wc.name()).startsWith("busybox-working-container");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = wc.run(RunCommand.shell("echo hi > /hello; rm /bin/true; echo done"), out, out);
            assertThat(code).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("done\n");

            BuiltImage built = wc.commit("localhost/built:run");
            assertThat(manifest("localhost/built:run").layers()).hasSize(2);
            assertThat(built.config().diffIds()).hasSize(2);
            Map<String, TarArchiveEntry> layer = topLayer("localhost/built:run");
            assertThat(layer.keySet()).contains("hello", "bin/", "bin/.wh.true").doesNotContainAnyElementsOf(GENERATED);
            List<HistoryEntry> history = config("localhost/built:run").history();
            assertThat(history.get(history.size() - 1).createdBy()).contains(
                    "RUN /bin/sh -c echo hi > /hello; rm /bin/true; echo done");

            // the image runs, with the changes
            try (Container c = runtime.container("localhost/built:run").command("sh", "-c", "cat /hello; ls /bin/true")
                    .stopTimeout(Duration.ZERO).start()) {
                assertThat(c.waitFor()).isNotZero();
                assertThat(c.stdoutLog()).isEqualTo("hi\n");
            }
        } finally {
            wc.remove();
        }
    }

    @Test
    void namesFollowBuildahsPatternAndAWorkingContainerCanBeFoundListedAndRemoved() throws Exception {
        WorkingContainer first = runtime.newWorkingContainer("localhost/busybox:test");
        WorkingContainer second = runtime.newWorkingContainer("localhost/busybox:test");
        WorkingContainer named = runtime.newWorkingContainer("localhost/busybox:test", "mine");
        try {
            assertThat(List.of(first.name(), second.name())).containsExactlyInAnyOrder("busybox-working-container",
                    "busybox-working-container-1");
            assertThat(named.name()).isEqualTo("mine");
            assertThatThrownBy(() -> runtime.newWorkingContainer("localhost/busybox:test", "mine"))
                    .isInstanceOf(ContainerException.class).hasMessageContaining("already in use");
            assertThatThrownBy(() -> runtime.newWorkingContainer("localhost/busybox:test", "bad name"))
                    .isInstanceOf(ContainerException.class).hasMessageContaining("invalid container name");
            assertThat(runtime.workingContainers()).contains(first, second, named);
            assertThat(runtime.openWorkingContainer("mine")).isEqualTo(named);
            assertThat(runtime.openWorkingContainer(named.id())).isEqualTo(named);
            assertThat(runtime.openWorkingContainer(named.id().substring(0, 10))).isEqualTo(named);
            assertThat(named.image()).isEqualTo("localhost/busybox:test");
            assertThat(named.imageId()).contains(store.resolve("localhost/busybox:test").id().toString());
        } finally {
            first.remove();
            second.remove();
            named.remove();
        }
        assertThat(named.directory()).doesNotExist();
        assertThat(runtime.workingContainers()).doesNotContain(first, second, named);
        assertThatThrownBy(() -> runtime.openWorkingContainer("mine")).isInstanceOf(NoSuchContainerException.class);
        assertThatThrownBy(named::config).isInstanceOf(NoSuchContainerException.class);
    }

    @Test
    void aWorkingContainerOutlivesItsRuntimeAndIsAddressedFromAnother() throws Exception {
        Path root = dir.resolve("shared-root");
        WorkingContainer made = runtime(root, false).newWorkingContainer("localhost/busybox:test", "persisted");
        OciRuntime other = runtime(root, false);
        WorkingContainer wc = other.openWorkingContainer("persisted");
        try {
            assertThat(wc.run("sh", "-c", "echo one > /one").exitCode()).isZero();
            Path host = Files.writeString(dir.resolve("greeting.txt"), "hello from the host\n");
            Path tree = Files.createDirectories(dir.resolve("tree/sub"));
            Files.writeString(tree.resolve("leaf"), "leaf\n");
            wc.copy(host, "/opt/");
            wc.copy(AddedFile.of(dir.resolve("tree"), "/srv/tree").withOwner(1000, 10).withMode(0750));
            wc.config(c -> c.toBuilder().env("MODE", "built").label("stage", "test").workingDir("/srv")
                    .user("app").exposePort("8080/tcp").entrypoint("sh", "-c").cmd("cat /one /opt/greeting.txt; pwd; id -u")
                    .build());

            // a third runtime, as a third CLI process would be, commits it
            OciRuntime third = runtime(root, false);
            ExecResult seen = third.openWorkingContainer(made.id()).run("sh", "-c",
                    "stat -c '%u %g %a' /srv/tree/sub /srv/tree/sub/leaf; echo $MODE; pwd; id -u");
            assertThat(seen.stdout()).isEqualTo("1000 10 750\n1000 10 750\nbuilt\n/srv\n1000\n");
            third.openWorkingContainer("persisted").commit("localhost/built:persisted");

            ImageConfig config = config("localhost/built:persisted");
            assertThat(config.config().envValue("MODE")).contains("built");
            assertThat(config.config().labels()).containsEntry("stage", "test");
            assertThat(config.config().exposedPorts()).contains("8080/tcp");
            assertThat(wc.history()).hasSize(4);
            assertThat(topLayer("localhost/built:persisted").keySet())
                    .contains("one", "opt/greeting.txt", "srv/tree/sub/leaf").doesNotContainAnyElementsOf(GENERATED);
            try (Container c = other.container("localhost/built:persisted").stopTimeout(Duration.ZERO).start()) {
                assertThat(c.waitFor()).isZero();
                assertThat(c.stdoutLog()).isEqualTo("one\nhello from the host\n/srv\n1000\n");
            }
        } finally {
            wc.remove();
        }
        assertThat(RootfsMount.mountsUnder(root)).isEmpty();
    }

    @Test
    void aDirectoryDeletedByOneRunStaysDeletedWhenALaterRunMountsSomethingThere() throws Exception {
        WorkingContainer wc = runtime.newWorkingContainer("localhost/busybox:test");
        Path cache = Files.createDirectories(dir.resolve("app-cache"));
        try {
            assertThat(wc.run("sh", "-c", "rm -r /home/app").exitCode()).isZero();
            // the whiteout in the upper directory hides the provided mount point: runc makes it there
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(wc.run(RunCommand.shell("ls -A /home/app; echo listed").withMount(
                    dev.ocikit.image.build.BuildMount.of(cache, "/home/app")), out, out)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("listed\n");
            assertThat(wc.run("sh", "-c", "test -e /home/app || echo gone").stdout()).isEqualTo("gone\n");
            wc.commit("localhost/built:deleted");
            assertThat(topLayer("localhost/built:deleted").keySet()).contains("home/.wh.app")
                    .doesNotContain("home/app/", "etc/hosts", "etc/resolv.conf", "etc/hostname", "proc/", "sys/", "dev/");
        } finally {
            wc.remove();
        }
    }

    @Test
    void aWorkingContainerFromScratchTakesFilesAndCommits() throws Exception {
        WorkingContainer wc = runtime.newWorkingContainer("scratch");
        try {
            assertThat(wc.name()).isEqualTo("working-container");
            Path file = Files.writeString(dir.resolve("only.txt"), "only\n");
            wc.copy(file, "/data/only.txt");
            BuiltImage built = wc.commit("localhost/built:scratch");
            assertThat(built.config().diffIds()).hasSize(1);
            assertThat(topLayer("localhost/built:scratch").keySet()).containsExactly("data/", "data/only.txt");
        } finally {
            wc.remove();
        }
    }

    @Test
    void aCopiedRootFileSystemWorksTheSame() throws Exception {
        OciRuntime copying = runtime(dir.resolve("copying"), true);
        WorkingContainer wc = copying.newWorkingContainer("localhost/busybox:test");
        try {
            assertThat(wc.run("sh", "-c", "echo hi > /hello; rm /bin/true").exitCode()).isZero();
            wc.copy(Files.writeString(dir.resolve("copied.txt"), "copied\n"), "/copied.txt");
            wc.commit("localhost/built:copied");
            assertThat(topLayer("localhost/built:copied").keySet()).contains("hello", "bin/.wh.true", "copied.txt")
                    .doesNotContain("etc/hosts", "etc/resolv.conf", "etc/hostname", "proc/", "sys/", "dev/");
        } finally {
            wc.remove();
        }
        assertThat(RootfsMount.mountsUnder(copying.root())).isEmpty();
    }

    @Test
    void theImageBuildersRunStepsRunHere() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BuiltImage built = dev.ocikit.image.build.ImageBuilder.from(store, "localhost/busybox:test").runsWith(runtime)
                .output(out, out)
                .run(RunCommand.shell("echo built > /built; rm /bin/true; echo ran"))
                .workdir("/srv/app")
                .run(RunCommand.shell("pwd > where; id -u").withUser("app"))
                .commit(store, "localhost/via-builder:1");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("ran\n1000\n");
        assertThat(built.config().diffIds()).hasSize(3);
        List<Descriptor> layers = manifest("localhost/via-builder:1").layers();
        assertThat(layers).hasSize(3);
        assertThat(topLayer("localhost/via-builder:1").keySet()).containsExactly("srv/", "srv/app/", "srv/app/where");
        try (Container c = runtime.container("localhost/via-builder:1").command("sh", "-c", "cat /built where; ls /bin/true")
                .stopTimeout(Duration.ZERO).start()) {
            assertThat(c.waitFor()).isNotZero();
            assertThat(c.stdoutLog()).isEqualTo("built\n/srv/app\n");
        }
    }

    // ---------------------------------------------------------------- Podman's commit

    @Test
    void aStoppedContainerCommitsItsChangesOnTopOfItsImage() throws Exception {
        try (Container c = runtime.container("localhost/busybox:test")
                .command("sh", "-c", "echo made > /made; rm /bin/true; chmod 600 /etc/group").start()) {
            assertThat(c.waitFor()).isZero();
            c.commit("localhost/committed:stopped");
        }
        assertThat(manifest("localhost/committed:stopped").layers()).hasSize(2);
        Map<String, TarArchiveEntry> layer = topLayer("localhost/committed:stopped");
        assertThat(layer.keySet()).containsExactlyInAnyOrder("bin/", "bin/.wh.true", "etc/", "etc/group", "made");
        assertThat(layer.get("etc/group").getMode() & 07777).isEqualTo(0600);
    }

    @Test
    void aRunningContainerIsPausedForItsCommitAndRunsOnAfterwards() throws Exception {
        try (Container c = runtime.container("localhost/busybox:test")
                .command("sh", "-c", "echo x > /x; echo ready; exec sleep 600").stopTimeout(Duration.ZERO).start()) {
            c.waitForLog("ready", Duration.ofSeconds(30));
            BuiltImage built = runtime.commit(c.name(), "localhost/committed:running",
                    cfg -> cfg.toBuilder().cmd("cat", "/x").build());
            assertThat(c.state().status()).isEqualTo("running");
            assertThat(built.config().config().cmd()).containsExactly("cat", "/x");
        }
        assertThat(topLayer("localhost/committed:running").keySet()).containsExactly("x");
        try (Container c = runtime.container("localhost/committed:running").start()) {
            c.waitFor();
            assertThat(c.stdoutLog()).isEqualTo("x\n");
        }
    }

    @Test
    void aKeptContainerIsCommittedByNameFromAnotherRuntimeAndACopiedOneToo() throws Exception {
        for (boolean copy : new boolean[] {false, true}) {
            OciRuntime r = copy ? runtime(dir.resolve("kept-copying"), true) : runtime;
            Container c = r.container("localhost/busybox:test").name("kept-" + copy)
                    .command("sh", "-c", "mkdir -p /var/lib/app && echo state > /var/lib/app/state").start();
            assertThat(c.keep()).isZero();
            try {
                runtime(r.root(), copy).commit("kept-" + copy, "localhost/committed:kept-" + copy);
            } finally {
                r.remove("kept-" + copy, true);
            }
            assertThat(topLayer("localhost/committed:kept-" + copy).keySet())
                    .containsExactlyInAnyOrder("var/", "var/lib/", "var/lib/app/", "var/lib/app/state");
        }
    }

    @Test
    void aContainerOfAnImageFromElsewhereCannotBeCommitted() throws Exception {
        dev.ocikit.image.SourceImage image;
        try (var source = store.reference("localhost/busybox:test").openSource()) {
            image = dev.ocikit.image.SourceImage.read(source, Platform.host());
        }
        try (Container c = runtime.container(image, "elsewhere").command("true").start()) {
            c.waitFor();
            assertThatThrownBy(() -> c.commit("localhost/never:1")).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("not from the store");
        }
        assertThat(new ArrayList<>(store.list()).stream().flatMap(i -> i.names().stream()).map(Object::toString))
                .noneMatch(n -> n.contains("never"));
    }
}
