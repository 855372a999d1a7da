package dev.ocikit.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsPathsTest {
    @TempDir
    Path root;

    @Test
    void linksAreFollowedInsideTheRootAndMissingPartsKeptAsWritten() throws Exception {
        Files.createDirectories(root.resolve("usr/lib"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("/usr/lib"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../.."));
        assertThat(RootfsPaths.components(root, "/lib/x/y")).containsExactly("usr", "lib", "x", "y");
        assertThat(RootfsPaths.components(root, "/up/etc")).containsExactly("etc");
        assertThat(RootfsPaths.resolve(root, "lib")).isEqualTo(root.toAbsolutePath().normalize().resolve("usr/lib"));
    }

    @Test
    void aPathBelowAFileIsMissingNotAnError() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/hosts"), "");
        assertThat(RootfsPaths.components(root, "/etc/hosts/x")).containsExactly("etc", "hosts", "x");
    }

    @Test
    void aLinkLoopIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        assertThatThrownBy(() -> RootfsPaths.components(root, "/loop/x")).isInstanceOf(RootfsEscapeException.class)
                .hasMessageContaining("too many symbolic links");
    }
}
