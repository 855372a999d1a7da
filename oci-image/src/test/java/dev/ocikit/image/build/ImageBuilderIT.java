package dev.ocikit.image.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo and umoci, the peers, read what the builder writes. */
class ImageBuilderIT {
    static final Instant EPOCH = Instant.parse("2024-01-02T03:04:05Z");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    private ImageBuilder busyboxImage() throws IOException {
        Path busybox = Tools.require("busybox");
        Path www = tmp.resolve("www");
        Files.createDirectories(www);
        Files.writeString(www.resolve("index.html"), "<h1>hello</h1>\n");
        return ImageBuilder.scratch(Platform.of("linux", "amd64"))
                .copy(AddedFile.of(busybox, "/bin/busybox").withOwner(0, 0).withMode(0755))
                .copy(AddedFile.of(www, "/www").withOwner(0, 0))
                .entrypoint("/bin/busybox", "httpd", "-f", "-h", "/www")
                .expose("80")
                .label("org.opencontainers.image.title", "busybox httpd")
                .timestamp(EPOCH);
    }

    @Test
    void skopeoInspectsAndUmociUnpacksABuiltImage() throws Exception {
        Path skopeo = Tools.require("skopeo");
        Path umoci = Tools.require("umoci");
        Path layout = tmp.resolve("layout");
        BuiltImage built = busyboxImage().commit("oci:" + layout + ":web");

        JsonNode inspect = JSON.readTree(run(List.of(skopeo.toString(), "inspect", "oci:" + layout + ":web")));
        assertThat(inspect.get("Digest").asText()).isEqualTo(built.digest().toString());
        assertThat(inspect.get("Layers")).hasSize(2);
        assertThat(inspect.get("Labels").get("org.opencontainers.image.title").asText()).isEqualTo("busybox httpd");
        assertThat(inspect.get("Created").asText()).startsWith("2024-01-02T03:04:05");
        JsonNode config = JSON.readTree(run(List.of(skopeo.toString(), "inspect", "--config", "oci:" + layout + ":web")));
        assertThat(config.get("config").get("Entrypoint").get(1).asText()).isEqualTo("httpd");

        Path bundle = tmp.resolve("bundle");
        run(List.of(umoci.toString(), "unpack", "--rootless", "--image", layout + ":web", bundle.toString()));
        assertThat(bundle.resolve("rootfs/bin/busybox")).isExecutable()
                .hasSameBinaryContentAs(Tools.require("busybox"));
        assertThat(bundle.resolve("rootfs/www/index.html")).hasContent("<h1>hello</h1>");
    }

    @Test
    void skopeoCopiesADockerArchiveAndAStoreImageTheBuilderWrote() throws Exception {
        Path skopeo = Tools.require("skopeo");
        Path archive = tmp.resolve("web.tar");
        BuiltImage built = busyboxImage().commit("docker-archive:" + archive + ":localhost/web:1");
        assertThat(built.manifest().mediaType()).isEqualTo(ManifestFormat.DOCKER_V2S2.manifestMediaType());
        Path copied = tmp.resolve("copied");
        run(List.of(skopeo.toString(), "copy", "docker-archive:" + archive, "oci:" + copied + ":web"));
        JsonNode inspect = JSON.readTree(run(List.of(skopeo.toString(), "inspect", "oci:" + copied + ":web")));
        assertThat(inspect.get("Layers")).hasSize(2);

        ImageStore store = ImageStore.open(tmp.resolve("store"));
        BuiltImage stored = busyboxImage().commit(store, "web:1");
        // The store is an OCI layout too: skopeo reads it as one.
        JsonNode fromStore = JSON.readTree(run(List.of(skopeo.toString(), "inspect", "oci:" + store.root() + ":localhost/web:1")));
        assertThat(fromStore.get("Digest").asText()).isEqualTo(stored.digest().toString());
    }

    @Test
    void aMultiPlatformIndexIsReadableBySkopeo() throws Exception {
        Path skopeo = Tools.require("skopeo");
        Path file = tmp.resolve("hello.txt");
        Files.writeString(file, "hi");
        List<ImageBuilder> images = new ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
            images.add(ImageBuilder.scratch(Platform.of("linux", arch)).copy(file, "/hello-" + arch).timestamp(EPOCH));
        }
        Path layout = tmp.resolve("multi");
        BuiltIndex index = ImageBuilder.commitIndex(images, "oci:" + layout + ":multi");
        assertThat(index.images()).hasSize(2);
        String raw = run(List.of(skopeo.toString(), "inspect", "--raw", "oci:" + layout + ":multi"));
        JsonNode manifests = JSON.readTree(raw).get("manifests");
        assertThat(manifests).hasSize(2);
        assertThat(manifests.get(1).get("platform").get("architecture").asText()).isEqualTo("arm64");
        JsonNode arm = JSON.readTree(run(List.of(skopeo.toString(), "inspect", "--override-arch", "arm64",
                "oci:" + layout + ":multi")));
        assertThat(arm.get("Architecture").asText()).isEqualTo("arm64");
        assertThat(arm.get("Digest").asText()).isEqualTo(index.digest().toString());
        JsonNode armManifest = JSON.readTree(run(List.of(skopeo.toString(), "inspect", "--raw", "--override-arch", "arm64",
                "oci:" + layout + ":multi")));
        assertThat(armManifest.get("manifests").get(1).get("digest").asText())
                .isEqualTo(index.images().get(1).digest().toString());
    }
}
