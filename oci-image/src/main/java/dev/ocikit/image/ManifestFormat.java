package dev.ocikit.image;

import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.MediaTypes;
import java.util.Optional;

/**
 * The two families of image manifests the copy engine reads, writes and converts between: the OCI
 * image spec's and Docker's v2 schema 2. The JSON of manifests, indexes and configs has the same
 * shape in both; they differ in media types (and Docker has no annotations on manifests).
 */
public enum ManifestFormat {
    /** OCI image manifest, image index, config and layer types. */
    OCI(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.OCI_CONFIG),
    /** Docker v2 schema 2 manifest, manifest list, container image config and rootfs diff types. */
    DOCKER_V2S2(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_CONFIG);

    private final String manifestMediaType;
    private final String indexMediaType;
    private final String configMediaType;

    ManifestFormat(String manifestMediaType, String indexMediaType, String configMediaType) {
        this.manifestMediaType = manifestMediaType;
        this.indexMediaType = indexMediaType;
        this.configMediaType = configMediaType;
    }

    /** The media type of an image manifest of this format. */
    public String manifestMediaType() {
        return manifestMediaType;
    }

    /** The media type of an index (OCI) or manifest list (Docker) of this format. */
    public String indexMediaType() {
        return indexMediaType;
    }

    /** The media type of an image config of this format. */
    public String configMediaType() {
        return configMediaType;
    }

    /** The media type of an ordinary (distributable) layer of this format with that compression. */
    public String layerMediaType(Compression compression) {
        return this == OCI ? MediaTypes.ociLayer(compression) : MediaTypes.dockerLayer(compression);
    }

    /**
     * The format a manifest, index, config or layer media type belongs to; empty for types of
     * neither (artifacts' own types, for example).
     */
    public static Optional<ManifestFormat> of(String mediaType) {
        if (mediaType == null) {
            return Optional.empty();
        }
        String t = MediaTypes.essence(mediaType);
        if (t.startsWith("application/vnd.oci.image.")) {
            return Optional.of(OCI);
        }
        if (MediaTypes.isDocker(t)) {
            return Optional.of(DOCKER_V2S2);
        }
        return Optional.empty();
    }
}
