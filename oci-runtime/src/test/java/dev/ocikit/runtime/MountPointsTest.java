package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.runtime.Mount;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPointsTest {
    @TempDir
    Path dir;

    @Test
    void missingMountPointsAreFoundWithTheirParentsAndNestedMountsAreSkipped() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/hostname"), "x\n");
        Path hostFile = Files.writeString(dir.resolve("hosts"), "");
        List<Mount> mounts = List.of(
                Mount.of("/proc", "proc", "proc"),
                Mount.of("/dev", "tmpfs", "tmpfs"),
                Mount.of("/dev/pts", "devpts", "devpts"),
                Mount.bind(hostFile.toString(), "/etc/hosts"),
                Mount.bind(hostFile.toString(), "/etc/hostname"),
                Mount.bind(dir.toString(), "/var/cache/x"));
        assertThat(MountPoints.missing(root, mounts)).containsExactly(
                new MountPoints.Stub("proc", true),
                new MountPoints.Stub("dev", true),
                new MountPoints.Stub("etc/hosts", false),
                new MountPoints.Stub("var", true),
                new MountPoints.Stub("var/cache", true),
                new MountPoints.Stub("var/cache/x", true));
    }

    @Test
    void symbolicLinksAreFollowedInsideTheRoot() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/../../real"));
        assertThat(MountPoints.missing(root, List.of(Mount.of("/etc/data", "tmpfs", "tmpfs"))))
                .containsExactly(new MountPoints.Stub("real/data", true));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        assertThatThrownBy(() -> MountPoints.missing(root, List.of(Mount.of("/loop/x", "tmpfs", "tmpfs"))))
                .isInstanceOf(ContainerException.class).hasMessageContaining("too many symbolic links");
    }

    @Test
    void aLayerOfStubsCopiesTheMetadataOfTheDirectoriesItGoesInto() throws Exception {
        Path merged = Files.createDirectories(dir.resolve("merged"));
        Path tmp = Files.createDirectories(merged.resolve("tmp"));
        Files.setAttribute(tmp, "unix:mode", 01777);
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(tmp, old);
        Path layer = dir.resolve("layer");
        MountPoints.writeLayer(layer, merged, List.of(new MountPoints.Stub("tmp/cache", true),
                new MountPoints.Stub("tmp/cache/f", false)));
        assertThat((Integer) Files.getAttribute(layer.resolve("tmp"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777)
                .isEqualTo(01777);
        assertThat(Files.getLastModifiedTime(layer.resolve("tmp"))).isEqualTo(old);
        assertThat(layer.resolve("tmp/cache")).isDirectory();
        assertThat(Files.getLastModifiedTime(layer.resolve("tmp/cache"))).isEqualTo(MountPoints.STUB_TIME);
        assertThat(layer.resolve("tmp/cache/f")).isEmptyFile();
        assertThat(merged.resolve("tmp/cache")).doesNotExist();
    }

    @Test
    void stubsCreatedInATreeLeaveItsDirectoriesTimesAsTheyWere() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path etc = Files.createDirectories(root.resolve("etc"));
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(etc, old);
        MountPoints.createIn(root, List.of(new MountPoints.Stub("etc/hosts", false), new MountPoints.Stub("proc", true)));
        assertThat(root.resolve("etc/hosts")).isEmptyFile();
        assertThat(root.resolve("proc")).isDirectory();
        assertThat(Files.getLastModifiedTime(etc)).isEqualTo(old);

        MountPoints.remove(root, List.of(new MountPoints.Stub("etc/hosts", false), new MountPoints.Stub("proc", true)));
        assertThat(root.resolve("etc/hosts")).doesNotExist();
        assertThat(root.resolve("proc")).doesNotExist();
    }

    @Test
    void removalLeavesWhatHoldsData() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("cache"));
        Files.writeString(root.resolve("cache/kept"), "data");
        Files.writeString(root.resolve("file"), "data");
        MountPoints.remove(root, List.of(new MountPoints.Stub("cache", true), new MountPoints.Stub("file", false)));
        assertThat(root.resolve("cache/kept")).hasContent("data");
        assertThat(root.resolve("file")).hasContent("data");
    }

    @Test
    void aRelativeWorkdirIsTakenFromTheImages() {
        ContainerConfig config = ContainerConfig.builder().workingDir("/app").build();
        assertThat(BuildRun.absoluteWorkdir(config, "sub")).isEqualTo("/app/sub");
        assertThat(BuildRun.absoluteWorkdir(config, "/abs")).isEqualTo("/abs");
        assertThat(BuildRun.absoluteWorkdir(ContainerConfig.EMPTY, "sub")).isEqualTo("/sub");
    }
}
