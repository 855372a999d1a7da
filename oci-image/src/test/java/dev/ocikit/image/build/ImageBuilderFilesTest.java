package dev.ocikit.image.build;

import static dev.ocikit.image.build.ImageBuilderTest.AMD64;
import static dev.ocikit.image.build.ImageBuilderTest.EPOCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageLayout;
import dev.ocikit.image.ImageStore;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files steps see the image their step builds on: what earlier steps laid down stays as it is. */
class ImageBuilderFilesTest {
    @TempDir
    Path tmp;

    private Path file(String name, String content) throws IOException {
        Path p = tmp.resolve("ctx").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    private Path dir(String name) throws IOException {
        return Files.createDirectories(tmp.resolve("ctx").resolve(name));
    }

    /** The entries of each layer of the image a build wrote to an OCI layout. */
    private static List<Map<String, String>> layers(BuiltImage built) throws IOException {
        String within = built.destination().withinTransport();
        ImageLayout layout = ImageLayout.open(Path.of(within.substring(0, within.lastIndexOf(':'))));
        ImageManifest m = layout.imageManifest(layout.resolve(within.substring(within.lastIndexOf(':') + 1)),
                Platform.host()).model();
        List<Map<String, String>> out = new java.util.ArrayList<>();
        for (Descriptor d : m.layers()) {
            out.add(ImageBuilderTest.entries(layout.openBlob(d.digest()), true));
        }
        return out;
    }

    private static List<Map<String, String>> layers(ImageStore store, BuiltImage built) throws IOException {
        ImageManifest m = ImageManifest.parse(store.blobStore().readAllBytes(built.digest(), 1 << 20));
        List<Map<String, String>> out = new java.util.ArrayList<>();
        for (Descriptor d : m.layers()) {
            out.add(ImageBuilderTest.entries(store.blobStore().open(d.digest()), true));
        }
        return out;
    }

    @Test
    void aCopyBelowTmpKeepsTmpAsTheEarlierStepMadeIt() throws Exception {
        Path archive = tmp.resolve("files.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
            TarArchiveEntry e = new TarArchiveEntry("extracted");
            byte[] body = "e".getBytes(StandardCharsets.UTF_8);
            e.setSize(body.length);
            tar.putArchiveEntry(e);
            tar.write(body);
            tar.closeArchiveEntry();
        }
        BuiltImage built = ImageBuilder.scratch(AMD64)
                .copy(AddedFile.of(dir("tmp"), "/tmp").withMode(01777))
                .copy(file("x", "x"), "/tmp/a/x")
                .addTar(archive, "/tmp")
                .timestamp(EPOCH).commit("oci:" + tmp.resolve("out") + ":t");

        List<Map<String, String>> layers = layers(built);
        assertThat(layers.get(0)).containsEntry("tmp/", "dir 1777 " + owner(tmp.resolve("ctx/tmp")));
        assertThat(layers.get(1)).containsOnlyKeys("tmp/a/", "tmp/a/x");
        assertThat(layers.get(2)).containsOnlyKeys("tmp/extracted");
    }

    @Test
    void aFileCopiedToAnExistingDirectoryGoesInsideIt() throws Exception {
        BuiltImage built = ImageBuilder.scratch(AMD64)
                .copy(dir("opt"), "/opt")
                .copy(file("app.jar", "jar"), "/opt")
                .timestamp(EPOCH).commit("oci:" + tmp.resolve("out") + ":o");

        List<Map<String, String>> layers = layers(built);
        assertThat(layers.get(0)).containsOnlyKeys("opt/");
        assertThat(layers.get(1)).containsOnlyKeys("opt/app.jar");
        assertThat(layers.get(1).get("opt/app.jar")).startsWith("file ").endsWith(" jar");
    }

    @Test
    void twoDirectoriesAtOneDestinationAreMerged() throws Exception {
        file("a/one", "1");
        file("a/same", "from a");
        file("b/two", "2");
        file("b/same", "from b");
        BuiltImage built = ImageBuilder.scratch(AMD64)
                .add(List.of(AddedFile.of(tmp.resolve("ctx/a"), "/app/"), AddedFile.of(tmp.resolve("ctx/b"), "/app/")),
                        "COPY a/ b/ /app/")
                .timestamp(EPOCH).commit("oci:" + tmp.resolve("out") + ":m");

        Map<String, String> layer = layers(built).get(0);
        assertThat(layer).containsOnlyKeys("app/", "app/one", "app/same", "app/two");
        assertThat(layer.get("app/same")).endsWith(" from b");
    }

    @Test
    void aSymlinkIsCopiedUnderItsOwnName() throws Exception {
        Path jar = file("app-1.2.jar", "jar 1.2");
        Path current = Files.createSymbolicLink(tmp.resolve("ctx/current.jar"), jar.getFileName());
        BuiltImage built = ImageBuilder.scratch(AMD64).copy(current, "/app/")
                .timestamp(EPOCH).commit("oci:" + tmp.resolve("out") + ":s");

        assertThat(layers(built).get(0)).containsOnlyKeys("app/", "app/current.jar");
        assertThat(layers(built).get(0).get("app/current.jar")).endsWith(" jar 1.2");
    }

    @Test
    void renamingAFileCopiedIntoADirectoryMissesTheCache() throws Exception {
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        BuildCache cache = BuildCache.of(store);
        Path d = dir("d");
        Path a = file("a.txt", "same content");
        Path b = file("b.txt", "same content");
        ImageBuilder base = ImageBuilder.scratch(AMD64).copy(AddedFile.of(d, "/d").withMode(0700))
                .cache(cache).timestamp(EPOCH);

        BuiltImage first = base.copy(a, "/d/").commit(store, "r:1");
        assertThat(first.cachedSteps()).isZero();
        assertThat(base.copy(a, "/d/").commit(store, "r:2").cachedSteps()).isEqualTo(2);

        BuiltImage renamed = base.copy(b, "/d/").commit(store, "r:3");
        assertThat(renamed.cachedSteps()).as("only the step laying down /d").isEqualTo(1);
        List<Map<String, String>> layers = layers(store, renamed);
        // The image below came from the cache and was still read: d/ keeps its 0700.
        assertThat(layers.get(1)).containsOnlyKeys("d/b.txt");
        assertThat(renamed.digest()).isNotEqualTo(first.digest());

        // The same into a destination without '/' that is a directory in the image below.
        BuiltImage intoDir = base.copy(a, "/d").commit(store, "r:4");
        assertThat(layers(store, intoDir).get(1)).containsOnlyKeys("d/a.txt");
        BuiltImage intoDirRenamed = base.copy(b, "/d").commit(store, "r:5");
        assertThat(intoDirRenamed.cachedSteps()).isEqualTo(1);
        assertThat(layers(store, intoDirRenamed).get(1)).containsOnlyKeys("d/b.txt");
    }

    private static String owner(Path p) throws IOException {
        return Files.getAttribute(p, "unix:uid") + ":" + Files.getAttribute(p, "unix:gid");
    }
}
