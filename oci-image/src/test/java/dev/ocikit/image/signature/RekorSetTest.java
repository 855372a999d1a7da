package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rekor signed entry timestamps, checked offline with a log key made in the test. */
class RekorSetTest {
    static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    static final String REF = "quay.io/ocikit/app:1.0";
    static SigstorePrivateKey signer;
    static SigstorePrivateKey rekor;
    static SigstorePrivateKey otherLog;

    @BeforeAll
    static void keys() {
        signer = SigstorePrivateKey.generate();
        rekor = SigstorePrivateKey.generate();
        otherLog = SigstorePrivateKey.generate();
    }

    /** What a log writes for an entry: a hashedrekord body, and its signature over the canonical Payload. */
    static String set(SigstorePrivateKey log, SigstorePublicKey key, String base64Signature, byte[] payload, long time) throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        String body = "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"sha256\","
                + "\"value\":\"" + hash + "\"}},\"signature\":{\"content\":\"" + base64Signature + "\",\"publicKey\":{\"content\":\""
                + Base64.getEncoder().encodeToString(key.toPem()) + "\"}}}}";
        String b64 = Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8));
        String logId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(log.publicKey().der()));
        String canonical = "{\"body\":\"" + b64 + "\",\"integratedTime\":" + time + ",\"logID\":\"" + logId + "\",\"logIndex\":42}";
        String signature = Base64.getEncoder().encodeToString(log.sign(canonical.getBytes(StandardCharsets.UTF_8)));
        // members in another order than the canonical one, as a log may send them
        return "{\"SignedEntryTimestamp\":\"" + signature + "\",\"Payload\":{\"logIndex\":42,\"logID\":\"" + logId
                + "\",\"integratedTime\":" + time + ",\"body\":\"" + b64 + "\"}}";
    }

    static SigstoreSignature withSet(SigstoreSignature sig, String set) {
        Map<String, String> a = new HashMap<>(sig.annotations());
        a.put(SigstoreSignature.BUNDLE_ANNOTATION, set);
        return new SigstoreSignature(sig.mimeType(), sig.payload(), a);
    }

    static void refused(ThrowingCallable call, Reason reason, String part) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(part);
    }

    @Test
    void aSetByTheTrustedLogForThisSignatureIsAccepted() throws Exception {
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, signer);
        SigstoreSignature logged = withSet(sig, set(rekor, signer.publicKey(), sig.signature().orElseThrow(), sig.payload(), 1767225600));
        assertThat(SigstoreSigning.verify(logged, List.of(signer.publicKey()), List.of(otherLog.publicKey(), rekor.publicKey()))
                .keyFingerprint()).isEqualTo(signer.publicKey().fingerprint());
        // without Rekor keys the annotation is not looked at
        assertThat(SigstoreSigning.verify(sig, List.of(signer.publicKey()), List.of()).payload().dockerReference()).isEqualTo(REF);
    }

    @Test
    void eachMismatchIsRefused() throws Exception {
        SigstoreSignature sig = SigstoreSigning.sign(MANIFEST, REF, signer);
        String base64 = sig.signature().orElseThrow();
        List<SigstorePublicKey> keys = List.of(signer.publicKey());
        List<SigstorePublicKey> log = List.of(rekor.publicKey());
        refused(() -> SigstoreSigning.verify(sig, keys, log), Reason.MALFORMED, "no dev.sigstore.cosign/bundle annotation");
        refused(() -> SigstoreSigning.verify(withSet(sig, set(otherLog, signer.publicKey(), base64, sig.payload(), 1)), keys, log),
                Reason.BAD_SIGNATURE, "not signed by the trusted Rekor key");
        SigstoreSignature second = SigstoreSigning.sign(MANIFEST, "quay.io/ocikit/app:2.0", signer); // another payload, so another signature
        refused(() -> SigstoreSigning.verify(withSet(sig, set(rekor, signer.publicKey(), second.signature().orElseThrow(),
                sig.payload(), 1)), keys, log), Reason.BAD_SIGNATURE, "for another signature");
        refused(() -> SigstoreSigning.verify(withSet(sig, set(rekor, otherLog.publicKey(), base64, sig.payload(), 1)), keys, log),
                Reason.BAD_SIGNATURE, "for another key");
        refused(() -> SigstoreSigning.verify(withSet(sig, set(rekor, signer.publicKey(), base64, second.payload(), 1)), keys, log),
                Reason.BAD_SIGNATURE, "for another payload");
        String good = set(rekor, signer.publicKey(), base64, sig.payload(), 1);
        refused(() -> SigstoreSigning.verify(withSet(sig, good.replace("\"logIndex\":42", "\"logIndex\":43")), keys, log),
                Reason.BAD_SIGNATURE, "not signed by");
        refused(() -> SigstoreSigning.verify(withSet(sig, good.replace("{\"SignedEntryTimestamp\"", "{\"x\":1,\"SignedEntryTimestamp\"")),
                keys, log), Reason.MALFORMED, "unknown member \"x\"");
        refused(() -> SigstoreSigning.verify(withSet(sig, "not json"), keys, log), Reason.MALFORMED, "not valid JSON");
    }

    @Test
    void canonicalStringsAreEscapedAsEcmascriptDoes() {
        StringBuilder b = new StringBuilder();
        RekorSet.quote(b, "a\"b\\c\n\u0001é/<");
        assertThat(b.toString()).isEqualTo("\"a\\\"b\\\\c\\n\\u0001é/<\"");
    }
}
