package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Signing and verifying sigstore signatures with keys, and each way one is refused. */
class SigstoreSigningTest {
    static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);
    static final String REF = "quay.io/ocikit/app:1.0";
    static SigstorePrivateKey signer;
    static SigstorePrivateKey other;

    @BeforeAll
    static void keys() {
        signer = SigstorePrivateKey.generate();
        other = SigstorePrivateKey.generate();
    }

    static void refused(ThrowingCallable call, Reason reason, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SignatureVerificationException.class,
                e -> assertThat(e.reason()).isEqualTo(reason)).hasMessageContaining(messagePart);
    }

    static String critical(String extra) {
        return "{\"critical\":{\"identity\":{\"docker-reference\":\"" + REF + "\"},\"image\":{\"docker-manifest-digest\":\""
                + Digest.sha256(MANIFEST) + "\"},\"type\":\"cosign container image signature\"" + extra + "},\"optional\":{}}";
    }

    @Test
    void signsAsContainersImageAndVerifies() {
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, signer);
        assertThat(sig.mimeType()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
        assertThat(sig.annotations()).containsOnlyKeys("dev.cosignproject.cosign/signature");
        assertThat(new String(sig.payload(), StandardCharsets.UTF_8)).matches("\\{\"critical\":\\{\"identity\":\\{\"docker-reference\":\""
                + "quay.io/ocikit/app:1.0\"\\},\"image\":\\{\"docker-manifest-digest\":\"" + Digest.sha256(MANIFEST)
                + "\"\\},\"type\":\"cosign container image signature\"\\},\"optional\":\\{\"creator\":\"ocikit[^\"]*\",\"timestamp\":\\d+\\}\\}");
        VerifiedSignature v = SigstoreSigning.verifyFor(sig, MANIFEST, REF, List.of(other.publicKey(), signer.publicKey()));
        assertThat(v.format()).isEqualTo(ImageSignature.SIGSTORE_JSON);
        assertThat(v.keyFingerprint()).isEqualTo(signer.publicKey().fingerprint()).isEqualTo(v.signingKeyFingerprint());
        assertThat(v.payload().dockerManifestDigest()).isEqualTo(Digest.sha256(MANIFEST));
        assertThat(v.payload().dockerReference()).isEqualTo(REF);
        assertThat(v.signedAt()).isAfter(Instant.now().minusSeconds(60));
        // the one-file form of dir: reads back to the same signature
        assertThat(ImageSignature.fromBlob(sig.blob(), "signature-1")).isEqualTo(sig);
        // the name is compared as a Docker reference
        assertThat(SigstoreSigning.sign(MANIFEST, "busybox:1", signer)).satisfies(s ->
                SigstoreSigning.verifyFor(s, MANIFEST, "docker.io/library/busybox:1", List.of(signer.publicKey())));
    }

    @Test
    void everyKeyKindCosignAcceptsSignsAndVerifies() throws Exception {
        for (String alg : new String[] {"RSA", "Ed25519", "EC"}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
            if (alg.equals("RSA")) {
                g.initialize(2048);
            } else if (alg.equals("EC")) {
                g.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
            }
            SigstorePrivateKey key = SigstorePrivateKey.fromPkcs8(g.generateKeyPair().getPrivate().getEncoded(), alg);
            SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, key);
            assertThat(SigstoreSigning.verifyFor(sig, MANIFEST, REF, List.of(key.publicKey())).keyFingerprint()).as(alg)
                    .isEqualTo(key.publicKey().fingerprint());
            refused(() -> SigstoreSigning.verify(sig, List.of(signer.publicKey())), Reason.BAD_SIGNATURE, "does not verify");
        }
    }

    @Test
    void aSignatureMadeWithOpensslVerifies() throws Exception {
        // independent/make.py: ECDSA by OpenSSL, the payload as cosign writes it ("optional": null, no tag)
        byte[] blob = SigstoreKeysTest.resource("independent/dir-image/signature-1");
        byte[] manifest = SigstoreKeysTest.resource("independent/dir-image/manifest.json");
        SigstorePublicKey key = SigstorePublicKey.parse(SigstoreKeysTest.resource("independent/cosign-type.pub"), "cosign-type.pub");
        SigstoreSignature sig = (SigstoreSignature) ImageSignature.fromBlob(blob, "signature-1");
        VerifiedSignature v = SigstoreSigning.verifyFor(sig, manifest, "quay.io/ocikit/independent", List.of(key));
        assertThat(v.payload().creator()).isEmpty();
        assertThat(v.signedAt()).isEqualTo(Instant.EPOCH);
        SigstorePublicKey otherKey = SigstorePublicKey.parse(SigstoreKeysTest.resource("independent/sigstore-type.pub"), "s.pub");
        refused(() -> SigstoreSigning.verify(sig, List.of(otherKey)), Reason.BAD_SIGNATURE, otherKey.fingerprint());
    }

    @Test
    void anotherKeyIsRefused() {
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, other);
        refused(() -> SigstoreSigning.verifyFor(sig, MANIFEST, REF, List.of(signer.publicKey())), Reason.BAD_SIGNATURE,
                "does not verify with the trusted key " + signer.publicKey().fingerprint());
        refused(() -> SigstoreSigning.verify(sig, List.of()), Reason.UNKNOWN_KEY, "no trusted");
    }

    @Test
    void aChangedManifestIsRefused() {
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, signer);
        byte[] changed = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        refused(() -> SigstoreSigning.verifyFor(sig, changed, REF, List.of(signer.publicKey())), Reason.DIGEST_MISMATCH,
                "is for manifest " + Digest.sha256(MANIFEST));
    }

    @Test
    void aDifferentIdentityIsRefused() {
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, signer);
        refused(() -> SigstoreSigning.verifyFor(sig, MANIFEST, "quay.io/ocikit/app:2.0", List.of(signer.publicKey())),
                Reason.IDENTITY_MISMATCH, "is for \"" + REF + "\"");
        assertThatThrownBy(() -> SigstoreSigning.sign(MANIFEST, "quay.io/ocikit/app", signer))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither a tag nor a digest");
    }

    @Test
    void aPayloadWithAnUnknownCriticalFieldIsRefused() {
        SigstoreSignature sig = SigstoreSigning.signBytes(critical(",\"revoked\":false").getBytes(StandardCharsets.UTF_8), signer);
        refused(() -> SigstoreSigning.verify(sig, List.of(signer.publicKey())), Reason.INVALID_PAYLOAD,
                "invalid sigstore signature payload: unknown member \"revoked\" in critical");
        assertThat(SigstoreSigning.verify(SigstoreSigning.signBytes(critical("").getBytes(StandardCharsets.UTF_8), signer),
                List.of(signer.publicKey())).payload().dockerReference()).isEqualTo(REF);
    }

    @Test
    void aSimpleSigningPayloadIsNotASigstorePayloadAndTheOtherWayRound() {
        SimpleSigningPayload p = SimpleSigningPayload.of(Digest.sha256(MANIFEST), REF, "x", Instant.now());
        refused(() -> SigstoreSigning.verify(SigstoreSigning.signBytes(p.toJson(), signer), List.of(signer.publicKey())),
                Reason.INVALID_PAYLOAD, "not \"cosign container image signature\"");
        refused(() -> SimpleSigningPayload.parse(p.toJson(SimpleSigningPayload.SIGSTORE)), Reason.INVALID_PAYLOAD,
                "not \"atomic container signature\"");
        // "optional": null, as cosign writes it, is read in a sigstore payload only
        String nullOptional = critical("").replace("\"optional\":{}", "\"optional\":null");
        assertThat(SimpleSigningPayload.parse(nullOptional.getBytes(StandardCharsets.UTF_8), SimpleSigningPayload.SIGSTORE).timestamp())
                .isEmpty();
        refused(() -> SimpleSigningPayload.parse(nullOptional.replace("cosign container image signature", "atomic container signature")
                .getBytes(StandardCharsets.UTF_8)), Reason.INVALID_PAYLOAD, "optional must be a JSON object");
    }

    @Test
    void theSignatureIsCheckedBeforeThePayloadIsRead() {
        SigstoreSignature garbage = SigstoreSigning.signBytes("not json at all".getBytes(StandardCharsets.UTF_8), other);
        refused(() -> SigstoreSigning.verify(garbage, List.of(signer.publicKey())), Reason.BAD_SIGNATURE, "does not verify");
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, signer);
        byte[] payload = sig.payload();
        payload[payload.length - 3] ^= 1; // a digit of the timestamp
        SigstoreSignature changed = new SigstoreSignature(sig.mimeType(), payload, sig.annotations());
        refused(() -> SigstoreSigning.verify(changed, List.of(signer.publicKey())), Reason.BAD_SIGNATURE, "payload or signature was changed");
    }

    @Test
    void malformedSignaturesAreRefused() {
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, signer);
        List<SigstorePublicKey> keys = List.of(signer.publicKey());
        refused(() -> SigstoreSigning.verify(new SigstoreSignature(sig.mimeType(), sig.payload(), Map.of()), keys),
                Reason.MALFORMED, "no dev.cosignproject.cosign/signature annotation");
        refused(() -> SigstoreSigning.verify(new SigstoreSignature(sig.mimeType(), sig.payload(),
                Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, "@@")), keys), Reason.MALFORMED, "not base64");
        refused(() -> SigstoreSigning.verify(new SigstoreSignature("application/vnd.in-toto+json", sig.payload(), sig.annotations()), keys),
                Reason.MALFORMED, "not an image signature");
        Map<String, String> truncated = new HashMap<>(sig.annotations());
        truncated.put(SigstoreSignature.SIGNATURE_ANNOTATION, "MEUCIQ==");
        refused(() -> SigstoreSigning.verify(new SigstoreSignature(sig.mimeType(), sig.payload(), truncated), keys),
                Reason.BAD_SIGNATURE, "does not verify");
    }

    @Test
    void referrersAreClassifiedByArtifactType() {
        Descriptor d = Descriptor.of("application/vnd.oci.image.manifest.v1+json", Digest.sha256(MANIFEST), MANIFEST.length);
        assertThat(SigstoreReferrers.classify(d)).isEqualTo(SigstoreReferrers.Kind.OTHER);
        Descriptor bundle = d.withArtifactType(SigstoreReferrers.BUNDLE_V03_MEDIA_TYPE);
        assertThat(SigstoreReferrers.classify(bundle)).isEqualTo(SigstoreReferrers.Kind.SIGSTORE_BUNDLE);
        assertThat(SigstoreReferrers.classify("application/vnd.dev.sigstore.bundle+json;version=0.1"))
                .isEqualTo(SigstoreReferrers.Kind.SIGSTORE_BUNDLE);
        assertThat(SigstoreReferrers.classify("application/vnd.dev.cosign.artifact.sig.v1+json"))
                .isEqualTo(SigstoreReferrers.Kind.COSIGN_SIGNATURE);
        assertThat(SigstoreReferrers.classify("application/spdx+json")).isEqualTo(SigstoreReferrers.Kind.OTHER);
        assertThat(SigstoreReferrers.unsupported(bundle)).satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageContaining("sigstore bundle").hasMessageContaining("not supported");
    }
}
