package dev.ocikit.junit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * What a later run needs to use a reused container: its id and name, where its ports are
 * published, its first process, and the process that supervises it. Written by that process,
 * atomically, once the container runs. Immutable.
 */
public record ReuseRecord(String id, String name, String host, List<Port> ports, long pid, long supervisorPid) {
    public ReuseRecord {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** A published container port and the host port it is reachable on. */
    public record Port(int containerPort, int hostPort) {}

    /** The host port of {@code containerPort}, if it was published. */
    public Optional<Integer> hostPort(int containerPort) {
        return ports.stream().filter(p -> p.containerPort() == containerPort).map(Port::hostPort).findFirst();
    }

    void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, LaunchDefinition.JSON.writeValueAsBytes(this));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The record in {@code file}; empty if there is none or it cannot be read (then it is not trusted). */
    static Optional<ReuseRecord> read(Path file) {
        try {
            return Optional.of(LaunchDefinition.JSON.readValue(Files.readAllBytes(file), ReuseRecord.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
