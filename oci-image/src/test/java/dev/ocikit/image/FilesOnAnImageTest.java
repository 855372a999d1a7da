package dev.ocikit.image;

import static dev.ocikit.image.LayerPackerTest.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LayerContent#files(List, ImageTree)}: files added on top of an image, as COPY adds them. */
class FilesOnAnImageTest {
    @TempDir
    Path tmp;

    private ImageTree image(TarBuilder layer) throws IOException {
        return ImageTree.empty().plus(LayerSource.of(layer.writeTo(Files.createTempFile(tmp, "layer", ".tar"))));
    }

    private static long uid(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:uid")).longValue();
    }

    /** Entry name to "dir MODE UID" / "file UID content" / "link TARGET", in layer order. */
    private static Map<String, String> layer(List<AddedFile> files, ImageTree below) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        byte[] bytes = tar(LayerContent.files(files, below));
        try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(bytes))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                String mode = Integer.toOctalString(e.getMode() & 07777) + " " + e.getLongUserId();
                out.put(e.getName(), e.isDirectory() ? "dir " + mode
                        : e.isSymbolicLink() ? "link " + e.getLinkName()
                        : "file " + e.getLongUserId() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void madeUpParentsTheImageHasAreLeftOutAndMissingOnesWritten() throws IOException {
        ImageTree below = image(new TarBuilder().dir("tmp", 01777).dir("home", 0755).dir("home/app", 0700));
        Path x = PackTrees.write(tmp.resolve("x"), "x");
        Path cfg = PackTrees.write(tmp.resolve("cfg"), "c");

        Map<String, String> layer = layer(List.of(
                AddedFile.of(x, "/tmp/a/x"),
                AddedFile.of(cfg, "/home/app/.config/app/cfg").withOwner(1000, 1000),
                AddedFile.of(x, "/srv/www/")), below);

        // tmp/, home/ and home/app/ stay as the image has them: 1777, and the user's own.
        assertThat(layer.keySet()).containsExactly("home/app/.config/", "home/app/.config/app/",
                "home/app/.config/app/cfg", "srv/", "srv/www/", "srv/www/x", "tmp/a/", "tmp/a/x");
        assertThat(layer.get("tmp/a/")).isEqualTo("dir 755 0");
        assertThat(layer.get("home/app/.config/app/cfg")).isEqualTo("file 1000 c");

        // The same list on an empty image makes every parent up.
        assertThat(layer(List.of(AddedFile.of(x, "/tmp/a/x")), ImageTree.empty()).keySet())
                .containsExactly("tmp/", "tmp/a/", "tmp/a/x");
    }

    @Test
    void aDirectorySourceKeepsTheMetadataOfAnExistingDestinationNotOfItsSubdirectories() throws IOException {
        ImageTree below = image(new TarBuilder().dir("etc", 0755).dir("etc/ssl", 0755));
        Path conf = tmp.resolve("conf");
        PackTrees.write(conf.resolve("app.conf"), "a");
        PackTrees.write(conf.resolve("ssl/extra.pem"), "p");
        PackTrees.mode(conf, 0700);
        PackTrees.mode(conf.resolve("ssl"), 0750);

        Map<String, String> layer = layer(List.of(AddedFile.of(conf, "/etc/")), below);
        // etc/ is left alone; etc/ssl/ comes from the source's content, as copying it sets it.
        assertThat(layer.keySet()).containsExactly("etc/app.conf", "etc/ssl/", "etc/ssl/extra.pem");
        assertThat(layer.get("etc/ssl/")).startsWith("dir 750 ");

        // A destination the image does not have takes the source directory's metadata, as before.
        assertThat(layer(List.of(AddedFile.of(conf, "/opt/conf")), below)).containsKey("opt/conf/")
                .hasEntrySatisfying("opt/conf/", v -> assertThat(v).startsWith("dir 700 "));
    }

    @Test
    void aFileWhoseDestinationIsADirectoryInTheImageGoesInsideIt() throws IOException {
        ImageTree below = image(new TarBuilder().dir("opt", 0755).dir("srv/app", 0755).symlink("app", "srv/app")
                .file("etc/motd", "old"));
        Path jar = PackTrees.write(tmp.resolve("app.jar"), "jar");

        assertThat(layer(List.of(AddedFile.of(jar, "/opt")), below)).containsOnlyKeys("opt/app.jar");
        assertThat(layer(List.of(AddedFile.of(jar, "/opt/")), below)).containsOnlyKeys("opt/app.jar");
        // Through a symlink to a directory, as cp would.
        assertThat(layer(List.of(AddedFile.of(jar, "/app")), below)).containsOnlyKeys("srv/app/app.jar");
        // A file there, or nothing, is replaced by the file.
        assertThat(layer(List.of(AddedFile.of(jar, "/etc/motd")), below)).containsOnlyKeys("etc/motd");
        assertThat(layer(List.of(AddedFile.of(jar, "/srv/app.jar")), below)).containsOnlyKeys("srv/app.jar");
        // Without an image, /opt is a new file.
        assertThat(layer(List.of(AddedFile.of(jar, "/opt")), ImageTree.empty())).containsOnlyKeys("opt");
    }

    @Test
    void destinationsUnderASymlinkedDirectoryGoWhereTheLinkLeads() throws IOException {
        // A merged-/usr image: replacing /lib with a directory would break every program in it.
        ImageTree below = image(new TarBuilder().dir("usr/lib", 0755).symlink("lib", "usr/lib")
                .symlink("loop", "loop"));
        Path so = PackTrees.write(tmp.resolve("libfoo.so"), "elf");

        assertThat(layer(List.of(AddedFile.of(so, "/lib/x86_64-linux-gnu/")), below).keySet())
                .containsExactly("usr/lib/x86_64-linux-gnu/", "usr/lib/x86_64-linux-gnu/libfoo.so");
        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(so, "/loop/x")), below)))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("symbolic links");
    }

    @Test
    void directoriesAtOneDestinationAreMergedTheLaterWinning() throws IOException {
        Path a = tmp.resolve("a");
        PackTrees.write(a.resolve("only-a"), "a");
        PackTrees.write(a.resolve("same"), "from a");
        PackTrees.write(a.resolve("sub/in-a"), "a");
        PackTrees.write(a.resolve("was-dir/inside"), "a");
        Path b = tmp.resolve("b");
        PackTrees.write(b.resolve("only-b"), "b");
        PackTrees.write(b.resolve("same"), "from b");
        PackTrees.write(b.resolve("sub/in-b"), "b");
        PackTrees.write(b.resolve("was-dir"), "now a file");

        Map<String, String> layer = layer(List.of(AddedFile.of(a, "/app/"), AddedFile.of(b, "/app/").withOwner(9, 9)),
                ImageTree.empty());
        assertThat(layer.keySet()).containsExactly("app/", "app/only-a", "app/only-b", "app/same", "app/sub/",
                "app/sub/in-a", "app/sub/in-b", "app/was-dir");
        assertThat(layer.get("app/same")).isEqualTo("file 9 from b");
        assertThat(layer.get("app/only-a")).isEqualTo("file " + uid(a) + " a");
        assertThat(layer.get("app/was-dir")).isEqualTo("file 9 now a file");
        assertThat(layer.get("app/sub/")).startsWith("dir ").endsWith(" 9");

        // A listed file still wins over what the merged directories hold under its name.
        Path listed = PackTrees.write(tmp.resolve("listed"), "listed");
        assertThat(layer(List.of(AddedFile.of(a, "/app"), AddedFile.of(listed, "/app/sub/in-a"), AddedFile.of(b, "/app")),
                ImageTree.empty())).containsEntry("app/sub/in-a", "file " + uid(listed) + " listed")
                .containsKey("app/sub/in-b");
        // A file and a directory, or two files, at one destination are still refused.
        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(a, "/app"), AddedFile.of(listed, "/app")))))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("added twice");
    }

    @Test
    void aFileListedDeepInsideAnAddedDirectoryKeepsWhatThatDirectoryHoldsBesideIt() throws IOException {
        Path conf = tmp.resolve("conf");
        PackTrees.write(conf.resolve("sub/more.conf"), "more");
        PackTrees.mode(conf.resolve("sub"), 0750);
        Path extra = PackTrees.write(tmp.resolve("extra.conf"), "extra");

        Map<String, String> layer = layer(List.of(AddedFile.of(conf, "/etc/app"),
                AddedFile.of(extra, "/etc/app/sub/extra.conf")), ImageTree.empty());
        assertThat(layer.keySet()).containsExactly("etc/", "etc/app/", "etc/app/sub/", "etc/app/sub/extra.conf",
                "etc/app/sub/more.conf");
        assertThat(layer.get("etc/app/sub/")).as("the source's, not made up").startsWith("dir 750 ");
    }

    @Test
    void aSymlinkSourceIsNamedAsTheLinkWithItsTargetsContent() throws IOException {
        Path jar = PackTrees.write(tmp.resolve("build/app-1.2.jar"), "jar 1.2");
        Path current = Files.createSymbolicLink(tmp.resolve("build/current.jar"), Path.of("app-1.2.jar"));
        ImageTree below = image(new TarBuilder().dir("opt", 0755));

        assertThat(layer(List.of(AddedFile.of(current, "/app/")), below)).containsEntry("app/current.jar",
                "file " + uid(jar) + " jar 1.2").doesNotContainKey("app/app-1.2.jar");
        assertThat(layer(List.of(AddedFile.of(current, "/opt")), below)).containsOnlyKeys("opt/current.jar");
        assertThat(layer(List.of(AddedFile.of(current, "/")), below)).containsOnlyKeys("current.jar");
    }
}
