package dev.ocikit.runtime;

import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.runtime.invoker.NoSuchContainerException;
import dev.ocikit.runtime.network.ContainerNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Removes a container and everything it holds, in the order that cannot leave a mount or a
 * process behind: its processes killed and its runtime state deleted, its network torn down,
 * every mount under its directory unmounted, then the directory removed. Each step tolerates a
 * state that an earlier, interrupted teardown already reached.
 */
final class ContainerTeardown {
    private final OciRuntime runtime;
    private final ContainerDirectory dir;

    private ContainerTeardown(OciRuntime runtime, ContainerDirectory dir) {
        this.runtime = runtime;
        this.dir = dir;
    }

    static ContainerTeardown of(OciRuntime runtime, ContainerDirectory dir) {
        return new ContainerTeardown(runtime, dir);
    }

    /** Removes everything, the directory too. */
    void run() throws IOException {
        release();
        if (Files.exists(dir.dir())) {
            FileTrees.deleteRecursively(dir.dir());
        }
    }

    /** Releases what the container holds (processes, runtime state, network, mounts) and keeps its directory. */
    void release() throws IOException {
        try {
            runtime.cli().delete(dir.id(), true);
        } catch (NoSuchContainerException e) {
            // never created, or already deleted
        }
        Path network = runtime.networkDir(dir);
        if (Files.isDirectory(network)) {
            ContainerNetwork.sweep(network);
            if (!network.startsWith(dir.dir())) {
                FileTrees.deleteRecursively(network); // the short rootless directory outside the container's
            }
        }
        for (Path mount : RootfsMount.mountsUnder(dir.dir())) {
            RootfsMount.unmount(mount);
        }
    }
}
