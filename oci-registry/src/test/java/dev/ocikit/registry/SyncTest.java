package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.spi.TransportReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sync's naming from a directory source, which needs no registry to plan. */
class SyncTest {
    @TempDir
    Path tmp;

    private Path images() throws Exception {
        Path base = tmp.resolve("src");
        for (String image : new String[] {"reg.example/ns/app:1", "other:2"}) {
            Files.writeString(Files.createDirectories(base.resolve(image)).resolve("manifest.json"), "{}");
        }
        Files.createDirectories(base.resolve("not-an-image"));
        return base;
    }

    private static String dest(Sync.Item item) {
        return TransportReference.format(item.destination());
    }

    @Test
    void directoryImagesArePushedUnderTheirLastComponentOrWholePathWhenScoped() throws Exception {
        Path base = images();
        RegistryClient client = RegistryClient.builder().build();
        Sync sync = Sync.fromDirectory(base).toRegistry(client, "mirror.example:5000/team/");
        assertThat(sync.plan()).extracting(SyncTest::dest)
                .containsExactly("docker://mirror.example:5000/team/other:2", "docker://mirror.example:5000/team/app:1");
        assertThat(sync.scoped().plan()).extracting(SyncTest::dest).containsExactly(
                "docker://mirror.example:5000/team/other:2", "docker://mirror.example:5000/team/reg.example/ns/app:1");
        Path single = base.resolve("other:2");
        assertThat(Sync.fromDirectory(single).toRegistry(client, "mirror.example:5000").plan()).extracting(SyncTest::dest)
                .containsExactly("docker://mirror.example:5000/other:2");
    }

    @Test
    void refusesDirToDirAndAnEmptySource() throws Exception {
        assertThatThrownBy(() -> Sync.fromDirectory(tmp).toDirectory(tmp.resolve("out")))
                .isInstanceOf(SyncException.class).hasMessageContaining("directory to a directory");
        assertThatThrownBy(() -> Sync.fromDirectory(tmp).toRegistry(RegistryClient.builder().build(), "mirror.example").plan())
                .isInstanceOf(SyncException.class).hasMessageContaining("no images to sync");
        assertThatThrownBy(() -> Sync.fromDirectory(tmp.resolve("missing")).toRegistry(RegistryClient.builder().build(), "m.example").plan())
                .isInstanceOf(SyncException.class).hasMessageContaining("not a directory");
    }
}
