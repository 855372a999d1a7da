package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.TestImages.Blob;
import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirTransportTest {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Platform ARM64 = Platform.of("linux", "arm64");

    @TempDir
    Path dir;

    static Set<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    static Set<String> names(Image... images) {
        Set<String> out = new java.util.HashSet<>();
        for (Image i : images) {
            i.blobs().forEach(b -> out.add(b.digest().encoded()));
        }
        return out;
    }

    @Test
    void parsesAnyPathAndFormatsItBack() {
        DirTransport t = new DirTransport();
        TransportReference r = t.parse("/tmp/my:image");
        assertThat(r.withinTransport()).isEqualTo("/tmp/my:image");
        assertThat(t.parse(r.withinTransport())).isEqualTo(r);
        assertThat(TransportReference.format(r)).isEqualTo("dir:/tmp/my:image");
        assertThatThrownBy(() -> t.parse("")).isInstanceOf(InvalidTransportReferenceException.class);
        assertThatThrownBy(() -> t.parse("a\0b")).isInstanceOf(InvalidTransportReferenceException.class);
    }

    @Test
    void writesSkopeosDirectoryFormatAndReadsItBack() throws IOException {
        Path target = dir.resolve("img");
        Image image = TestImages.image("a");
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            assertThat(dest.supportedManifestMediaTypes()).isEmpty();
            TestImages.write(dest, image);
        }
        Set<String> expected = new java.util.HashSet<>(names(image));
        expected.addAll(List.of("manifest.json", "version"));
        assertThat(files(target)).isEqualTo(expected);
        assertThat(target.resolve("version")).hasContent("Directory Transport Version: 1.1\n");
        assertThat(target.resolve("manifest.json")).hasBinaryContent(image.manifest().bytes());
        for (Blob b : image.blobs()) {
            assertThat(target.resolve(b.digest().encoded())).hasBinaryContent(b.bytes());
        }
        try (ImageSource src = DirTransport.reference(target).openSource()) {
            ManifestBlob m = src.manifest(Optional.empty());
            assertThat(m.bytes()).isEqualTo(image.manifest().bytes());
            assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            try (InputStream in = src.blob(image.layers().get(0).descriptor())) {
                assertThat(in.readAllBytes()).isEqualTo(image.layers().get(0).bytes());
            }
            assertThatThrownBy(() -> src.manifest(Optional.of(Digest.sha256(new byte[0]))))
                    .isInstanceOf(BlobUnknownException.class);
        }
    }

    @Test
    void writesTheImagesOfAnIndexAsDigestNamedManifests() throws IOException {
        Image amd = TestImages.image("amd", AMD64);
        Image arm = TestImages.image("arm", ARM64);
        Parsed<ImageIndex> index = TestImages.index(List.of(AMD64, ARM64), amd, arm);
        Path target = dir.resolve("multi");
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            TestImages.write(dest, index, amd, arm);
        }
        assertThat(target.resolve("manifest.json")).hasBinaryContent(index.bytes());
        assertThat(target.resolve(arm.manifest().digest().encoded() + ".manifest.json"))
                .hasBinaryContent(arm.manifest().bytes());
        // and it copies on, image by image, into a layout
        try (ImageSource src = DirTransport.reference(target).openSource();
                ImageDestination dst = new OciTransport().parse(dir.resolve("layout") + ":m").openDestination()) {
            TestImages.copy(src, dst);
        }
        ImageLayout layout = ImageLayout.open(dir.resolve("layout"));
        assertThat(layout.imageManifest(layout.resolve("m"), ARM64).digest()).isEqualTo(arm.manifest().digest());
    }

    @Test
    void signaturesAreWrittenAtCommitAsSkopeoNamesThemAndReadBackInOrder() throws IOException {
        Path target = dir.resolve("img");
        Image a = TestImages.image("a");
        byte[] one = "first".getBytes(StandardCharsets.UTF_8);
        ImageSignature two = new SigstoreSignature(SigstoreSignature.PAYLOAD_MEDIA_TYPE, "{}".getBytes(StandardCharsets.UTF_8),
                java.util.Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, "c2ln"));
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            assertThat(dest.supportsSignatures(ImageSignature.SIMPLE_SIGNING)).isTrue();
            assertThat(dest.supportsSignatures(ImageSignature.SIGSTORE_JSON)).isTrue();
            TestImages.putBlobs(dest, a);
            dest.putManifest(ManifestBlob.of(a.manifest().bytes(), a.manifest().mediaType()), Optional.empty());
            dest.putSignatures(List.of(new SimpleSignature(one), two), Optional.empty());
            assertThat(target.resolve("signature-1")).doesNotExist(); // not before the commit
            dest.commit();
        }
        assertThat(target.resolve("signature-1")).hasBinaryContent(one); // simple signatures as they are, as skopeo writes them
        assertThat(target.resolve("signature-2")).hasBinaryContent(("\0sigstore-json\n{\"mimeType\":\""
                + SigstoreSignature.PAYLOAD_MEDIA_TYPE + "\",\"payload\":\"e30=\",\"annotations\":{\""
                + SigstoreSignature.SIGNATURE_ANNOTATION + "\":\"c2ln\"}}").getBytes(StandardCharsets.UTF_8));
        try (ImageSource src = DirTransport.reference(target).openSource()) {
            assertThat(src.signatures(Optional.empty())).containsExactly(new SimpleSignature(one), two);
            assertThat(src.signatures(Optional.of(a.manifest().digest()))).isEmpty();
        }
        // an abandoned write of another image leaves the signatures as they were
        Image b = TestImages.image("b");
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            TestImages.putBlobs(dest, b);
            dest.putManifest(ManifestBlob.of(b.manifest().bytes(), b.manifest().mediaType()), Optional.empty());
            dest.putSignatures(List.of(two), Optional.empty());
        }
        assertThat(target.resolve("signature-1")).hasBinaryContent(one);
        assertThat(target.resolve("signature-2")).hasBinaryContent(two.blob());
    }

    @Test
    void destinationsWithoutSignatureSupportRefuseSignaturesButNotAnEmptyList() throws IOException {
        try (ImageDestination dest = new OciTransport().parse(dir.resolve("layout") + ":x").openDestination()) {
            assertThat(dest.supportsSignatures(ImageSignature.SIMPLE_SIGNING)).isFalse();
            dest.putSignatures(List.of(), Optional.empty());
            assertThatThrownBy(() -> dest.putSignatures(List.of(new SimpleSignature(new byte[] {1})), Optional.empty()))
                    .isInstanceOf(dev.ocikit.image.spi.SignaturesNotSupportedException.class)
                    .hasMessageContaining("destination does not support signatures");
        }
    }

    @Test
    void overwritingKeepsThePreviousImageUntilCommitThenRemovesItsFiles() throws IOException {
        Path target = dir.resolve("img");
        Image a = TestImages.image("a");
        Image b = TestImages.image("b");
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            TestImages.write(dest, a);
        }
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            TestImages.putBlobs(dest, b);
            dest.putManifest(ManifestBlob.of(b.manifest().bytes(), MediaTypes.OCI_MANIFEST), Optional.empty());
            // not committed yet: a is still the image
            assertThat(target.resolve("manifest.json")).hasBinaryContent(a.manifest().bytes());
            names(a).forEach(n -> assertThat(target.resolve(n)).exists());
            dest.commit();
        }
        Set<String> expected = new java.util.HashSet<>(names(b));
        expected.addAll(List.of("manifest.json", "version"));
        assertThat(files(target)).isEqualTo(expected);
        assertThat(target.resolve("manifest.json")).hasBinaryContent(b.manifest().bytes());
    }

    @Test
    void anIncompleteImageLeavesThePreviousOneInPlace() throws IOException {
        Path target = dir.resolve("img");
        Image a = TestImages.image("a");
        Image b = TestImages.image("b");
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            TestImages.write(dest, a);
        }
        Set<String> before = files(target);
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            dest.putManifest(ManifestBlob.of(b.manifest().bytes(), MediaTypes.OCI_MANIFEST), Optional.empty());
            assertThatThrownBy(dest::commit).isInstanceOf(BlobUnknownException.class)
                    .hasMessageContaining("previous image was kept");
        }
        assertThat(files(target)).isEqualTo(before);
        assertThat(target.resolve("manifest.json")).hasBinaryContent(a.manifest().bytes());
    }

    @Test
    void reusesBlobsOfThePreviousImageOnlyIfTheyHashRight() throws IOException {
        Path target = dir.resolve("img");
        Image a = TestImages.image("a");
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            TestImages.write(dest, a);
        }
        Blob layer = a.layers().get(0);
        Path file = target.resolve(layer.digest().encoded());
        byte[] corrupt = layer.bytes().clone();
        corrupt[corrupt.length / 2] ^= 1;
        Files.write(file, corrupt);
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            assertThat(dest.tryReuseBlob(a.config().descriptor())).isPresent();
            assertThat(dest.tryReuseBlob(layer.descriptor())).isEmpty();
            dest.putBlob(new ByteArrayInputStream(layer.bytes()), BlobWrite.of(layer.descriptor().mediaType(),
                    layer.digest(), layer.bytes().length));
            dest.putManifest(ManifestBlob.of(a.manifest().bytes(), MediaTypes.OCI_MANIFEST), Optional.empty());
            dest.commit();
        }
        assertThat(file).hasBinaryContent(layer.bytes());
    }

    @Test
    void verifiesBlobsAndLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("img");
        byte[] content = "content".getBytes(StandardCharsets.UTF_8);
        try (ImageDestination dest = DirTransport.reference(target).openDestination()) {
            Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> dest.putBlob(new ByteArrayInputStream(content),
                    BlobWrite.of(MediaTypes.OCI_LAYER_TAR, other, content.length)))
                    .isInstanceOf(DigestMismatchException.class);
            assertThatThrownBy(() -> dest.putBlob(new ByteArrayInputStream(content),
                    new BlobWrite(MediaTypes.OCI_LAYER_TAR, Optional.empty(), 3)))
                    .isInstanceOf(IOException.class);
            Image image = TestImages.image("a");
            assertThatThrownBy(() -> dest.putManifest(ManifestBlob.of(image.manifest().bytes(), MediaTypes.OCI_MANIFEST),
                    Optional.of(other))).isInstanceOf(DigestMismatchException.class);
        }
        assertThat(files(target)).containsExactly("version");
    }

    @Test
    void refusesToWriteOverADirectoryThatIsNotAnImageDirectory() throws IOException {
        Files.writeString(dir.resolve("thesis.tex"), "years of work");
        Files.writeString(dir.resolve("version"), "Directory Transport Version: 1.0\n");
        List<String> before = new ArrayList<>(files(dir));
        assertThatThrownBy(() -> DirTransport.reference(dir).openDestination())
                .isInstanceOf(ImageLayoutException.class).hasMessageContaining("not an image directory");
        assertThat(files(dir)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(dir.resolve("version")).hasContent("Directory Transport Version: 1.0\n");
        assertThatThrownBy(() -> DirTransport.reference(dir).openSource().manifest(Optional.empty()))
                .isInstanceOf(ImageLayoutException.class).hasMessageContaining("no manifest.json");
    }
}
