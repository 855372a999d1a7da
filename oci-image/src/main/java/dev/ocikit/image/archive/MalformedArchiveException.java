package dev.ocikit.image.archive;

import dev.ocikit.spec.OciException;
import java.nio.file.Path;

/**
 * An archive ({@code docker-archive:}, {@code oci-archive:}) that is not what its format says:
 * a missing {@code manifest.json}, a file it names that is not in the tar, a name that leaves the
 * archive, a config that does not match its layers. The message names the archive and the problem.
 */
public final class MalformedArchiveException extends OciException {
    private static final long serialVersionUID = 1L;
    private final transient Path archive;

    public MalformedArchiveException(Path archive, String problem) {
        super("invalid archive " + archive + ": " + problem);
        this.archive = archive;
    }

    public MalformedArchiveException(Path archive, String problem, Throwable cause) {
        super("invalid archive " + archive + ": " + problem, cause);
        this.archive = archive;
    }

    /** The archive's path. */
    public Path archive() {
        return archive;
    }
}
