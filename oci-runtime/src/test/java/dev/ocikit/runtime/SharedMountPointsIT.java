package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.testing.BusyboxImage;
import dev.ocikit.spec.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mount points the image lacks go into a layer shared by the runtime's containers: the next
 * container of the image with the same mounts is mounted once with it, one with other mounts gets
 * a layer of its own, and neither sees the other's mount points nor has them in its upper layer.
 */
class SharedMountPointsIT {
    @TempDir
    Path dir;

    private static List<String> names(Path p, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }

    @Test
    void containersOfOneImageShareTheirMountPointLayer() throws Exception {
        Tools.require("runc");
        ImageStore store = ImageStore.open(dir.resolve("store"));
        BusyboxImage.store(store, "localhost/busybox:test", dir);
        OciRuntime runtime = OciRuntime.builder().store(store).root(dir.resolve("runtime"))
                .stateRoot(Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8))).build();
        Path shared = runtime.root().resolve("mount-points");
        Path data = Files.createDirectories(dir.resolve("data"));

        for (int i = 0; i < 2; i++) {
            try (Container c = runtime.container("localhost/busybox:test").stopTimeout(Duration.ZERO)
                    .command("sh", "-c", "test -f /etc/hosts && test ! -e /data && echo ok").start()) {
                assertThat(c.waitFor()).as(c.stderrLog()).isZero();
                assertThat(c.stdoutLog()).isEqualTo("ok\n");
            }
        }
        assertThat(names(shared, "hint-")).hasSize(1);
        List<String> layers = names(shared, "layer-");
        assertThat(layers).hasSize(1);

        // other mounts: a layer of their own, with /data; the first layer is left as it was
        try (Container c = runtime.container("localhost/busybox:test").stopTimeout(Duration.ZERO)
                .bind(data, "/data", true).command("sh", "-c", "test -d /data && echo ok").start()) {
            assertThat(c.waitFor()).as(c.stderrLog()).isZero();
            assertThat(c.keep()).isZero();
            Path upper = runtime.root().resolve("containers").resolve(c.id()).resolve("upper");
            if (Files.isDirectory(upper)) {
                try (Stream<Path> s = Files.walk(upper)) {
                    assertThat(s.filter(p -> !p.equals(upper)).map(upper::relativize).map(Path::toString))
                            .as("nothing of the mount points in the writable layer").isEmpty();
                }
            }
            runtime.remove(c.id(), true);
        }
        assertThat(names(shared, "layer-")).hasSize(2).containsAll(layers);
        assertThat(shared.resolve(layers.get(0)).resolve("data")).doesNotExist();

        // and back: the plain mounts again see no /data
        try (Container c = runtime.container("localhost/busybox:test").stopTimeout(Duration.ZERO)
                .command("sh", "-c", "test ! -e /data && echo ok").start()) {
            assertThat(c.waitFor()).as(c.stderrLog()).isZero();
        }
        assertThat(runtime.list()).isEmpty();
    }

    @Test
    void aFileBindAndADirectoryBindAtOnePlaceGetTheirOwnKindOfMountPoint() throws Exception {
        Tools.require("runc");
        ImageStore store = ImageStore.open(dir.resolve("store"));
        BusyboxImage.store(store, "localhost/busybox:test", dir);
        OciRuntime runtime = OciRuntime.builder().store(store).root(dir.resolve("runtime"))
                .stateRoot(Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8))).build();
        Path conf = Files.createDirectories(dir.resolve("conf-dir"));
        Files.writeString(conf.resolve("x"), "dir\n");
        Path file = Files.writeString(dir.resolve("conf-file"), "file\n");
        for (int round = 0; round < 2; round++) {
            try (Container c = runtime.container("localhost/busybox:test").stopTimeout(Duration.ZERO)
                    .bind(conf, "/conf", true).command("cat", "/conf/x").start()) {
                assertThat(c.waitFor()).as(c.stderrLog()).isZero();
                assertThat(c.stdoutLog()).isEqualTo("dir\n");
            }
            try (Container c = runtime.container("localhost/busybox:test").stopTimeout(Duration.ZERO)
                    .bind(file, "/conf", true).command("cat", "/conf").start()) {
                assertThat(c.waitFor()).as(c.stderrLog()).isZero();
                assertThat(c.stdoutLog()).isEqualTo("file\n");
            }
        }
    }

    @Test
    void containersStartedTogetherAllGetTheLayerOneOfThemWrote() throws Exception {
        Tools.require("runc");
        ImageStore store = ImageStore.open(dir.resolve("store"));
        BusyboxImage.store(store, "localhost/busybox:test", dir);
        OciRuntime runtime = OciRuntime.builder().store(store).root(dir.resolve("runtime"))
                .stateRoot(Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8))).build();
        int n = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    try (Container c = runtime.container("localhost/busybox:test").stopTimeout(Duration.ZERO)
                            .command("test", "-f", "/etc/hosts").start()) {
                        return c.waitFor();
                    }
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<Integer> r : results) {
                assertThat(r.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(names(runtime.root().resolve("mount-points"), "layer-")).hasSize(1);
        assertThat(names(runtime.root().resolve("mount-points"), ".tmp-")).isEmpty();
        assertThat(runtime.list()).isEmpty();
    }

    @Test
    void theSweepDeletesOldLeftoversOfADeadWriterAndNothingElse() throws Exception {
        Tools.require("runc");
        OciRuntime runtime = OciRuntime.builder().store(ImageStore.open(dir.resolve("store"))).root(dir.resolve("runtime"))
                .stateRoot(Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8)))
                .sweepOnStart(false).build();
        Path shared = Files.createDirectories(runtime.root().resolve("mount-points"));
        Path old = Files.createDirectories(shared.resolve(".tmp-old/etc"));
        Files.setLastModifiedTime(shared.resolve(".tmp-old"), java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(Duration.ofHours(1))));
        Path young = Files.createDirectories(shared.resolve(".tmp-young"));
        Path layer = Files.createDirectories(shared.resolve("layer-0123"));
        Files.setLastModifiedTime(layer, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofHours(1))));
        runtime.sweep();
        assertThat(old.getParent()).doesNotExist();
        assertThat(young).exists();
        assertThat(layer).exists();
    }
}
