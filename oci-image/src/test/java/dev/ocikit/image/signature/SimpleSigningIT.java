package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Simple signatures against the real gpg and skopeo, both ways, and what both refuse. */
class SimpleSigningIT {
    static final String REF = "quay.io/ocikit/app:1.0";
    static final byte[] MANIFEST = SimpleSigningTest.MANIFEST;

    @TempDir
    static Path tmp;
    static GnupgHome home;
    static String rsa; // gpg's default key (RSA 3072), signs with its primary key
    static String ed; // an ed25519 key
    static String other;
    static Path manifest;

    @BeforeAll
    static void keys() throws Exception {
        Tools.require("gpg");
        home = new GnupgHome(tmp.resolve("gnupg"));
        rsa = home.generateKey("rsa <rsa@example.com>", "default", "");
        ed = home.generateKey("ed <ed@example.com>", "ed25519", "");
        other = home.generateKey("other <other@example.com>", "ed25519", "");
        manifest = tmp.resolve("manifest.json");
        Files.write(manifest, MANIFEST);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (home != null) {
            home.close();
        }
    }

    static byte[] skopeoSign(String reference, String fingerprint) throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path sig = Files.createTempFile(tmp, "skopeo", ".sig");
        home.exec(0, skopeo, "standalone-sign", manifest.toString(), reference, fingerprint, "-o", sig.toString());
        return Files.readAllBytes(sig);
    }

    static String skopeoVerify(int exit, byte[] signature, String reference, String fingerprint) throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path sig = Files.createTempFile(tmp, "ocikit", ".sig");
        Files.write(sig, signature);
        return home.exec(exit, skopeo, "standalone-verify", manifest.toString(), reference, fingerprint, sig.toString());
    }

    static SigningKey exported(String fingerprint, String passphrase) throws Exception {
        byte[] secret = home.gpgBytes("--pinentry-mode", "loopback", "--passphrase", passphrase, "--export-secret-keys", fingerprint);
        return SigningKey.parse(secret, "gpg --export-secret-keys", fingerprint, passphrase.toCharArray());
    }

    /** gpg --sign over any content with any keys, as a crafted signature. */
    static byte[] gpgSign(byte[] content, String... signers) throws Exception {
        Path in = Files.createTempFile(tmp, "payload", ".json");
        Files.write(in, content);
        Path out = tmp.resolve(in.getFileName() + ".gpg");
        java.util.List<String> args = new java.util.ArrayList<>();
        for (String s : signers) {
            args.add("-u");
            args.add(s + "!"); // exactly this key, as skopeo names it
        }
        args.addAll(java.util.List.of("--output", out.toString(), "--sign", in.toString()));
        home.gpg(args.toArray(String[]::new));
        return Files.readAllBytes(out);
    }

    static byte[] payload(String reference) {
        return SimpleSigningPayload.of(Digest.sha256(MANIFEST), reference, "test", java.time.Instant.now()).toJson();
    }

    static void refused(ThrowingCallable call, Reason reason, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }

    @Test
    void skopeoSignaturesVerifyWithTheKeysOfTheGnupgHome() throws Exception {
        PublicKeyring gnupg = PublicKeyring.gnupgHome(home.dir());
        assertThat(home.dir().resolve("pubring.kbx")).exists();
        assertThat(gnupg.fingerprints()).contains(rsa, ed, other);
        for (String fingerprint : new String[] {rsa, ed}) {
            byte[] sig = skopeoSign(REF, fingerprint);
            VerifiedSignature v = SimpleSigning.verifyFor(sig, MANIFEST, REF, gnupg.only(fingerprint));
            assertThat(v.keyFingerprint()).isEqualTo(fingerprint);
            assertThat(v.payload().dockerManifestDigest()).isEqualTo(Digest.sha256(MANIFEST));
            assertThat(v.payload().creator()).hasValueSatisfying(c -> assertThat(c).startsWith("atomic"));
        }
    }

    @Test
    void exportedKeysReadArmoredBinaryAndAsALegacyPubringGpg() throws Exception {
        byte[] sig = skopeoSign(REF, ed);
        PublicKeyring binary = PublicKeyring.parse(home.gpgBytes("--export", ed), "export");
        PublicKeyring armored = PublicKeyring.parse(home.gpgBytes("--export", "--armor", ed, other), "export --armor");
        assertThat(armored.fingerprints()).containsExactly(ed, other);
        Path legacy = Files.createDirectories(tmp.resolve("legacy-home"));
        Files.write(legacy.resolve("pubring.gpg"), home.gpgBytes("--export"));
        for (PublicKeyring keys : new PublicKeyring[] {binary, armored, PublicKeyring.gnupgHome(legacy)}) {
            assertThat(SimpleSigning.verifyFor(sig, MANIFEST, REF, keys).keyFingerprint()).isEqualTo(ed);
        }
        assertThat(PublicKeyring.gnupgHome(tmp.resolve("no-such-home")).isEmpty()).isTrue();
    }

    @Test
    void ocikitSignaturesVerifyWithSkopeo() throws Exception {
        for (String fingerprint : new String[] {rsa, ed}) {
            byte[] sig = SimpleSigning.sign(MANIFEST, REF, exported(fingerprint, ""));
            assertThat(skopeoVerify(0, sig, REF, fingerprint)).contains("Signature verified").contains(Digest.sha256(MANIFEST).toString());
            // gpg itself reads it as a good signature of the payload
            Path file = Files.write(tmp.resolve("ocikit-" + fingerprint + ".sig"), sig);
            assertThat(home.gpg("--decrypt", file.toString())).startsWith("{\"critical\":");
        }
    }

    @Test
    void passphraseProtectedKeysSign() throws Exception {
        String protectedKey = home.generateKey("pw <pw@example.com>", "ed25519", "correct horse");
        SigningKey key = exported(protectedKey, "correct horse");
        assertThat(skopeoVerify(0, SimpleSigning.sign(MANIFEST, REF, key), REF, protectedKey)).contains("Signature verified");
        byte[] secret = home.gpgBytes("--pinentry-mode", "loopback", "--passphrase", "correct horse", "--export-secret-keys", "--armor", protectedKey);
        assertThatThrownBy(() -> SigningKey.parse(secret, "key.asc", protectedKey, "wrong".toCharArray()))
                .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("wrong passphrase");
    }

    @Test
    void refusesAnotherKey() throws Exception {
        byte[] byOther = skopeoSign(REF, other);
        PublicKeyring gnupg = PublicKeyring.gnupgHome(home.dir());
        refused(() -> SimpleSigning.verifyFor(byOther, MANIFEST, REF, gnupg.only(ed)), Reason.UNKNOWN_KEY, "not a trusted key");
        skopeoVerify(1, byOther, REF, ed);
    }

    @Test
    void refusesAChangedManifest() throws Exception {
        byte[] sig = skopeoSign(REF, ed);
        byte[] changed = new String(MANIFEST, StandardCharsets.UTF_8).replace("\"layers\":[]", "\"layers\": []").getBytes(StandardCharsets.UTF_8);
        refused(() -> SimpleSigning.verifyFor(sig, changed, REF, PublicKeyring.gnupgHome(home.dir()).only(ed)),
                Reason.DIGEST_MISMATCH, "not for this one");
    }

    @Test
    void refusesADifferentIdentity() throws Exception {
        byte[] sig = skopeoSign(REF, ed);
        refused(() -> SimpleSigning.verifyFor(sig, MANIFEST, "quay.io/ocikit/app:2.0", PublicKeyring.gnupgHome(home.dir()).only(ed)),
                Reason.IDENTITY_MISMATCH, "quay.io/ocikit/app:2.0");
        skopeoVerify(1, sig, "quay.io/ocikit/app:2.0", ed);
    }

    @Test
    void refusesAnUnknownCriticalMemberThatGpgSigned() throws Exception {
        String json = new String(payload(REF), StandardCharsets.UTF_8).replace("\"type\":", "\"must-understand\":true,\"type\":");
        byte[] sig = gpgSign(json.getBytes(StandardCharsets.UTF_8), ed);
        refused(() -> SimpleSigning.verify(sig, PublicKeyring.gnupgHome(home.dir())), Reason.INVALID_PAYLOAD, "\"must-understand\"");
        skopeoVerify(1, sig, REF, ed);
        // the same route with a valid payload is accepted: the refusal is the payload's, not the route's
        assertThat(SimpleSigning.verifyFor(gpgSign(payload(REF), ed), MANIFEST, REF, PublicKeyring.gnupgHome(home.dir())).keyFingerprint())
                .isEqualTo(ed);
    }

    @Test
    void refusesTwoSignaturePackets() throws Exception {
        byte[] twice = gpgSign(payload(REF), ed, other);
        assertThat(home.gpg("--list-packets", Files.write(tmp.resolve("two.sig"), twice).toString())).contains("keyid");
        refused(() -> SimpleSigning.verify(twice, PublicKeyring.gnupgHome(home.dir())), Reason.SIGNATURE_COUNT, "2 signatures");
        skopeoVerify(1, twice, REF, ed);
    }

    @Test
    void refusesAKeyThatHasExpired() throws Exception {
        // A key made in 2020 that expired a day later, and a signature made while it was valid.
        String expired = home.generateExpiringKey("expired <x@example.com>", "ed25519", "", "1d", "--faked-system-time", "20200101T000000!");
        Path in = Files.write(tmp.resolve("expired.json"), payload(REF));
        home.gpg("--faked-system-time", "20200101T120000!", "-u", expired + "!", "--output", tmp.resolve("expired.sig").toString(),
                "--sign", in.toString());
        byte[] sig = Files.readAllBytes(tmp.resolve("expired.sig"));
        refused(() -> SimpleSigning.verifyFor(sig, MANIFEST, REF, PublicKeyring.gnupgHome(home.dir()).only(expired)),
                Reason.EXPIRED, "expired on 2020-01-02");
        skopeoVerify(1, sig, REF, expired);
        // and it may not sign any more
        assertThatThrownBy(() -> exported(expired, "")).isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("may not sign");
    }

    @Test
    void refusesARevokedKey() throws Exception {
        String revoked = home.generateKey("revoked <r@example.com>", "ed25519", "");
        byte[] sig = skopeoSign(REF, revoked);
        assertThat(SimpleSigning.verifyFor(sig, MANIFEST, REF, PublicKeyring.gnupgHome(home.dir()).only(revoked)).keyFingerprint()).isEqualTo(revoked);
        // gpg's own revocation certificate, with the ':' that guards it against accidental import removed
        String certificate = Files.readString(home.dir().resolve("openpgp-revocs.d/" + revoked + ".rev"));
        Path rev = Files.writeString(tmp.resolve("revoke.asc"), certificate.replace(":-----BEGIN", "-----BEGIN"));
        home.gpg("--import", rev.toString());
        refused(() -> SimpleSigning.verifyFor(sig, MANIFEST, REF, PublicKeyring.gnupgHome(home.dir()).only(revoked)), Reason.REVOKED, "revoked");
    }
}
