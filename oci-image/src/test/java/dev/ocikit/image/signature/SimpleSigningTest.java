package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Digest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Date;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signing and verifying with keys made in the test: what is accepted, and each refusal. */
class SimpleSigningTest {
    static final char[] PASS = "secret".toCharArray();
    static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
            + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);
    static final String REF = "quay.io/me/app:1";

    static PGPSecretKeyRing key;
    static PGPSecretKeyRing other;
    static SigningKey signer;
    static PublicKeyring trusted;

    @BeforeAll
    static void keys() throws Exception {
        key = TestKeys.generate("test <t@example.com>", Instant.now().minusSeconds(60), Duration.ZERO, PASS);
        other = TestKeys.generate("other <o@example.com>", Instant.now().minusSeconds(60), Duration.ZERO, new char[0]);
        signer = SigningKey.parse(TestKeys.secretBytes(key), "key.gpg", PASS);
        trusted = TestKeys.keyring(key);
    }

    static void refused(ThrowingCallable call, Reason reason, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }

    @Test
    void signsAndVerifies() {
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        VerifiedSignature v = SimpleSigning.verifyFor(sig, MANIFEST, REF, trusted);
        assertThat(v.keyFingerprint()).isEqualTo(signer.fingerprint()).hasSize(40).isUpperCase();
        assertThat(v.signingKeyFingerprint()).isEqualTo(v.keyFingerprint());
        assertThat(v.payload().dockerManifestDigest()).isEqualTo(Digest.sha256(MANIFEST)).isEqualTo(SimpleSigning.manifestDigest(MANIFEST));
        assertThat(v.payload().dockerReference()).isEqualTo(REF);
        assertThat(v.payload().creator()).hasValueSatisfying(c -> assertThat(c).startsWith("ocikit"));
        assertThat(v.payload().timestamp()).isPresent();
        // the shape gpg --sign writes: a compressed data packet (tag 8) around the rest
        assertThat(sig[0] & 0xff).isIn(0xa3, 0xc8);
    }

    @Test
    void namesAreComparedAsDockerReferences() {
        byte[] sig = SimpleSigning.sign(MANIFEST, "docker.io/library/busybox:1", signer);
        assertThat(SimpleSigning.verifyFor(sig, MANIFEST, "busybox:1", trusted).keyFingerprint()).isEqualTo(signer.fingerprint());
        refused(() -> SimpleSigning.verifyFor(sig, MANIFEST, "busybox", trusted), Reason.IDENTITY_MISMATCH, "not \"busybox\"");
    }

    @Test
    void refusesAnotherKey() throws Exception {
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        refused(() -> SimpleSigning.verify(sig, TestKeys.keyring(other)), Reason.UNKNOWN_KEY, "not a trusted key");
        refused(() -> SimpleSigning.verify(sig, PublicKeyring.empty()), Reason.UNKNOWN_KEY, "trusted: none");
        byte[] byOther = SimpleSigning.sign(MANIFEST, REF, SigningKey.parse(TestKeys.secretBytes(other), "other", new char[0]));
        refused(() -> SimpleSigning.verify(byOther, trusted), Reason.UNKNOWN_KEY, signer.fingerprint());
    }

    @Test
    void refusesAChangedManifest() {
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        byte[] changed = Arrays.copyOf(MANIFEST, MANIFEST.length + 1);
        changed[changed.length - 1] = '\n';
        refused(() -> SimpleSigning.verifyFor(sig, changed, REF, trusted), Reason.DIGEST_MISMATCH, Digest.sha256(MANIFEST).toString());
    }

    @Test
    void refusesADifferentIdentity() {
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        refused(() -> SimpleSigning.verifyFor(sig, MANIFEST, "quay.io/me/app:2", trusted), Reason.IDENTITY_MISMATCH, "quay.io/me/app:2");
        refused(() -> SimpleSigning.verifyFor(sig, MANIFEST, "quay.io/other/app:1", trusted), Reason.IDENTITY_MISMATCH, "not");
    }

    @Test
    void refusesAPayloadWithAnUnknownCriticalMember() {
        String json = "{\"critical\":{\"identity\":{\"docker-reference\":\"" + REF + "\"},\"image\":{\"docker-manifest-digest\":\""
                + Digest.sha256(MANIFEST) + "\"},\"type\":\"atomic container signature\",\"expires\":1},\"optional\":{}}";
        byte[] sig = SimpleSigning.signBytes(json.getBytes(StandardCharsets.UTF_8), signer, Instant.now());
        refused(() -> SimpleSigning.verifyFor(sig, MANIFEST, REF, trusted), Reason.INVALID_PAYLOAD, "unknown member \"expires\" in critical");
    }

    @Test
    void refusesContentTheSignatureIsNotFor() throws Exception {
        byte[] forged = message(signer, "{\"evil\":true}".getBytes(StandardCharsets.UTF_8), new byte[][] {"{}".getBytes(StandardCharsets.UTF_8)});
        refused(() -> SimpleSigning.verify(forged, trusted), Reason.BAD_SIGNATURE, "does not verify");
    }

    @Test
    void refusesTwoSignatures() throws Exception {
        byte[] payload = SimpleSigningPayload.of(Digest.sha256(MANIFEST), REF, "t", Instant.now()).toJson();
        byte[] twice = message(signer, payload, new byte[][] {payload, payload});
        refused(() -> SimpleSigning.verify(twice, trusted), Reason.SIGNATURE_COUNT, "2 signatures");
    }

    @Test
    void refusesAnExpiredKey() throws Exception {
        Instant created = Instant.now().minus(Duration.ofDays(10));
        PGPSecretKeyRing expiring = TestKeys.generate("exp <e@example.com>", created, Duration.ofDays(2), new char[0]);
        SigningKey unchecked = TestKeys.unchecked(expiring, new char[0]);
        PublicKeyring keys = TestKeys.keyring(expiring);
        // made while the key was valid, checked after it expired: refused, as GnuPG refuses it
        byte[] whileValid = SimpleSigning.sign(SimpleSigningPayload.of(Digest.sha256(MANIFEST), REF, "t", created.plusSeconds(3600)),
                unchecked, created.plusSeconds(3600));
        refused(() -> SimpleSigning.verify(whileValid, keys), Reason.EXPIRED, "expired on");
        assertThat(SimpleSigning.verify(whileValid, keys, created.plus(Duration.ofDays(1))).keyFingerprint()).isEqualTo(unchecked.fingerprint());
        // made after it expired
        byte[] afterExpiry = SimpleSigning.sign(SimpleSigningPayload.of(Digest.sha256(MANIFEST), REF, "t", Instant.now()), unchecked, Instant.now());
        refused(() -> SimpleSigning.verify(afterExpiry, keys, created.plus(Duration.ofDays(1))), Reason.EXPIRED, "when the signature was made");
        // made before the key existed
        byte[] beforeKey = SimpleSigning.sign(SimpleSigningPayload.of(Digest.sha256(MANIFEST), REF, "t", created), unchecked, created.minusSeconds(60));
        refused(() -> SimpleSigning.verify(beforeKey, keys), Reason.EXPIRED, "predates key");
        // and it cannot be used to sign any more
        assertThatThrownBy(() -> SigningKey.parse(TestKeys.secretBytes(expiring), "exp", new char[0]))
                .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("may not sign");
    }

    @Test
    void refusesARevokedKey() throws Exception {
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        PublicKeyring revoked = TestKeys.keyring(TestKeys.revoked(key, PASS));
        assertThat(revoked.fingerprints()).isEqualTo(trusted.fingerprints());
        refused(() -> SimpleSigning.verify(sig, revoked), Reason.REVOKED, "revoked");
    }

    @Test
    void signsWithASigningSubkeyAndNamesThePrimaryKey() throws Exception {
        PGPSecretKeyRing withSub = TestKeys.generate("sub <s@example.com>", Instant.now().minusSeconds(60), Duration.ZERO, new char[0], true, true);
        SigningKey k = SigningKey.parse(TestKeys.secretBytes(withSub), "sub", new char[0]);
        assertThat(k.signingKeyFingerprint()).isNotEqualTo(k.fingerprint());
        VerifiedSignature v = SimpleSigning.verifyFor(SimpleSigning.sign(MANIFEST, REF, k), MANIFEST, REF, TestKeys.keyring(withSub));
        assertThat(v.keyFingerprint()).isEqualTo(k.fingerprint());
        assertThat(v.signingKeyFingerprint()).isEqualTo(k.signingKeyFingerprint());
        // the subkey named by its own fingerprint signs too
        assertThat(SigningKey.parse(TestKeys.secretBytes(withSub), "sub", k.signingKeyFingerprint().toLowerCase(), new char[0])
                .signingKeyFingerprint()).isEqualTo(k.signingKeyFingerprint());
    }

    @Test
    void refusesASubkeyWithoutBackSignature() throws Exception {
        PGPSecretKeyRing noBack = TestKeys.generate("sub <s@example.com>", Instant.now().minusSeconds(60), Duration.ZERO, new char[0], true, false);
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, TestKeys.unchecked(noBack, new char[0]));
        refused(() -> SimpleSigning.verify(sig, TestKeys.keyring(noBack)), Reason.KEY_USAGE, "not bound");
    }

    @Test
    void refusesBadInput() {
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        refused(() -> SimpleSigning.verify("not OpenPGP at all".getBytes(StandardCharsets.UTF_8), trusted), Reason.MALFORMED, "not a simple signature");
        refused(() -> SimpleSigning.verify(new byte[0], trusted), Reason.MALFORMED, "not a simple signature");
        refused(() -> SimpleSigning.verify(MANIFEST, trusted), Reason.MALFORMED, "not a simple signature");
        // Every truncation is refused with the typed exception, never anything else, or (when only bytes
        // that carry nothing are cut, such as the last of deflate's end-of-stream bits, which random keys
        // sometimes leave there) verifies as the same payload.
        VerifiedSignature original = SimpleSigning.verify(sig, trusted);
        for (int n = 0; n < sig.length; n++) {
            byte[] cut = Arrays.copyOf(sig, n);
            try {
                assertThat(SimpleSigning.verify(cut, trusted).payload()).as("truncated to %d bytes", n)
                        .isEqualTo(original.payload());
                assertThat(n).as("only the very end may be cut").isGreaterThan(sig.length - 8);
            } catch (SignatureVerificationException e) {
                // refused: fine
            }
        }
        // A flipped bit anywhere is refused with the typed exception, or (in bytes no signature covers, such
        // as the literal packet's date, the hash prefix or deflate's slack) leaves the verified payload as it was.
        for (int i = 0; i < sig.length; i++) {
            byte[] flipped = sig.clone();
            flipped[i] ^= 0x10;
            try {
                assertThat(SimpleSigning.verify(flipped, trusted).payload()).as("bit flipped in byte %d", i).isEqualTo(original.payload());
            } catch (SignatureVerificationException e) {
                // refused: fine
            }
        }
    }

    @Test
    void refusesMoreAfterTheSignature() {
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        byte[] twice = new byte[sig.length * 2];
        System.arraycopy(sig, 0, twice, 0, sig.length);
        System.arraycopy(sig, 0, twice, sig.length, sig.length);
        refused(() -> SimpleSigning.verify(twice, trusted), Reason.MALFORMED, "not a simple signature");
    }

    @Test
    void refusesBytesAfterTheSignatureInsideTheCompressedPacket() {
        // gpg's compressed packet has no length: whatever follows the compressed stream is inside the packet
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        assertThat(sig[0] & 0xff).as("an old-format compressed packet of indeterminate length, as gpg writes")
                .isEqualTo(0xa3);
        for (byte[] tail : List.of(new byte[] {0}, "junk".getBytes(StandardCharsets.US_ASCII), new byte[4096])) {
            byte[] longer = Arrays.copyOf(sig, sig.length + tail.length);
            System.arraycopy(tail, 0, longer, sig.length, tail.length);
            refused(() -> SimpleSigning.verify(longer, trusted), Reason.MALFORMED, "more follows the signature");
        }
    }

    @Test
    void keysAreChosenByFingerprintAndUnlockedWithThePassphrase() throws Exception {
        assertThatThrownBy(() -> SigningKey.parse(TestKeys.secretBytes(key), "key.gpg", "wrong".toCharArray()))
                .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("wrong passphrase");
        assertThatThrownBy(() -> SigningKey.parse(TestKeys.secretBytes(key), "key.gpg", new char[0]))
                .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("none was given");
        assertThatThrownBy(() -> SigningKey.parse(TestKeys.secretBytes(key), "key.gpg", "AB".repeat(20), PASS))
                .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("no secret key with fingerprint");
        assertThatThrownBy(() -> SigningKey.parse(TestKeys.armoredPublic(key), "pub.asc", PASS))
                .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("export the key");
        assertThat(SigningKey.parse(TestKeys.secretBytes(key), "key.gpg", signer.fingerprint().toLowerCase(), PASS).fingerprint())
                .isEqualTo(signer.fingerprint());
    }

    @Test
    void keyringsReadArmoredAndBinaryKeysAndNarrowByFingerprint() throws Exception {
        byte[] both = concat(TestKeys.armoredPublic(key), "\n".getBytes(StandardCharsets.US_ASCII), TestKeys.armoredPublic(other));
        PublicKeyring ring = PublicKeyring.parse(both, "keys.asc");
        assertThat(ring.fingerprints()).hasSize(2).contains(signer.fingerprint());
        assertThat(ring.only(signer.fingerprint().toLowerCase()).fingerprints()).containsExactly(signer.fingerprint());
        assertThat(PublicKeyring.parse(TestKeys.secretBytes(key), "secret").fingerprints()).containsExactly(signer.fingerprint());
        assertThat(trusted.plus(TestKeys.keyring(other)).fingerprints()).isEqualTo(ring.fingerprints());
        assertThatThrownBy(() -> trusted.only("AB".repeat(20))).isInstanceOf(OpenPgpKeyException.class)
                .hasMessageContaining("no public key with fingerprint " + "AB".repeat(20));
        assertThatThrownBy(() -> trusted.only("xyz")).isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("not a key fingerprint");
        assertThatThrownBy(() -> PublicKeyring.parse("garbage".getBytes(StandardCharsets.UTF_8), "g.asc"))
                .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("g.asc");
        byte[] sig = SimpleSigning.sign(MANIFEST, REF, signer);
        assertThat(SimpleSigning.verify(sig, ring).keyFingerprint()).isEqualTo(signer.fingerprint());
    }

    @Test
    void keyboxFilesAreBoundsChecked() {
        byte[] header = {0, 0, 0, 32, 1, 1, 0, 0, 'K', 'B', 'X', 'f', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(Keybox.looksLikeKeybox(header)).isTrue();
        assertThat(Keybox.openPgpKeyBlocks(header, "kbx")).isEmpty();
        byte[] lying = concat(header, new byte[] {0, 0, 0, 20, 2, 1, 0, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> Keybox.openPgpKeyBlocks(lying, "kbx")).isInstanceOf(OpenPgpKeyException.class)
                .hasMessageContaining("at byte 32").hasMessageContaining("outside its blob");
        byte[] tooLong = concat(header, new byte[] {0, 0, 1, 0, 2, 1});
        assertThatThrownBy(() -> Keybox.openPgpKeyBlocks(tooLong, "kbx")).isInstanceOf(OpenPgpKeyException.class)
                .hasMessageContaining("does not fit");
    }

    /** A compressed one-pass signed message whose signatures cover {@code signed} while it carries {@code content}. */
    static byte[] message(SigningKey k, byte[] content, byte[][] signed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PGPCompressedDataGenerator compressed = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZIP);
        PGPSignatureGenerator[] gens = new PGPSignatureGenerator[signed.length];
        try (BCPGOutputStream packets = new BCPGOutputStream(compressed.open(out))) {
            for (int i = 0; i < signed.length; i++) {
                gens[i] = new PGPSignatureGenerator(new BcPGPContentSignerBuilder(k.publicKey().getAlgorithm(), HashAlgorithmTags.SHA256), k.publicKey());
                gens[i].init(PGPSignature.BINARY_DOCUMENT, k.privateKey());
                gens[i].generateOnePassVersion(i < signed.length - 1).encode(packets);
                gens[i].update(signed[i]);
            }
            try (OutputStream data = new PGPLiteralDataGenerator().open(packets, PGPLiteralData.BINARY, "", content.length, new Date())) {
                data.write(content);
            }
            for (int i = signed.length - 1; i >= 0; i--) {
                gens[i].generate().encode(packets);
            }
        }
        compressed.close();
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
