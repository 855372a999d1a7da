package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import dev.ocikit.spec.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ocikit copy} with signatures and a trust policy, against skopeo and gpg: skopeo's
 * {@code copy --sign-by} into {@code dir:} passes (or fails) ocikit's policy check, and what
 * {@code ocikit copy --sign-by} writes into {@code dir:} passes skopeo's.
 */
class CliCopySignaturesIT {
    static final String REF = "quay.io/ocikit/app:1.0";

    @TempDir
    static Path tmp;
    static Path home;
    static String signer;
    static String other;
    static Path layout;
    static Path acceptAll;

    static GnupgHome gnupg;

    static byte[] exec(int exit, String... command) throws Exception {
        return gnupg.run(exit, command);
    }

    /** stdout and stderr of a command, asserting its exit code. */
    static byte[][] execBoth(int exit, String... command) throws Exception {
        return gnupg.runBoth(exit, command);
    }

    static byte[] gpg(String... args) throws Exception {
        return gnupg.gpg(args);
    }

    static String newKey(String uid) throws Exception {
        return gnupg.newKey(uid, "ed25519", "sign", "");
    }

    /** A policy accepting dir: images signed by {@code fingerprint}'s key for {@link #REF}, rejecting all else. */
    static Path policyRequiring(String fingerprint, String transport) throws Exception {
        Path key = Files.write(tmp.resolve(fingerprint + ".asc"), gpg("--export", "--armor", fingerprint));
        Path policy = tmp.resolve("policy-" + transport + "-" + fingerprint + ".json");
        Files.writeString(policy, "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"" + transport + "\": {\"\": [{"
                + "\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"" + key + "\", \"signedIdentity\": "
                + "{\"type\": \"exactReference\", \"dockerReference\": \"" + REF + "\"}}]}}}");
        return policy;
    }

    @BeforeAll
    static void setUp() throws Exception {
        Tools.require("gpg");
        Tools.require("skopeo");
        String umoci = Tools.require("umoci").toString();
        gnupg = GnupgHome.in(tmp);
        home = gnupg.dir();
        signer = newKey("signer <signer@example.com>");
        other = newKey("other <other@example.com>");
        layout = tmp.resolve("layout");
        exec(0, umoci, "init", "--layout", layout.toString());
        exec(0, umoci, "new", "--image", layout + ":app");
        acceptAll = Files.writeString(tmp.resolve("accept.json"), "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (gnupg != null) {
            gnupg.close();
        }
    }

    @Test
    void whatSkopeoSignedIntoDirPassesOurPolicyForItsKeyOnly() throws Exception {
        Path signed = tmp.resolve("skopeo-signed");
        exec(0, Tools.require("skopeo").toString(), "copy", "--policy", acceptAll.toString(), "--sign-by", signer,
                "--sign-identity", REF, "oci:" + layout + ":app", "dir:" + signed);
        assertThat(signed.resolve("signature-1")).exists();
        Run inspect = ocikit("inspect", "dir:" + signed);
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode listed = dev.ocikit.spec.Json.tree(inspect.out().getBytes(StandardCharsets.UTF_8),
                "inspect").get("Signatures");
        assertThat(listed.size()).isEqualTo(1);
        assertThat(listed.get(0).get("Format").asText()).isEqualTo("simple-signing");
        assertThat(listed.get(0).get("Size").asLong()).isEqualTo(Files.size(signed.resolve("signature-1")));
        assertThat(ocikit("inspect", "oci:" + layout + ":app").out()).doesNotContain("Signatures");

        Path accepted = tmp.resolve("accepted");
        Run ok = ocikit("copy", "-q", "--policy", policyRequiring(signer, "dir").toString(),
                "dir:" + signed, "dir:" + accepted);
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(accepted.resolve("signature-1")).hasBinaryContent(Files.readAllBytes(signed.resolve("signature-1")));

        Path rejected = tmp.resolve("rejected");
        Run no = ocikit("copy", "-q", "--policy", policyRequiring(other, "dir").toString(),
                "dir:" + signed, "dir:" + rejected);
        assertThat(no.exit()).isNotZero();
        assertThat(no.err()).contains("signedBy").contains(other).doesNotContain("Exception");
        assertThat(rejected).doesNotExist();

        // an oci: layout keeps no signatures: skopeo's message, and --remove-signatures gets past it
        Run noSupport = ocikit("copy", "-q", "dir:" + signed, "oci:" + tmp.resolve("out-layout") + ":app");
        assertThat(noSupport.exit()).isNotZero();
        assertThat(noSupport.err()).contains("destination does not support signatures").contains("--remove-signatures");
        Run removed = ocikit("copy", "-q", "--remove-signatures", "dir:" + signed,
                "oci:" + tmp.resolve("out-layout") + ":app");
        assertThat(removed.exit()).as(removed.err()).isZero();
    }

    @Test
    void whatWeSignedIntoDirPassesSkopeosPolicy() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path secret = Files.write(tmp.resolve("signer.gpg"), gpg("--passphrase", "", "--export-secret-keys", signer));
        Path ours = tmp.resolve("ocikit-signed");
        Run r = ocikit("copy", "-q", "--sign-by", signer, "--sign-key", secret.toString(),
                "--sign-identity", REF, "oci:" + layout + ":app", "dir:" + ours);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(ours.resolve("signature-1")).exists();

        // skopeo carries it on, into another dir: (an oci: layout cannot keep signatures, for skopeo either)
        Path carried = tmp.resolve("skopeo-carried");
        exec(0, skopeo, "copy", "--policy", policyRequiring(signer, "dir").toString(), "dir:" + ours, "dir:" + carried);
        assertThat(carried.resolve("signature-1")).hasBinaryContent(Files.readAllBytes(ours.resolve("signature-1")));
        String refused = new String(execBoth(1, skopeo, "copy", "--policy", policyRequiring(other, "dir").toString(),
                "dir:" + ours, "dir:" + tmp.resolve("skopeo-refused"))[1], StandardCharsets.UTF_8);
        assertThat(refused).contains("Source image rejected");
        assertThat(tmp.resolve("skopeo-refused").resolve("manifest.json")).doesNotExist();
    }

    @Test
    void pullHonoursThePolicyBeforeAnythingLandsInTheStore() throws Exception {
        Path signed = tmp.resolve("pull-signed");
        exec(0, Tools.require("skopeo").toString(), "copy", "--policy", acceptAll.toString(), "--sign-by", signer,
                "--sign-identity", REF, "oci:" + layout + ":app", "dir:" + signed);
        Path store = tmp.resolve("pull-store");

        Run refused = ocikit("--root", store.toString(), "pull", "-q", "--signature-policy",
                policyRequiring(other, "dir").toString(), "dir:" + signed);
        assertThat(refused.exit()).isEqualTo(125);
        assertThat(refused.err()).contains("signedBy").contains(other).doesNotContain("Exception");
        Run images = ocikit("--root", store.toString(), "images", "-q");
        assertThat(images.out()).isBlank();

        Run pulled = ocikit("--root", store.toString(), "pull", "-q", "--signature-policy",
                policyRequiring(signer, "dir").toString(), "dir:" + signed);
        assertThat(pulled.exit()).as(pulled.err()).isZero();
        // a dir: image is stored unnamed, as podman stores it: it is found by its ID
        String id = ocikit("--root", store.toString(), "images", "-q").out().strip();
        assertThat(id).isNotBlank();

        // The store kept the signature: a push carries it, or is told to drop it where it has no place.
        Path pushed = tmp.resolve("pushed");
        Run push = ocikit("--root", store.toString(), "push", "-q", id, "dir:" + pushed);
        assertThat(push.exit()).as(push.err()).isZero();
        assertThat(pushed.resolve("signature-1")).hasBinaryContent(Files.readAllBytes(signed.resolve("signature-1")));
        Run toLayout = ocikit("--root", store.toString(), "push", "-q", id,
                "oci:" + tmp.resolve("pushed-layout") + ":app");
        assertThat(toLayout.exit()).isEqualTo(125);
        assertThat(toLayout.err()).contains("--remove-signatures");
        Run dropped = ocikit("--root", store.toString(), "push", "-q", "--remove-signatures",
                id, "oci:" + tmp.resolve("pushed-layout") + ":app");
        assertThat(dropped.exit()).as(dropped.err()).isZero();
    }

    @Test
    void signsWithTheKeyOfTheGnupgHomeWithoutAnExportedKey() throws Exception {
        Path ours = tmp.resolve("signed-from-home");
        Run r = CliSignatureIT.ocikitWithGnupgHome(home, "copy", "-q", "--sign-by", signer, "--sign-identity", REF,
                "oci:" + layout + ":app", "dir:" + ours);
        assertThat(r.exit()).as(r.err()).isZero();
        exec(0, Tools.require("skopeo").toString(), "copy", "--policy", policyRequiring(signer, "dir").toString(), "dir:" + ours,
                "dir:" + tmp.resolve("skopeo-accepted"));
        assertThat(tmp.resolve("skopeo-accepted").resolve("signature-1")).hasBinaryContent(Files.readAllBytes(ours.resolve("signature-1")));
    }
}
