package dev.ocikit.spec;

/**
 * A manifest that was recognised but is of a kind ocikit refuses to handle, such as a Docker
 * schema 1 manifest (unsigned or signed), which has no content-addressable config.
 */
public final class UnsupportedManifestException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String mediaType;

    public UnsupportedManifestException(String mediaType, String message) {
        super(message);
        this.mediaType = mediaType;
    }

    /** The media type that was recognised. */
    public String mediaType() {
        return mediaType;
    }
}
