package dev.ocikit.runtime;

import dev.ocikit.runtime.invoker.NoSuchContainerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What is known of a container under a runtime's root, whichever process started it: the view
 * {@code ocikit ps} and {@code ocikit inspect} print. Immutable.
 *
 * @param id the runtime's id
 * @param name the unique name
 * @param image the image it was made from, as it was named
 * @param created when its directory was made
 * @param status the runtime's status (created, running, paused, stopped), or "exited" once reaped
 *     and deleted from the runtime, "unknown" if the runtime has no record of it
 * @param pid the host pid of its first process, when known
 * @param exitCode the exit code, when it has exited and its owner recorded it
 * @param ownerPid the process that supervises it
 * @param imageId the store id of its image, when it came from the store (what {@link OciRuntime#commit}
 *     builds on)
 */
public record ContainerInfo(String id, String name, String image, Instant created, String status,
        OptionalInt pid, OptionalInt exitCode, long ownerPid, Optional<String> imageId) {

    /** The container's view, asking the runtime for this one container's status. */
    static Optional<ContainerInfo> read(OciRuntime runtime, ContainerDirectory dir) throws IOException {
        Optional<String> status;
        try {
            status = Optional.of(runtime.cli().state(dir.id()).status());
        } catch (NoSuchContainerException e) {
            status = Optional.empty();
        }
        return read(dir, status);
    }

    /**
     * The container's view, given the runtime's status of it (empty if the runtime has no record
     * of it), so that a listing asks the runtime once for all containers.
     */
    static Optional<ContainerInfo> read(ContainerDirectory dir, Optional<String> runtimeStatus) throws IOException {
        Optional<ContainerDirectory.Info> info = dir.info();
        if (info.isEmpty() || info.get().owner().isEmpty()) {
            return Optional.empty(); // still being created
        }
        Instant created = Files.readAttributes(dir.dir(), BasicFileAttributes.class).creationTime().toInstant();
        OptionalInt exit = dir.exitCode();
        String status = runtimeStatus.orElse(exit.isPresent() ? "exited" : "unknown");
        if (exit.isPresent() && !"running".equals(status)) {
            status = "exited";
        }
        return Optional.of(new ContainerInfo(dir.id(), info.get().name().orElse(dir.id().substring(0, 12)),
                info.get().image().orElse(""), created, status, dir.pid(), exit, info.get().owner().get().pid(),
                info.get().imageId()));
    }

    public String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }
}
