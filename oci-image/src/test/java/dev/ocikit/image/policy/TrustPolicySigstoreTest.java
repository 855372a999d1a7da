package dev.ocikit.image.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SigstorePrivateKey;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.signature.SigstoreSigning;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.SimpleSigning;
import dev.ocikit.image.signature.SigstoreTestAccess;
import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** policy.json's sigstoreSigned with public keys, decided against sigstore signatures made in the test. */
class TrustPolicySigstoreTest {
    static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);
    static final String IMAGE = "registry.example.com/team/app:1.0";

    @TempDir
    static Path dir;
    static SigstorePrivateKey trusted;
    static SigstorePrivateKey stranger;
    static Path trustedPub;
    static Path strangerPub;
    static PolicyKeys gpg;

    @BeforeAll
    static void keys() throws IOException {
        trusted = SigstorePrivateKey.generate();
        stranger = SigstorePrivateKey.generate();
        trustedPub = Files.write(dir.resolve("trusted.pub"), trusted.publicKey().toPem());
        strangerPub = Files.write(dir.resolve("stranger.pub"), stranger.publicKey().toPem());
        gpg = PolicyKeys.generate("Trusted <trusted@example.com>");
    }

    static TrustPolicy policy(String keys, String identityJson) {
        String identity = identityJson == null ? "" : ", 'signedIdentity': " + identityJson;
        return TrustPolicyParseTest.parse("{'default': [{'type': 'reject'}], 'transports': {'docker': {"
                + "'registry.example.com/team': [{'type': 'sigstoreSigned', " + keys + identity + "}]}}}");
    }

    static TrustPolicy keyPath(Path key) {
        return policy("'keyPath': '" + key + "'", null);
    }

    static SigstoreSignature sign(SigstorePrivateKey key, byte[] manifest, String as) {
        return SigstoreSigning.sign(manifest, as, key);
    }

    static PolicyDecision decide(TrustPolicy policy, String target, ImageSignature... signatures) {
        return policy.decide(PolicyTarget.docker(target), MANIFEST, List.of(signatures));
    }

    static void rejected(TrustPolicy policy, String target, String reasonPart, ImageSignature... signatures) {
        assertThatThrownBy(() -> decide(policy, target, signatures)).isInstanceOfSatisfying(PolicyRejectedException.class,
                e -> assertThat(e.reasons()).singleElement().asString().startsWith("sigstoreSigned: ").contains(reasonPart));
    }

    @Test
    void keyPathAcceptsASignatureByItsKey() {
        PolicyDecision d = decide(keyPath(trustedPub), IMAGE, sign(trusted, MANIFEST, IMAGE));
        assertThat(d.scope()).hasValue("registry.example.com/team");
        assertThat(d.acceptedSignatures()).singleElement().satisfies(v -> {
            assertThat(v.format()).isEqualTo(ImageSignature.SIGSTORE_JSON);
            assertThat(v.keyFingerprint()).isEqualTo(trusted.publicKey().fingerprint());
        });
    }

    @Test
    void keyPathsKeyDataAndKeyDatasAcceptAnyOfTheirKeys() {
        ImageSignature sig = sign(trusted, MANIFEST, IMAGE);
        String data = Base64.getEncoder().encodeToString(trusted.publicKey().toPem());
        String strangerData = Base64.getEncoder().encodeToString(stranger.publicKey().toPem());
        assertThat(decide(policy("'keyPaths': ['" + strangerPub + "', '" + trustedPub + "']", null), IMAGE, sig).signatureVerified()).isTrue();
        assertThat(decide(policy("'keyData': '" + data + "'", null), IMAGE, sig).signatureVerified()).isTrue();
        assertThat(decide(policy("'keyDatas': ['" + strangerData + "', '" + data + "']", null), IMAGE, sig).signatureVerified()).isTrue();
        rejected(policy("'keyDatas': ['" + strangerData + "']", null), IMAGE, "BAD_SIGNATURE", sig);
    }

    @Test
    void oneGoodSignatureAmongOthersIsEnough() {
        assertThat(decide(keyPath(trustedPub), IMAGE, new SimpleSignature(SimpleSigning.sign(MANIFEST, IMAGE, gpg.signingKey())),
                sign(stranger, MANIFEST, IMAGE), sign(trusted, MANIFEST, IMAGE)).acceptedSignatures()).hasSize(1);
    }

    @Test
    void anotherKeyIsRejected() {
        rejected(keyPath(trustedPub), IMAGE, "does not verify with the trusted key " + trusted.publicKey().fingerprint(),
                sign(stranger, MANIFEST, IMAGE));
    }

    @Test
    void aChangedManifestIsRejected() {
        byte[] other = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        rejected(keyPath(trustedPub), IMAGE, "DIGEST_MISMATCH", sign(trusted, other, IMAGE));
    }

    @Test
    void aDifferentIdentityIsRejected() {
        rejected(keyPath(trustedPub), IMAGE, "it is for \"registry.example.com/team/app:2.0\"",
                sign(trusted, MANIFEST, "registry.example.com/team/app:2.0"));
    }

    @Test
    void aPayloadWithAnUnknownCriticalFieldIsRejected() {
        String payload = "{\"critical\":{\"identity\":{\"docker-reference\":\"" + IMAGE + "\"},\"image\":{\"docker-manifest-digest\":\""
                + Digest.sha256(MANIFEST) + "\"},\"type\":\"cosign container image signature\",\"extra\":1},\"optional\":{}}";
        // signed by the trusted key, with a claim ocikit cannot check: refused, as containers/image refuses it
        SigstoreSignature sig = SigstoreTestAccess.signBytes(payload.getBytes(StandardCharsets.UTF_8), trusted);
        rejected(keyPath(trustedPub), IMAGE, "unknown member \"extra\" in critical", sig);
    }

    @Test
    void aPolicyThatRejectsRejectsSignedImages() {
        TrustPolicy policy = TrustPolicyParseTest.parse("{'default': [{'type': 'sigstoreSigned', 'keyPath': '" + trustedPub + "'}],"
                + " 'transports': {'docker': {'registry.example.com/team/app': [{'type': 'reject'}]}}}");
        assertThatThrownBy(() -> decide(policy, IMAGE, sign(trusted, MANIFEST, IMAGE)))
                .isInstanceOfSatisfying(PolicyRejectedException.class, e -> assertThat(e.reasons()).containsExactly("reject: rejected by policy"));
        // and one that requires both kinds needs both
        TrustPolicy both = TrustPolicyParseTest.parse("{'default': [{'type': 'sigstoreSigned', 'keyPath': '" + trustedPub + "'},"
                + " {'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': '" + Base64.getEncoder().encodeToString(gpg.armoredPublic()) + "'}]}");
        ImageSignature simple = new SimpleSignature(SimpleSigning.sign(MANIFEST, IMAGE, gpg.signingKey()));
        assertThatThrownBy(() -> decide(both, IMAGE, sign(trusted, MANIFEST, IMAGE))).isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("signedBy: a simple signature was required, but the image has only 1 sigstore signature(s)");
        assertThat(decide(both, IMAGE, simple, sign(trusted, MANIFEST, IMAGE)).acceptedSignatures()).hasSize(2);
    }

    @Test
    void simpleSignaturesAndOtherAttachmentsDoNotCount() {
        ImageSignature simple = new SimpleSignature(SimpleSigning.sign(MANIFEST, IMAGE, gpg.signingKey()));
        SigstoreSignature good = sign(trusted, MANIFEST, IMAGE);
        ImageSignature attestation = new SigstoreSignature("application/vnd.dsse.envelope.v1+json", good.payload(), good.annotations());
        rejected(keyPath(trustedPub), IMAGE, "the image has none (1 simple signature(s), 1 sigstore attachment(s) that are not signatures)",
                simple, attestation);
        rejected(keyPath(trustedPub), IMAGE, "a signature was required, but the image has none");
    }

    @Test
    void keylessRequirementsAreRefusedAsNotSupported() {
        ImageSignature sig = sign(trusted, MANIFEST, IMAGE);
        rejected(policy("'fulcio': {'caPath': '/etc/fulcio.pem', 'oidcIssuer': 'https://issuer', 'subjectEmail': 'me@example.com'},"
                + " 'rekorPublicKeyPath': '/etc/rekor.pub'", null), IMAGE, "keyless verification (fulcio", sig);
        rejected(policy("'pki': {'caRootsPath': '/etc/roots.pem'}", null), IMAGE, "keyless verification (pki", sig);
    }

    @Test
    void aRekorKeyRequiresASignedEntryTimestampByIt() throws Exception {
        SigstorePrivateKey log = SigstorePrivateKey.generate();
        Path logPub = Files.write(dir.resolve("rekor.pub"), log.publicKey().toPem());
        SigstoreSignature sig = sign(trusted, MANIFEST, IMAGE);
        SigstoreSignature logged = SigstoreTestAccess.withRekorSet(sig, log, trusted.publicKey());
        String keys = "'keyPath': '" + trustedPub + "', ";
        assertThat(decide(policy(keys + "'rekorPublicKeyPath': '" + logPub + "'", null), IMAGE, logged).signatureVerified()).isTrue();
        assertThat(decide(policy(keys + "'rekorPublicKeyData': '" + Base64.getEncoder().encodeToString(log.publicKey().toPem()) + "'",
                null), IMAGE, logged).signatureVerified()).isTrue();
        assertThat(decide(policy(keys + "'rekorPublicKeyPaths': ['" + strangerPub + "', '" + logPub + "']", null), IMAGE, logged)
                .signatureVerified()).isTrue();
        rejected(policy(keys + "'rekorPublicKeyPath': '" + logPub + "'", null), IMAGE, "no dev.sigstore.cosign/bundle annotation", sig);
        rejected(policy(keys + "'rekorPublicKeyPath': '" + strangerPub + "'", null), IMAGE, "not signed by the trusted Rekor key", logged);
        rejected(policy(keys + "'rekorPublicKeyPath': '" + dir.resolve("missing.pub") + "'", null), IMAGE,
                "cannot read the Rekor public keys", logged);
    }

    @Test
    void unreadableKeysAreReported(@TempDir Path tmp) throws IOException {
        Path notAKey = Files.writeString(tmp.resolve("k.pub"), "hello");
        rejected(keyPath(notAKey), IMAGE, "cannot read the trusted public keys: no PEM block in " + notAKey,
                sign(trusted, MANIFEST, IMAGE));
    }

    @ParameterizedTest(name = "{0}: image {1}, signed as {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            {'type': 'matchExact'}                                    | registry.example.com/team/app:1.0 | registry.example.com/team/app:1.0 | true
            {'type': 'matchExact'}                                    | registry.example.com/team/app:1.0 | registry.example.com/team/app:2.0 | false
            {'type': 'matchRepoDigestOrExact'}                        | registry.example.com/team/app:1.0 | registry.example.com/team/app:1.0 | true
            {'type': 'matchRepoDigestOrExact'}                        | registry.example.com/team/app:1.0 | registry.example.com/team/app:2.0 | false
            {'type': 'matchRepoDigestOrExact'}                        | registry.example.com/team/app@DIGEST | registry.example.com/team/app:2.0 | true
            {'type': 'matchRepository'}                               | registry.example.com/team/app:1.0 | registry.example.com/team/app:2.0 | true
            {'type': 'matchRepository'}                               | registry.example.com/team/app:1.0 | registry.example.com/team/other:1.0 | false
            {'type': 'exactReference', 'dockerReference': 'quay.io/up/app:v1'} | registry.example.com/team/app:1.0 | quay.io/up/app:v1 | true
            {'type': 'exactReference', 'dockerReference': 'quay.io/up/app:v1'} | registry.example.com/team/app:1.0 | registry.example.com/team/app:1.0 | false
            {'type': 'exactRepository', 'dockerRepository': 'quay.io/up/app'}  | registry.example.com/team/app:1.0 | quay.io/up/app:anything | true
            {'type': 'exactRepository', 'dockerRepository': 'quay.io/up/app'}  | registry.example.com/team/app:1.0 | quay.io/up/other:1.0 | false
            {'type': 'remapIdentity', 'prefix': 'registry.example.com/team', 'signedPrefix': 'quay.io/up'} | registry.example.com/team/app:1.0 | quay.io/up/app:1.0 | true
            {'type': 'remapIdentity', 'prefix': 'registry.example.com/team', 'signedPrefix': 'quay.io/up'} | registry.example.com/team/app:1.0 | registry.example.com/team/app:1.0 | false
            """)
    void everySignedIdentityForm(String identity, String target, String signedAs, boolean accepted) {
        TrustPolicy policy = policy("'keyPath': '" + trustedPub + "'", identity);
        String image = target.replace("DIGEST", Digest.sha256(MANIFEST).toString());
        ImageSignature sig = sign(trusted, MANIFEST, signedAs);
        if (accepted) {
            assertThat(decide(policy, image, sig).acceptedSignatures()).hasSize(1);
        } else {
            rejected(policy, image, "IDENTITY_MISMATCH", sig);
        }
    }

    @Test
    void signedByIgnoresSigstoreSignatures() {
        TrustPolicy signedBy = TrustPolicyParseTest.parse("{'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': '"
                + Base64.getEncoder().encodeToString(gpg.armoredPublic()) + "'}]}");
        assertThatThrownBy(() -> decide(signedBy, IMAGE, sign(trusted, MANIFEST, IMAGE))).isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("a simple signature was required");
    }

    @Test
    void theDirTransportIsDecidedTheSameWay(@TempDir Path image) {
        TrustPolicy policy = TrustPolicyParseTest.parse("{'default': [{'type': 'reject'}], 'transports': {'dir': {'': ["
                + "{'type': 'sigstoreSigned', 'keyPath': '" + trustedPub + "', 'signedIdentity': {'type': 'exactReference',"
                + " 'dockerReference': '" + IMAGE + "'}}]}}}");
        assertThat(policy.decide(PolicyTarget.dir(image), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE))).signatureVerified()).isTrue();
        assertThatThrownBy(() -> policy.decide(PolicyTarget.dir(image), MANIFEST, List.of(sign(stranger, MANIFEST, IMAGE))))
                .isInstanceOf(PolicyRejectedException.class);
    }
}
