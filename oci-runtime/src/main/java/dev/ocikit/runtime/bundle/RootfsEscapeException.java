package dev.ocikit.runtime.bundle;

/**
 * A path inside the container's root file system could not be resolved safely: too many
 * symbolic links (a loop), or a file that is not what it must be (a directory or a fifo where a
 * regular file is read). Symbolic links pointing outside the root are never followed out; they
 * are resolved as if the root were {@code /}. Immutable.
 */
public final class RootfsEscapeException extends BundleException {
    private static final long serialVersionUID = 1L;

    private final String path;

    RootfsEscapeException(String path, String message) {
        super(message);
        this.path = path;
    }

    /** The path, as the container sees it. */
    public String path() {
        return path;
    }
}
