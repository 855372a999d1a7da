package dev.ocikit.spec.image;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The media types of the OCI image spec (v1.1) and of Docker's image formats, and questions about
 * them. Comparisons ignore case and parameters ({@code ; charset=utf-8}), as media types are
 * case-insensitive and registries add parameters to {@code Content-Type}.
 */
public final class MediaTypes {
    private MediaTypes() {}

    // --- OCI ---

    /** A content descriptor on its own. */
    public static final String OCI_DESCRIPTOR = "application/vnd.oci.descriptor.v1+json";
    /** The {@code oci-layout} file of an OCI image layout. */
    public static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";
    /** An OCI image manifest. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** An OCI image index. */
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** An OCI image configuration. */
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** An uncompressed layer tar. */
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    /** A gzip-compressed layer tar. */
    public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** A zstd-compressed layer tar. */
    public static final String OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    /** A non-distributable uncompressed layer tar (deprecated by the spec; still read). */
    public static final String OCI_NONDISTRIBUTABLE_LAYER_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    /** A non-distributable gzip layer tar (deprecated by the spec; still read). */
    public static final String OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    /** A non-distributable zstd layer tar (deprecated by the spec; still read). */
    public static final String OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    /** The empty JSON object {@code {}}, the config (or sole layer) of an artifact with none. */
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    // --- Docker image manifest v2 schema 2 ---

    /** A Docker v2 schema 2 image manifest. */
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** A Docker v2 schema 2 manifest list. */
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** A Docker image configuration. */
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** A Docker uncompressed layer tar (rare; registries mostly carry gzip). */
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
    /** A Docker gzip layer tar. */
    public static final String DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** A Docker zstd layer tar (written by BuildKit; Docker itself does not pull it everywhere). */
    public static final String DOCKER_LAYER_TAR_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
    /** A Docker foreign layer (Windows base layers fetched from their {@code urls}). */
    public static final String DOCKER_FOREIGN_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    /** A Docker uncompressed foreign layer. */
    public static final String DOCKER_FOREIGN_LAYER_TAR = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    /** A Docker plugin configuration. */
    public static final String DOCKER_PLUGIN_CONFIG = "application/vnd.docker.plugin.v1+json";

    // --- Docker schema 1 (refused) ---

    /** An unsigned Docker v2 schema 1 manifest; ocikit refuses it. */
    public static final String DOCKER_SCHEMA1_MANIFEST = "application/vnd.docker.distribution.manifest.v1+json";
    /** A signed Docker v2 schema 1 manifest; ocikit refuses it. */
    public static final String DOCKER_SCHEMA1_SIGNED_MANIFEST = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** RFC 6838 section 4.2 names, as the image spec's JSON schema checks them. */
    private static final Pattern RFC6838 = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

    private static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    private static final Set<String> SCHEMA1 = Set.of(DOCKER_SCHEMA1_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST);
    private static final Set<String> CONFIGS = Set.of(OCI_CONFIG, DOCKER_CONFIG);
    private static final Set<String> UNCOMPRESSED_LAYERS = Set.of(OCI_LAYER_TAR, OCI_NONDISTRIBUTABLE_LAYER_TAR,
            DOCKER_LAYER_TAR, DOCKER_FOREIGN_LAYER_TAR);
    private static final Set<String> GZIP_LAYERS = Set.of(OCI_LAYER_TAR_GZIP, OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP,
            DOCKER_LAYER_TAR_GZIP, DOCKER_FOREIGN_LAYER_TAR_GZIP);
    private static final Set<String> ZSTD_LAYERS = Set.of(OCI_LAYER_TAR_ZSTD, OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD,
            DOCKER_LAYER_TAR_ZSTD);
    private static final Set<String> NONDISTRIBUTABLE = Set.of(OCI_NONDISTRIBUTABLE_LAYER_TAR,
            OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP, OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD, DOCKER_FOREIGN_LAYER_TAR,
            DOCKER_FOREIGN_LAYER_TAR_GZIP);

    /** Whether {@code mediaType} is a well-formed RFC 6838 {@code type/subtype} (no parameters). */
    public static boolean isValid(String mediaType) {
        return mediaType != null && RFC6838.matcher(mediaType).matches();
    }

    /**
     * The type without parameters or surrounding blanks, lowercased: what a {@code Content-Type}
     * header says the body is. {@code "application/vnd.oci.image.index.v1+json; charset=utf-8"}
     * gives {@code "application/vnd.oci.image.index.v1+json"}.
     */
    public static String essence(String contentType) {
        int semicolon = contentType.indexOf(';');
        String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return type.strip().toLowerCase(Locale.ROOT);
    }

    /** An image manifest, OCI or Docker v2 schema 2 (not schema 1, which ocikit refuses). */
    public static boolean isManifest(String mediaType) {
        return mediaType != null && MANIFESTS.contains(essence(mediaType));
    }

    /** An image index or Docker manifest list. */
    public static boolean isIndex(String mediaType) {
        return mediaType != null && INDEXES.contains(essence(mediaType));
    }

    /** A Docker schema 1 manifest, signed or not. */
    public static boolean isSchema1(String mediaType) {
        return mediaType != null && SCHEMA1.contains(essence(mediaType));
    }

    /** An image configuration, OCI or Docker. */
    public static boolean isConfig(String mediaType) {
        return mediaType != null && CONFIGS.contains(essence(mediaType));
    }

    /** A filesystem layer (a tar, compressed or not), OCI or Docker, distributable or not. */
    public static boolean isLayer(String mediaType) {
        return layerCompression(mediaType).isPresent();
    }

    /**
     * A layer that registries may not be asked to store: OCI non-distributable layers and
     * Docker foreign layers, which are fetched from their descriptor's {@code urls}.
     */
    public static boolean isNondistributable(String mediaType) {
        return mediaType != null && NONDISTRIBUTABLE.contains(essence(mediaType));
    }

    /** A Docker media type ({@code application/vnd.docker.*}). */
    public static boolean isDocker(String mediaType) {
        return mediaType != null && essence(mediaType).startsWith("application/vnd.docker.");
    }

    /** How a layer of this media type is compressed; empty if it is not a layer type ocikit knows. */
    public static Optional<Compression> layerCompression(String mediaType) {
        if (mediaType == null) {
            return Optional.empty();
        }
        String t = essence(mediaType);
        if (UNCOMPRESSED_LAYERS.contains(t)) {
            return Optional.of(Compression.NONE);
        }
        if (GZIP_LAYERS.contains(t)) {
            return Optional.of(Compression.GZIP);
        }
        if (ZSTD_LAYERS.contains(t)) {
            return Optional.of(Compression.ZSTD);
        }
        return Optional.empty();
    }

    /** The OCI layer media type for a compression. */
    public static String ociLayer(Compression compression) {
        return switch (compression) {
            case NONE -> OCI_LAYER_TAR;
            case GZIP -> OCI_LAYER_TAR_GZIP;
            case ZSTD -> OCI_LAYER_TAR_ZSTD;
        };
    }

    /** The Docker layer media type for a compression. */
    public static String dockerLayer(Compression compression) {
        return switch (compression) {
            case NONE -> DOCKER_LAYER_TAR;
            case GZIP -> DOCKER_LAYER_TAR_GZIP;
            case ZSTD -> DOCKER_LAYER_TAR_ZSTD;
        };
    }
}
