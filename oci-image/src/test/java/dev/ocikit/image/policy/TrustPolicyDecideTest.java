package dev.ocikit.image.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.SimpleSigning;
import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustPolicyDecideTest {
    private static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String IMAGE = "registry.example.com/team/app:1.0";

    private static PolicyKeys trusted;
    private static PolicyKeys stranger;

    @BeforeAll
    static void keys() {
        trusted = PolicyKeys.generate("Trusted <trusted@example.com>");
        stranger = PolicyKeys.generate("Stranger <stranger@example.com>");
    }

    private static TrustPolicy signedByPolicy(String identityJson) {
        String identity = identityJson == null ? "" : ", 'signedIdentity': " + identityJson;
        return TrustPolicyParseTest.parse("{'default': [{'type': 'reject'}], 'transports': {'docker': {"
                + "'registry.example.com/team': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': '"
                + Base64.getEncoder().encodeToString(trusted.armoredPublic()) + "'" + identity + "}]}}}");
    }

    private static ImageSignature sign(PolicyKeys key, byte[] manifest, String as) {
        return new SimpleSignature(SimpleSigning.sign(manifest, as, key.signingKey()));
    }

    @Test
    void signedByAcceptsAValidSignatureForTheImage() {
        PolicyDecision d = signedByPolicy(null).decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE)));
        assertThat(d.scope()).hasValue("registry.example.com/team");
        assertThat(d.signatureVerified()).isTrue();
        assertThat(d.acceptedSignatures()).hasSize(1);
        assertThat(d.acceptedSignatures().get(0).keyFingerprint()).isEqualTo(trusted.signingKey().fingerprint());
        assertThat(d.acceptedSignatures().get(0).payload().dockerReference()).isEqualTo(IMAGE);
    }

    @Test
    void oneGoodSignatureAmongBadOnesIsEnough() {
        List<ImageSignature> sigs = List.of(sign(stranger, MANIFEST, IMAGE), new SimpleSignature("garbage".getBytes(StandardCharsets.UTF_8)),
                sign(trusted, MANIFEST, IMAGE));
        PolicyDecision d = signedByPolicy(null).decide(PolicyTarget.docker(IMAGE), MANIFEST, sigs);
        assertThat(d.acceptedSignatures()).hasSize(1);
    }

    @Test
    void signedByRejectsAnotherKey() {
        assertThatThrownBy(() -> signedByPolicy(null).decide(PolicyTarget.docker(IMAGE), MANIFEST,
                List.of(sign(stranger, MANIFEST, IMAGE))))
                .isInstanceOfSatisfying(PolicyRejectedException.class, e -> {
                    assertThat(e.scope()).hasValue("registry.example.com/team");
                    assertThat(e.transport()).isEqualTo("docker");
                    assertThat(e.reasons()).singleElement().asString().startsWith("signedBy: none of the 1 signatures")
                            .contains("UNKNOWN_KEY").contains(trusted.signingKey().fingerprint());
                })
                .hasMessageContaining(IMAGE);
    }

    @Test
    void signedByRejectsAChangedManifest() {
        byte[] changed = (new String(MANIFEST, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> signedByPolicy(null).decide(PolicyTarget.docker(IMAGE), changed,
                List.of(sign(trusted, MANIFEST, IMAGE))))
                .isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("DIGEST_MISMATCH")
                .hasMessageContaining(Digest.sha256(MANIFEST).toString());
    }

    @Test
    void signedByRejectsAnImageWithoutSignatures() {
        assertThatThrownBy(() -> signedByPolicy(null).decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of()))
                .isInstanceOfSatisfying(PolicyRejectedException.class, e -> assertThat(e.reasons())
                        .containsExactly("signedBy: a signature was required, but the image has none"));
    }

    @Test
    void signedByRejectsASignatureForAnotherIdentity() {
        ImageSignature otherTag = sign(trusted, MANIFEST, "registry.example.com/team/app:2.0");
        assertThatThrownBy(() -> signedByPolicy(null).decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of(otherTag)))
                .isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("IDENTITY_MISMATCH").hasMessageContaining("matchRepoDigestOrExact");
        // the same signature is fine where the policy accepts any tag of the repository
        assertThat(signedByPolicy("{'type': 'matchRepository'}").decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of(otherTag))
                .acceptedSignatures()).hasSize(1);
    }

    @Test
    void aDigestReferenceAcceptsASignatureForATagOfTheRepository() {
        String byDigest = "registry.example.com/team/app@" + Digest.sha256(MANIFEST);
        PolicyDecision d = signedByPolicy(null).decide(PolicyTarget.docker(byDigest), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE)));
        assertThat(d.scope()).hasValue("registry.example.com/team");
        // and a manifest that is not the one the digest names is refused whatever the signatures say
        byte[] other = "{}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> signedByPolicy(null).decide(PolicyTarget.docker(byDigest), other, List.of(sign(trusted, other, IMAGE))))
                .isInstanceOf(PolicyRejectedException.class).hasMessageContaining("not the one");
    }

    @Test
    void rejectAndInsecureAcceptAnything() {
        TrustPolicy policy = TrustPolicyParseTest.parse("{'default': [{'type': 'reject'}], 'transports': {'docker': {"
                + "'quay.io/open': [{'type': 'insecureAcceptAnything'}]}}}");
        PolicyDecision open = policy.decide(PolicyTarget.docker("quay.io/open/app:1"), MANIFEST, List.of());
        assertThat(open.signatureVerified()).isFalse();
        assertThat(open.requirements()).containsExactly(new PolicyRequirement.InsecureAcceptAnything());

        assertThatThrownBy(() -> policy.decide(PolicyTarget.docker("quay.io/closed/app:1"), MANIFEST, List.of(sign(trusted, MANIFEST,
                "quay.io/closed/app:1"))))
                .isInstanceOfSatisfying(PolicyRejectedException.class, e -> {
                    assertThat(e.scope()).isEmpty();
                    assertThat(e.reasons()).containsExactly("reject: rejected by policy");
                })
                .hasMessageContaining("global default");
    }

    @Test
    void everyRequirementOfTheScopeMustBeSatisfied() {
        TrustPolicy policy = TrustPolicyParseTest.parse("{'default': [{'type': 'insecureAcceptAnything'},"
                + " {'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': '" + Base64.getEncoder().encodeToString(trusted.armoredPublic())
                + "'}, {'type': 'reject'}]}");
        assertThatThrownBy(() -> policy.decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of()))
                .isInstanceOfSatisfying(PolicyRejectedException.class, e -> assertThat(e.reasons()).hasSize(2)
                        .anySatisfy(r -> assertThat(r).startsWith("signedBy:")).anySatisfy(r -> assertThat(r).startsWith("reject:")));
    }

    @Test
    void sigstoreSignedWithAMissingKeyFileRejects() {
        // TrustPolicySigstoreTest covers sigstoreSigned; the key file is read when a decision needs it
        TrustPolicy policy = TrustPolicyParseTest.parse("{'default': [{'type': 'sigstoreSigned', 'keyPath': '/etc/pki/cosign.pub'}]}");
        assertThatThrownBy(() -> policy.decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE))))
                .isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("cannot read the trusted public keys").hasMessageContaining("/etc/pki/cosign.pub");
    }

    @Test
    void keyFilesAreReadWhenNeededAndTheirProblemsReported(@TempDir Path dir) throws IOException {
        Path keyFile = dir.resolve("trusted.asc");
        String json = "{'default': [{'type': 'reject'}], 'transports': {'docker': {"
                + "'registry.example.com': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPaths': ['" + keyFile + "']}]}}}";
        TrustPolicy policy = TrustPolicyParseTest.parse(json); // the file does not exist yet: parsing does not read keys
        assertThatThrownBy(() -> policy.decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE))))
                .isInstanceOf(PolicyRejectedException.class).hasMessageContaining("cannot read the trusted keys")
                .hasMessageContaining(keyFile.toString());

        Files.write(keyFile, trusted.armoredPublic());
        TrustPolicy fresh = TrustPolicyParseTest.parse(json);
        assertThat(fresh.decide(PolicyTarget.docker(IMAGE), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE))).signatureVerified()).isTrue();
    }

    @Test
    void dirImagesHaveNoIdentityButExactReferenceCanVouchForThem(@TempDir Path dir) {
        String keyData = Base64.getEncoder().encodeToString(trusted.armoredPublic());
        TrustPolicy matchDefault = TrustPolicyParseTest.parse("{'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': '"
                + keyData + "'}]}");
        assertThatThrownBy(() -> matchDefault.decide(PolicyTarget.dir(dir), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE))))
                .isInstanceOf(PolicyRejectedException.class).hasMessageContaining("no Docker reference");

        TrustPolicy exact = TrustPolicyParseTest.parse("{'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': '"
                + keyData + "', 'signedIdentity': {'type': 'exactReference', 'dockerReference': '" + IMAGE + "'}}]}");
        assertThat(exact.decide(PolicyTarget.dir(dir), MANIFEST, List.of(sign(trusted, MANIFEST, IMAGE))).signatureVerified()).isTrue();
    }

    @Test
    void unimplementedKeyTypesAndBaseLayersReject() {
        TrustPolicy policy = TrustPolicyParseTest.parse("{'default': [{'type': 'signedBy', 'keyType': 'X509Certificates', 'keyPath': '/k'},"
                + " {'type': 'signedBaseLayer', 'baseLayerIdentity': {'type': 'matchRepository'}}]}");
        assertThatThrownBy(() -> policy.decide(PolicyTarget.dockerArchive(Optional.empty()), MANIFEST, List.of()))
                .isInstanceOfSatisfying(PolicyRejectedException.class, e -> assertThat(e.reasons()).hasSize(2))
                .hasMessageContaining("X509Certificates\" is not implemented")
                .hasMessageContaining("signedBaseLayer is not implemented");
    }
}
