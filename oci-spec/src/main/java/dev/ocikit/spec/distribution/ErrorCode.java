package dev.ocikit.spec.distribution;

/**
 * The error codes the OCI distribution spec (v1.1) defines for the {@code code} field of a
 * registry's error response, plus {@link #UNKNOWN} for any other code.
 *
 * <p>Registries may add codes over time and some send their own (Docker's registry, for example,
 * uses {@code UNKNOWN} and {@code TAG_INVALID}), so clients must not fail on a code they do not
 * know: {@link #fromCode} maps those to {@link #UNKNOWN}, and {@link RegistryError#code()} keeps
 * the code as the registry sent it.
 */
public enum ErrorCode {
    /** A blob the request names is not in the repository. */
    BLOB_UNKNOWN("blob unknown to registry"),
    /** The blob upload failed and cannot continue. */
    BLOB_UPLOAD_INVALID("blob upload invalid"),
    /** The upload session does not exist (or was cancelled, or expired). */
    BLOB_UPLOAD_UNKNOWN("blob upload unknown to registry"),
    /** The digest given does not match the uploaded content. */
    DIGEST_INVALID("provided digest did not match uploaded content"),
    /** A manifest being pushed references a blob the repository does not have. */
    MANIFEST_BLOB_UNKNOWN("manifest references a blob unknown to registry"),
    /** A manifest being pushed failed the registry's checks. */
    MANIFEST_INVALID("manifest invalid"),
    /** The manifest (by tag or digest) is not in the repository. */
    MANIFEST_UNKNOWN("manifest unknown"),
    /** The repository name is not valid. */
    NAME_INVALID("invalid repository name"),
    /** The repository does not exist on this registry. */
    NAME_UNKNOWN("repository name not known to registry"),
    /** The length given does not match the content's length. */
    SIZE_INVALID("provided length did not match content length"),
    /** The request needs authentication. */
    UNAUTHORIZED("authentication required"),
    /** The client is authenticated but may not access the resource. */
    DENIED("requested access to the resource is denied"),
    /** The registry does not support the operation. */
    UNSUPPORTED("the operation is unsupported"),
    /** The client is being rate limited. */
    TOOMANYREQUESTS("too many requests"),
    /** Any code not listed above; the raw code is on {@link RegistryError#code()}. */
    UNKNOWN("error code not defined by the distribution spec");

    private final String description;

    ErrorCode(String description) {
        this.description = description;
    }

    /** What the code means, in a few words. */
    public String description() {
        return description;
    }

    /** The code as it appears on the wire ({@code MANIFEST_UNKNOWN}). */
    public String code() {
        return name();
    }

    /** The constant for a wire code; {@link #UNKNOWN} for any code this enum does not list, or null. */
    public static ErrorCode fromCode(String code) {
        if (code != null) {
            for (ErrorCode c : values()) {
                if (c.name().equals(code)) {
                    return c;
                }
            }
        }
        return UNKNOWN;
    }
}
