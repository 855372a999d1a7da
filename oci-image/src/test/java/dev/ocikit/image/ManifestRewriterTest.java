package dev.ocikit.image;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static dev.ocikit.image.testing.TestImages.ARM64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.CopyPlanner.Destination;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.image.testing.TestImages.Image;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestRewriterTest {
    private static final Destination ANY = new Destination("any", List.of(), Optional.empty());
    private final Image oci = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "oci");

    @Test
    void anUnchangedImageIsWrittenAsTheSourcesExactBytes() {
        CopyPlan p = CopyPlanner.plan("s", oci.parsed(), Map.of(), CopyOptions.builder().build(), ANY);
        ManifestBlob m = ManifestRewriter.image(p.images().get(0), Map.of());
        assertThat(m).isEqualTo(oci.manifest());
    }

    @Test
    void aConversionToDockerChangesTypesAndDropsAnnotationsButKeepsDigests() {
        CopyPlan p = CopyPlanner.plan("s", oci.parsed(), Map.of(),
                CopyOptions.builder().manifestFormat(ManifestFormat.DOCKER_V2S2).build(), ANY);
        ManifestBlob m = ManifestRewriter.image(p.images().get(0), Map.of());
        ImageManifest written = ImageManifest.parse(m.bytes());
        assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(written.mediaType()).contains(MediaTypes.DOCKER_MANIFEST);
        assertThat(written.config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(written.config().digest()).isEqualTo(oci.model().config().digest());
        assertThat(written.layers()).extracting(l -> l.digest())
                .containsExactlyElementsOf(oci.model().layers().stream().map(l -> l.digest()).toList());
        assertThat(written.layers()).allMatch(l -> l.mediaType().equals(MediaTypes.DOCKER_LAYER_TAR_GZIP));
        assertThat(oci.model().annotations()).isNotEmpty();
        assertThat(written.annotations()).isEmpty();
    }

    @Test
    void recompressedLayersGetTheirNewDigestAndSize() {
        CopyPlan p = CopyPlanner.plan("s", oci.parsed(), Map.of(),
                CopyOptions.builder().compression(Compression.ZSTD).build(), ANY);
        Map<CopyPlan.BlobKey, BlobInfo> results = new HashMap<>();
        for (CopyPlan.BlobStep l : p.images().get(0).layers()) {
            results.put(l.key(), new BlobInfo(Digest.sha256(l.source().digest().encoded().getBytes()), 42));
        }
        ImageManifest written = ImageManifest.parse(ManifestRewriter.image(p.images().get(0), results).bytes());
        assertThat(written.layers()).allMatch(l -> l.size() == 42 && l.mediaType().equals(MediaTypes.OCI_LAYER_TAR_ZSTD));
        assertThat(written.layers().get(0).digest()).isNotEqualTo(oci.model().layers().get(0).digest());
        assertThat(written.config()).isEqualTo(oci.model().config());
    }

    @Test
    void anIndexPointsAtTheManifestsAsWritten() {
        TestImages.Index index = TestImages.index(ManifestFormat.OCI, Compression.GZIP, List.of(AMD64, ARM64));
        Map<Digest, Parsed<ImageManifest>> instances = new HashMap<>();
        index.images().forEach(i -> instances.put(i.manifest().digest(), Parsed.imageManifest(i.manifest().bytes())));
        CopyPlan p = CopyPlanner.plan("s", index.parsed(), instances,
                CopyOptions.builder().allPlatforms().manifestFormat(ManifestFormat.DOCKER_V2S2).build(), ANY);
        Map<Digest, ManifestBlob> written = new HashMap<>();
        for (CopyPlan.ImageStep i : p.images()) {
            written.put(i.digest(), ManifestRewriter.image(i, Map.of()));
        }
        ManifestBlob idx = ManifestRewriter.index(p.index().orElseThrow(), written);
        ImageIndex model = ImageIndex.parse(idx.bytes());
        assertThat(model.mediaType()).contains(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(model.annotations()).isEmpty();
        for (int i = 0; i < 2; i++) {
            ManifestBlob m = written.get(index.images().get(i).manifest().digest());
            assertThat(model.manifests().get(i).digest()).isEqualTo(m.digest());
            assertThat(model.manifests().get(i).size()).isEqualTo(m.size());
            assertThat(model.manifests().get(i).mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
            assertThat(model.manifests().get(i).platform()).isEqualTo(index.images().get(i).descriptor().platform());
        }
    }
}
