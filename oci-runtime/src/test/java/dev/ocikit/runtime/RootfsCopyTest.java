package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.AddedFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsCopyTest {
    @TempDir
    Path dir;

    @Test
    void filesGoWhereBuildahCopyPutsThem() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("existing"));
        Path file = Files.writeString(dir.resolve("f.txt"), "f\n");
        Path tree = Files.createDirectories(dir.resolve("tree/sub"));
        Files.writeString(tree.resolve("leaf"), "leaf\n");
        Files.createSymbolicLink(dir.resolve("tree/link"), Path.of("sub/leaf"));
        RootfsCopy.copy(root, "/work", List.of(AddedFile.of(file, "/into/"), AddedFile.of(file, "/existing"),
                AddedFile.of(file, "/renamed.txt"), AddedFile.of(file, "relative.txt"),
                AddedFile.of(dir.resolve("tree"), "/t").withOwner(1000, 10).withMode(0700)));
        assertThat(root.resolve("into/f.txt")).hasContent("f");
        assertThat(root.resolve("existing/f.txt")).hasContent("f");
        assertThat(root.resolve("renamed.txt")).hasContent("f");
        assertThat(root.resolve("work/relative.txt")).hasContent("f");
        assertThat(root.resolve("t/sub/leaf")).hasContent("leaf");
        assertThat(Files.readSymbolicLink(root.resolve("t/link"))).isEqualTo(Path.of("sub/leaf"));
        assertThat(Files.getAttribute(root.resolve("t/sub/leaf"), "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(root.resolve("t/sub/leaf"), "unix:gid")).isEqualTo(10);
        assertThat((Integer) Files.getAttribute(root.resolve("t/sub"), "unix:mode") & 07777).isEqualTo(0700);
        assertThat((Integer) Files.getAttribute(root.resolve("into"), "unix:mode") & 07777).isEqualTo(0755);
    }

    @Test
    void symbolicLinksOfTheImageAreFollowedInsideTheRootOnly() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("opt"), Path.of("/../../outside"));
        Files.createSymbolicLink(root.resolve("trap"), dir.resolve("victim"));
        Path file = Files.writeString(dir.resolve("f.txt"), "f\n");
        RootfsCopy.copy(root, "/", List.of(AddedFile.of(file, "/opt/f.txt"), AddedFile.of(file, "/trap")));
        assertThat(root.resolve("outside/f.txt")).hasContent("f");
        assertThat(dir.resolve("outside")).doesNotExist();
        // the last component is replaced, never written through
        assertThat(Files.isSymbolicLink(root.resolve("trap"))).isFalse();
        assertThat(root.resolve("trap")).hasContent("f");
        assertThat(dir.resolve("victim")).doesNotExist();
    }

    @Test
    void aFileCannotReplaceADirectoryNorGoUnderAFile() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("plain"), "x");
        Path file = Files.writeString(dir.resolve("f.txt"), "f\n");
        assertThatThrownBy(() -> RootfsCopy.copy(root, "/", List.of(AddedFile.of(file, "/plain/under"))))
                .isInstanceOf(ContainerException.class).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> RootfsCopy.copy(root, "/", List.of(AddedFile.of(dir.resolve("missing"), "/x"))))
                .isInstanceOf(ContainerException.class).hasMessageContaining("does not exist");
        assertThat(Files.isRegularFile(root.resolve("plain"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
