package dev.ocikit.image.archive;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static dev.ocikit.image.testing.TestImages.ARM64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.BlobUnknownException;
import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.spi.ImageNotFoundException;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.image.testing.MemoryTransport;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.image.testing.TestImages.Image;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.UnsupportedManifestException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.OciLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerArchiveTest {
    @TempDir
    Path dir;

    private final MemoryTransport mem = new MemoryTransport();
    private final Transports transports = Transports.load();
    private final Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 3, AMD64, "archive");

    private CopyResult save(Image img, String reference) throws IOException {
        mem.put("src", img);
        return Copy.from(mem.ref("src")).to(transports.parse("docker-archive:" + reference)).platform(AMD64).run();
    }

    private CopyResult load(String reference, MemoryTransport into) throws IOException {
        return Copy.from(transports.parse("docker-archive:" + reference)).to(into.ref("dst")).platform(AMD64).run();
    }

    /** The archive's members in order, with their contents (regular files) or link targets. */
    static Map<String, byte[]> members(Path tar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), e.isSymbolicLink() ? ("-> " + e.getLinkName()).getBytes() : in.readAllBytes());
            }
        }
        return out;
    }

    @Test
    void anImageIsSavedInTheLegacyDockerLayout() throws IOException {
        Path tar = dir.resolve("a.tar");
        save(image, tar + ":example.com/app:1");
        Map<String, byte[]> members = members(tar);

        JsonNode manifest = Json.tree(members.get("manifest.json"), "manifest.json");
        assertThat(manifest.size()).isEqualTo(1);
        JsonNode item = manifest.get(0);
        String configFile = Digest.sha256(image.config()).encoded() + ".json";
        assertThat(item.get("Config").textValue()).isEqualTo(configFile);
        assertThat(members.get(configFile)).isEqualTo(image.config());
        assertThat(item.get("RepoTags").toString()).isEqualTo("[\"example.com/app:1\"]");
        assertThat(item.get("Layers")).hasSize(3);
        String top = null;
        for (int i = 0; i < 3; i++) {
            String layer = item.get("Layers").get(i).textValue();
            assertThat(layer).matches("[0-9a-f]{64}/layer\\.tar");
            String id = layer.substring(0, 64);
            // uncompressed, so the file's digest is the layer's DiffID
            assertThat(Digest.sha256(members.get(layer))).isEqualTo(image.diffIds().get(i));
            assertThat(members.get(id + "/VERSION")).asString().isEqualTo("1.0");
            JsonNode json = Json.tree(members.get(id + "/json"), "layer json");
            assertThat(json.get("id").textValue()).isEqualTo(id);
            if (top != null) {
                assertThat(json.get("parent").textValue()).isEqualTo(top);
            }
            top = id;
        }
        JsonNode repositories = Json.tree(members.get("repositories"), "repositories");
        assertThat(repositories.get("example.com/app").get("1").textValue()).isEqualTo(top);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("a.tar");
    }

    @Test
    void anArchiveReadsBackAsADockerImageWithTheSameConfigAndDiffIds() throws IOException {
        Path tar = dir.resolve("a.tar");
        save(image, tar + ":example.com/app:1");
        MemoryTransport back = new MemoryTransport();
        CopyResult r = load(tar.toString(), back);
        ImageManifest m = ImageManifest.parse(back.manifest(r.manifestDigest()).bytes());
        assertThat(m.mediaType()).contains(MediaTypes.DOCKER_MANIFEST);
        assertThat(m.config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(m.config().digest()).isEqualTo(image.model().config().digest());
        assertThat(m.layers()).extracting(Descriptor::digest).containsExactlyElementsOf(image.diffIds());
        assertThat(m.layers()).allMatch(l -> l.mediaType().equals(MediaTypes.DOCKER_LAYER_TAR));
        for (Descriptor l : m.layers()) {
            assertThat(Digest.sha256(back.blob(l.digest()))).isEqualTo(l.digest());
            assertThat((long) back.blob(l.digest()).length).isEqualTo(l.size());
        }
        // the same archive always gives the same manifest, and tag or index pick the same image
        assertThat(load(tar + ":example.com/app:1", new MemoryTransport()).manifestDigest()).isEqualTo(r.manifestDigest());
        assertThat(load(tar + ":@0", new MemoryTransport()).manifestDigest()).isEqualTo(r.manifestDigest());
    }

    @Test
    void theSameImageGivesTheSameArchiveBytes() throws IOException {
        save(image, dir.resolve("a.tar") + ":example.com/app:1");
        save(image, dir.resolve("b.tar") + ":example.com/app:1");
        assertThat(Files.readAllBytes(dir.resolve("a.tar"))).isEqualTo(Files.readAllBytes(dir.resolve("b.tar")));
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(dir.resolve("a.tar")))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                assertThat(e.getModTime().getTime()).isZero();
                assertThat(e.getUserName()).isEmpty();
                assertThat(e.getLongUserId()).isZero();
            }
        }
    }

    @Test
    void anUntaggedImageHasNoRepoTags() throws IOException {
        Path tar = dir.resolve("u.tar");
        save(image, tar.toString());
        JsonNode item = Json.tree(members(tar).get("manifest.json"), "m").get(0);
        assertThat(item.get("RepoTags").size()).isZero();
        assertThat(load(tar.toString(), new MemoryTransport()).manifest().mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    }

    @Test
    void preservingDigestsStillStoresLayersUncompressed() throws IOException {
        Path tar = dir.resolve("p.tar");
        mem.put("src", image);
        Copy.from(mem.ref("src")).to(transports.parse("docker-archive:" + tar)).preserveDigests().run();
        Map<String, byte[]> members = members(tar);
        JsonNode layers = Json.tree(members.get("manifest.json"), "m").get(0).get("Layers");
        for (int i = 0; i < 3; i++) {
            assertThat(Digest.sha256(members.get(layers.get(i).textValue()))).isEqualTo(image.diffIds().get(i));
        }
    }

    @Test
    void anExistingArchiveIsNeitherOverwrittenNorAddedTo() throws IOException {
        Path tar = dir.resolve("exists.tar");
        Files.writeString(tar, "precious");
        assertThatThrownBy(() -> save(image, tar.toString()))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("does not add to or overwrite");
        assertThat(Files.readString(tar)).isEqualTo("precious");
    }

    @Test
    void anIndexIsRefusedBeforeAnythingIsWritten() {
        TestImages.Index index = TestImages.index(ManifestFormat.OCI, Compression.GZIP, List.of(AMD64, ARM64));
        mem.put("idx", index);
        Path tar = dir.resolve("i.tar");
        assertThatThrownBy(() -> Copy.from(mem.ref("idx")).to(transports.parse("docker-archive:" + tar))
                .allPlatforms().run())
                .isInstanceOf(UnsupportedManifestException.class)
                .hasMessageContaining("copy a single platform");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aFailedCopyLeavesNoArchiveAndNoTemporaryFiles() {
        mem.put("src", image);
        byte[] bad = image.layers().get(2).clone();
        bad[10] ^= 1;
        mem.corrupt(image.model().layers().get(2).digest(), bad);
        Path tar = dir.resolve("f.tar");
        assertThatThrownBy(() -> Copy.from(mem.ref("src")).to(transports.parse("docker-archive:" + tar)).run())
                .isInstanceOf(DigestMismatchException.class);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aMultiImageArchiveIsReadByTagByIndexAndNotByPathAlone() throws IOException {
        Path tar = writeTwoImages();
        CopyResult byTag = load(tar + ":example.com/two:b", new MemoryTransport());
        CopyResult byIndex = load(tar + ":@1", new MemoryTransport());
        assertThat(byIndex.manifestDigest()).isEqualTo(byTag.manifestDigest());
        MemoryTransport into = new MemoryTransport();
        CopyResult first = load(tar + ":@0", into);
        assertThat(first.manifestDigest()).isNotEqualTo(byTag.manifestDigest());
        assertThat(ImageManifest.parse(into.manifest(first.manifestDigest()).bytes()).config().digest())
                .isEqualTo(image.model().config().digest());

        assertThatThrownBy(() -> load(tar.toString(), new MemoryTransport()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("has 2 images; pick one with :REFERENCE or :@INDEX");
        assertThatThrownBy(() -> load(tar + ":@2", new MemoryTransport()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("no image @2: it has 2 images");
        assertThatThrownBy(() -> load(tar + ":example.com/two:c", new MemoryTransport()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("no image tagged example.com/two:c")
                .hasMessageContaining("example.com/two:b");
    }

    /** Two images sharing nothing, the second tagged twice; written as podman save -m writes them. */
    private Path writeTwoImages() throws IOException {
        Image second = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, ARM64, "second");
        mem.put("one", image);
        mem.put("two", second);
        Path tar = dir.resolve("two.tar");
        DockerArchive.at(tar).add(mem.ref("one"), "example.com/two:a")
                .add(mem.ref("two"), "example.com/two:b", "example.com/other").write();
        return tar;
    }

    @Test
    void severalImagesGoIntoOneArchiveTheirSharedLayersOnceOrNoArchiveAtAll() throws IOException {
        Image twin = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 3, ARM64, "archive"); // its layers, another config
        mem.put("a", image);
        mem.put("b", twin);
        Path tar = dir.resolve("both.tar");

        DockerArchive.at(tar).add(mem.ref("a"), "a:1").add(mem.ref("b")).write();

        JsonNode manifest = Json.tree(members(tar).get("manifest.json"), "manifest.json");
        assertThat(manifest).hasSize(2);
        assertThat(manifest.get(0).get("RepoTags").get(0).asText()).isEqualTo("docker.io/library/a:1");
        assertThat(manifest.get(1).get("RepoTags")).isEmpty();
        long layerFiles = members(tar).keySet().stream().filter(n -> n.endsWith("/layer.tar")).count();
        assertThat(twin.diffIds()).isEqualTo(image.diffIds());
        assertThat(layerFiles).isEqualTo(image.layers().size() + 1); // the base layers once; each top its own
        // one image that cannot be read: no archive, and nothing staged left behind
        Path failed = dir.resolve("failed.tar");
        assertThatThrownBy(() -> DockerArchive.at(failed).add(mem.ref("a")).add(mem.ref("missing")).write())
                .hasMessageContaining("mem:missing does not exist");
        assertThat(failed).doesNotExist();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".ocikit-docker-archive"));
        }
    }

    static DockerArchiveWriter.Image staged(Image img, Path stage, List<String> tags) throws IOException {
        List<DockerArchiveWriter.Layer> layers = new java.util.ArrayList<>();
        for (int i = 0; i < img.layers().size(); i++) {
            byte[] tar = decompress(img.layers().get(i));
            Path f = stage.resolve(img.diffIds().get(i).encoded());
            Files.write(f, tar);
            layers.add(new DockerArchiveWriter.Layer(img.diffIds().get(i), f, tar.length, img.layers().get(i).length));
        }
        return new DockerArchiveWriter.Image(img.config(), layers, tags);
    }

    static byte[] decompress(byte[] blob) throws IOException {
        try (InputStream in = dev.ocikit.image.LayerInputStream.open(new ByteArrayInputStream(blob), Compression.GZIP,
                dev.ocikit.image.LayerLimits.DEFAULT)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aDocker25ArchiveWithCompressedBlobsIsRead() throws IOException {
        // docker save since 25 (containerd store): an OCI layout plus manifest.json naming its blobs.
        String cfg = "blobs/sha256/" + Digest.sha256(image.config()).encoded();
        TarFixture t = new TarFixture()
                .file(OciLayout.FILE_NAME, OciLayout.CURRENT.toJson())
                .file("index.json", ImageIndex.builder().addManifest(Descriptor.of(MediaTypes.OCI_MANIFEST,
                        image.manifest().bytes())).build().toJson())
                .file("blobs/sha256/" + image.manifest().digest().encoded(), image.manifest().bytes())
                .file(cfg, image.config());
        StringBuilder layers = new StringBuilder();
        for (byte[] l : image.layers()) {
            String name = "blobs/sha256/" + Digest.sha256(l).encoded();
            t.file(name, l);
            layers.append(layers.length() == 0 ? "" : ",").append('"').append(name).append('"');
        }
        t.file("manifest.json", "[{\"Config\":\"" + cfg + "\",\"RepoTags\":[\"app:25\"],\"Layers\":[" + layers
                + "],\"LayerSources\":null}]");
        Path tar = t.writeTo(dir.resolve("d25.tar"));
        MemoryTransport back = new MemoryTransport();
        CopyResult r = load(tar + ":app:25", back);
        ImageManifest m = ImageManifest.parse(back.manifest(r.manifestDigest()).bytes());
        assertThat(m.layers()).extracting(Descriptor::digest).containsExactlyElementsOf(image.diffIds());
        for (int i = 0; i < 3; i++) {
            assertThat(back.blob(image.diffIds().get(i))).isEqualTo(decompress(image.layers().get(i)));
            assertThat(m.layers().get(i).size()).isEqualTo((long) decompress(image.layers().get(i)).length);
        }
    }

    @Test
    void layerLinksAreFollowedInsideTheArchive() throws IOException {
        // skopeo writes <id>/layer.tar as a symbolic link to the real file; hard links are followed too
        Image one = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "archive");
        byte[] layer = decompress(one.layers().get(0));
        byte[] config = one.config();
        Path tar = new TarFixture()
                .file("abc.tar", layer)
                .symlink("1111/layer.tar", "../abc.tar")
                .hardlink("2222/layer.tar", "1111/layer.tar")
                .file("c.json", config)
                .file("manifest.json", "[{\"Config\":\"./c.json\",\"RepoTags\":null,\"Layers\":[\"2222/layer.tar\"]}]")
                .writeTo(dir.resolve("links.tar"));
        MemoryTransport back = new MemoryTransport();
        load(tar.toString(), back);
        assertThat(back.blob(one.diffIds().get(0))).isEqualTo(layer);
    }

    @Test
    void aCompressedArchiveIsRead() throws IOException {
        Path tar = dir.resolve("a.tar");
        save(image, tar + ":example.com/app:1");
        Path gz = dir.resolve("a.tar.gz");
        Files.write(gz, TestImages.compress(Compression.GZIP, Files.readAllBytes(tar)));
        assertThat(load(gz.toString(), new MemoryTransport()).manifestDigest())
                .isEqualTo(load(tar.toString(), new MemoryTransport()).manifestDigest());
    }

    @Test
    void namesThatLeaveTheArchiveAreNotFollowed() throws IOException {
        Path outside = Files.writeString(dir.resolve("secret.json"), "{}");
        Path escape = new TarFixture()
                .symlink("c.json", "../secret.json")
                .file("manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[]}]")
                .writeTo(dir.resolve("escape.tar"));
        assertThatThrownBy(() -> load(escape.toString(), new MemoryTransport()))
                .isInstanceOf(MalformedArchiveException.class)
                .hasMessageContaining("outside the archive");
        Path dotdot = new TarFixture()
                .file("manifest.json", "[{\"Config\":\"../" + outside.getFileName() + "\",\"Layers\":[]}]")
                .writeTo(dir.resolve("dotdot.tar"));
        assertThatThrownBy(() -> load(dotdot.toString(), new MemoryTransport()))
                .isInstanceOf(MalformedArchiveException.class)
                .hasMessageContaining("has no file ../secret.json");
    }

    @Test
    void brokenArchivesAreRefusedSayingWhatIsWrong() throws IOException {
        Path noManifest = new TarFixture().file("x", "y").writeTo(dir.resolve("n.tar"));
        assertThatThrownBy(() -> load(noManifest.toString(), new MemoryTransport()))
                .isInstanceOf(MalformedArchiveException.class).hasMessageContaining("has no manifest.json");

        Path mismatch = new TarFixture()
                .file("c.json", image.config())
                .file("manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[]}]")
                .writeTo(dir.resolve("m.tar"));
        assertThatThrownBy(() -> load(mismatch.toString(), new MemoryTransport()))
                .isInstanceOf(MalformedArchiveException.class).hasMessageContaining("lists 3 layers but manifest.json names 0");

        Path notJson = new TarFixture().file("manifest.json", "{\"Config\":1}").writeTo(dir.resolve("j.tar"));
        assertThatThrownBy(() -> load(notJson.toString(), new MemoryTransport()))
                .isInstanceOf(MalformedArchiveException.class).hasMessageContaining("not a JSON array");

        Path notTar = Files.writeString(dir.resolve("t.tar"), "this is not a tar file at all, just text");
        assertThatThrownBy(() -> load(notTar.toString(), new MemoryTransport()))
                .isInstanceOf(MalformedArchiveException.class);
    }

    @Test
    void aSourceServesOnlyItsOwnBlobsAndCleansUpAfterItself() throws IOException {
        Path tar = dir.resolve("a.tar");
        save(image, tar.toString());
        Path gz = dir.resolve("a.tar.gz");
        Files.write(gz, TestImages.compress(Compression.GZIP, Files.readAllBytes(tar)));
        List<Path> before = temporaries();
        try (ImageSource src = transports.parse("docker-archive:" + gz).openSource()) {
            assertThat(temporaries()).hasSize(before.size() + 1); // the decompressed copy
            ManifestBlob m = src.manifest(Optional.empty());
            assertThat(src.manifest(Optional.of(m.digest()))).isEqualTo(m);
            assertThatThrownBy(() -> src.manifest(Optional.of(Digest.sha256(new byte[0]))))
                    .isInstanceOf(BlobUnknownException.class);
            assertThatThrownBy(() -> src.blob(Descriptor.of(MediaTypes.DOCKER_LAYER_TAR, new byte[] {1})))
                    .isInstanceOf(BlobUnknownException.class);
        }
        assertThat(temporaries()).containsExactlyInAnyOrderElementsOf(before);
    }

    private static List<Path> temporaries() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("ocikit-archive-")).toList();
        }
    }
}
