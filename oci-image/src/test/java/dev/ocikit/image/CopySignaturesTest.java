package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.policy.PolicyKeys;
import dev.ocikit.image.policy.PolicyRejectedException;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.signature.PublicKeyring;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SimpleSigning;
import dev.ocikit.image.signature.VerifiedSignature;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.SignaturesNotSupportedException;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.Parsed;
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

/** Copies that check a trust policy, carry, drop and add simple signatures ({@code dir:} stores them). */
class CopySignaturesTest {
    private static final String IDENTITY = "registry.example.com/team/app:1.0";

    private static PolicyKeys trusted;
    private static PolicyKeys stranger;

    @TempDir
    Path tmp;
    private Path source;
    private Image image;

    @BeforeAll
    static void keys() {
        trusted = PolicyKeys.generate("Trusted <trusted@example.com>");
        stranger = PolicyKeys.generate("Stranger <stranger@example.com>");
    }

    @BeforeEach
    void sourceImage() throws IOException {
        source = tmp.resolve("src");
        image = TestImages.image("a");
        try (ImageDestination dest = DirTransport.reference(source).openDestination()) {
            TestImages.write(dest, image);
        }
    }

    private void signSource(PolicyKeys... keys) throws IOException {
        for (int i = 0; i < keys.length; i++) {
            Files.write(source.resolve("signature-" + (i + 1)),
                    SimpleSigning.sign(image.manifest().bytes(), IDENTITY, keys[i].signingKey()));
        }
    }

    /** Accepts dir: images signed by {@code key} for {@link #IDENTITY}; rejects everything else. */
    private static TrustPolicy requiring(PolicyKeys key) {
        String json = "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"dir\": {\"\": [{\"type\": \"signedBy\","
                + " \"keyType\": \"GPGKeys\", \"keyData\": \"" + Base64.getEncoder().encodeToString(key.armoredPublic())
                + "\", \"signedIdentity\": {\"type\": \"exactReference\", \"dockerReference\": \"" + IDENTITY + "\"}}]}}}";
        return TrustPolicy.parse(json.getBytes(StandardCharsets.UTF_8), "test policy");
    }

    private List<ImageSignature> signaturesIn(Path dir) throws IOException {
        try (ImageSource src = DirTransport.reference(dir).openSource()) {
            return src.signatures(Optional.empty());
        }
    }

    @Test
    void anAcceptedImageIsCopiedWithItsSignatures() throws IOException {
        signSource(stranger, trusted);
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out)).policy(requiring(trusted)).run();
        assertThat(out.resolve("manifest.json")).hasBinaryContent(image.manifest().bytes());
        assertThat(out.resolve("signature-1")).hasBinaryContent(Files.readAllBytes(source.resolve("signature-1")));
        assertThat(out.resolve("signature-2")).hasBinaryContent(Files.readAllBytes(source.resolve("signature-2")));
        assertThat(out.resolve("signature-3")).doesNotExist();
        // and the copy passes the same policy again
        Copy.from(DirTransport.reference(out)).to(DirTransport.reference(tmp.resolve("again")))
                .policy(requiring(trusted)).run();
    }

    @Test
    void aRejectedImageLeavesTheDestinationUntouched() throws IOException {
        Path out = tmp.resolve("out");
        Copy unsigned = Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out)).policy(requiring(trusted));
        assertThatThrownBy(unsigned::run).isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("signedBy");
        assertThat(out).doesNotExist();

        signSource(stranger);
        assertThatThrownBy(unsigned::run).isInstanceOfSatisfying(PolicyRejectedException.class,
                e -> assertThat(e.transport()).isEqualTo("dir"))
                .hasMessageContaining(trusted.signingKey().fingerprint());
        assertThat(out).doesNotExist();

        // an existing image at the destination keeps its files, too
        Image previous = TestImages.image("previous");
        try (ImageDestination dest = DirTransport.reference(out).openDestination()) {
            TestImages.write(dest, previous);
        }
        java.util.Set<String> before = DirTransportTest.files(out);
        assertThatThrownBy(unsigned::run).isInstanceOf(PolicyRejectedException.class);
        assertThat(DirTransportTest.files(out)).isEqualTo(before);
        assertThat(out.resolve("manifest.json")).hasBinaryContent(previous.manifest().bytes());
    }

    @Test
    void removeSignaturesDropsThem() throws IOException {
        signSource(trusted);
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out)).removeSignatures().run();
        assertThat(out.resolve("manifest.json")).exists();
        assertThat(signaturesIn(out)).isEmpty();
        assertThat(out.resolve("signature-1")).doesNotExist();
    }

    @Test
    void overwritingAnImageReplacesItsSignatures() throws IOException {
        signSource(trusted, stranger);
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out)).run();
        assertThat(signaturesIn(out)).hasSize(2);
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out)).removeSignatures().run();
        assertThat(signaturesIn(out)).isEmpty();
    }

    @Test
    void signByAddsAVerifiableSignatureOfTheWrittenManifest() throws IOException {
        signSource(stranger);
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out))
                .signBy(trusted.signingKey(), Optional.of(IDENTITY)).run();
        List<ImageSignature> sigs = signaturesIn(out);
        assertThat(sigs).hasSize(2);
        assertThat(sigs.get(0).blob()).isEqualTo(Files.readAllBytes(source.resolve("signature-1")));
        VerifiedSignature v = SimpleSigning.verifyFor(Files.readAllBytes(out.resolve("signature-2")),
                Files.readAllBytes(out.resolve("manifest.json")), IDENTITY,
                PublicKeyring.parse(trusted.armoredPublic(), "trusted"));
        assertThat(v.keyFingerprint()).isEqualTo(trusted.signingKey().fingerprint());
        // and a policy requiring that key accepts the result
        Copy.from(DirTransport.reference(out)).to(DirTransport.reference(tmp.resolve("again")))
                .policy(requiring(trusted)).run();
    }

    @Test
    void signingForADestinationWithoutDockerReferenceNeedsAnIdentity() {
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out))
                .signBy(trusted.signingKey(), Optional.empty()).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--sign-identity");
        assertThat(out).doesNotExist();
    }

    @Test
    void aCopyThatDropsSignaturesDoesNotReadThem() throws IOException {
        // a signature in a format ocikit does not know: reading it fails, so only a copy that needs it may
        Files.write(source.resolve("signature-1"), "\0future-format\n{}".getBytes(StandardCharsets.UTF_8));
        Path out = tmp.resolve("out");
        Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out)).removeSignatures().run();
        assertThat(out.resolve("manifest.json")).hasBinaryContent(image.manifest().bytes());
        assertThat(out.resolve("signature-1")).doesNotExist();
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(DirTransport.reference(tmp.resolve("kept"))).run())
                .isInstanceOf(dev.ocikit.image.signature.SignatureVerificationException.class)
                .hasMessageContaining("future-format");
    }

    @Test
    void aDestinationWithoutSignatureSupportRefusesSignedImagesUnlessTheyAreRemoved() throws IOException {
        signSource(trusted);
        TransportReference layout = new OciTransport().parse(tmp.resolve("layout") + ":app");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(layout).run())
                .isInstanceOf(SignaturesNotSupportedException.class)
                .hasMessageContaining("Cannot copy signatures to oci:")
                .hasMessageContaining("destination does not support signatures")
                .hasMessageContaining("--remove-signatures");
        assertThat(ImageLayout.open(tmp.resolve("layout")).index().manifests()).isEmpty();

        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(layout).removeSignatures()
                .signBy(trusted.signingKey(), Optional.of(IDENTITY)).run())
                .isInstanceOf(SignaturesNotSupportedException.class).hasMessageContaining("Cannot sign the image");
        assertThat(ImageLayout.open(tmp.resolve("layout")).index().manifests()).isEmpty();

        Copy.from(DirTransport.reference(source)).to(layout).removeSignatures().run();
        assertThat(ImageLayout.open(tmp.resolve("layout")).resolve("app").digest()).isEqualTo(image.manifest().digest());
    }

    @Test
    void aConversionThatWouldInvalidateSignaturesIsRefused() throws IOException {
        signSource(trusted);
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(source)).to(DirTransport.reference(out))
                .manifestFormat(ManifestFormat.DOCKER_V2S2).run())
                .hasMessageContaining("invalidates the signatures").hasMessageContaining("--remove-signatures");
        assertThat(out.resolve("manifest.json")).doesNotExist();
    }

    private record TwoPlatforms(Platform amd64, Platform arm64, Image amd, Image arm, Parsed<ImageIndex> index, Path dir) {}

    /** An index of a linux/amd64 and a linux/arm64 image, in a dir: directory, unsigned. */
    private TwoPlatforms twoPlatformIndex() throws IOException {
        Platform amd64 = Platform.of("linux", "amd64");
        Platform arm64 = Platform.of("linux", "arm64");
        Image amd = TestImages.image("amd", amd64);
        Image arm = TestImages.image("arm", arm64);
        Parsed<ImageIndex> index = TestImages.index(List.of(amd64, arm64), amd, arm);
        Path multi = tmp.resolve("multi");
        try (ImageDestination dest = DirTransport.reference(multi).openDestination()) {
            TestImages.write(dest, index, amd, arm);
        }
        return new TwoPlatforms(amd64, arm64, amd, arm, index, multi);
    }

    @Test
    void theImagesOfAnIndexKeepTheirOwnSignatures() throws IOException {
        TwoPlatforms two = twoPlatformIndex();
        Image arm = two.arm();
        Path multi = two.dir();
        byte[] armSig = SimpleSigning.sign(arm.manifest().bytes(), IDENTITY, trusted.signingKey());
        Files.write(multi.resolve(arm.manifest().digest().encoded() + ".signature-1"), armSig);
        Path all = tmp.resolve("all");
        Copy.from(DirTransport.reference(multi)).to(DirTransport.reference(all)).allPlatforms().run();
        assertThat(all.resolve(arm.manifest().digest().encoded() + ".signature-1")).hasBinaryContent(armSig);
        assertThat(all.resolve("signature-1")).doesNotExist();

        Path one = tmp.resolve("one");
        Copy.from(DirTransport.reference(multi)).to(DirTransport.reference(one)).platform(two.arm64()).run();
        assertThat(one.resolve("manifest.json")).hasBinaryContent(arm.manifest().bytes());
        assertThat(one.resolve("signature-1")).hasBinaryContent(armSig);
    }

    @Test
    void anImagePickedOutOfAnIndexIsJudgedByItsOwnSignaturesAndAWholeIndexImageByImage() throws IOException {
        TwoPlatforms two = twoPlatformIndex();
        Platform amd64 = two.amd64();
        Platform arm64 = two.arm64();
        Image amd = two.amd();
        Image arm = two.arm();
        Parsed<ImageIndex> index = two.index();
        Path multi = two.dir();
        // The index and the arm64 image are signed; the amd64 image is not.
        Files.write(multi.resolve("signature-1"), SimpleSigning.sign(index.bytes(), IDENTITY, trusted.signingKey()));
        Files.write(multi.resolve(arm.manifest().digest().encoded() + ".signature-1"),
                SimpleSigning.sign(arm.manifest().bytes(), IDENTITY, trusted.signingKey()));

        Path arm64Only = tmp.resolve("arm64");
        Copy.from(DirTransport.reference(multi)).to(DirTransport.reference(arm64Only)).platform(arm64)
                .policy(requiring(trusted)).run();
        assertThat(arm64Only.resolve("manifest.json")).hasBinaryContent(arm.manifest().bytes());

        Path amd64Only = tmp.resolve("amd64");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(multi)).to(DirTransport.reference(amd64Only))
                .platform(amd64).policy(requiring(trusted)).run())
                .isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("(image " + amd.manifest().digest() + ")")
                .hasMessageContaining("the image has none");
        assertThat(amd64Only).doesNotExist();

        // A whole index: the signed index is not enough when one of its images is not signed.
        Path all = tmp.resolve("all");
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(multi)).to(DirTransport.reference(all))
                .allPlatforms().policy(requiring(trusted)).run())
                .isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("(image " + amd.manifest().digest() + ")");
        assertThat(all).doesNotExist();

        Files.write(multi.resolve(amd.manifest().digest().encoded() + ".signature-1"),
                SimpleSigning.sign(amd.manifest().bytes(), IDENTITY, trusted.signingKey()));
        Copy.from(DirTransport.reference(multi)).to(DirTransport.reference(all)).allPlatforms().policy(requiring(trusted)).run();
        assertThat(all.resolve("manifest.json")).hasBinaryContent(index.bytes());

        // ... and, as containers/image judges it, the index itself need not be signed: its entries are
        // the digests of images that each are.
        Files.delete(multi.resolve("signature-1"));
        Path again = tmp.resolve("again");
        Copy.from(DirTransport.reference(multi)).to(DirTransport.reference(again)).allPlatforms().policy(requiring(trusted)).run();
        assertThat(again.resolve("manifest.json")).hasBinaryContent(index.bytes());
        assertThat(again.resolve("signature-1")).doesNotExist();
    }
}
