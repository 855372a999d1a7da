package dev.ocikit.image.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.OciException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A sigstore (cosign) signature as stored beside an image: a payload, its media type, and the
 * annotations that carry the signature itself ({@value #SIGNATURE_ANNOTATION}, base64) and, for
 * keyless signatures, a certificate, its chain and a transparency-log bundle. In a registry it is
 * one layer of the manifest tagged {@code sha256-<hex>.sig}; in a {@code dir:} directory it is a
 * {@code signature-N} file. Immutable and thread-safe. Nothing here is verified.
 */
public final class SigstoreSignature implements ImageSignature {

    /** The media type of a payload that is a simple-signing document, as cosign writes it. */
    public static final String PAYLOAD_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** The annotation holding the base64 signature of the payload. */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    /** The annotation holding the signer's PEM certificate (keyless signatures). */
    public static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
    /** The annotation holding the PEM certificate chain (keyless signatures). */
    public static final String CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
    /** The annotation holding the Rekor bundle (signatures logged in a transparency log). */
    public static final String BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";

    /** Larger than any real payload; a bound so that a hostile registry cannot make us hold more. */
    static final int MAX_PAYLOAD_SIZE = 4 << 20;

    private final String mimeType;
    private final byte[] payload;
    private final Map<String, String> annotations;

    /** A signature from its parts (copied). */
    public SigstoreSignature(String mimeType, byte[] payload, Map<String, String> annotations) {
        this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        this.annotations = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(annotations, "annotations")));
    }

    /** The payload's media type; {@value #PAYLOAD_MEDIA_TYPE} for image signatures. */
    public String mimeType() {
        return mimeType;
    }

    /** The signed payload bytes, exactly as stored (a copy). */
    public byte[] payload() {
        return payload.clone();
    }

    /** All annotations, sorted by key. */
    public Map<String, String> annotations() {
        return annotations;
    }

    /** The base64 signature annotation, if present. */
    public Optional<String> signature() {
        return Optional.ofNullable(annotations.get(SIGNATURE_ANNOTATION));
    }

    @Override
    public String format() {
        return SIGSTORE_JSON;
    }

    /** A zero byte, {@value #SIGSTORE_JSON}, a newline, then the JSON form containers/image writes. */
    @Override
    public byte[] blob() {
        byte[] json = toJson();
        byte[] prefix = ("\0" + SIGSTORE_JSON + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] blob = Arrays.copyOf(prefix, prefix.length + json.length);
        System.arraycopy(json, 0, blob, prefix.length, json.length);
        return blob;
    }

    /** {@code {"mimeType":…,"payload":base64,"annotations":{…}}}, members in that order, annotations sorted. */
    byte[] toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("mimeType", mimeType);
        node.put("payload", Base64.getEncoder().encodeToString(payload));
        ObjectNode a = node.putObject("annotations");
        annotations.forEach(a::put);
        return Json.write(node);
    }

    /** Parses the JSON form strictly: the three members, of the right types, and nothing else. */
    static SigstoreSignature fromJson(byte[] json, String source) {
        JsonNode node;
        try {
            node = Json.tree(json, "sigstore signature " + source);
        } catch (OciException e) {
            throw new SignatureVerificationException(Reason.MALFORMED, source + " is not a sigstore signature: " + e.getMessage(), e);
        }
        if (!node.isObject()) {
            throw malformed(source, "it is not a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("mimeType") && !name.equals("payload") && !name.equals("annotations")) {
                throw malformed(source, "unknown member \"" + name + "\"");
            }
        }
        JsonNode mimeType = node.get("mimeType");
        JsonNode payload = node.get("payload");
        JsonNode annotations = node.get("annotations");
        if (mimeType == null || !mimeType.isTextual()) {
            throw malformed(source, "\"mimeType\" must be a string");
        }
        if (payload == null || !payload.isTextual()) {
            throw malformed(source, "\"payload\" must be a base64 string");
        }
        byte[] payloadBytes;
        try {
            payloadBytes = Base64.getDecoder().decode(payload.textValue());
        } catch (IllegalArgumentException e) {
            throw malformed(source, "\"payload\" is not base64: " + e.getMessage());
        }
        if (payloadBytes.length > MAX_PAYLOAD_SIZE) {
            throw malformed(source, "the payload is " + payloadBytes.length + " bytes, more than any signature payload");
        }
        Map<String, String> map = new TreeMap<>();
        if (annotations != null && !annotations.isNull()) {
            if (!annotations.isObject()) {
                throw malformed(source, "\"annotations\" must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = annotations.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw malformed(source, "annotation \"" + e.getKey() + "\" must be a string");
                }
                map.put(e.getKey(), e.getValue().textValue());
            }
        }
        return new SigstoreSignature(mimeType.textValue(), payloadBytes, map);
    }

    private static SignatureVerificationException malformed(String source, String problem) {
        return new SignatureVerificationException(Reason.MALFORMED, source + " is not a valid sigstore signature: " + problem);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigstoreSignature other && mimeType.equals(other.mimeType)
                && Arrays.equals(payload, other.payload) && annotations.equals(other.annotations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mimeType, Arrays.hashCode(payload), annotations);
    }

    @Override
    public String toString() {
        return "SigstoreSignature[" + mimeType + ", " + payload.length + " bytes, annotations " + annotations.keySet() + "]";
    }
}
