package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.UnsupportedManifestException;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciTransportTest {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Platform ARM64 = Platform.of("linux", "arm64");

    @TempDir
    Path dir;

    final OciTransport oci = new OciTransport();

    OciTransport.Reference parse(String s) {
        return (OciTransport.Reference) oci.parse(s);
    }

    @Test
    void parsesAsContainersImageDoesSplittingAtTheFirstColon() {
        assertThat(parse("/foo/bar:busybox:latest")).satisfies(r -> {
            assertThat(r.dir()).isEqualTo("/foo/bar");
            assertThat(r.image()).contains("busybox:latest");
        });
        assertThat(parse("/foo/bar:busybox").image()).contains("busybox");
        assertThat(parse("/foo/bar").image()).isEmpty();
        assertThat(parse("/foo/bar:").image()).isEmpty();
        assertThat(parse("relative/dir:docker.io/library/busybox:1.36").image()).contains("docker.io/library/busybox:1.36");
        // The path cannot hold a colon: what follows the first one is the reference.
        assertThat(parse("/tmp/co:lon/x:t")).satisfies(r -> {
            assertThat(r.dir()).isEqualTo("/tmp/co");
            assertThat(r.image()).contains("lon/x:t");
        });
        for (String bad : List.of("/x:invalid'image!value@", ":tag", "", "/x:a b", "/x:-a")) {
            assertThatThrownBy(() -> oci.parse(bad)).as(bad).isInstanceOf(InvalidTransportReferenceException.class);
        }
    }

    @Test
    void formatsWhatItParsesBack() {
        for (String s : List.of("/dir1:notlatest:notlatest", "/dir3:", "/dir4")) {
            TransportReference r = oci.parse(s);
            assertThat(oci.parse(r.withinTransport())).isEqualTo(r);
            assertThat(TransportReference.format(r)).startsWith("oci:/dir");
        }
        assertThat(oci.parse("/d").withinTransport()).isEqualTo("/d:");
        assertThat(OciTransport.reference(Path.of("/srv/l"), Optional.of("v1"))).isEqualTo(oci.parse("/srv/l:v1"));
        assertThatThrownBy(() -> OciTransport.reference(Path.of("/a:b"), Optional.empty()))
                .isInstanceOf(InvalidTransportReferenceException.class).hasMessageContaining("colon");
    }

    @Test
    void transportsAreFoundWithServiceLoader() {
        Transports transports = Transports.load();
        assertThat(transports.names()).contains("oci", "dir", "ocikit");
        assertThat(transports.parse("oci:/x:y")).isEqualTo(oci.parse("/x:y"));
        assertThat(transports.parse("dir:/x")).isEqualTo(DirTransport.reference(Path.of("/x")));
    }

    @Test
    void writesThenReadsAnImageAndCopiesItBetweenLayouts() throws IOException {
        Image image = TestImages.image("a");
        TransportReference ref = oci.parse(dir.resolve("one") + ":v1");
        try (ImageDestination dest = ref.openDestination()) {
            assertThat(dest.supportedManifestMediaTypes()).containsExactly(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX);
            TestImages.write(dest, image);
        }
        TransportReference copy = oci.parse(dir.resolve("two") + ":copied");
        try (ImageSource src = ref.openSource(); ImageDestination dst = copy.openDestination()) {
            ManifestBlob top = TestImages.copy(src, dst);
            assertThat(top.bytes()).isEqualTo(image.manifest().bytes());
            assertThat(top.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        }
        ImageLayout two = ImageLayout.open(dir.resolve("two"));
        assertThat(two.refs()).containsExactly("copied");
        assertThat(two.imageManifest(two.resolve("copied"), AMD64).digest()).isEqualTo(image.manifest().digest());
        // Without a reference, the sole image is read.
        try (ImageSource src = oci.parse(dir.resolve("two").toString()).openSource()) {
            assertThat(src.manifest(Optional.empty()).digest()).isEqualTo(image.manifest().digest());
        }
    }

    @Test
    void aDestinationReusesTheBlobsItsLayoutHasWhenDigestAndSizeMatch() throws IOException {
        Image image = TestImages.image("reused");
        try (ImageDestination dest = oci.parse(dir.resolve("one") + ":v1").openDestination()) {
            TestImages.write(dest, image);
        }
        Descriptor layer = image.config().descriptor();
        // Larger than the boxed Longs Java caches: sizes must be compared by value.
        assertThat(layer.size()).isGreaterThan(127L);

        try (ImageDestination dest = oci.parse(dir.resolve("one") + ":v2").openDestination()) {
            assertThat(dest.tryReuseBlob(layer)).contains(new BlobInfo(layer.digest(), layer.size()));
            assertThat(dest.tryReuseBlob(Descriptor.of(layer.mediaType(), layer.digest(), layer.size() + 1))).isEmpty();
            assertThat(dest.tryReuseBlob(Descriptor.of(layer.mediaType(), Digest.sha256(new byte[] {1}), layer.size())))
                    .isEmpty();
        }
    }

    @Test
    void whatAKilledCopyLeftIsSweptWhenTheNextOneOpensUnlessAWriteRuns() throws IOException {
        Image image = TestImages.image("swept");
        try (ImageDestination dest = oci.parse(dir.resolve("one") + ":v1").openDestination()) {
            TestImages.write(dest, image);
        }
        Path partial = Files.writeString(dir.resolve("one/ingest/blob-123.partial"), "half a layer");
        Path deadPin = Files.writeString(dir.resolve("one/pins/" + java.util.UUID.randomUUID() + ".pin"), "");
        ImageLayout layout = ImageLayout.open(dir.resolve("one"));

        try (StoreLock.Held writing = layout.blobLock().shared();
                ImageDestination dest = oci.parse(dir.resolve("one") + ":v2").openDestination()) {
            assertThat(partial).exists(); // a write in progress may own it
        }
        try (ImageDestination dest = oci.parse(dir.resolve("one") + ":v3").openDestination()) {
            assertThat(partial).doesNotExist();
            assertThat(deadPin).doesNotExist();
        }
        assertThat(layout.resolve("v1").digest()).isEqualTo(image.manifest().digest());
    }

    @Test
    void copiesAWholeIndex() throws IOException {
        Image amd = TestImages.image("amd", AMD64);
        Image arm = TestImages.image("arm", ARM64);
        Parsed<ImageIndex> index = TestImages.index(List.of(AMD64, ARM64), amd, arm);
        TransportReference ref = oci.parse(dir.resolve("one") + ":multi");
        try (ImageDestination dest = ref.openDestination()) {
            TestImages.write(dest, index, amd, arm);
        }
        try (ImageSource src = ref.openSource()) {
            ManifestBlob child = src.manifest(Optional.of(arm.manifest().digest()));
            assertThat(child.bytes()).isEqualTo(arm.manifest().bytes());
            assertThat(child.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            try (ImageDestination dst = oci.parse(dir.resolve("two") + ":m").openDestination()) {
                TestImages.copy(src, dst);
            }
        }
        ImageLayout two = ImageLayout.open(dir.resolve("two"));
        assertThat(two.resolve("m").digest()).isEqualTo(index.digest());
        assertThat(two.imageManifest(two.resolve("m"), ARM64).digest()).isEqualTo(arm.manifest().digest());
        // Only the index is listed in index.json; its images are reached through it.
        assertThat(two.index().manifests()).hasSize(1);
    }

    @Test
    void destinationVerifiesBlobsAndManifestsAndKeepsNothingWrong() throws IOException {
        Path root = dir.resolve("l");
        try (ImageDestination dest = oci.parse(root + ":x").openDestination()) {
            byte[] content = "content".getBytes(StandardCharsets.UTF_8);
            Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> dest.putBlob(new ByteArrayInputStream(content),
                    BlobWrite.of(MediaTypes.OCI_LAYER_TAR, other, content.length)))
                    .isInstanceOf(DigestMismatchException.class);
            assertThatThrownBy(() -> dest.putBlob(new ByteArrayInputStream(content),
                    new BlobWrite(MediaTypes.OCI_LAYER_TAR, Optional.empty(), content.length + 1)))
                    .isInstanceOf(IOException.class).hasMessageContaining("were declared");
            assertThat(ImageLayout.open(root).contains(Digest.sha256(content))).isFalse();
            assertThat(ImageLayout.open(root).contains(other)).isFalse();
            assertThat(root.resolve("ingest")).isEmptyDirectory();

            Image image = TestImages.image("a");
            ManifestBlob manifest = ManifestBlob.of(image.manifest().bytes(), MediaTypes.OCI_MANIFEST);
            assertThatThrownBy(() -> dest.putManifest(manifest, Optional.of(other)))
                    .isInstanceOf(DigestMismatchException.class);
            assertThatThrownBy(() -> dest.putManifest(ManifestBlob.of(image.manifest().bytes(),
                    MediaTypes.DOCKER_SCHEMA1_MANIFEST), Optional.empty()))
                    .isInstanceOf(UnsupportedManifestException.class).hasMessageContaining("convert");
            assertThatThrownBy(() -> dest.putManifest(ManifestBlob.of("{}".getBytes(StandardCharsets.UTF_8),
                    MediaTypes.OCI_MANIFEST), Optional.empty()))
                    .isInstanceOf(dev.ocikit.spec.MalformedDocumentException.class);
            assertThatThrownBy(dest::commit).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void anIncompleteImageIsNotCommittedAndAnUncommittedOneNotListed() throws IOException {
        Path root = dir.resolve("l");
        Image image = TestImages.image("a");
        try (ImageDestination dest = oci.parse(root + ":x").openDestination()) {
            dest.putManifest(ManifestBlob.of(image.manifest().bytes(), MediaTypes.OCI_MANIFEST), Optional.empty());
            assertThatThrownBy(dest::commit).isInstanceOf(BlobUnknownException.class);
        }
        try (ImageDestination dest = oci.parse(root + ":x").openDestination()) {
            TestImages.putBlobs(dest, image);
            dest.putManifest(ManifestBlob.of(image.manifest().bytes(), MediaTypes.OCI_MANIFEST), Optional.empty());
        }
        assertThat(ImageLayout.open(root).index().manifests()).isEmpty();
        // Everything written stays as garbage until collected.
        assertThat(ImageLayout.open(root).collectGarbage().removed()).hasSize(3);
    }

    @Test
    void destinationWithoutReferenceListsTheImageUnnamedAndSourceRefusesAmbiguity() throws IOException {
        Path root = dir.resolve("l");
        try (ImageDestination dest = oci.parse(root.toString()).openDestination()) {
            TestImages.write(dest, TestImages.image("a"));
        }
        try (ImageDestination dest = oci.parse(root.toString()).openDestination()) {
            TestImages.write(dest, TestImages.image("b"));
        }
        assertThat(ImageLayout.open(root).index().manifests()).hasSize(2).allSatisfy(d -> assertThat(d.refName()).isEmpty());
        assertThatThrownBy(() -> oci.parse(root.toString()).openSource()).isInstanceOf(AmbiguousImageException.class);
        assertThatThrownBy(() -> oci.parse(root + ":nope").openSource()).isInstanceOf(ImageUnknownException.class);
    }

    @Test
    void destinationRefusesADirectoryWithOtherContent() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> oci.parse(dir + ":x").openDestination()).isInstanceOf(ImageLayoutException.class);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("notes.txt");
        }
    }

    @Test
    void readsTheManifestOfAnImageOfAnIndexByItsDigest() throws IOException {
        Image amd = TestImages.image("amd", AMD64);
        Parsed<ImageIndex> index = TestImages.index(List.of(AMD64), amd);
        try (ImageDestination dest = oci.parse(dir + ":i").openDestination()) {
            TestImages.write(dest, index, amd);
        }
        try (ImageSource src = oci.parse(dir + ":" + amd.manifest().digest()).openSource()) {
            ManifestBlob m = src.manifest(Optional.empty());
            assertThat(Parsed.manifest(m.bytes()).model()).isInstanceOf(ImageManifest.class);
            assertThat(m.digest()).isEqualTo(amd.manifest().digest());
        }
    }
}
