package dev.ocikit.image.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.internal.GoJson;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON document a simple signature signs: which manifest (by digest), under which name,
 * and, optionally, who made it and when. Immutable and thread-safe.
 *
 * <pre>{"critical":{"identity":{"docker-reference":"quay.io/app:1"},
 *             "image":{"docker-manifest-digest":"sha256:..."},
 *             "type":"atomic container signature"},
 *  "optional":{"creator":"ocikit","timestamp":1767225600}}</pre>
 *
 * <p>{@link #parse} is as strict as containers/image: {@code critical}, {@code optional},
 * {@code critical.type}, {@code critical.image} and {@code critical.identity} must all be
 * present; no other member is allowed in the top level, {@code critical},
 * {@code critical.image} or {@code critical.identity}; the type must be exactly
 * {@value #TYPE}; the digest must parse; a duplicate key anywhere is refused; the timestamp must
 * be an integer. Unknown members of {@code optional} are ignored, as the format says. Where Go
 * would read a JSON {@code null} as an empty string (and then fail on it), a {@code null} is
 * refused here; a {@code null} optional value reads as absent.
 *
 * <p>{@link #toJson()} writes what containers/image writes for the same values: members in
 * sorted order, no white space, and {@code <}, {@code >} and {@code &} escaped as Go escapes
 * them, so the same payload always has the same bytes.
 *
 * <p>A sigstore (cosign) signature signs the same document with {@code critical.type}
 * {@code "cosign container image signature"} ({@link SigstoreSigning} reads and writes it with
 * the same rules, except that {@code "optional": null}, which cosign writes, is accepted there).
 *
 * <p>Only a payload that came out of a verified signature ({@link VerifiedSignature#payload()})
 * may be trusted; parsing one is not verifying it.
 *
 * @param dockerManifestDigest the digest of the signed manifest's bytes
 * @param dockerReference the name the image was signed as, as written (not normalised)
 * @param creator who made the signature, free text
 * @param timestamp when, in seconds since the epoch, as the signer claims
 */
public record SimpleSigningPayload(Digest dockerManifestDigest, String dockerReference, Optional<String> creator,
        Optional<Long> timestamp) {

    /** The only {@code critical.type} simple signing knows. */
    public static final String TYPE = "atomic container signature";

    /** How the two formats that share this document differ: the type, and whether {@code optional} may be null. */
    record Format(String type, String document, boolean optionalMayBeNull) {}

    static final Format SIMPLE = new Format(TYPE, "simple signing payload", false);
    /** cosign writes {@code "optional": null} when the user gave no annotations; containers/image reads it. */
    static final Format SIGSTORE = new Format("cosign container image signature", "sigstore signature payload", true);

    public SimpleSigningPayload {
        Objects.requireNonNull(dockerManifestDigest, "dockerManifestDigest");
        Objects.requireNonNull(dockerReference, "dockerReference");
        creator = creator == null ? Optional.empty() : creator;
        timestamp = timestamp == null ? Optional.empty() : timestamp;
        if (dockerReference.isEmpty()) {
            throw new IllegalArgumentException("dockerReference must not be empty");
        }
    }

    /** A payload for this manifest and name, with this creator, stamped with the time given. */
    public static SimpleSigningPayload of(Digest manifestDigest, String dockerReference, String creator, Instant at) {
        return new SimpleSigningPayload(manifestDigest, dockerReference, Optional.of(creator),
                Optional.of(at.getEpochSecond()));
    }

    /** The claimed signing time, if the payload has one. */
    public Optional<Instant> signedAt() {
        return timestamp.map(Instant::ofEpochSecond);
    }

    /**
     * Parses a payload strictly (see the class comment).
     *
     * @throws SignatureVerificationException with {@link Reason#INVALID_PAYLOAD}, naming the member
     *     that is wrong
     */
    public static SimpleSigningPayload parse(byte[] json) {
        return parse(json, SIMPLE);
    }

    /** Parses a payload of either format strictly; refusals name {@code format}'s document. */
    static SimpleSigningPayload parse(byte[] json, Format format) {
        JsonNode root;
        try {
            root = Json.tree(json, format.document());
        } catch (MalformedDocumentException e) {
            throw invalid(format, e.getMessage(), e);
        } catch (OciException e) {
            throw invalid(format, "not JSON: " + e.getMessage(), e);
        }
        exactMembers(format, root, "", Set.of("critical", "optional"));
        JsonNode critical = root.get("critical");
        exactMembers(format, critical, "critical", Set.of("type", "image", "identity"));
        String type = string(format, critical.get("type"), "critical.type");
        if (!type.equals(format.type())) {
            throw invalid(format, "critical.type is \"" + printable(type) + "\", not \"" + format.type() + "\"", null);
        }
        JsonNode image = critical.get("image");
        exactMembers(format, image, "critical.image", Set.of("docker-manifest-digest"));
        String digestText = string(format, image.get("docker-manifest-digest"), "critical.image.docker-manifest-digest");
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (OciException e) {
            throw invalid(format, "critical.image.docker-manifest-digest: " + e.getMessage(), e);
        }
        JsonNode identity = critical.get("identity");
        exactMembers(format, identity, "critical.identity", Set.of("docker-reference"));
        String reference = string(format, identity.get("docker-reference"), "critical.identity.docker-reference");
        if (reference.isEmpty()) {
            throw invalid(format, "critical.identity.docker-reference is empty", null);
        }

        JsonNode optional = root.get("optional");
        Optional<String> creator = Optional.empty();
        Optional<Long> timestamp = Optional.empty();
        if (!(optional.isNull() && format.optionalMayBeNull())) {
            if (!optional.isObject()) {
                throw invalid(format, "optional must be a JSON object", null);
            }
            JsonNode c = optional.get("creator");
            if (c != null && !c.isNull()) {
                creator = Optional.of(string(format, c, "optional.creator"));
            }
            JsonNode t = optional.get("timestamp");
            if (t != null && !t.isNull()) {
                timestamp = Optional.of(integer(format, t, "optional.timestamp"));
            }
        }
        return new SimpleSigningPayload(digest, reference, creator, timestamp);
    }

    /** The payload as containers/image writes it: sorted members, compact, Go's string escaping. */
    public byte[] toJson() {
        return toJson(SIMPLE);
    }

    /** The payload of either format as containers/image writes it. */
    byte[] toJson(Format format) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"critical\":{\"identity\":{\"docker-reference\":");
        GoJson.quote(b, dockerReference);
        b.append("},\"image\":{\"docker-manifest-digest\":");
        GoJson.quote(b, dockerManifestDigest.toString());
        b.append("},\"type\":");
        GoJson.quote(b, format.type());
        b.append("},\"optional\":{");
        creator.ifPresent(value -> {
            b.append("\"creator\":");
            GoJson.quote(b, value);
        });
        timestamp.ifPresent(value -> b.append(creator.isPresent() ? "," : "").append("\"timestamp\":").append(value));
        b.append("}}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void exactMembers(Format format, JsonNode node, String where, Set<String> required) {
        String name = where.isEmpty() ? "the payload" : where;
        if (node == null || !node.isObject()) {
            throw invalid(format, name + " must be a JSON object", null);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!required.contains(key)) {
                // An unknown critical member is a claim this reader cannot check: refuse the signature.
                throw invalid(format, "unknown member \"" + printable(key) + "\" in " + name, null);
            }
        }
        for (String key : required) {
            if (!node.has(key)) {
                throw invalid(format, "member \"" + key + "\" missing in " + name, null);
            }
        }
    }

    private static String string(Format format, JsonNode node, String where) {
        if (node == null || !node.isTextual()) {
            throw invalid(format, where + " must be a string", null);
        }
        return node.textValue();
    }

    private static long integer(Format format, JsonNode node, String where) {
        if (!node.isNumber()) {
            throw invalid(format, where + " must be a number", null);
        }
        BigDecimal value = node.decimalValue();
        try {
            // 1.0 and 1e3 are integers as Go reads them (into a float64 first); 1.5 is not.
            return value.stripTrailingZeros().longValueExact();
        } catch (ArithmeticException e) {
            throw invalid(format, where + " is not an integer in range: " + printable(node.toString()), e);
        }
    }

    private static SignatureVerificationException invalid(Format format, String problem, Throwable cause) {
        return new SignatureVerificationException(Reason.INVALID_PAYLOAD, "invalid " + format.document() + ": " + problem, cause);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(100).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\x%02x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return s.codePointCount(0, s.length()) > 100 ? b + "..." : b.toString();
    }
}
