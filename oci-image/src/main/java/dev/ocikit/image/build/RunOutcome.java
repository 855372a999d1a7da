package dev.ocikit.image.build;

import dev.ocikit.image.LayerContent;
import java.io.IOException;

/**
 * A build command that has run: its exit code, and what it changed, readable until closed.
 */
public interface RunOutcome extends AutoCloseable {
    /** The command's exit code; 128 + the signal's number when a signal ended it. */
    int exitCode();

    /**
     * What the command changed on top of the request's layers, as a layer: files it created or
     * modified (a change of mode or owner alone counts), and a whiteout for each file it deleted.
     * Mount points the runtime created for its own mounts are not part of it. Valid until
     * {@link #close()}.
     */
    LayerContent changes();

    /** Removes the container and its writable layer. */
    @Override
    void close() throws IOException;
}
