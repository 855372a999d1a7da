package dev.ocikit.runtime;

import dev.ocikit.runtime.invoker.NoSuchContainerException;
import dev.ocikit.spec.runtime.State;
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
 */
public record ContainerInfo(String id, String name, String image, Instant created, String status,
        OptionalInt pid, OptionalInt exitCode, long ownerPid) {

    static Optional<ContainerInfo> read(OciRuntime runtime, ContainerDirectory dir) throws IOException {
        Optional<ContainerDirectory.Owner> owner = dir.owner();
        if (owner.isEmpty()) {
            return Optional.empty(); // still being created
        }
        Instant created = Files.readAttributes(dir.dir(), BasicFileAttributes.class).creationTime().toInstant();
        OptionalInt exit = dir.exitCode();
        String status;
        try {
            State state = runtime.cli().state(dir.id());
            status = state.status();
        } catch (NoSuchContainerException e) {
            status = exit.isPresent() ? "exited" : "unknown";
        }
        if (exit.isPresent() && !"running".equals(status)) {
            status = "exited";
        }
        return Optional.of(new ContainerInfo(dir.id(), dir.name().orElse(dir.id().substring(0, 12)),
                dir.image().orElse(""), created, status, dir.pid(), exit, owner.get().pid()));
    }

    public String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }
}
