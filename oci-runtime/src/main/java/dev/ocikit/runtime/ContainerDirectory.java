package dev.ocikit.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One container's directory, {@code <root>/containers/<id>}: the bundle (config.json and the
 * rootfs mount point), the overlay's upper and work directories, the generated /etc files, the
 * stdio pipes and logs, and the records a later process needs: who owns the container, its
 * name, its init pid and its exit code.
 */
record ContainerDirectory(Path dir) {
    Path bundle() {
        return dir.resolve("bundle");
    }

    Path rootfs() {
        return bundle().resolve("rootfs");
    }

    Path config() {
        return bundle().resolve("config.json");
    }

    Path upper() {
        return dir.resolve("upper");
    }

    Path work() {
        return dir.resolve("work");
    }

    Path empty() {
        return dir.resolve("empty");
    }

    Path etc() {
        return dir.resolve("etc");
    }

    Path volumes() {
        return dir.resolve("volumes");
    }

    Path stdinPipe() {
        return dir.resolve("stdin");
    }

    Path stdoutPipe() {
        return dir.resolve("stdout");
    }

    Path stderrPipe() {
        return dir.resolve("stderr");
    }

    Path stdoutLog() {
        return dir.resolve("stdout.log");
    }

    Path stderrLog() {
        return dir.resolve("stderr.log");
    }

    Path runtimeLog() {
        return dir.resolve("runtime.log");
    }

    Path pidFile() {
        return dir.resolve("pid");
    }


    Path network() {
        return dir.resolve("network");
    }

    String id() {
        return dir.getFileName().toString();
    }

    /** Records the process that owns the container: its pid and start time, which together name it. */
    void writeOwner(Owner owner) throws IOException {
        Files.writeString(dir.resolve("owner"), owner.pid() + " " + owner.started().toEpochMilli() + "\n");
    }

    Optional<Owner> owner() throws IOException {
        String text = readSmall(dir.resolve("owner"));
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.trim().split(" ");
        try {
            return Optional.of(new Owner(Long.parseLong(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1]))));
        } catch (RuntimeException e) {
            return Optional.empty(); // unreadable: treated as no owner, so the sweep takes the container
        }
    }

    void writeName(String name) throws IOException {
        Files.writeString(dir.resolve("name"), name + "\n");
    }

    Optional<String> name() throws IOException {
        String text = readSmall(dir.resolve("name"));
        return text == null ? Optional.empty() : Optional.of(text.trim());
    }

    void writeImage(String image) throws IOException {
        Files.writeString(dir.resolve("image"), image + "\n");
    }

    Optional<String> image() throws IOException {
        String text = readSmall(dir.resolve("image"));
        return text == null ? Optional.empty() : Optional.of(text.trim());
    }

    /** The signal that stops the container (the image's StopSignal, else SIGTERM). */
    void writeStopSignal(String signal) throws IOException {
        Files.writeString(dir.resolve("stopsignal"), signal + "\n");
    }

    Optional<String> stopSignal() throws IOException {
        String text = readSmall(dir.resolve("stopsignal"));
        return text == null ? Optional.empty() : Optional.of(text.trim());
    }

    /** Marks an exited container as kept: the sweep leaves its directory for logs and inspect. */
    void markKept() throws IOException {
        Files.writeString(dir.resolve("kept"), "");
    }

    boolean kept() {
        return Files.exists(dir.resolve("kept"));
    }

    Path exitFile() {
        return dir.resolve("exit");
    }

    OptionalInt pid() throws IOException {
        String text = readSmall(pidFile());
        if (text == null || text.isBlank()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(text.trim()));
    }

    /** The exit code, written when the container's init was reaped; written to a temp file and renamed. */
    void writeExitCode(int code) throws IOException {
        Path tmp = dir.resolve("exit.tmp");
        Files.writeString(tmp, code + "\n");
        Files.move(tmp, dir.resolve("exit"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    OptionalInt exitCode() throws IOException {
        String text = readSmall(dir.resolve("exit"));
        return text == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text.trim()));
    }

    private static String readSmall(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A process, named by pid and start time so that a reused pid is not mistaken for it. */
    record Owner(long pid, Instant started) {
        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(self.pid(), self.info().startInstant().orElse(Instant.EPOCH));
        }

        /** Whether this process still runs. */
        boolean alive() {
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty() || !handle.get().isAlive()) {
                return false;
            }
            Optional<Instant> start = handle.get().info().startInstant();
            // Start times are known to the clock tick; a reused pid starts later than that.
            return start.isEmpty() || Math.abs(start.get().toEpochMilli() - started.toEpochMilli()) < 1000;
        }
    }
}
