package dev.ocikit.image;

import static dev.ocikit.image.LayerPackerTest.EPOCH;
import static dev.ocikit.image.LayerPackerTest.entries;
import static dev.ocikit.image.LayerPackerTest.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.spec.image.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddedFilesTest {
    static final Instant OLD = Instant.parse("2010-10-10T10:10:10Z");

    @TempDir
    Path tmp;

    static Map<String, TarArchiveEntry> byName(List<TarArchiveEntry> entries) {
        return entries.stream().collect(Collectors.toMap(TarArchiveEntry::getName, Function.identity()));
    }

    @Test
    void placesSourcesAtTheirDestinationsWithOverridesAndMadeUpParents() throws IOException {
        Path jar = PackTrees.write(tmp.resolve("build/app-1.0.jar"), "jar bytes");
        Path latest = Files.createSymbolicLink(tmp.resolve("build/latest.jar"), Path.of("app-1.0.jar"));
        Path script = PackTrees.write(tmp.resolve("build/run.sh"), "#!/bin/sh\n");
        Path conf = tmp.resolve("conf");
        PackTrees.write(conf.resolve("app.conf"), "from the directory\n");
        PackTrees.write(conf.resolve("override.conf"), "from the directory\n");
        PackTrees.write(conf.resolve("sub/more.conf"), "more\n");
        Files.createSymbolicLink(conf.resolve("current"), Path.of("app.conf"));
        Path override = PackTrees.write(tmp.resolve("override.conf"), "listed on its own\n");

        List<AddedFile> files = List.of(
                AddedFile.of(jar, "/app/app.jar").withOwner(1000, 1001).withMode(0640).withMtime(OLD),
                AddedFile.of(latest, "app/latest.jar"),
                AddedFile.of(script, "/usr/local/bin/").withMode(04755),
                AddedFile.of(conf, "/etc/app").withOwner(7, 8).withMtime(OLD),
                AddedFile.of(override, "/etc/app/override.conf"));
        List<TarArchiveEntry> entries = entries(tar(LayerContent.files(files)));

        assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly(
                "app/", "app/app.jar", "app/latest.jar",
                "etc/", "etc/app/", "etc/app/app.conf", "etc/app/current", "etc/app/override.conf",
                "etc/app/sub/", "etc/app/sub/more.conf",
                "usr/", "usr/local/", "usr/local/bin/", "usr/local/bin/run.sh");
        Map<String, TarArchiveEntry> e = byName(entries);

        TarArchiveEntry parent = e.get("usr/local/");
        assertThat(parent.getMode() & 07777).isEqualTo(0755);
        assertThat(parent.getLongUserId()).isZero();
        assertThat(parent.getLastModifiedTime().toInstant()).isEqualTo(EPOCH);

        TarArchiveEntry app = e.get("app/app.jar");
        assertThat(app.getMode() & 07777).isEqualTo(0640);
        assertThat(app.getLongUserId()).isEqualTo(1000);
        assertThat(app.getLongGroupId()).isEqualTo(1001);
        assertThat(app.getLastModifiedTime().toInstant()).isEqualTo(OLD);

        // A listed symlink is followed; symlinks inside an added directory are kept.
        assertThat(e.get("app/latest.jar").isFile()).isTrue();
        assertThat(e.get("app/latest.jar").getSize()).isEqualTo(9);
        assertThat(e.get("etc/app/current").isSymbolicLink()).isTrue();
        assertThat(e.get("etc/app/current").getLinkName()).isEqualTo("app.conf");

        assertThat(e.get("usr/local/bin/run.sh").getMode() & 07777).isEqualTo(04755);

        // The directory's overrides reach everything in it; the listed file keeps its own.
        for (String n : List.of("etc/app/", "etc/app/app.conf", "etc/app/sub/", "etc/app/sub/more.conf")) {
            assertThat(e.get(n).getLongUserId()).as(n).isEqualTo(7);
            assertThat(e.get(n).getLongGroupId()).as(n).isEqualTo(8);
            assertThat(e.get(n).getLastModifiedTime().toInstant()).as(n).isEqualTo(OLD);
        }
        assertThat(e.get("etc/app/override.conf").getSize()).isEqualTo("listed on its own\n".length());
    }

    @Test
    void theLayerUnpacksToTheListedFiles() throws IOException {
        assumeTrue(PackTrees.root(), "owners need root to unpack");
        Path conf = tmp.resolve("conf");
        PackTrees.write(conf.resolve("a"), "a\n");
        Path bin = PackTrees.write(tmp.resolve("tool"), "tool\n");
        BlobStore store = BlobStore.open(tmp.resolve("store"));
        PackedLayer layer = LayerPacker.defaults().pack(LayerContent.files(List.of(
                AddedFile.of(conf, "/"),
                AddedFile.of(bin, "/opt/tool").withOwner(5, 6).withMode(0700))), store);
        Path out = tmp.resolve("out");
        Unpacker.defaults().unpack(List.of(LayerPackerTest.source(store, layer)), out);

        assertThat(out.resolve("a")).hasContent("a");
        assertThat(out.resolve("opt/tool")).hasContent("tool");
        assertThat(UnpackerTest.mode(out.resolve("opt/tool"))).isEqualTo(0700);
        assertThat(UnpackerTest.uid(out.resolve("opt/tool"))).isEqualTo(5);
        assertThat(UnpackerTest.mode(out.resolve("opt"))).isEqualTo(0755);
        assertThat(Files.getLastModifiedTime(out.resolve("opt")).toInstant()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void conflictingDestinationsAreRefused() throws IOException {
        Path f = PackTrees.write(tmp.resolve("f"), "f");
        Path g = PackTrees.write(tmp.resolve("g"), "g");
        Path dir = Files.createDirectories(tmp.resolve("d"));

        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(f, "/x"), AddedFile.of(g, "x")))))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("'x' is added twice");
        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(f, "/x"), AddedFile.of(g, "/x/y")))))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("'x/' is already added as a file");
        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(g, "/x/y"), AddedFile.of(f, "/x")))))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("must be a directory");
        // "." and "/" name the root directory, which always exists: a file goes into it under its own name.
        assertThat(entries(tar(LayerContent.files(List.of(AddedFile.of(f, ".")))))).extracting(TarArchiveEntry::getName)
                .containsExactly("f");
        assertThat(entries(tar(LayerContent.files(List.of(AddedFile.of(f, "/")))))).extracting(TarArchiveEntry::getName)
                .containsExactly("f");
        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(f, "/etc/.wh.x")))))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("'.wh.'");
        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(f, "/.wh.etc/x")))))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("'/.wh.etc/x' cannot be packed");
        assertThatThrownBy(() -> tar(LayerContent.files(List.of(AddedFile.of(tmp.resolve("missing"), "/m")))))
                .isInstanceOf(NoSuchFileException.class);
        // A directory may be added where other items were placed inside it first.
        assertThat(entries(tar(LayerContent.files(List.of(AddedFile.of(g, "/d/g"), AddedFile.of(dir, "/d"))))))
                .extracting(TarArchiveEntry::getName).containsExactly("d/", "d/g");
    }

    @Test
    void addedFilesAreCheckedWhenMade() {
        Path f = tmp.resolve("f");
        assertThatThrownBy(() -> AddedFile.of(f, "/a/../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> AddedFile.of(f, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AddedFile.of(f, "/x").withMode(010000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mode");
        assertThatThrownBy(() -> AddedFile.of(f, "/x").withOwner(-1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uid");
        assertThat(AddedFile.of(f, "/x").withOwner(1, 2).uid()).contains(1L);
    }

    @Test
    void withoutAnEpochMadeUpParentsAreDatedNineteenSeventy() throws IOException {
        Path f = PackTrees.write(tmp.resolve("f"), "f");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerPacker.of(PackOptions.newBuilder().compression(Compression.NONE).build())
                .write(LayerContent.files(List.of(AddedFile.of(f, "/a/b/f"))), out);
        List<TarArchiveEntry> entries = entries(out.toByteArray());
        assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly("a/", "a/b/", "a/b/f");
        assertThat(entries.get(0).getLastModifiedTime().toInstant()).isEqualTo(Instant.EPOCH);
    }
}
