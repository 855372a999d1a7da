package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.policy.PolicyKeys;
import dev.ocikit.image.policy.PolicyRejectedException;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SigstorePrivateKey;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.signature.SigstoreSigning;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.VerifiedSignature;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.SignaturesNotSupportedException;
import dev.ocikit.image.spi.TransportReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies that add sigstore signatures, and policies with sigstoreSigned enforced by copy ({@code dir:} stores them). */
class CopySigstoreTest {
    private static final String IDENTITY = "registry.example.com/team/app:1.0";

    private static SigstorePrivateKey trusted;
    private static SigstorePrivateKey stranger;

    @TempDir
    Path tmp;
    private Path source;
    private Image image;

    @BeforeAll
    static void keys() {
        trusted = SigstorePrivateKey.generate();
        stranger = SigstorePrivateKey.generate();
    }

    @BeforeEach
    void sourceImage() throws IOException {
        source = tmp.resolve("src");
        image = TestImages.image("a");
        try (ImageDestination dest = DirTransport.reference(source).openDestination()) {
            TestImages.write(dest, image);
        }
    }

    /** Accepts dir: images with a sigstore signature by {@code key} for {@link #IDENTITY}; rejects everything else. */
    private static TrustPolicy requiring(SigstorePrivateKey key) {
        String json = "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"dir\": {\"\": [{\"type\": \"sigstoreSigned\","
                + " \"keyData\": \"" + Base64.getEncoder().encodeToString(key.publicKey().toPem())
                + "\", \"signedIdentity\": {\"type\": \"exactReference\", \"dockerReference\": \"" + IDENTITY + "\"}}]}}}";
        return TrustPolicy.parse(json.getBytes(StandardCharsets.UTF_8), "test policy");
    }

    private List<ImageSignature> signaturesIn(Path dir) throws IOException {
        try (ImageSource src = DirTransport.reference(dir).openSource()) {
            return src.signatures(Optional.empty());
        }
    }

    @Test
    void signBySigstoreAddsAVerifiableSignatureThatAPolicyThenAccepts() throws IOException {
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out))
                .signBySigstore(trusted, Optional.of(IDENTITY)).run();
        assertThat(Files.readAllBytes(out.resolve("signature-1"))).startsWith("\0sigstore-json\n".getBytes(StandardCharsets.UTF_8));
        List<ImageSignature> sigs = signaturesIn(out);
        assertThat(sigs).singleElement().isInstanceOf(SigstoreSignature.class);
        VerifiedSignature v = SigstoreSigning.verifyFor((SigstoreSignature) sigs.get(0), Files.readAllBytes(out.resolve("manifest.json")),
                IDENTITY, List.of(trusted.publicKey()));
        assertThat(v.keyFingerprint()).isEqualTo(trusted.publicKey().fingerprint());

        Path again = tmp.resolve("again");
        Copy.from(DirTransport.reference(out)).to(DirTransport.reference(again)).policy(requiring(trusted)).run();
        assertThat(again.resolve("signature-1")).hasSameBinaryContentAs(out.resolve("signature-1"));

        Path refused = tmp.resolve("refused");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(out)).to(DirTransport.reference(refused))
                .policy(requiring(stranger)).run())
                .isInstanceOf(PolicyRejectedException.class).hasMessageContaining("sigstoreSigned")
                .hasMessageContaining(stranger.publicKey().fingerprint());
        assertThat(refused).doesNotExist();
    }

    @Test
    void bothKindsOfSigningAtOnceAddTwoSignatures() throws IOException {
        PolicyKeys gpg = PolicyKeys.generate("Trusted <trusted@example.com>");
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out))
                .signBy(gpg.signingKey(), Optional.of(IDENTITY)).signBySigstore(trusted, Optional.of(IDENTITY)).run();
        assertThat(signaturesIn(out)).hasSize(2).anySatisfy(s -> assertThat(s).isInstanceOf(SimpleSignature.class))
                .anySatisfy(s -> assertThat(s).isInstanceOf(SigstoreSignature.class));
        assertThat(CopyOptions.builder().signBySigstore(trusted, Optional.empty()).build().signBySigstore()).isPresent();
        assertThatThrownBy(() -> CopyOptions.builder().signBySigstore(trusted, Optional.empty()).signBySigstore(trusted, Optional.empty()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSigstoreSignedSourceIsCarriedAndCheckedOnTheWay() throws IOException {
        Files.write(source.resolve("signature-1"), SigstoreSigning.sign(image.manifest().bytes(), IDENTITY, trusted).blob());
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out)).policy(requiring(trusted)).run();
        assertThat(out.resolve("signature-1")).hasSameBinaryContentAs(source.resolve("signature-1"));
        // a signature of another manifest does not let the image through
        Files.write(source.resolve("signature-1"), SigstoreSigning.sign("{}".getBytes(StandardCharsets.UTF_8), IDENTITY, trusted).blob());
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(DirTransport.reference(tmp.resolve("no")))
                .policy(requiring(trusted)).run()).isInstanceOf(PolicyRejectedException.class).hasMessageContaining("DIGEST_MISMATCH");
        assertThat(tmp.resolve("no")).doesNotExist();
    }

    @Test
    void signingIsRefusedBeforeAnythingIsWritten() {
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out))
                .signBySigstore(trusted, Optional.empty()).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--sign-identity");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out))
                .signBySigstore(trusted, Optional.of("registry.example.com/team/app")).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither a tag nor a digest");
        assertThat(out).doesNotExist();
        TransportReference layout = new OciTransport().parse(tmp.resolve("layout") + ":app");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(layout)
                .signBySigstore(trusted, Optional.of(IDENTITY)).run())
                .isInstanceOf(SignaturesNotSupportedException.class).hasMessageContaining("does not support sigstore signatures");
        assertThat(tmp.resolve("layout").resolve("index.json")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(),
                p -> assertThat(ImageLayout.open(tmp.resolve("layout")).index().manifests()).isEmpty());
    }
}
