package dev.ocikit.spec.image;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.UnsupportedManifestException;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a manifest-endpoint document is and reads it, refusing the documents that
 * CVE-2021-41190 showed to be dangerous: ones that could be read as both an image manifest and an
 * image index, so that two clients (or one client given two Content-Types) see different images
 * behind one digest.
 */
final class ManifestReader {
    private ManifestReader() {}

    enum Kind {
        ANY("manifest"), MANIFEST("image manifest"), INDEX("image index");

        final String document;

        Kind(String document) {
            this.document = document;
        }
    }

    static final String CVE = "CVE-2021-41190";

    /** Content types that say nothing about which kind of JSON document it is. */
    private static final Set<String> GENERIC = Set.of("", "application/json", "text/plain",
            "application/octet-stream", "binary/octet-stream");

    static Parsed<Manifest> read(byte[] input, Optional<String> contentType, Kind expected) {
        // One private copy, parsed and kept: the caller cannot change the bytes under the model.
        byte[] bytes = input.clone();
        String document = expected.document;
        JsonNode tree = Json.tree(bytes, document);
        if (!tree.isObject()) {
            throw new MalformedDocumentException(document, "", "expected a JSON object");
        }
        JsonNode mediaTypeNode = tree.get("mediaType");
        if (mediaTypeNode != null && !mediaTypeNode.isTextual() && !mediaTypeNode.isNull()) {
            throw new MalformedDocumentException(document, "/mediaType", "expected a string");
        }
        String declared = mediaTypeNode == null || mediaTypeNode.isNull() ? null : mediaTypeNode.textValue();
        String header = contentType == null ? null
                : contentType.map(MediaTypes::essence).filter(t -> !GENERIC.contains(t)).orElse(null);

        refuseSchema1(tree, declared, header);

        boolean hasManifests = tree.has("manifests");
        boolean hasConfig = tree.has("config");
        boolean hasLayers = tree.has("layers");
        if (hasManifests && (hasConfig || hasLayers)) {
            throw new MalformedDocumentException(document, "", "has both 'manifests' and '"
                    + (hasConfig ? "config" : "layers") + "', so it could be read as an image index or as an image "
                    + "manifest; refused as " + CVE + " requires (a document must be unambiguously one or the other)");
        }
        if (declared != null && header != null && !MediaTypes.essence(declared).equals(header)) {
            throw new MalformedDocumentException(document, "/mediaType", "'" + Text.printable(declared)
                    + "' contradicts the Content-Type '" + Text.printable(header) + "'; refused as " + CVE
                    + " requires (the mediaType field and the Content-Type must agree)");
        }

        Kind kind;
        String mediaType;
        String toldBy; // what said which kind it is, for messages
        if (declared != null) {
            kind = kindOf(declared, document, "mediaType '" + Text.printable(declared) + "'");
            mediaType = declared;
            toldBy = "its mediaType";
        } else if (header != null) {
            kind = kindOf(header, document, "Content-Type '" + Text.printable(header) + "'");
            mediaType = header;
            toldBy = "its Content-Type";
        } else if (hasManifests) {
            kind = Kind.INDEX;
            mediaType = MediaTypes.OCI_INDEX;
            toldBy = "its shape";
        } else if (hasConfig || hasLayers) {
            kind = Kind.MANIFEST;
            mediaType = MediaTypes.OCI_MANIFEST;
            toldBy = "its shape";
        } else if (expected != Kind.ANY) {
            kind = expected; // let the model say which required field is missing
            mediaType = expected == Kind.INDEX ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
            toldBy = "the caller";
        } else {
            throw new MalformedDocumentException(document, "", "neither an image manifest nor an image index: it has "
                    + "no mediaType and neither 'manifests' nor 'config'/'layers'");
        }

        if (kind == Kind.MANIFEST && hasManifests) {
            throw new MalformedDocumentException(document, "/manifests", toldBy + " says image manifest (" + mediaType
                    + ") but it has a 'manifests' field; refused as " + CVE
                    + " requires (a manifest must not be readable as an index)");
        }
        if (kind == Kind.INDEX && (hasConfig || hasLayers)) {
            String field = hasConfig ? "config" : "layers";
            throw new MalformedDocumentException(document, "/" + field, toldBy + " says image index (" + mediaType
                    + ") but it has a '" + field + "' field; refused as " + CVE
                    + " requires (an index must not be readable as a manifest)");
        }
        if (expected != Kind.ANY && kind != expected) {
            throw new MalformedDocumentException(document, declared != null ? "/mediaType" : "",
                    "this is an " + kind.document + " (" + mediaType + "), not an " + expected.document
                            + "; refused as " + CVE + " requires (a document must not be read as another kind)");
        }

        Manifest model = kind == Kind.MANIFEST
                ? Json.convert(tree, ImageManifest.class, kind.document)
                : Json.convert(tree, ImageIndex.class, kind.document);
        return Parsed.of(model, bytes, mediaType);
    }

    private static Kind kindOf(String mediaType, String document, String what) {
        if (MediaTypes.isManifest(mediaType)) {
            return Kind.MANIFEST;
        }
        if (MediaTypes.isIndex(mediaType)) {
            return Kind.INDEX;
        }
        throw new UnsupportedManifestException(mediaType, "unsupported " + document + ": " + what
                + " is neither an image manifest (" + MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST
                + ") nor an image index (" + MediaTypes.OCI_INDEX + ", " + MediaTypes.DOCKER_MANIFEST_LIST + ")");
    }

    private static void refuseSchema1(JsonNode tree, String declared, String header) {
        JsonNode version = tree.get("schemaVersion");
        String seen = null;
        if (MediaTypes.isSchema1(declared)) {
            seen = declared;
        } else if (MediaTypes.isSchema1(header)) {
            seen = header;
        } else if (version != null && version.isIntegralNumber() && version.asLong() == 1) {
            seen = tree.has("signatures") ? MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST
                    : MediaTypes.DOCKER_SCHEMA1_MANIFEST;
        }
        if (seen != null) {
            throw schema1(seen);
        }
    }

    static UnsupportedManifestException schema1(String mediaType) {
        return new UnsupportedManifestException(mediaType, "Docker image manifest v2 schema 1 (" + mediaType
                + ") is not supported: it is deprecated and has no content-addressable image config. "
                + "Re-push the image with a current client (docker push, podman push or skopeo copy) so that "
                + "the registry stores it as Docker v2 schema 2 or OCI");
    }
}
