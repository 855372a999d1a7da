package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store keeps the signatures of what is pulled into it, as containers-storage does. */
class StoreSignaturesTest {
    @TempDir
    Path tmp;

    private final ImageSignature simple = new SimpleSignature(new byte[] {(byte) 0xa3, 1, 2, 3});
    private final ImageSignature sigstore = new SigstoreSignature(SigstoreSignature.PAYLOAD_MEDIA_TYPE,
            "{}".getBytes(StandardCharsets.UTF_8), Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, "c2ln"));

    @Test
    void signaturesTravelIntoTheStoreAndOutAgainAndGoWithTheirImage() throws IOException {
        Path signed = tmp.resolve("signed");
        Image image = TestImages.image("a");
        try (ImageDestination dest = DirTransport.reference(signed).openDestination()) {
            TestImages.putBlobs(dest, image);
            dest.putManifest(dev.ocikit.image.spi.ManifestBlob.of(image.manifest().bytes(), image.manifest().mediaType()),
                    Optional.empty());
            dest.putSignatures(List.of(simple, sigstore), Optional.empty());
            dest.commit();
        }
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        Copy.from(DirTransport.reference(signed)).to(store.reference("example.com/app:1")).run();
        try (ImageSource src = store.reference("example.com/app:1").openSource()) {
            assertThat(src.signatures(Optional.empty())).containsExactly(simple, sigstore);
        }
        Path out = tmp.resolve("out");
        Copy.from(store.reference("example.com/app:1")).to(DirTransport.reference(out)).run();
        assertThat(out.resolve("signature-1")).hasBinaryContent(simple.blob());
        assertThat(out.resolve("signature-2")).hasBinaryContent(sigstore.blob());

        // A copy without signatures into the same name replaces them; a removed image's go at collection.
        Copy.from(DirTransport.reference(signed)).to(store.reference("example.com/app:1")).removeSignatures().run();
        try (ImageSource src = store.reference("example.com/app:1").openSource()) {
            assertThat(src.signatures(Optional.empty())).containsExactly(simple, sigstore); // kept: same manifest, nothing new given
        }
        Path dir = tmp.resolve("store/signatures/sha256").resolve(image.manifest().digest().encoded());
        assertThat(dir.resolve("signature-2")).exists();
        store.remove("example.com/app:1", false);
        store.collectGarbage();
        assertThat(dir).doesNotExist();
    }
}
