package dev.ocikit.spec.image;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An image index: a list of manifests, typically one image per platform. Models the OCI image
 * index, Docker's manifest list (same shape, other media type), the {@code index.json} of an OCI
 * image layout (tags in {@link Annotations#REF_NAME}) and the responses of the distribution
 * spec's referrers API. Immutable and thread-safe.
 *
 * @param schemaVersion always 2; required
 * @param mediaType {@link MediaTypes#OCI_INDEX} or {@link MediaTypes#DOCKER_MANIFEST_LIST}
 * @param artifactType the type of artifact, when this index is one
 * @param manifests the manifests (and indexes) it lists; required, may be empty
 * @param subject the manifest this index refers to
 * @param annotations arbitrary metadata, see {@link Annotations}
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"})
public record ImageIndex(
        Integer schemaVersion,
        Optional<String> mediaType,
        Optional<String> artifactType,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> manifests,
        Optional<Descriptor> subject,
        // An annotation with an empty value is still an annotation: keep it (the shared setup drops empty map values).
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, String> annotations,
        @JsonAnySetter Map<String, JsonNode> unknownFields) implements Manifest {

    public ImageIndex {
        ImageManifest.checkSchemaVersion(schemaVersion);
        mediaType = mediaType == null ? Optional.empty() : mediaType;
        mediaType.ifPresent(ImageIndex::checkMediaType);
        artifactType = artifactType == null ? Optional.empty() : artifactType;
        artifactType.ifPresent(t -> Descriptor.checkMediaType(t, "artifactType"));
        manifests = Fields.list(Fields.required(manifests, "manifests"), "manifests");
        subject = subject == null ? Optional.empty() : subject;
        annotations = Fields.map(annotations, "annotations");
        unknownFields = Fields.bag(unknownFields);
        for (String field : List.of("config", "layers")) {
            if (unknownFields.containsKey(field)) {
                throw new InvalidFieldException(field, "an image index must not have a '" + field + "' field; refused as "
                        + ManifestReader.CVE + " requires (an index must not be readable as a manifest)");
            }
        }
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /**
     * Reads an image index or Docker manifest list. A manifest, a document that could be read as
     * either, and Docker schema 1 manifests are refused.
     *
     * @throws dev.ocikit.spec.MalformedDocumentException if it is not a valid image index
     * @throws dev.ocikit.spec.UnsupportedManifestException if it is a Docker schema 1 manifest
     */
    public static ImageIndex parse(byte[] json) {
        return Parsed.imageIndex(json).model();
    }

    /** A builder for an OCI image index (schema version 2, OCI media type, no manifests yet). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this index's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public String mediaTypeOrDefault() {
        return mediaType.orElse(MediaTypes.OCI_INDEX);
    }

    /** Whether this is a Docker manifest list (by its media type). */
    public boolean docker() {
        return mediaType.map(MediaTypes::isDocker).orElse(false);
    }

    /**
     * The entries a host of {@code platform} can run, best first, with the same choice as Podman
     * and containerd ({@link Platform#matcher()}); entries without a platform are left out.
     */
    public List<Descriptor> manifestsFor(Platform platform) {
        return platform.matcher().select(manifests, Descriptor::platform);
    }

    /** The entry a host of {@code platform} should run, as {@link #manifestsFor} orders them. */
    public Optional<Descriptor> manifestFor(Platform platform) {
        List<Descriptor> all = manifestsFor(platform);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** The entries tagged {@code refName} ({@link Annotations#REF_NAME}), as in an image layout's index. */
    public List<Descriptor> manifestsNamed(String refName) {
        return manifests.stream().filter(d -> d.refName().filter(refName::equals).isPresent()).toList();
    }

    @Override
    public byte[] toJson() {
        return Json.write(this);
    }

    /** This index with other entries. */
    public ImageIndex withManifests(List<Descriptor> newManifests) {
        return new ImageIndex(schemaVersion, mediaType, artifactType, newManifests, subject, annotations,
                unknownFields);
    }

    /** This index with other annotations (replacing all of them). */
    public ImageIndex withAnnotations(Map<String, String> newAnnotations) {
        return new ImageIndex(schemaVersion, mediaType, artifactType, manifests, subject, newAnnotations,
                unknownFields);
    }

    private static void checkMediaType(String mediaType) {
        Descriptor.checkMediaType(mediaType, "mediaType");
        if (MediaTypes.isIndex(mediaType)) {
            return;
        }
        if (MediaTypes.isManifest(mediaType)) {
            throw new InvalidFieldException("mediaType", "'" + mediaType + "' is an image manifest type, not an image index "
                    + "type; refused as " + ManifestReader.CVE + " requires (a document must not be read as another kind)");
        }
        if (MediaTypes.isSchema1(mediaType)) {
            throw new InvalidFieldException("mediaType", ManifestReader.schema1(mediaType).getMessage());
        }
        throw new InvalidFieldException("mediaType", "'" + Text.printable(mediaType) + "' is not an image index type ("
                + MediaTypes.OCI_INDEX + " or " + MediaTypes.DOCKER_MANIFEST_LIST + ")");
    }

    /**
     * Builds an {@link ImageIndex}. Not thread-safe; {@link #build()} checks the values and can
     * be called more than once.
     */
    public static final class Builder {
        private String mediaType = MediaTypes.OCI_INDEX;
        private String artifactType;
        private final List<Descriptor> manifests = new ArrayList<>();
        private Descriptor subject;
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        private Builder(ImageIndex i) {
            mediaType = i.mediaType.orElse(null);
            artifactType = i.artifactType.orElse(null);
            manifests.addAll(i.manifests);
            subject = i.subject.orElse(null);
            annotations.putAll(i.annotations);
            unknownFields.putAll(i.unknownFields);
        }

        /** The media type; default {@link MediaTypes#OCI_INDEX}; null leaves the field out. */
        public Builder mediaType(String value) {
            this.mediaType = value;
            return this;
        }

        /** Makes this a Docker manifest list (media type only). */
        public Builder docker() {
            return mediaType(MediaTypes.DOCKER_MANIFEST_LIST);
        }

        /** The artifact type; default none. */
        public Builder artifactType(String value) {
            this.artifactType = value;
            return this;
        }

        /** Replaces the entries. */
        public Builder manifests(List<Descriptor> values) {
            manifests.clear();
            values.forEach(this::addManifest);
            return this;
        }

        /** Appends an entry. */
        public Builder addManifest(Descriptor value) {
            manifests.add(Objects.requireNonNull(value, "manifest"));
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

        /** Replaces the fields ocikit does not model (kept from {@link ImageIndex#toBuilder()}). */
        public Builder unknownFields(Map<String, JsonNode> values) {
            unknownFields.clear();
            unknownFields.putAll(values);
            return this;
        }

        /**
         * The index.
         *
         * @throws dev.ocikit.spec.InvalidFieldException naming an invalid field
         */
        public ImageIndex build() {
            return new ImageIndex(2, Optional.ofNullable(mediaType), Optional.ofNullable(artifactType), manifests,
                    Optional.ofNullable(subject), annotations, unknownFields);
        }
    }
}
