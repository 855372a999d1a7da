package dev.ocikit.runtime;

import dev.ocikit.image.LayerContent;
import dev.ocikit.image.build.RunOutcome;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A build command that has run in a container of this runtime: its exit code and the container's
 * writable layer, which {@link #close()} removes with the rest of the container's directory.
 * Thread-safe; closing twice does nothing.
 */
final class BuildOutcome implements RunOutcome {
    private final OciRuntime runtime;
    private final ContainerDirectory dir;
    private final int exitCode;
    private final LayerContent changes;
    private final AtomicBoolean closed = new AtomicBoolean();

    BuildOutcome(OciRuntime runtime, ContainerDirectory dir, int exitCode, LayerContent changes) {
        this.runtime = runtime;
        this.dir = dir;
        this.exitCode = exitCode;
        this.changes = changes;
    }

    @Override
    public int exitCode() {
        return exitCode;
    }

    @Override
    public LayerContent changes() {
        if (closed.get()) {
            throw new IllegalStateException("the build container " + dir.id().substring(0, 12)
                    + " was closed; read its changes before closing it");
        }
        return changes;
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            try {
                ContainerTeardown.of(runtime, dir).run();
            } finally {
                OciRuntime.unregisterRun(dir);
            }
        }
    }

    @Override
    public String toString() {
        return "RunOutcome[" + dir.id().substring(0, 12) + ", exit " + exitCode + "]";
    }
}
