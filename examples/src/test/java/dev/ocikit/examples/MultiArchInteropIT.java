package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.ImageLayout;
import dev.ocikit.image.ImageStore;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-platform index (linux/amd64 and linux/arm64, one distinct layer each) built with umoci, moved
 * through a real registry by ocikit and by skopeo in both directions: whole with {@code --all}, digests
 * unchanged, and one platform out of it with {@code --platform}.
 */
class MultiArchInteropIT {
    @TempDir
    Path tmp;

    String skopeo;
    Path source;
    byte[] indexBytes;
    Digest indexDigest;
    Map<String, Descriptor> byArch;


    static Run ok(String... args) {
        Run run = ocikit(args);
        assertThat(run.exit()).as("ocikit " + String.join(" ", args) + ": " + run.err()).isZero();
        return run;
    }

    static byte[] exec(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + new String(out, StandardCharsets.UTF_8)).isZero();
        return out;
    }

    /** umoci makes one single-layer image per architecture; the index over them is written by hand. */
    @BeforeEach
    void multiArchLayout() throws Exception {
        skopeo = Tools.require("skopeo").toString();
        Tools.require("docker-registry");
        String umoci = Tools.require("umoci").toString();
        source = tmp.resolve("source");
        exec(tmp, umoci, "init", "--layout", source.toString());
        for (String arch : List.of("amd64", "arm64")) {
            Path content = Files.createDirectories(tmp.resolve("content-" + arch + "/etc"));
            Files.writeString(content.resolve("arch"), "built for " + arch + "\n");
            Path tar = tmp.resolve(arch + ".tar");
            exec(tmp, "tar", "-C", content.getParent().toString(), "-cf", tar.toString(), ".");
            exec(tmp, umoci, "new", "--image", source + ":" + arch);
            exec(tmp, umoci, "raw", "add-layer", "--image", source + ":" + arch, tar.toString());
            exec(tmp, umoci, "config", "--image", source + ":" + arch, "--os", "linux", "--architecture", arch);
        }
        ImageLayout layout = ImageLayout.open(source);
        Descriptor amd = layout.find("amd64").orElseThrow();
        Descriptor arm = layout.find("arm64").orElseThrow();
        String entry = "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d,\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"}}";
        indexBytes = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + entry.formatted(amd.mediaType(), amd.digest(), amd.size(), "amd64") + ","
                + entry.formatted(arm.mediaType(), arm.digest(), arm.size(), "arm64") + "]}").getBytes(StandardCharsets.UTF_8);
        Descriptor index = layout.putManifest(Parsed.manifest(indexBytes));
        layout.tag("multi", index);
        indexDigest = Digest.sha256(indexBytes);
        assertThat(index.digest()).isEqualTo(indexDigest);
        assertThat(amd.digest()).isNotEqualTo(arm.digest());
        byArch = Map.of("amd64", amd, "arm64", arm);
        // the two images must really differ in content, or a wrong platform choice could pass unnoticed
        assertThat(layout.imageManifest(amd, dev.ocikit.spec.Platform.parse("linux/amd64")).model().layers())
                .doesNotContainAnyElementsOf(layout.imageManifest(arm, dev.ocikit.spec.Platform.parse("linux/arm64")).model().layers());
    }

    /** The layout holds the whole index under {@code ref}: the index bytes and both images, every blob. */
    void assertHoldsTheWholeIndex(Path dir, String ref) throws IOException {
        ImageLayout layout = ImageLayout.open(dir);
        Descriptor top = layout.find(ref).orElseThrow();
        assertThat(top.digest()).isEqualTo(indexDigest);
        assertThat(layout.readBlob(top, ImageLayout.MAX_INDEX_SIZE)).isEqualTo(indexBytes);
        ImageIndex index = (ImageIndex) layout.manifest(top).model();
        assertThat(index.manifests()).extracting(Descriptor::digest)
                .containsExactly(byArch.get("amd64").digest(), byArch.get("arm64").digest());
        for (Descriptor d : index.manifests()) {
            assertThat(layout.contains(d.digest())).as(d.digest().toString()).isTrue();
            ImageManifest m = (ImageManifest) layout.manifest(d).model();
            assertThat(layout.contains(m.config().digest())).isTrue();
            m.layers().forEach(l -> assertThat(layout.contains(l.digest())).as(l.digest().toString()).isTrue());
        }
    }

    @Test
    void ocikitPushesTheIndexAndSkopeoPullsItUnchanged() throws Exception {
        try (TestRegistry registry = TestRegistry.plain()) {
            String image = "docker://" + registry.host() + "/ma/img:1";
            ok("copy", "--all", "-q", "--dest-tls-verify=false", "oci:" + source + ":multi", image);

            byte[] raw = exec(tmp, skopeo, "inspect", "--raw", "--tls-verify=false", image);
            assertThat(new String(raw, StandardCharsets.UTF_8)).isEqualTo(new String(indexBytes, StandardCharsets.UTF_8));
            assertThat(Digest.sha256(raw)).isEqualTo(indexDigest);
            for (var e : byArch.entrySet()) {
                JsonNode theirs = Json.tree(exec(tmp, skopeo, "inspect", "--tls-verify=false",
                        "--override-arch", e.getKey(), "--override-os", "linux", image), "skopeo inspect");
                // skopeo's Digest is that of what the tag names, the index, whichever platform is shown
                assertThat(theirs.get("Digest").asText()).isEqualTo(indexDigest.toString());
                assertThat(theirs.get("Architecture").asText()).isEqualTo(e.getKey());
                JsonNode ours = Json.tree(ok("inspect", "--tls-verify=false", "--platform", "linux/" + e.getKey(), image)
                        .out().getBytes(StandardCharsets.UTF_8), "ocikit inspect");
                for (String key : List.of("Digest", "Architecture", "Os", "Layers")) {
                    assertThat(ours.get(key)).as(key).isEqualTo(theirs.get(key));
                }
            }

            exec(tmp, skopeo, "copy", "--all", "--src-tls-verify=false", image, "oci:" + tmp.resolve("out") + ":1");
            assertHoldsTheWholeIndex(tmp.resolve("out"), "1");
        }
    }

    @Test
    void skopeoPushesTheIndexAndOcikitPullsEveryDigest() throws Exception {
        try (TestRegistry registry = TestRegistry.plain()) {
            String image = "docker://" + registry.host() + "/ma/fromskopeo:1";
            exec(tmp, skopeo, "copy", "--all", "--dest-tls-verify=false", "oci:" + source + ":multi", image);

            Run raw = ok("inspect", "--raw", "--tls-verify=false", image);
            assertThat(raw.out()).isEqualTo(new String(indexBytes, StandardCharsets.UTF_8));

            ok("copy", "--all", "-q", "--src-tls-verify=false", image, "oci:" + tmp.resolve("ours") + ":1");
            assertHoldsTheWholeIndex(tmp.resolve("ours"), "1");
            // and the copy back through skopeo is byte-for-byte the original
            assertThat(exec(tmp, skopeo, "inspect", "--raw", "oci:" + tmp.resolve("ours") + ":1")).isEqualTo(indexBytes);
        }
    }

    @Test
    void onePlatformOutOfTheIndex() throws Exception {
        try (TestRegistry registry = TestRegistry.plain()) {
            String image = "docker://" + registry.host() + "/ma/img:1";
            exec(tmp, skopeo, "copy", "--all", "--dest-tls-verify=false", "oci:" + source + ":multi", image);
            Descriptor arm = byArch.get("arm64");
            Descriptor amd = byArch.get("amd64");

            ok("copy", "-q", "--platform", "linux/arm64", "--src-tls-verify=false", image, "oci:" + tmp.resolve("one") + ":1");
            ImageLayout one = ImageLayout.open(tmp.resolve("one"));
            Descriptor got = one.find("1").orElseThrow();
            assertThat(got.digest()).isEqualTo(arm.digest());
            assertThat(got.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(one.contains(indexDigest)).isFalse();
            assertThat(one.contains(amd.digest())).isFalse();
            ImageManifest amdManifest = (ImageManifest) ImageLayout.open(source).manifest(amd).model();
            amdManifest.layers().forEach(l -> assertThat(one.contains(l.digest())).isFalse());
            // skopeo reads what we wrote as the arm64 image
            JsonNode theirs = Json.tree(exec(tmp, skopeo, "inspect", "oci:" + tmp.resolve("one") + ":1"), "skopeo inspect");
            assertThat(theirs.get("Architecture").asText()).isEqualTo("arm64");

            for (Map.Entry<String, Descriptor> e : byArch.entrySet()) {
                Run inspect = ok("inspect", "--tls-verify=false", "--platform", "linux/" + e.getKey(), image);
                JsonNode ours = Json.tree(inspect.out().getBytes(StandardCharsets.UTF_8), "ocikit inspect");
                assertThat(ours.get("Architecture").asText()).isEqualTo(e.getKey());
                assertThat(ours.get("Os").asText()).isEqualTo("linux");
                assertThat(ours.get("Digest").asText()).isEqualTo(indexDigest.toString());
                ImageManifest m = (ImageManifest) ImageLayout.open(source).manifest(e.getValue()).model();
                assertThat(ours.get("Layers").get(0).asText()).isEqualTo(m.layers().get(0).digest().toString());
            }
            // the repository's tags, as skopeo lists them
            exec(tmp, skopeo, "copy", "--all", "--dest-tls-verify=false", "oci:" + source + ":multi",
                    "docker://" + registry.host() + "/ma/img:2");
            JsonNode oursTags = Json.tree(ok("inspect", "--tls-verify=false", image).out().getBytes(StandardCharsets.UTF_8),
                    "ours").get("RepoTags");
            JsonNode theirsTags = Json.tree(exec(tmp, skopeo, "inspect", "--tls-verify=false", image), "skopeo inspect")
                    .get("RepoTags");
            assertThat(oursTags).isEqualTo(theirsTags).hasSize(2);
        }
    }

    @Test
    void skopeosPlatformOverridesAndMultiArchChooseAsSkopeoDoes() throws Exception {
        String multi = "oci:" + source + ":multi";
        exec(tmp, skopeo, "--override-arch", "arm64", "copy", multi, "oci:" + tmp.resolve("theirs") + ":1");

        ok("--override-arch", "arm64", "copy", "-q", multi, "oci:" + tmp.resolve("ours") + ":1");
        Run inspected = ok("--override-os", "linux", "--override-arch", "arm64", "inspect", multi);
        ok("copy", "-q", "--multi-arch", "all", multi, "oci:" + tmp.resolve("all") + ":1");
        ok("copy", "-q", "--platform", "linux/amd64", "--platform", "linux/arm64", multi, "oci:" + tmp.resolve("both") + ":1");
        Run indexOnly = ocikit("copy", "--multi-arch", "index-only", multi, "oci:" + tmp.resolve("none") + ":1");

        Descriptor theirs = ImageLayout.open(tmp.resolve("theirs")).find("1").orElseThrow();
        assertThat(ImageLayout.open(tmp.resolve("ours")).find("1").orElseThrow().digest())
                .isEqualTo(theirs.digest()).isEqualTo(byArch.get("arm64").digest());
        assertThat(Json.tree(inspected.out().getBytes(StandardCharsets.UTF_8), "inspect").get("Architecture").asText())
                .isEqualTo("arm64");
        assertHoldsTheWholeIndex(tmp.resolve("all"), "1");
        ImageLayout both = ImageLayout.open(tmp.resolve("both"));
        assertThat(((ImageIndex) both.manifest(both.find("1").orElseThrow()).model()).manifests())
                .extracting(Descriptor::digest).containsExactly(byArch.get("amd64").digest(), byArch.get("arm64").digest());
        assertThat(indexOnly.exit()).isNotZero();
        assertThat(indexOnly.err()).contains("--multi-arch index-only is not supported");
    }

    @Test
    void pullWithPlatformStoresThatImage() throws Exception {
        try (TestRegistry registry = TestRegistry.plain()) {
            String name = registry.host() + "/ma/img:1";
            exec(tmp, skopeo, "copy", "--all", "--dest-tls-verify=false", "oci:" + source + ":multi", "docker://" + name);

            for (Map.Entry<String, Descriptor> e : byArch.entrySet()) {
                Path root = tmp.resolve("store-" + e.getKey());
                ok("--root", root.toString(), "pull", "-q", "--tls-verify=false", "--platform", "linux/" + e.getKey(), name);
                assertThat(ImageStore.open(root).resolve(name).descriptor().digest()).isEqualTo(e.getValue().digest());
            }

            Path none = tmp.resolve("store-none");
            Run missing = ocikit("--root", none.toString(), "pull", "-q", "--tls-verify=false", "--platform", "linux/s390x", name);
            assertThat(missing.exit()).isNotZero();
            assertThat(missing.err()).contains("s390x");
            assertThat(ImageStore.open(none).find(name)).isEmpty();
        }
    }
}
