package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import dev.ocikit.image.Copy;
import dev.ocikit.image.DirTransport;
import dev.ocikit.image.policy.PolicyRejectedException;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SigstorePrivateKey;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.signature.SigstoreSigning;
import dev.ocikit.spec.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sigstore (cosign) key signatures in {@code dir:} images, both ways with skopeo: what skopeo signs
 * with {@code --sign-by-sigstore-private-key} (an ocikit-generated key) passes ocikit's
 * {@code sigstoreSigned} policy for that key only, and what {@code ocikit copy
 * --sign-by-sigstore-private-key} (and {@link Copy#signBySigstore}) writes passes skopeo's.
 *
 * <p>Debian's skopeo, podman and buildah are built with sigstore removed: they refuse both signing
 * and {@code sigstoreSigned} with "Debian-local change: sigstore disabled". The skopeo steps then
 * end the test as skipped (assumption), after the ocikit-only steps have run; they are not passes.
 */
class CliCopySigstoreIT {
    static final String REF = "quay.io/ocikit/app:1.0";
    static final String SIGSTORE_DISABLED = "sigstore disabled";

    @TempDir
    static Path tmp;
    static Path layout;
    static Path passphrase;
    static Path acceptAll;

    record Result(int exit, String out, String err) {}

    static Result exec(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, Files.readString(err));
    }

    static void ok(Run r) {
        assertThat(r.exit()).as(r.err()).isZero();
    }

    /** Skips the rest of a test when this skopeo is a build without sigstore (its own words in {@code err}). */
    static void assumeSkopeoHasSigstore(Result r) {
        Assumptions.assumeFalse(r.err().contains(SIGSTORE_DISABLED),
                "this skopeo was built without sigstore support (" + r.err().strip() + "); the skopeo half is not proven here");
    }

    /** A policy accepting dir: images with a sigstore signature by the key in {@code pub} for {@link #REF}. */
    static Path policyRequiring(Path pub) throws Exception {
        Path policy = tmp.resolve("policy-" + pub.getFileName() + ".json");
        Files.writeString(policy, "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"dir\": {\"\": [{"
                + "\"type\": \"sigstoreSigned\", \"keyPath\": \"" + pub + "\", \"signedIdentity\": "
                + "{\"type\": \"exactReference\", \"dockerReference\": \"" + REF + "\"}}]}}}");
        return policy;
    }

    static Path newKey(String name) {
        Path prefix = tmp.resolve(name);
        Run r = ocikit("generate-sigstore-key", "--output-prefix", prefix.toString(), "--passphrase-file",
                passphrase.toString());
        ok(r);
        assertThat(r.out()).contains(prefix + ".private").contains(prefix + ".pub");
        return prefix;
    }

    @BeforeAll
    static void setUp() throws Exception {
        Tools.require("skopeo");
        String umoci = Tools.require("umoci").toString();
        layout = tmp.resolve("layout");
        assertThat(exec(umoci, "init", "--layout", layout.toString()).exit()).isZero();
        assertThat(exec(umoci, "new", "--image", layout + ":app").exit()).isZero();
        passphrase = Files.writeString(tmp.resolve("passphrase"), "sigstore passphrase\n");
        acceptAll = Files.writeString(tmp.resolve("accept.json"), "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
    }

    @Test
    void whatSkopeoSignedWithOurKeyPassesOurPolicyForThatKeyOnly() throws Exception {
        Path signer = newKey("skopeo-signer");
        Path other = newKey("skopeo-other");
        Path signed = tmp.resolve("skopeo-signed");
        Result r = exec(Tools.require("skopeo").toString(), "copy", "--policy", acceptAll.toString(),
                "--sign-by-sigstore-private-key", signer + ".private", "--sign-passphrase-file", passphrase.toString(),
                "--sign-identity", REF, "oci:" + layout + ":app", "dir:" + signed);
        assumeSkopeoHasSigstore(r);
        assertThat(r.exit()).as(r.err()).isZero();
        ImageSignature sig = ImageSignature.fromBlob(Files.readAllBytes(signed.resolve("signature-1")), "signature-1");
        assertThat(sig).isInstanceOf(SigstoreSignature.class);

        Path accepted = tmp.resolve("skopeo-accepted");
        ok(ocikit("copy", "-q", "--policy", policyRequiring(Path.of(signer + ".pub")).toString(),
                "dir:" + signed, "dir:" + accepted));
        assertThat(accepted.resolve("signature-1")).hasSameBinaryContentAs(signed.resolve("signature-1"));
        Run no = ocikit("copy", "-q", "--policy", policyRequiring(Path.of(other + ".pub")).toString(),
                "dir:" + signed, "dir:" + tmp.resolve("skopeo-rejected"));
        assertThat(no.exit()).isNotZero();
        assertThat(no.err()).contains("sigstoreSigned").doesNotContain("Exception");
        assertThat(tmp.resolve("skopeo-rejected")).doesNotExist();
    }

    @Test
    void whatWeSignedIntoDirPassesOurPolicyAndSkopeos() throws Exception {
        Path signer = newKey("ocikit-signer");
        Path other = newKey("ocikit-other");
        Path ours = tmp.resolve("ocikit-signed");
        ok(ocikit("copy", "-q", "--policy", acceptAll.toString(), "--sign-by-sigstore-private-key", signer + ".private",
                "--sign-passphrase-file", passphrase.toString(), "--sign-identity", REF, "oci:" + layout + ":app", "dir:" + ours));
        // the library way, into another directory
        Path api = tmp.resolve("ocikit-api-signed");
        SigstorePrivateKey key = SigstorePrivateKey.read(Path.of(signer + ".private"), "sigstore passphrase".toCharArray());
        Copy.from(DirTransport.reference(ours)).to(DirTransport.reference(api)).removeSignatures()
                .signBySigstore(key, Optional.of(REF)).run();
        for (Path dir : List.of(ours, api)) {
            SigstoreSignature sig = (SigstoreSignature) ImageSignature.fromBlob(Files.readAllBytes(dir.resolve("signature-1")), "sig");
            SigstoreSigning.verifyFor(sig, Files.readAllBytes(dir.resolve("manifest.json")), REF, List.of(key.publicKey()));
        }
        // ocikit's own policy, through the CLI and the library
        ok(ocikit("copy", "-q", "--policy", policyRequiring(Path.of(signer + ".pub")).toString(),
                "dir:" + ours, "dir:" + tmp.resolve("ocikit-accepted")));
        Assertions.assertThatThrownBy(() -> Copy.from(DirTransport.reference(api)).to(DirTransport.reference(tmp.resolve("no")))
                .policy(TrustPolicy.read(policyRequiring(Path.of(other + ".pub")))).run()).isInstanceOf(PolicyRejectedException.class);

        String skopeo = Tools.require("skopeo").toString();
        for (Path dir : List.of(ours, api)) {
            Path carried = tmp.resolve("skopeo-carried-" + dir.getFileName());
            Result accepted = exec(skopeo, "copy", "--policy", policyRequiring(Path.of(signer + ".pub")).toString(),
                    "dir:" + dir, "dir:" + carried);
            assumeSkopeoHasSigstore(accepted);
            assertThat(accepted.exit()).as(accepted.err()).isZero();
            assertThat(carried.resolve("signature-1")).hasSameBinaryContentAs(dir.resolve("signature-1"));
            Path refusedDir = tmp.resolve("skopeo-refused-" + dir.getFileName());
            Result refused = exec(skopeo, "copy", "--policy", policyRequiring(Path.of(other + ".pub")).toString(),
                    "dir:" + dir, "dir:" + refusedDir);
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("Source image rejected");
            assertThat(refusedDir.resolve("manifest.json")).doesNotExist();
        }
    }

    @Test
    void keyMistakesAreReportedBeforeAnythingIsWritten() throws Exception {
        Path signer = newKey("mistakes");
        Run again = ocikit("generate-sigstore-key", "--output-prefix", signer.toString(), "--passphrase-file",
                passphrase.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("mistakes.pub").doesNotContain("Exception");
        Path wrong = Files.writeString(tmp.resolve("wrong-passphrase"), "not it\n");
        Path out = tmp.resolve("never-written");
        Run r = ocikit("copy", "-q", "--sign-by-sigstore-private-key", signer + ".private", "--sign-passphrase-file",
                wrong.toString(), "--sign-identity", REF, "oci:" + layout + ":app", "dir:" + out);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("wrong passphrase").contains("mistakes.private").doesNotContain("Exception");
        Run noTag = ocikit("copy", "-q", "--sign-by-sigstore-private-key", signer + ".private", "--sign-passphrase-file",
                passphrase.toString(), "--sign-identity", "quay.io/ocikit/app", "oci:" + layout + ":app", "dir:" + out);
        assertThat(noTag.exit()).isEqualTo(1);
        assertThat(noTag.err()).contains("neither a tag nor a digest");
        assertThat(out).doesNotExist();
    }
}
