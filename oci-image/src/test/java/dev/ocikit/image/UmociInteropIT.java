package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.spec.testing.Tools;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.OciLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** umoci, a second implementation, unpacks our layers to the tree they were packed from. */
class UmociInteropIT {
    @TempDir
    Path tmp;

    /** A one-layer image in an OCI layout at {@code layout}, tagged {@code test}. */
    private static void image(Path layout, Path rootfs) throws IOException {
        BlobStore store = BlobStore.open(layout);
        PackedLayer layer = LayerPacker.defaults().pack(LayerContent.directory(rootfs), store);
        byte[] config = ImageConfig.builder().architecture("amd64").os("linux")
                .addLayer(layer.diffId(), HistoryEntry.of(Instant.parse("2024-01-01T00:00:00Z"), "ocikit pack"))
                .build().toJson();
        store.put(config);
        byte[] manifest = ImageManifest.builder().config(Descriptor.of(MediaTypes.OCI_CONFIG, config))
                .layers(List.of(layer.descriptor())).build().toJson();
        store.put(manifest);
        byte[] index = ImageIndex.builder().manifests(List.of(Descriptor.of(MediaTypes.OCI_MANIFEST, manifest)
                .withAnnotation("org.opencontainers.image.ref.name", "test"))).build().toJson();
        Files.write(layout.resolve("index.json"), index);
        Files.write(layout.resolve(OciLayout.FILE_NAME), OciLayout.CURRENT.toJson());
        // The store's own bookkeeping is not part of an OCI layout.
        Files.delete(layout.resolve("lock"));
        Files.delete(layout.resolve("ingest"));
    }

    @Test
    void umociUnpacksOurLayerToTheSameTreeAsOurUnpacker() throws Exception {
        assumeTrue(PackTrees.root(), "devices, owners and security.capability need root");
        Path umoci = Tools.require("umoci");
        Path src = PackTrees.privileged(PackTrees.basic(tmp.resolve("src")));
        Path layout = tmp.resolve("layout");
        image(layout, src);

        Path bundle = tmp.resolve("bundle");
        Process p = new ProcessBuilder(umoci.toString(), "unpack", "--image", layout + ":test", bundle.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();

        assertThat(PackTrees.snapshot(bundle.resolve("rootfs"))).isEqualTo(PackTrees.snapshot(src));
    }
}
