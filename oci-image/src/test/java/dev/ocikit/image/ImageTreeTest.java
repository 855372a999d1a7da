package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTreeTest {
    @TempDir
    Path tmp;
    int n;

    private LayerSource layer(TarBuilder tar) throws IOException {
        return LayerSource.of(tar.writeTo(tmp.resolve("layer" + n++ + ".tar")));
    }

    @Test
    void directoriesFilesAndLinksWithImpliedParents() throws IOException {
        ImageTree t = ImageTree.empty().plus(layer(new TarBuilder()
                .dir("./etc", 0755)
                .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
                .file("usr/lib/libc.so", "elf")
                .symlink("lib", "usr/lib")
                .hardlink("etc/passwd-", "etc/passwd")));

        assertThat(t.describe()).containsExactly(
                java.util.Map.entry("etc", "dir"), java.util.Map.entry("etc/passwd", "file"),
                java.util.Map.entry("etc/passwd-", "file"), java.util.Map.entry("lib", "-> usr/lib"),
                java.util.Map.entry("usr", "dir"), java.util.Map.entry("usr/lib", "dir"),
                java.util.Map.entry("usr/lib/libc.so", "file"));
        assertThat(t.size()).isEqualTo(7);
        assertThat(t.isDirectory("/etc")).isTrue();
        assertThat(t.isDirectory("etc/")).isTrue();
        assertThat(t.isDirectory("usr")).as("implied by usr/lib/libc.so").isTrue();
        assertThat(t.isDirectory("/")).isTrue();
        assertThat(t.isDirectory("")).isTrue();
        assertThat(t.isDirectory("etc/passwd")).isFalse();
        assertThat(t.isDirectory("opt")).isFalse();
        assertThat(t.exists("/etc/passwd-")).isTrue();
        assertThat(t.exists("opt")).isFalse();
        // A symlink to a directory is followed, on the way and at the end.
        assertThat(t.isDirectory("/lib")).isTrue();
        assertThat(t.exists("lib/libc.so")).isTrue();
        assertThat(ImageTree.empty().isDirectory("/")).isTrue();
        assertThat(ImageTree.empty().exists("etc")).isFalse();
    }

    @Test
    void whiteoutsAndOpaqueMarkersHideWhatTheLayersBelowHold() throws IOException {
        LayerSource base = layer(new TarBuilder()
                .dir("tmp", 01777).file("tmp/a", "a")
                .dir("etc", 0755).file("etc/hosts", "h").file("etc/group", "g").dir("etc/ssl", 0755).file("etc/ssl/cert", "c")
                .dir("var/cache", 0755).file("var/cache/x", "x"));
        LayerSource upper = layer(new TarBuilder()
                .file("tmp/.wh.a", "")
                .file(".wh.var", "")
                .dir("etc", 0755).file("etc/.wh..wh..opq", "").file("etc/hosts", "new")
                // A whiteout deletes from the layers below only, not this layer's own entry.
                .file("new", "n").file(".wh.new", ""));
        ImageTree below = ImageTree.of(List.of(base));
        ImageTree t = below.plus(upper);

        assertThat(t.exists("tmp/a")).isFalse();
        assertThat(t.isDirectory("tmp")).isTrue();
        assertThat(t.exists("var")).isFalse();
        assertThat(t.exists("var/cache/x")).isFalse();
        assertThat(t.exists("etc/hosts")).as("added again in the opaque directory's layer").isTrue();
        assertThat(t.exists("etc/group")).isFalse();
        assertThat(t.exists("etc/ssl")).isFalse();
        assertThat(t.exists("etc/ssl/cert")).isFalse();
        assertThat(t.isDirectory("etc")).isTrue();
        assertThat(t.exists("new")).isTrue();
        // plus leaves the tree it is called on as it was.
        assertThat(below.exists("tmp/a")).isTrue();
        assertThat(below.exists("var/cache/x")).isTrue();

        // A name deleted below and added again above is there; a whole-root opaque marker empties the image.
        ImageTree again = t.plus(layer(new TarBuilder().dir("var", 0700)));
        assertThat(again.isDirectory("var")).isTrue();
        assertThat(again.exists("var/cache")).isFalse();
        ImageTree emptied = again.plus(layer(new TarBuilder().file(".wh..wh..opq", "").file("only", "o")));
        assertThat(emptied.describe()).containsOnlyKeys("only");
    }

    @Test
    void aFileReplacesADirectoryAndAllItHeld() throws IOException {
        ImageTree t = ImageTree.of(List.of(
                layer(new TarBuilder().dir("opt", 0755).dir("opt/app", 0755).file("opt/app/x", "x").file("opt2", "y")),
                layer(new TarBuilder().file("opt", "now a file").dir("opt2", 0755))));
        assertThat(t.isDirectory("opt")).isFalse();
        assertThat(t.exists("opt")).isTrue();
        assertThat(t.exists("opt/app")).isFalse();
        assertThat(t.exists("opt/app/x")).isFalse();
        assertThat(t.isDirectory("opt2")).isTrue();
    }

    @Test
    void symlinksAreFollowedInsideTheImage() throws IOException {
        ImageTree t = ImageTree.of(List.of(
                layer(new TarBuilder()
                        .dir("usr/lib", 0755)
                        .symlink("lib", "usr/lib")
                        .symlink("usr/lib64", "/usr/./lib/")
                        .symlink("up", "../../../usr")
                        .symlink("dangling", "nowhere")
                        .symlink("file-link", "etc/hosts")
                        .file("etc/hosts", "h")
                        .symlink("loop1", "loop2")
                        .symlink("loop2", "/loop1")),
                // An entry under a symlinked directory lands where the link leads, as unpacking puts it.
                layer(new TarBuilder().file("lib/libz.so", "z"))));

        assertThat(t.isDirectory("lib")).isTrue();
        assertThat(t.isDirectory("usr/lib64")).isTrue();
        assertThat(t.isDirectory("up/lib")).as("'..' stops at the root").isTrue();
        assertThat(t.exists("usr/lib/libz.so")).isTrue();
        assertThat(t.describe()).containsEntry("lib", "-> usr/lib").doesNotContainKey("lib/libz.so");
        assertThat(t.isDirectory("file-link")).isFalse();
        assertThat(t.isDirectory("dangling")).isFalse();
        assertThat(t.exists("dangling")).as("the link itself").isTrue();
        assertThat(t.exists("dangling/x")).isFalse();
        // ".." after a link goes up from where the link leads, as the kernel does.
        assertThat(t.isDirectory("lib/../etc")).isFalse();
        assertThat(t.isDirectory("lib/../../etc")).isTrue();
        assertThatThrownBy(() -> t.isDirectory("loop1/x"))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("symbolic links");
    }

    @Test
    void compressedLayersAreReadAndTheirDiffIdChecked() throws IOException {
        byte[] tar = new TarBuilder().dir("srv", 0755).file("srv/index.html", "hi").build();
        Path gz = tmp.resolve("layer.tar.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(gz))) {
            out.write(tar);
        }
        ImageTree t = ImageTree.empty().plus(LayerSource.of(gz).withDiffId(Digest.sha256(tar)));
        assertThat(t.exists("srv/index.html")).isTrue();

        Digest wrong = Digest.sha256("something else".getBytes());
        assertThatThrownBy(() -> ImageTree.empty().plus(LayerSource.of(gz).withDiffId(wrong)))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining(wrong.toString());
    }
}
