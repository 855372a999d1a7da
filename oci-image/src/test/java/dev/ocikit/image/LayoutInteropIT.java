package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.TestImages.Blob;
import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Parsed;
import dev.ocikit.spec.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo and umoci read the layouts, directories and store ocikit writes, and ocikit reads theirs. */
class LayoutInteropIT {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Platform ARM64 = Platform.of("linux", "arm64");

    @TempDir
    Path dir;

    /** Runs a command, fails on a non-zero exit, returns stdout as bytes. */
    static byte[] run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        byte[] out = readAll(p.getInputStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        assertThat(p.exitValue()).as(String.join(" ", command) + "\nstderr: "
                + new String(err.join(), StandardCharsets.UTF_8)).isZero();
        return out;
    }

    static String runText(String... command) throws IOException, InterruptedException {
        return new String(run(command), StandardCharsets.UTF_8);
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String skopeo() {
        return Tools.require("skopeo").toString();
    }

    static String umoci() {
        return Tools.require("umoci").toString();
    }

    /** A layout with one image tagged v1 and a two-platform index tagged multi. */
    record Written(Path root, Image single, Image amd, Image arm, Parsed<ImageIndex> index) {}

    Written writeLayout(Path root) throws IOException {
        ImageLayout layout = ImageLayout.create(root);
        Image single = TestImages.image("single");
        ImageLayoutTest.store(layout, single, "v1");
        Image amd = TestImages.image("amd", AMD64);
        Image arm = TestImages.image("arm", ARM64);
        for (Image i : List.of(amd, arm)) {
            i.blobs().forEach(b -> putQuietly(layout, b));
            layout.putManifest(i.manifest());
        }
        Parsed<ImageIndex> index = TestImages.index(List.of(AMD64, ARM64), amd, arm);
        layout.putManifest(index);
        layout.tag("multi", index.descriptor());
        return new Written(layout.root(), single, amd, arm, index);
    }

    private static void putQuietly(ImageLayout layout, Blob b) {
        try {
            layout.putBlob(b.bytes());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void skopeoAndUmociReadTheLayoutsWeWrite() throws Exception {
        String skopeo = skopeo();
        String umoci = umoci();
        Written w = writeLayout(dir.resolve("ours"));
        String oci = "oci:" + w.root();

        assertThat(run(skopeo, "inspect", "--raw", oci + ":v1")).isEqualTo(w.single().manifest().bytes());
        assertThat(run(skopeo, "inspect", "--raw", oci + ":multi")).isEqualTo(w.index().bytes());
        JsonNode inspect = Json.tree(run(skopeo, "inspect", oci + ":v1"), "skopeo inspect");
        assertThat(inspect.get("Digest").asText()).isEqualTo(w.single().manifest().digest().toString());
        assertThat(inspect.get("Architecture").asText()).isEqualTo("amd64");
        assertThat(runText(umoci, "ls", "--layout", w.root().toString()).lines().toList())
                .containsExactlyInAnyOrder("v1", "multi");

        // umoci applies our layer
        Path bundle = dir.resolve("bundle");
        run(umoci, "unpack", "--image", w.root() + ":v1", bundle.toString());
        assertThat(bundle.resolve("rootfs/single.txt")).hasContent("content of single");

        // skopeo copies one image and a whole index out of our layout
        run(skopeo, "--insecure-policy", "copy", "--quiet", oci + ":v1", "oci:" + dir.resolve("copy") + ":copied");
        ImageLayout copy = ImageLayout.open(dir.resolve("copy"));
        Descriptor copied = copy.resolve("copied");
        assertThat(copied.digest()).isEqualTo(w.single().manifest().digest());
        ImageManifest m = copy.imageManifest(copied, AMD64).model();
        assertThat(copy.config(m).bytes()).isEqualTo(w.single().config().bytes());
        assertThat(copy.readBlob(m.layers().get(0), 1 << 20)).isEqualTo(w.single().layers().get(0).bytes());

        run(skopeo, "--insecure-policy", "copy", "--quiet", "--all", oci + ":multi", "oci:" + dir.resolve("all") + ":m");
        ImageLayout all = ImageLayout.open(dir.resolve("all"));
        assertThat(all.resolve("m").digest()).isEqualTo(w.index().digest());
        assertThat(all.imageManifest(all.resolve("m"), ARM64).digest()).isEqualTo(w.arm().manifest().digest());

        // after our garbage collection of an untagged image skopeo still reads the rest
        ImageLayout ours = ImageLayout.open(w.root());
        ours.untag("multi");
        assertThat(ours.collectGarbage().removed()).hasSize(7);
        assertThat(run(skopeo, "inspect", "--raw", oci + ":v1")).isEqualTo(w.single().manifest().bytes());
        run(umoci, "stat", "--image", w.root() + ":v1");
    }

    @Test
    void weReadTheLayoutsUmociAndSkopeoWrite() throws Exception {
        String skopeo = skopeo();
        String umoci = umoci();
        Path u = dir.resolve("umoci");
        run(umoci, "init", "--layout", u.toString());
        run(umoci, "new", "--image", u + ":base");
        Path bundle = dir.resolve("bundle");
        run(umoci, "unpack", "--image", u + ":base", bundle.toString());
        Files.writeString(bundle.resolve("rootfs/hello.txt"), "hello from umoci\n");
        run(umoci, "repack", "--image", u + ":hello", bundle.toString());
        run(umoci, "config", "--image", u + ":hello", "--config.cmd=/hello");

        ImageLayout layout = ImageLayout.open(u);
        assertThat(layout.refs()).contains("base", "hello");
        Parsed<ImageManifest> hello = layout.imageManifest(layout.resolve("hello"), AMD64);
        ImageConfig config = layout.config(hello.model()).model();
        assertThat(config.config().cmd()).containsExactly("/hello");
        for (Descriptor layer : hello.model().layers()) {
            assertThat(layout.readBlob(layer, 1 << 24)).isNotEmpty(); // verified against its digest
        }

        // our tag and our garbage collection in umoci's layout: umoci still reads it
        layout.tag("ours", layout.resolve("hello"));
        layout.untag("base");
        layout.collectGarbage();
        assertThat(runText(umoci, "ls", "--layout", u.toString()).lines().toList())
                .containsExactlyInAnyOrder("hello", "ours");
        run(umoci, "stat", "--image", u + ":ours");

        // a layout skopeo wrote from one of ours
        Written w = writeLayout(dir.resolve("ours"));
        run(skopeo, "--insecure-policy", "copy", "--quiet", "--all", "oci:" + w.root() + ":multi",
                "oci:" + dir.resolve("fresh") + ":m");
        run(skopeo, "--insecure-policy", "copy", "--quiet", "oci:" + w.root() + ":v1", "oci:" + dir.resolve("fresh") + ":v1");
        ImageLayout fresh = ImageLayout.open(dir.resolve("fresh"));
        assertThat(fresh.refs()).containsExactlyInAnyOrder("m", "v1");
        assertThat(fresh.imageManifest(fresh.resolve("m"), AMD64).digest()).isEqualTo(w.amd().manifest().digest());
        try (ImageSource src = new OciTransport().parse(dir.resolve("fresh") + ":v1").openSource()) {
            assertThat(src.manifest(Optional.empty()).bytes()).isEqualTo(w.single().manifest().bytes());
        }
    }

    @Test
    void dirImagesGoBothWaysWithSkopeo() throws Exception {
        String skopeo = skopeo();
        Image image = TestImages.image("dir");
        Path ours = dir.resolve("ours-dir");
        try (ImageDestination dest = DirTransport.reference(ours).openDestination()) {
            TestImages.write(dest, image);
        }
        run(skopeo, "--insecure-policy", "copy", "--quiet", "dir:" + ours, "oci:" + dir.resolve("y") + ":t");
        ImageLayout y = ImageLayout.open(dir.resolve("y"));
        assertThat(y.resolve("t").digest()).isEqualTo(image.manifest().digest());

        Path theirs = dir.resolve("their-dir");
        run(skopeo, "--insecure-policy", "copy", "--quiet", "oci:" + dir.resolve("y") + ":t", "dir:" + theirs);
        try (ImageSource src = DirTransport.reference(theirs).openSource()) {
            assertThat(src.manifest(Optional.empty()).bytes()).isEqualTo(image.manifest().bytes());
            for (Blob b : image.blobs()) {
                try (InputStream in = src.blob(b.descriptor())) {
                    assertThat(in.readAllBytes()).isEqualTo(b.bytes());
                }
            }
        }
        // skopeo accepts our directory as one of its own to overwrite, and we overwrite its
        Image other = TestImages.image("other");
        run(skopeo, "--insecure-policy", "copy", "--quiet", "oci:" + dir.resolve("y") + ":t", "dir:" + ours);
        try (ImageDestination dest = DirTransport.reference(theirs).openDestination()) {
            TestImages.write(dest, other);
        }
        assertThat(run(skopeo, "inspect", "--raw", "dir:" + theirs)).isEqualTo(other.manifest().bytes());

        // a multi-image directory, written by us, read by skopeo, and back
        Image amd = TestImages.image("amd", AMD64);
        Image arm = TestImages.image("arm", ARM64);
        Parsed<ImageIndex> index = TestImages.index(List.of(AMD64, ARM64), amd, arm);
        Path multi = dir.resolve("multi-dir");
        try (ImageDestination dest = DirTransport.reference(multi).openDestination()) {
            TestImages.write(dest, index, amd, arm);
        }
        run(skopeo, "--insecure-policy", "copy", "--quiet", "--all", "dir:" + multi, "oci:" + dir.resolve("n") + ":m");
        ImageLayout n = ImageLayout.open(dir.resolve("n"));
        assertThat(n.resolve("m").digest()).isEqualTo(index.digest());
        Path back = dir.resolve("back-dir");
        run(skopeo, "--insecure-policy", "copy", "--quiet", "--all", "oci:" + dir.resolve("n") + ":m", "dir:" + back);
        try (ImageSource src = DirTransport.reference(back).openSource()) {
            assertThat(src.manifest(Optional.empty()).bytes()).isEqualTo(index.bytes());
            ManifestBlob armManifest = src.manifest(Optional.of(arm.manifest().digest()));
            assertThat(armManifest.bytes()).isEqualTo(arm.manifest().bytes());
        }
    }

    @Test
    void skopeoAndUmociReadTheImageStore() throws Exception {
        String skopeo = skopeo();
        String umoci = umoci();
        ImageStore store = ImageStore.open(dir.resolve("store"));
        Image app = TestImages.image("app");
        try (ImageDestination dest = store.reference("app").openDestination()) {
            TestImages.write(dest, app);
        }
        String root = store.root().toString();
        assertThat(run(skopeo, "inspect", "--raw", "oci:" + root + ":localhost/app:latest"))
                .isEqualTo(app.manifest().bytes());
        assertThat(runText(umoci, "ls", "--layout", root).lines().toList()).containsExactly("localhost/app:latest");

        // skopeo writes into the store by full name; the store finds it by its short name
        Written w = writeLayout(dir.resolve("ours"));
        run(skopeo, "--insecure-policy", "copy", "--quiet", "oci:" + w.root() + ":v1",
                "oci:" + root + ":docker.io/library/fromskopeo:latest");
        StoredImage fromSkopeo = store.resolve("fromskopeo");
        assertThat(fromSkopeo.digest()).isEqualTo(w.single().manifest().digest());
        List<String> names = new ArrayList<>();
        store.list().forEach(i -> i.names().forEach(n -> names.add(n.toString())));
        assertThat(names).containsExactlyInAnyOrder("localhost/app:latest", "docker.io/library/fromskopeo:latest");
    }
}
