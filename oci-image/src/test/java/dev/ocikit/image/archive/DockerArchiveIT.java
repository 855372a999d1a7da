package dev.ocikit.image.archive;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static dev.ocikit.image.testing.TestImages.ARM64;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.image.testing.MemoryTransport;
import dev.ocikit.image.testing.OciLayoutFixture;
import dev.ocikit.image.testing.Processes;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo reads the docker archives ocikit writes, and ocikit reads the ones skopeo writes. */
class DockerArchiveIT {
    @TempDir
    Path dir;

    private Path skopeo;
    private final MemoryTransport mem = new MemoryTransport();
    private final Transports transports = Transports.load();
    private final TestImages.Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 3, AMD64, "interop");

    @BeforeEach
    void needsSkopeo() {
        skopeo = Tools.require("skopeo");
    }

    private Processes.Result skopeo(String... args) {
        return Processes.run(skopeo, args).ok();
    }

    private Path save(String name, String tag) throws IOException {
        mem.put("src", image);
        Path tar = dir.resolve(name);
        Copy.from(mem.ref("src")).to(transports.parse("docker-archive:" + tar + tag)).run();
        return tar;
    }

    private static JsonNode json(Path file) throws IOException {
        return Json.tree(Files.readAllBytes(file), file.toString());
    }

    @Test
    void skopeoInspectsOurArchive() throws IOException {
        Path tar = save("ours.tar", ":example.com/app:1");
        JsonNode inspect = Json.tree(skopeo("inspect", "docker-archive:" + tar).stdout().getBytes(), "inspect");
        assertThat(inspect.get("Architecture").textValue()).isEqualTo("amd64");
        assertThat(inspect.get("Layers")).extracting(JsonNode::textValue)
                .containsExactlyElementsOf(image.diffIds().stream().map(Digest::toString).toList());
        JsonNode byTag = Json.tree(skopeo("inspect", "docker-archive:" + tar + ":example.com/app:1").stdout().getBytes(),
                "inspect");
        assertThat(byTag.get("Layers")).isEqualTo(inspect.get("Layers"));
    }

    @Test
    void skopeoCopiesOurArchiveToALayoutAndADirectory() throws IOException {
        Path tar = save("ours.tar", ":example.com/app:1");
        Path layout = dir.resolve("layout");
        skopeo("--insecure-policy", "copy", "docker-archive:" + tar, "oci:" + layout + ":tag");
        JsonNode index = json(layout.resolve("index.json"));
        assertThat(index.get("manifests").get(0).get("annotations").get("org.opencontainers.image.ref.name").textValue())
                .isEqualTo("tag");
        Digest manifestDigest = Digest.parse(index.get("manifests").get(0).get("digest").textValue());
        ImageManifest m = ImageManifest.parse(Files.readAllBytes(layout.resolve("blobs/sha256/" + manifestDigest.encoded())));
        ImageConfig config = ImageConfig.parse(Files.readAllBytes(
                layout.resolve("blobs/sha256/" + m.config().digest().encoded())));
        assertThat(config.diffIds()).isEqualTo(image.diffIds());

        // dir: takes the Docker manifest as it is, so the config arrives byte for byte
        Path plain = dir.resolve("dir");
        skopeo("--insecure-policy", "copy", "docker-archive:" + tar, "dir:" + plain);
        ImageManifest dm = ImageManifest.parse(Files.readAllBytes(plain.resolve("manifest.json")));
        assertThat(dm.config().digest()).isEqualTo(image.model().config().digest());
        assertThat(dm.layers()).extracting(Descriptor::digest).containsExactlyElementsOf(image.diffIds());
    }

    @Test
    void weReadTheArchivesSkopeoWrites() throws IOException {
        Path layout = OciLayoutFixture.write(dir.resolve("layout"), "v1", image);
        Path tar = dir.resolve("theirs.tar");
        skopeo("--insecure-policy", "copy", "oci:" + layout + ":v1", "docker-archive:" + tar + ":example.com/theirs:2");
        for (String ref : List.of("", ":example.com/theirs:2", ":@0")) {
            MemoryTransport back = new MemoryTransport();
            CopyResult r = Copy.from(transports.parse("docker-archive:" + tar + ref)).to(back.ref("dst")).run();
            ImageManifest m = ImageManifest.parse(back.manifest(r.manifestDigest()).bytes());
            assertThat(m.config().digest()).isEqualTo(image.model().config().digest());
            assertThat(m.layers()).extracting(Descriptor::digest).containsExactlyElementsOf(image.diffIds());
            for (Descriptor l : m.layers()) {
                assertThat(Digest.sha256(back.blob(l.digest()))).isEqualTo(l.digest());
            }
        }
    }

    @Test
    void anArchiveGoingThroughSkopeoComesBackAsTheSameImage() throws IOException {
        Path ours = save("ours.tar", ":example.com/app:1");
        Path theirs = dir.resolve("theirs.tar");
        skopeo("--insecure-policy", "copy", "docker-archive:" + ours, "docker-archive:" + theirs + ":example.com/x:y");
        CopyResult a = Copy.from(transports.parse("docker-archive:" + ours)).to(new MemoryTransport().ref("a")).run();
        CopyResult b = Copy.from(transports.parse("docker-archive:" + theirs)).to(new MemoryTransport().ref("b")).run();
        assertThat(b.manifestDigest()).isEqualTo(a.manifestDigest());
    }

    @Test
    void skopeoPicksImagesOutOfOurMultiImageArchive() throws IOException {
        TestImages.Image arm = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, ARM64, "second");
        Path stage = Files.createDirectory(dir.resolve("stage"));
        Path tar = dir.resolve("two.tar");
        DockerArchiveWriter.writeTo(tar, List.of(
                DockerArchiveTest.staged(image, stage, List.of("example.com/two:a")),
                DockerArchiveTest.staged(arm, stage, List.of("example.com/two:b"))));
        assertThat(Json.tree(skopeo("inspect", "docker-archive:" + tar + ":@1").stdout().getBytes(), "i")
                .get("Architecture").textValue()).isEqualTo("arm64");
        assertThat(Json.tree(skopeo("inspect", "docker-archive:" + tar + ":example.com/two:a").stdout().getBytes(), "i")
                .get("Architecture").textValue()).isEqualTo("amd64");
    }
}
