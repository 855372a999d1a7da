package dev.ocikit.spec.image;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An image manifest: one image (or artifact) for one platform, as a config and an ordered list of
 * layers. Models both the OCI image manifest and Docker's v2 schema 2 manifest, which have the
 * same shape and differ in media types. Immutable and thread-safe.
 *
 * <p>An artifact (image spec 1.1) sets {@code artifactType}, usually with
 * {@link Descriptor#EMPTY_JSON} as its config, and may name the manifest it is about in
 * {@code subject}.
 *
 * @param schemaVersion always 2; required
 * @param mediaType {@link MediaTypes#OCI_MANIFEST} or {@link MediaTypes#DOCKER_MANIFEST}; optional
 *     for OCI, always present in Docker manifests
 * @param artifactType the type of artifact, when this manifest is one
 * @param config the image config (or an artifact's config); required
 * @param layers the layers, base first; required, may be empty for artifacts
 * @param subject the manifest this one refers to
 * @param annotations arbitrary metadata, see {@link Annotations}
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations"})
public record ImageManifest(
        Integer schemaVersion,
        Optional<String> mediaType,
        Optional<String> artifactType,
        Descriptor config,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> layers,
        Optional<Descriptor> subject,
        // An annotation with an empty value is still an annotation: keep it (the shared setup drops empty map values).
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, String> annotations,
        @JsonAnySetter Map<String, JsonNode> unknownFields) implements Manifest {

    public ImageManifest {
        checkSchemaVersion(schemaVersion);
        mediaType = mediaType == null ? Optional.empty() : mediaType;
        mediaType.ifPresent(ImageManifest::checkMediaType);
        artifactType = artifactType == null ? Optional.empty() : artifactType;
        artifactType.ifPresent(t -> Descriptor.checkMediaType(t, "artifactType"));
        Fields.required(config, "config");
        layers = Fields.list(Fields.required(layers, "layers"), "layers");
        subject = subject == null ? Optional.empty() : subject;
        annotations = Fields.map(annotations, "annotations");
        unknownFields = Fields.bag(unknownFields);
        if (unknownFields.containsKey("manifests")) {
            throw new InvalidFieldException("manifests", "an image manifest must not have a 'manifests' field; refused as "
                    + ManifestReader.CVE + " requires (a manifest must not be readable as an index)");
        }
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /**
     * Reads an image manifest. An index, a document that could be read as either, and Docker
     * schema 1 manifests are refused.
     *
     * @throws dev.ocikit.spec.MalformedDocumentException if it is not a valid image manifest
     * @throws dev.ocikit.spec.UnsupportedManifestException if it is a Docker schema 1 manifest
     */
    public static ImageManifest parse(byte[] json) {
        return Parsed.imageManifest(json).model();
    }

    /** A builder for an OCI image manifest (schema version 2, OCI media type, no layers yet). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this manifest's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public String mediaTypeOrDefault() {
        return mediaType.orElse(MediaTypes.OCI_MANIFEST);
    }

    /** Whether this is a Docker v2 schema 2 manifest (by its media type). */
    public boolean docker() {
        return mediaType.map(MediaTypes::isDocker).orElse(false);
    }

    /**
     * The artifact type as the referrers API reports it: {@code artifactType}, else the config's
     * media type.
     */
    public String effectiveArtifactType() {
        return artifactType.orElse(config.mediaType());
    }

    @Override
    public byte[] toJson() {
        return Json.write(this);
    }

    /** This manifest with other layers. */
    public ImageManifest withLayers(List<Descriptor> newLayers) {
        return new ImageManifest(schemaVersion, mediaType, artifactType, config, newLayers, subject, annotations,
                unknownFields);
    }

    /** This manifest with another config descriptor. */
    public ImageManifest withConfig(Descriptor newConfig) {
        return new ImageManifest(schemaVersion, mediaType, artifactType, newConfig, layers, subject, annotations,
                unknownFields);
    }

    /** This manifest with other annotations (replacing all of them). */
    public ImageManifest withAnnotations(Map<String, String> newAnnotations) {
        return new ImageManifest(schemaVersion, mediaType, artifactType, config, layers, subject, newAnnotations,
                unknownFields);
    }

    /** This manifest with another subject; null removes it. */
    public ImageManifest withSubject(Descriptor newSubject) {
        return new ImageManifest(schemaVersion, mediaType, artifactType, config, layers,
                Optional.ofNullable(newSubject), annotations, unknownFields);
    }

    static void checkSchemaVersion(Integer schemaVersion) {
        Fields.required(schemaVersion, "schemaVersion");
        if (schemaVersion != 2) {
            throw new InvalidFieldException("schemaVersion", "must be 2, got " + schemaVersion
                    + (schemaVersion == 1 ? " (Docker schema 1 is not supported; re-push the image with a current client)"
                            : ""));
        }
    }

    private static void checkMediaType(String mediaType) {
        Descriptor.checkMediaType(mediaType, "mediaType");
        if (MediaTypes.isManifest(mediaType)) {
            return;
        }
        if (MediaTypes.isIndex(mediaType)) {
            throw new InvalidFieldException("mediaType", "'" + mediaType + "' is an image index type, not an image manifest "
                    + "type; refused as " + ManifestReader.CVE + " requires (a document must not be read as another kind)");
        }
        if (MediaTypes.isSchema1(mediaType)) {
            throw new InvalidFieldException("mediaType", ManifestReader.schema1(mediaType).getMessage());
        }
        throw new InvalidFieldException("mediaType", "'" + Text.printable(mediaType) + "' is not an image manifest type ("
                + MediaTypes.OCI_MANIFEST + " or " + MediaTypes.DOCKER_MANIFEST + ")");
    }

    /**
     * Builds an {@link ImageManifest}. Not thread-safe; {@link #build()} checks the values and
     * can be called more than once.
     */
    public static final class Builder {
        private String mediaType = MediaTypes.OCI_MANIFEST;
        private String artifactType;
        private Descriptor config;
        private final List<Descriptor> layers = new ArrayList<>();
        private Descriptor subject;
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        private Builder(ImageManifest m) {
            mediaType = m.mediaType.orElse(null);
            artifactType = m.artifactType.orElse(null);
            config = m.config;
            layers.addAll(m.layers);
            subject = m.subject.orElse(null);
            annotations.putAll(m.annotations);
            unknownFields.putAll(m.unknownFields);
        }

        /** The media type; default {@link MediaTypes#OCI_MANIFEST}; null leaves the field out. */
        public Builder mediaType(String value) {
            this.mediaType = value;
            return this;
        }

        /** Makes this a Docker v2 schema 2 manifest (media type only; layer types are the caller's). */
        public Builder docker() {
            return mediaType(MediaTypes.DOCKER_MANIFEST);
        }

        /** The artifact type; default none. */
        public Builder artifactType(String value) {
            this.artifactType = value;
            return this;
        }

        /** The config descriptor; required. */
        public Builder config(Descriptor value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** Replaces the layers. */
        public Builder layers(List<Descriptor> values) {
            layers.clear();
            values.forEach(this::addLayer);
            return this;
        }

        /** Appends a layer (on top of the others). */
        public Builder addLayer(Descriptor value) {
            layers.add(Objects.requireNonNull(value, "layer"));
            return this;
        }

        /** The subject; default none. */
        public Builder subject(Descriptor value) {
            this.subject = value;
            return this;
        }

        /** Replaces the annotations. */
        public Builder annotations(Map<String, String> values) {
            annotations.clear();
            annotations.putAll(values);
            return this;
        }

        /** Adds or replaces one annotation. */
        public Builder annotation(String key, String value) {
            annotations.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Replaces the fields ocikit does not model (kept from {@link ImageManifest#toBuilder()}). */
        public Builder unknownFields(Map<String, JsonNode> values) {
            unknownFields.clear();
            unknownFields.putAll(values);
            return this;
        }

        /**
         * The manifest.
         *
         * @throws dev.ocikit.spec.InvalidFieldException naming a missing or invalid field
         */
        public ImageManifest build() {
            return new ImageManifest(2, Optional.ofNullable(mediaType), Optional.ofNullable(artifactType), config,
                    layers, Optional.ofNullable(subject), annotations, unknownFields);
        }
    }
}
