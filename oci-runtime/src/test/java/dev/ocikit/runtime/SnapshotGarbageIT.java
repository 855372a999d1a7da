package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.testing.BusyboxImage;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layer snapshots are freed with the images they served, and kept while a container still runs on them. */
class SnapshotGarbageIT {
    @TempDir
    Path dir;

    private List<Digest> layersOf(ImageStore store, String image) throws IOException {
        return store.config(store.manifest(store.resolve(image), Platform.host()).model()).model().diffIds();
    }

    private boolean snapshotted(OciRuntime runtime, Digest diffId) {
        return Files.isDirectory(runtime.root().resolve("snapshots").resolve(diffId.algorithm().id()).resolve(diffId.encoded()));
    }

    @Test
    void snapshotsGoWithTheirImagesButNotFromUnderAContainer() throws Exception {
        Tools.require("runc");
        ImageStore store = ImageStore.open(dir.resolve("store"));
        // busybox with one more layer each: the base layer shared, the top ones their own
        for (String name : List.of("one", "two")) {
            BusyboxImage.store(store, "localhost/" + name + ":1", dev.ocikit.spec.image.ContainerConfig.builder()
                    .cmd(List.of("sh")).build(), dir.resolve(name), extra -> Files.writeString(extra.resolve("marker"), name));
        }
        OciRuntime runtime = OciRuntime.builder().store(store).root(dir.resolve("store"))
                .stateRoot(Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8))).build();
        List<Digest> one = layersOf(store, "localhost/one:1");
        List<Digest> two = layersOf(store, "localhost/two:1");
        Digest onlyOne = one.get(one.size() - 1);
        assertThat(two).doesNotContain(onlyOne);
        try (Container c = runtime.container("localhost/one:1").command("true").start()) {
            assertThat(c.waitFor(Duration.ofSeconds(30))).hasValue(0);
        }

        try (Container running = runtime.container("localhost/two:1").command("sleep", "30")
                .stopTimeout(Duration.ofMillis(200)).start()) {
            assertThat(one).allMatch(d -> snapshotted(runtime, d));
            assertThat(two).allMatch(d -> snapshotted(runtime, d));
            store.remove("localhost/one:1", true);
            store.remove("localhost/two:1", true);

            List<Digest> removed = runtime.collectGarbage();

            // the running container still mounts its image's layers; the other image's own one is free
            assertThat(removed).containsExactly(onlyOne);
            assertThat(snapshotted(runtime, onlyOne)).isFalse();
            assertThat(two).allMatch(d -> snapshotted(runtime, d));
            assertThat(store.list()).isEmpty();
        }
        // a container that does not say what it uses (made by an older ocikit) keeps every snapshot
        Path unknown = Files.createDirectories(runtime.root().resolve("containers").resolve("0".repeat(64)));
        assertThat(runtime.collectGarbage()).isEmpty();
        assertThat(two).allMatch(d -> snapshotted(runtime, d));
        Files.delete(unknown);

        assertThat(runtime.collectGarbage()).containsExactlyInAnyOrderElementsOf(two);
        assertThat(two).noneMatch(d -> snapshotted(runtime, d));
    }
}
