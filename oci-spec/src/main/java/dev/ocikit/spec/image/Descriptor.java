package dev.ocikit.spec.image;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A content descriptor: what a piece of content is (media type), how to find and verify it
 * (digest, size) and optionally where else to fetch it, what platform it is for and the content
 * itself, embedded. Immutable and thread-safe.
 *
 * @param mediaType the content's media type (RFC 6838); required
 * @param digest the digest of the content's bytes; required
 * @param size the length of the content in bytes; required, at least 0
 * @param urls other places to fetch the content from (used by non-distributable layers)
 * @param annotations arbitrary metadata, see {@link Annotations}
 * @param data the content itself, base64 encoded, for small content; verify with
 *     {@link #decodedData()} before use
 * @param artifactType the type of artifact the content is, when it is an artifact manifest
 * @param platform the platform the content is for, on the entries of an index
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
// The order of the Go types in image-spec, so that what we write matches what Go tools write.
@JsonPropertyOrder({"mediaType", "digest", "size", "urls", "annotations", "data", "platform", "artifactType"})
public record Descriptor(
        String mediaType,
        Digest digest,
        Long size,
        List<String> urls,
        // An annotation with an empty value is still an annotation: keep it (the shared setup drops empty map values).
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, String> annotations,
        Optional<String> data,
        Optional<String> artifactType,
        Optional<Platform> platform,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /**
     * The descriptor of the empty JSON object {@code {}}, with the content embedded: the config
     * of an artifact that has none, as image spec 1.1 recommends.
     */
    public static final Descriptor EMPTY_JSON = new Descriptor(MediaTypes.OCI_EMPTY,
            Digest.parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"), 2L,
            List.of(), Map.of(), Optional.of("e30="), Optional.empty(), Optional.empty(), Map.of());

    public Descriptor {
        checkMediaType(Fields.required(mediaType, "mediaType"), "mediaType");
        Fields.required(digest, "digest");
        Fields.required(size, "size");
        if (size < 0) {
            throw new InvalidFieldException("size", "must not be negative, got " + size);
        }
        urls = Fields.list(urls, "urls");
        annotations = Fields.map(annotations, "annotations");
        data = data == null ? Optional.empty() : data;
        if (data.isPresent()) {
            try {
                Base64.getDecoder().decode(data.get());
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("data", "not valid base64: " + e.getMessage());
            }
        }
        artifactType = artifactType == null ? Optional.empty() : artifactType;
        artifactType.ifPresent(t -> checkMediaType(t, "artifactType"));
        platform = platform == null ? Optional.empty() : platform;
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A descriptor with just the three required fields. */
    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, List.of(), Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of());
    }

    /** The descriptor of {@code content}: its SHA-256 digest and length. */
    public static Descriptor of(String mediaType, byte[] content) {
        return of(mediaType, Digest.sha256(content), content.length);
    }

    /** Reads a descriptor on its own ({@link MediaTypes#OCI_DESCRIPTOR}). */
    public static Descriptor parse(byte[] json) {
        return Json.parse(json, Descriptor.class, "descriptor");
    }

    /** Compact JSON of this descriptor. */
    public byte[] toJson() {
        return Json.write(this);
    }

    /**
     * The embedded content, decoded and checked against {@link #digest()} and {@link #size()}, as
     * the spec requires before it is used instead of fetching.
     *
     * @throws DigestMismatchException if the embedded bytes are not the described content
     */
    public Optional<byte[]> decodedData() {
        if (data.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = Base64.getDecoder().decode(data.get());
        Digest actual = Digest.compute(digest.algorithm(), bytes);
        if (!actual.equals(digest)) {
            throw new DigestMismatchException("embedded data of descriptor " + digest + " hashes to " + actual
                    + ": the data field does not hold the described content", digest, actual);
        }
        if (bytes.length != size) {
            throw new DigestMismatchException("embedded data of descriptor " + digest + " is " + bytes.length
                    + " bytes long but the descriptor says " + size, digest, actual);
        }
        return Optional.of(bytes);
    }

    /** This descriptor with {@code content} embedded; it must be the described content. */
    public Descriptor withData(byte[] content) {
        digest.verify(content);
        if (content.length != size) {
            throw new DigestMismatchException("content is " + content.length + " bytes long but the descriptor says "
                    + size, digest, digest);
        }
        return new Descriptor(mediaType, digest, size, urls, annotations,
                Optional.of(Base64.getEncoder().encodeToString(content)), artifactType, platform, unknownFields);
    }

    /** This descriptor without embedded content. */
    public Descriptor withoutData() {
        return new Descriptor(mediaType, digest, size, urls, annotations, Optional.empty(), artifactType, platform,
                unknownFields);
    }

    /** This descriptor with another platform; null removes it. */
    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, urls, annotations, data, artifactType,
                Optional.ofNullable(newPlatform), unknownFields);
    }

    /** This descriptor with other annotations (replacing all of them). */
    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, urls, newAnnotations, data, artifactType, platform,
                unknownFields);
    }

    /** This descriptor with one annotation added or replaced. */
    public Descriptor withAnnotation(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Map<String, String> copy = new LinkedHashMap<>(annotations);
        copy.put(key, value);
        return withAnnotations(copy);
    }

    /** This descriptor with another artifact type; null removes it. */
    public Descriptor withArtifactType(String newArtifactType) {
        return new Descriptor(mediaType, digest, size, urls, annotations, data, Optional.ofNullable(newArtifactType),
                platform, unknownFields);
    }

    /** This descriptor with other URLs. */
    public Descriptor withUrls(List<String> newUrls) {
        return new Descriptor(mediaType, digest, size, newUrls, annotations, data, artifactType, platform,
                unknownFields);
    }

    /** This descriptor with another media type (same content). */
    public Descriptor withMediaType(String newMediaType) {
        return new Descriptor(newMediaType, digest, size, urls, annotations, data, artifactType, platform,
                unknownFields);
    }

    /** The {@link Annotations#REF_NAME} annotation, the tag of an entry of an image layout's index. */
    public Optional<String> refName() {
        return Optional.ofNullable(annotations.get(Annotations.REF_NAME));
    }

    static void checkMediaType(String value, String field) {
        if (!MediaTypes.isValid(value)) {
            throw new InvalidFieldException(field, "'" + Text.printable(value)
                    + "' is not a media type: expected type/subtype as RFC 6838 names them, without spaces or parameters");
        }
    }
}
