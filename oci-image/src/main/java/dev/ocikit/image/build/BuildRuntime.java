package dev.ocikit.image.build;

import java.io.IOException;

/**
 * Runs one build step's command on an image's filesystem and hands back what it changed: what a
 * {@code RUN} instruction needs from a container runtime. {@code oci-runtime}'s {@code OciRuntime}
 * implements it; {@link ImageBuilder#runsWith} takes it, so that this module never depends on a
 * runtime.
 *
 * <p>Implementations must be safe for several builds at once (each call gets its own container).
 */
@FunctionalInterface
public interface BuildRuntime {
    /**
     * Runs {@code request}'s command to completion in a fresh container whose root filesystem is
     * the request's layers, applied in order, with a writable layer on top. The command's output
     * goes to the request's streams as it comes.
     *
     * <p>A command that runs and fails is not an exception: the outcome carries its exit code.
     * Exceptions are for what kept the command from running (a layer that cannot be unpacked, a
     * runtime that refused the container).
     *
     * @return the exit code and the changes; the caller closes it, which removes the container
     *     and its writable layer
     */
    RunOutcome run(RunRequest request) throws IOException, InterruptedException;
}
