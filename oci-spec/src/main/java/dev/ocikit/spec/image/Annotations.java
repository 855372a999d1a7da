package dev.ocikit.spec.image;

/**
 * The annotation keys the image spec predefines ({@code org.opencontainers.image.*}). Values are
 * strings; the spec says what each should hold.
 */
public final class Annotations {
    private Annotations() {}

    /** When the image was built, an RFC 3339 date-time. */
    public static final String CREATED = "org.opencontainers.image.created";
    /** Who is responsible for the image (free text). */
    public static final String AUTHORS = "org.opencontainers.image.authors";
    /** Where to find more information on the image. */
    public static final String URL = "org.opencontainers.image.url";
    /** Where to find the image's documentation. */
    public static final String DOCUMENTATION = "org.opencontainers.image.documentation";
    /** Where to find the source the image was built from. */
    public static final String SOURCE = "org.opencontainers.image.source";
    /** The version of the packaged software. */
    public static final String VERSION = "org.opencontainers.image.version";
    /** The source control revision of the packaged software. */
    public static final String REVISION = "org.opencontainers.image.revision";
    /** Who distributes the image. */
    public static final String VENDOR = "org.opencontainers.image.vendor";
    /** The licences of the packaged software, as an SPDX expression. */
    public static final String LICENSES = "org.opencontainers.image.licenses";
    /**
     * The name of a reference (a tag) in an OCI image layout: valid on the descriptors of an
     * image layout's {@code index.json}.
     */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** A human-readable title. */
    public static final String TITLE = "org.opencontainers.image.title";
    /** A human-readable description of the packaged software. */
    public static final String DESCRIPTION = "org.opencontainers.image.description";
    /** The digest of the image this one is based on. */
    public static final String BASE_DIGEST = "org.opencontainers.image.base.digest";
    /** The reference of the image this one is based on. */
    public static final String BASE_NAME = "org.opencontainers.image.base.name";
}
