package dev.ocikit.image;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static dev.ocikit.image.testing.TestImages.ARM64;
import static dev.ocikit.image.testing.TestImages.ARM_V7;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.CopyPlan.BlobStep;
import dev.ocikit.image.CopyPlan.ImageStep;
import dev.ocikit.image.CopyPlanner.Destination;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.image.testing.TestImages.Image;
import dev.ocikit.image.testing.TestImages.Index;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.UnsupportedManifestException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CopyPlannerTest {
    private static final Destination ANY = new Destination("mem:any", List.of(), Optional.empty());
    private static final Destination DOCKER_ONLY = new Destination("docker-only",
            List.of(MediaTypes.DOCKER_MANIFEST), Optional.empty());
    private static final Destination ARCHIVE_LIKE = new Destination("docker-archive:x.tar",
            List.of(MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_MANIFEST), Optional.of(Compression.NONE));

    private final Index index = TestImages.index(ManifestFormat.OCI, Compression.GZIP, List.of(AMD64, ARM64, ARM_V7));
    private final Image oci = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "oci");
    private final Image docker = TestImages.image(ManifestFormat.DOCKER_V2S2, Compression.GZIP, 2, AMD64, "docker");

    private static CopyOptions.Builder opts() {
        return CopyOptions.builder().platform(AMD64);
    }

    private static CopyPlan plan(Image image, CopyOptions options, Destination destination) {
        return CopyPlanner.plan("src", image.parsed(), Map.of(), options, destination);
    }

    private static CopyPlan plan(Index index, CopyOptions options, Destination destination) {
        Map<Digest, Parsed<ImageManifest>> instances = new HashMap<>();
        for (Image i : index.images()) {
            instances.put(i.manifest().digest(), Parsed.imageManifest(i.manifest().bytes()));
        }
        return CopyPlanner.plan("src", index.parsed(), instances, options, destination);
    }

    @Test
    void aSingleImageToADestinationThatTakesAnythingIsCopiedUnchanged() {
        CopyPlan p = plan(oci, opts().build(), ANY);
        assertThat(p.index()).isEmpty();
        assertThat(p.rewrites()).isFalse();
        ImageStep image = p.images().get(0);
        assertThat(image.targetMediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(image.layers()).extracting(BlobStep::targetMediaType)
                .containsOnly(MediaTypes.OCI_LAYER_TAR_GZIP);
        assertThat(image.layers()).allMatch(l -> l.recompress().isEmpty());
        assertThat(p.blobs()).hasSize(3); // two layers, one config
    }

    @Test
    void theImageForTheRequestedPlatformIsChosenFromAnIndex() {
        CopyPlan p = plan(index, opts().build().newBuilder().platform(ARM64).build(), ANY);
        assertThat(p.index()).isEmpty();
        assertThat(p.images()).hasSize(1);
        assertThat(p.images().get(0).digest()).isEqualTo(index.images().get(1).manifest().digest());
        assertThat(p.rewrites()).isFalse();
    }

    @Test
    void anArm64HostGetsTheArm64ImageNotTheArmOne() {
        CopyPlan p = plan(index, CopyOptions.builder().platform(Platform.parse("linux/arm64")).build(), ANY);
        assertThat(p.images().get(0).entry().orElseThrow().platform().orElseThrow().architecture()).isEqualTo("arm64");
    }

    @Test
    void aPlatformTheIndexDoesNotHaveIsRefusedNamingThoseItHas() {
        assertThatThrownBy(() -> plan(index, CopyOptions.builder().platform(Platform.of("linux", "s390x")).build(), ANY))
                .isInstanceOf(NoMatchingPlatformException.class)
                .hasMessageContaining("linux/s390x")
                .hasMessageContaining("linux/arm64");
    }

    @Test
    void allPlatformsCopiesTheIndexAsItIs() {
        CopyPlan p = plan(index, CopyOptions.builder().allPlatforms().build(), ANY);
        assertThat(p.index()).isPresent();
        assertThat(p.index().get().entries()).hasSize(3);
        assertThat(p.images()).hasSize(3);
        assertThat(p.rewrites()).isFalse();
        assertThat(p.blobs()).hasSize(9);
    }

    @Test
    void chosenPlatformsGiveAnIndexOfThoseEntriesInTheSourceOrder() {
        CopyPlan p = plan(index, CopyOptions.builder().platforms(List.of(ARM_V7, AMD64)).build(), ANY);
        assertThat(p.index().orElseThrow().entries()).extracting(d -> d.platform().orElseThrow().architecture())
                .containsExactly("amd64", "arm");
        assertThat(p.index().get().changes()).singleElement().asString().contains("2 of the source index's 3");
    }

    @Test
    void choosingEveryPlatformChangesNothing() {
        CopyPlan p = plan(index, CopyOptions.builder().platforms(List.of(ARM_V7, ARM64, AMD64)).build(), ANY);
        assertThat(p.rewrites()).isFalse();
    }

    @Test
    void preserveDigestsRefusesAnIndexWithFewerEntries() {
        CopyOptions options = CopyOptions.builder().platforms(List.of(AMD64)).preserveDigests().build();
        assertThatThrownBy(() -> plan(index, options, ANY))
                .isInstanceOf(DigestsNotPreservedException.class)
                .hasMessageContaining("1 of the source index's 3 entries")
                .hasMessageContaining("Drop preserveDigests");
    }

    @Test
    void anOciImageIsConvertedForADestinationThatStoresOnlyDocker() {
        CopyPlan p = plan(oci, opts().build(), DOCKER_ONLY);
        ImageStep image = p.images().get(0);
        assertThat(image.targetMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(image.config().targetMediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(image.config().source().digest()).isEqualTo(oci.model().config().digest());
        assertThat(image.layers()).extracting(BlobStep::targetMediaType)
                .containsOnly(MediaTypes.DOCKER_LAYER_TAR_GZIP);
        assertThat(image.layers()).allMatch(l -> l.recompress().isEmpty());
        assertThat(image.changes()).singleElement().asString().contains("to " + MediaTypes.DOCKER_MANIFEST);
    }

    @Test
    void preserveDigestsRefusesAConversionTheDestinationRequires() {
        assertThatThrownBy(() -> plan(oci, opts().preserveDigests().build(), DOCKER_ONLY))
                .isInstanceOf(DigestsNotPreservedException.class)
                .hasMessageContaining("convert manifest")
                .satisfies(e -> assertThat(((DigestsNotPreservedException) e).changes()).hasSize(1));
    }

    @Test
    void aDockerImageIsConvertedToOciWhenAsked() {
        CopyPlan p = plan(docker, opts().manifestFormat(ManifestFormat.OCI).build(), ANY);
        ImageStep image = p.images().get(0);
        assertThat(image.targetMediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(image.config().targetMediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(image.layers()).extracting(BlobStep::targetMediaType).containsOnly(MediaTypes.OCI_LAYER_TAR_GZIP);
    }

    @Test
    void askingForTheFormatTheImageHasChangesNothing() {
        assertThat(plan(docker, opts().manifestFormat(ManifestFormat.DOCKER_V2S2).build(), ANY).rewrites()).isFalse();
    }

    @Test
    void aFormatTheDestinationDoesNotStoreIsRefused() {
        assertThatThrownBy(() -> plan(docker, opts().manifestFormat(ManifestFormat.OCI).build(), DOCKER_ONLY))
                .isInstanceOf(UnsupportedManifestException.class)
                .hasMessageContaining("docker-only does not store OCI manifests");
    }

    @Test
    void recompressionChangesLayerTypesButNotTheConfig() {
        CopyPlan p = plan(oci, opts().compression(Compression.ZSTD).build(), ANY);
        ImageStep image = p.images().get(0);
        assertThat(image.layers()).extracting(BlobStep::recompress).containsOnly(Optional.of(Compression.ZSTD));
        assertThat(image.layers()).extracting(BlobStep::targetMediaType).containsOnly(MediaTypes.OCI_LAYER_TAR_ZSTD);
        assertThat(image.config().recompress()).isEmpty();
        assertThat(image.config().targetMediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(image.changes()).hasSize(2).allMatch(c -> c.contains("from gzip to zstd"));
    }

    @Test
    void recompressingToTheSameCompressionIsNoChange() {
        assertThat(plan(oci, opts().compression(Compression.GZIP).build(), ANY).rewrites()).isFalse();
    }

    @Test
    void theDestinationsPreferredCompressionApplies() {
        CopyPlan p = plan(docker, opts().build(), ARCHIVE_LIKE);
        assertThat(p.images().get(0).targetMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(p.images().get(0).layers()).extracting(BlobStep::targetMediaType)
                .containsOnly(MediaTypes.DOCKER_LAYER_TAR);
        assertThat(p.images().get(0).layers()).extracting(BlobStep::recompress)
                .containsOnly(Optional.of(Compression.NONE));
    }

    @Test
    void anExplicitCompressionBeatsTheDestinationsPreference() {
        CopyPlan p = plan(docker, opts().compression(Compression.ZSTD).build(), ARCHIVE_LIKE);
        // zstd layers need the OCI format, which this destination also stores (containers/image falls back alike)
        assertThat(p.images().get(0).targetMediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(p.images().get(0).layers()).extracting(BlobStep::targetMediaType)
                .containsOnly(MediaTypes.OCI_LAYER_TAR_ZSTD);
    }

    @Test
    void aDockerImageKeepsItsFormatInALayoutOnlyWhenItsDigestsMustBeKept() {
        // An OCI layout prefers OCI, as skopeo's does, but holds a Docker manifest that must not change.
        Destination layout = new Destination("oci:x", List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX),
                List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST,
                        MediaTypes.DOCKER_MANIFEST_LIST), Optional.empty(), false);

        CopyPlan kept = plan(docker, opts().preserveDigests().build(), layout);
        CopyPlan converted = plan(docker, opts().build(), layout);

        assertThat(kept.rewrites()).isFalse();
        assertThat(kept.images().get(0).targetMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(kept.images().get(0).config().toOciConfig()).isFalse();
        assertThat(converted.images().get(0).targetMediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        // converted, the config is rewritten in the OCI form, as containers/image rewrites it
        assertThat(converted.images().get(0).config().toOciConfig()).isTrue();
        assertThat(converted.images().get(0).config().targetMediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(converted.images().get(0).changes()).anyMatch(c -> c.contains("config") && c.contains("OCI format"));
        // A destination that stores nothing but what it prefers still refuses
        assertThatThrownBy(() -> plan(oci, opts().preserveDigests().build(), DOCKER_ONLY))
                .isInstanceOf(DigestsNotPreservedException.class);
    }

    @Test
    void aDestinationThatCompressesGetsUncompressedLayersGzippedAndTheOthersAsTheyAre() {
        Destination registry = new Destination("docker://r/x", List.of(), List.of(), Optional.empty(), true);
        Image plain = TestImages.image(ManifestFormat.OCI, Compression.NONE, 2, AMD64, "plain");
        Image zstd = TestImages.image(ManifestFormat.OCI, Compression.ZSTD, 1, AMD64, "zstd");

        assertThat(plan(plain, opts().build(), registry).images().get(0).layers()).extracting(BlobStep::recompress)
                .containsOnly(Optional.of(Compression.GZIP));
        assertThat(plan(zstd, opts().build(), registry).rewrites()).isFalse();
        // unless the copy names a compression, or keeps digests
        assertThat(plan(plain, opts().compression(Compression.ZSTD).build(), registry).images().get(0).layers())
                .extracting(BlobStep::recompress).containsOnly(Optional.of(Compression.ZSTD));
        assertThat(plan(plain, opts().preserveDigests().build(), registry).rewrites()).isFalse();
        assertThat(plan(plain, opts().build(), ANY).rewrites()).isFalse();
    }

    @Test
    void zstdLayersCannotGoIntoADockerManifest() {
        Image zstd = TestImages.image(ManifestFormat.OCI, Compression.ZSTD, 1, AMD64, "zstd");

        assertThatThrownBy(() -> plan(zstd, opts().build(), DOCKER_ONLY))
                .isInstanceOf(UnsupportedManifestException.class)
                .hasMessageContaining("zstd compression is not supported for Docker v2 schema 2 images");
        assertThatThrownBy(() -> plan(oci, opts().compression(Compression.ZSTD)
                .manifestFormat(ManifestFormat.DOCKER_V2S2).build(), ANY))
                .isInstanceOf(UnsupportedManifestException.class)
                .hasMessageContaining("compress with gzip");
        // gzip into Docker, and zstd kept in OCI, are fine
        assertThat(plan(zstd, opts().manifestFormat(ManifestFormat.DOCKER_V2S2).compression(Compression.GZIP).build(),
                ANY).images().get(0).targetMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(plan(zstd, opts().build(), ANY).rewrites()).isFalse();
    }

    @Test
    void preserveDigestsIgnoresTheDestinationsPreferredCompression() {
        CopyPlan p = plan(oci, opts().preserveDigests().build(), ARCHIVE_LIKE);
        assertThat(p.rewrites()).isFalse();
        assertThat(p.images().get(0).layers()).allMatch(l -> l.recompress().isEmpty());
    }

    @Test
    void nonDistributableLayersAreNeverRecompressedAndBecomeForeignInDocker() {
        Descriptor foreign = Descriptor.of(MediaTypes.OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP, new byte[] {1, 2, 3})
                .withUrls(List.of("https://example.com/base.tar.gz"));
        ImageManifest m = oci.model().toBuilder().layers(List.of(foreign)).build();
        CopyPlan p = CopyPlanner.plan("src", Parsed.manifest(m.toJson()), Map.of(), opts().compression(Compression.ZSTD).manifestFormat(ManifestFormat.DOCKER_V2S2).build(), ANY);
        BlobStep layer = p.images().get(0).layers().get(0);
        assertThat(layer.recompress()).isEmpty();
        assertThat(layer.targetMediaType()).isEqualTo(MediaTypes.DOCKER_FOREIGN_LAYER_TAR_GZIP);
    }

    @Test
    void anIndexCannotGoToADestinationThatStoresNone() {
        assertThatThrownBy(() -> plan(index, CopyOptions.builder().allPlatforms().build(), ARCHIVE_LIKE))
                .isInstanceOf(UnsupportedManifestException.class)
                .hasMessageContaining("cannot store this image index")
                .hasMessageContaining("copy a single platform");
    }

    @Test
    void anIndexIsConvertedWithItsImagesForADockerOnlyDestination() {
        Destination dockerLists = new Destination("registry-v2", List.of(MediaTypes.DOCKER_MANIFEST_LIST,
                MediaTypes.DOCKER_MANIFEST), Optional.empty());
        CopyPlan p = plan(index, CopyOptions.builder().allPlatforms().build(), dockerLists);
        assertThat(p.index().orElseThrow().targetMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(p.images()).extracting(ImageStep::targetMediaType).containsOnly(MediaTypes.DOCKER_MANIFEST);
        assertThat(p.index().get().changes()).singleElement().asString().contains("convert the index");
    }

    @Test
    void anArtifactCannotBecomeADockerManifest() {
        ImageManifest artifact = oci.model().toBuilder().artifactType("application/vnd.example.sbom").build();
        assertThatThrownBy(() -> CopyPlanner.plan("src", Parsed.manifest(artifact.toJson()), Map.of(), opts().build(),
                DOCKER_ONLY))
                .isInstanceOf(UnsupportedManifestException.class)
                .hasMessageContaining("artifactType");
    }

    @Test
    void aNestedIndexIsRefusedWhenCopyingAll() {
        ImageIndex outer = ImageIndex.builder().addManifest(Descriptor.of(MediaTypes.OCI_INDEX, new byte[] {1})
                .withPlatform(AMD64)).build();
        assertThatThrownBy(() -> CopyPlanner.select(outer, CopyOptions.PlatformChoice.all()))
                .isInstanceOf(UnsupportedManifestException.class)
                .hasMessageContaining("an index inside the index");
    }

    @Test
    void aBlobSharedByTwoImagesIsCopiedOnce() {
        Image a = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "same");
        Image b = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, ARM64, "same");
        ImageIndex idx = ImageIndex.builder().addManifest(a.descriptor()).addManifest(b.descriptor()).build();
        Map<Digest, Parsed<ImageManifest>> instances = Map.of(
                a.manifest().digest(), Parsed.imageManifest(a.manifest().bytes()),
                b.manifest().digest(), Parsed.imageManifest(b.manifest().bytes()));
        CopyPlan p = CopyPlanner.plan("src", Parsed.manifest(idx.toJson()), instances,
                CopyOptions.builder().allPlatforms().build(), ANY);
        assertThat(p.blobs()).hasSize(4); // 2 shared layers + 2 configs (they differ in architecture)
    }

    @Test
    void contradictoryOptionsAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> CopyOptions.builder().preserveDigests().compression(Compression.ZSTD).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recompressing");
        assertThatThrownBy(() -> CopyOptions.builder().preserveDigests().manifestFormat(ManifestFormat.OCI).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("converting");
        assertThatThrownBy(() -> CopyOptions.builder().maxParallelBlobs(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CopyOptions.builder().platforms(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSettingMadeTwiceIsRefusedAtOnce() {
        CopyOptions.Builder b = CopyOptions.builder().allPlatforms();
        assertThatThrownBy(() -> b.platform(AMD64)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already chosen");
        CopyOptions.Builder c = CopyOptions.builder().compression(Compression.GZIP);
        assertThatThrownBy(() -> c.compression(Compression.ZSTD)).isInstanceOf(IllegalStateException.class);
        // a derived builder may change what the original set
        CopyOptions derived = CopyOptions.builder().allPlatforms().build().newBuilder().platform(AMD64).build();
        assertThat(derived.platforms()).isEqualTo(CopyOptions.PlatformChoice.single(AMD64));
    }

    @Test
    void theDefaultIsTheHostsPlatform() {
        assertThat(CopyOptions.defaults().platforms()).isEqualTo(CopyOptions.PlatformChoice.single(Platform.host()));
        assertThat(CopyOptions.defaults().maxParallelBlobs()).isEqualTo(6);
    }
}
