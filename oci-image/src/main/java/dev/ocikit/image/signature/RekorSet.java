package dev.ocikit.image.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.OciException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A Rekor "signed entry timestamp" (SET) in the {@value SigstoreSignature#BUNDLE_ANNOTATION}
 * annotation, checked offline as containers/image checks it: the log's ECDSA signature over the
 * RFC 8785 canonical JSON of {@code Payload}, then the logged {@code hashedrekord} entry must name
 * this signature, this signer's key and the SHA-256 of this payload. That proves the signature
 * was logged (at {@code integratedTime}); inclusion proofs and checkpoints are not part of the
 * format and not checked, as there.
 */
final class RekorSet {
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private RekorSet() {}

    /**
     * @return when the log says it integrated the entry
     * @throws SignatureVerificationException (BAD_SIGNATURE) naming what does not match, or
     *     (MALFORMED) if the SET is not of the expected shape
     */
    static Instant verify(List<SigstorePublicKey> rekorKeys, String setJson, SigstorePublicKey signer, byte[] signature,
            byte[] payload) {
        JsonNode set = tree(setJson.getBytes(StandardCharsets.UTF_8), "the Rekor SET");
        exactly(set, "the Rekor SET", "SignedEntryTimestamp", "Payload");
        byte[] setSignature = base64(text(set, "SignedEntryTimestamp"), "SignedEntryTimestamp");
        JsonNode p = set.get("Payload");
        exactly(p, "the Rekor SET Payload", "body", "integratedTime", "logIndex", "logID");
        String body = text(p, "body");
        long integratedTime = integer(p, "integratedTime");
        long logIndex = integer(p, "logIndex");
        String logId = text(p, "logID");
        // RFC 8785: members sorted by name, no white space, ECMAScript number and string forms.
        StringBuilder canonical = new StringBuilder(body.length() + 128).append("{\"body\":");
        quote(canonical, body);
        canonical.append(",\"integratedTime\":").append(integratedTime).append(",\"logID\":");
        quote(canonical, logId);
        canonical.append(",\"logIndex\":").append(logIndex).append('}');
        byte[] signed = canonical.toString().getBytes(StandardCharsets.UTF_8);
        boolean logged = rekorKeys.stream().anyMatch(k -> k.algorithm().startsWith("ECDSA ") && k.verifies(signed, setSignature));
        if (!logged) {
            throw bad("the Rekor SET is not signed by " + (rekorKeys.size() == 1 ? "the trusted Rekor key " : "any trusted Rekor key ")
                    + String.join(", ", rekorKeys.stream().map(SigstorePublicKey::fingerprint).toList()));
        }

        // The entry is authentic; now it must be about this signature.
        JsonNode entry = tree(base64(body, "Payload.body"), "the Rekor entry");
        if (!"hashedrekord".equals(entry.path("kind").textValue()) || !"0.0.1".equals(entry.path("apiVersion").textValue())) {
            throw bad("the Rekor entry is of kind " + entry.path("kind") + ", version " + entry.path("apiVersion")
                    + ", not hashedrekord 0.0.1");
        }
        JsonNode spec = entry.path("spec");
        String keyPem = spec.path("signature").path("publicKey").path("content").textValue();
        String content = spec.path("signature").path("content").textValue();
        String algorithm = spec.path("data").path("hash").path("algorithm").textValue();
        String hash = spec.path("data").path("hash").path("value").textValue();
        if (keyPem == null || content == null || algorithm == null || hash == null) {
            throw malformed("the Rekor entry lacks signature.content, signature.publicKey.content or data.hash");
        }
        byte[] loggedKey = Pem.first(base64(keyPem, "signature.publicKey.content"))
                .orElseThrow(() -> malformed("the public key in the Rekor entry is not PEM")).bytes();
        if (!java.util.Arrays.equals(loggedKey, signer.der())) {
            throw bad("the Rekor entry is for another key than " + signer.fingerprint());
        }
        if (!java.util.Arrays.equals(base64(content, "signature.content"), signature)) {
            throw bad("the Rekor entry is for another signature");
        }
        if (!algorithm.equals("sha256")) {
            throw bad("the Rekor entry hashes the payload with " + algorithm + ", not sha256");
        }
        byte[] logged256;
        try {
            logged256 = HexFormat.of().parseHex(hash);
        } catch (IllegalArgumentException e) {
            throw malformed("data.hash.value in the Rekor entry is not hex");
        }
        if (!java.util.Arrays.equals(logged256, sha256(payload))) {
            throw bad("the Rekor entry is for another payload");
        }
        return Instant.ofEpochSecond(integratedTime);
    }

    private static JsonNode tree(byte[] json, String what) {
        try {
            JsonNode node = Json.tree(json, what);
            if (!node.isObject()) {
                throw malformed(what + " is not a JSON object");
            }
            return node;
        } catch (SignatureVerificationException e) {
            throw e;
        } catch (OciException e) {
            throw malformed(what + " is not valid JSON: " + e.getMessage());
        }
    }

    private static void exactly(JsonNode node, String what, String... names) {
        if (node == null || !node.isObject()) {
            throw malformed(what + " is not a JSON object");
        }
        Set<String> wanted = Set.of(names);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!wanted.contains(n)) {
                throw malformed(what + " has an unknown member \"" + n + "\"");
            }
        }
        for (String n : names) {
            if (!node.has(n)) {
                throw malformed(what + " lacks \"" + n + "\"");
            }
        }
    }

    private static String text(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (!v.isTextual()) {
            throw malformed("\"" + name + "\" in the Rekor SET must be a string");
        }
        return v.textValue();
    }

    private static long integer(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || Math.abs(v.longValue()) > MAX_SAFE_INTEGER) {
            throw malformed("\"" + name + "\" in the Rekor SET must be an integer");
        }
        return v.longValue();
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw malformed(what + " in the Rekor SET is not base64");
        }
    }

    /** A JSON string as RFC 8785 (ECMAScript's JSON.stringify) writes it. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SignatureVerificationException bad(String problem) {
        return new SignatureVerificationException(Reason.BAD_SIGNATURE, problem);
    }

    private static SignatureVerificationException malformed(String problem) {
        return new SignatureVerificationException(Reason.MALFORMED, problem);
    }
}
