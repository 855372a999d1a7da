package dev.ocikit.spec.image;

import java.util.Map;
import java.util.Optional;

/**
 * A document a registry serves from its {@code /manifests/} endpoint: an {@link ImageManifest}
 * (OCI or Docker v2 schema 2) or an {@link ImageIndex} (OCI index or Docker manifest list).
 * Immutable and thread-safe.
 *
 * <p>{@link #parse(byte[], Optional)} tells the two apart by the {@code mediaType} field, the
 * {@code Content-Type} the document came with and its shape, and refuses anything ambiguous
 * (CVE-2021-41190) or obsolete (Docker schema 1). To keep the bytes and their digest, which are a
 * manifest's identity, use {@link Parsed#manifest(byte[], Optional)} instead.
 */
public sealed interface Manifest permits ImageManifest, ImageIndex {

    /** Always 2. */
    Integer schemaVersion();

    /** The {@code mediaType} field, when the document has one. */
    Optional<String> mediaType();

    /** The {@code artifactType} field, when the document is an artifact. */
    Optional<String> artifactType();

    /** The manifest this one refers to (a signature or SBOM names its image here). */
    Optional<Descriptor> subject();

    /** The annotations; see {@link Annotations}. */
    Map<String, String> annotations();

    /** Fields this version of the spec does not define, kept for round trips. */
    Map<String, com.fasterxml.jackson.databind.JsonNode> unknownFields();

    /** The media type: the {@code mediaType} field, or the OCI type of this kind of document. */
    String mediaTypeOrDefault();

    /** Compact JSON of this document. Its digest is that of these bytes, not of any other encoding. */
    byte[] toJson();

    /**
     * Reads a manifest or index whose media type is known only from its content.
     *
     * @throws dev.ocikit.spec.MalformedDocumentException if it is not valid or is ambiguous
     * @throws dev.ocikit.spec.UnsupportedManifestException if it is a Docker schema 1 manifest or
     *     of an unknown media type
     */
    static Manifest parse(byte[] bytes) {
        return ManifestReader.read(bytes, Optional.empty(), ManifestReader.Kind.ANY).model();
    }

    /**
     * Reads a manifest or index that came with a {@code Content-Type} (parameters are ignored, and
     * so are generic types such as {@code application/json}). A {@code mediaType} field that
     * disagrees with the Content-Type is refused, as CVE-2021-41190's fix requires.
     *
     * @throws dev.ocikit.spec.MalformedDocumentException if it is not valid or is ambiguous
     * @throws dev.ocikit.spec.UnsupportedManifestException if it is a Docker schema 1 manifest or
     *     of an unknown media type
     */
    static Manifest parse(byte[] bytes, Optional<String> contentType) {
        return ManifestReader.read(bytes, contentType, ManifestReader.Kind.ANY).model();
    }
}
