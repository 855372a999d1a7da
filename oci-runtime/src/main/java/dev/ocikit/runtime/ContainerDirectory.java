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

    /**
     * The DiffIDs of the layers the root file system is made of, one a line ({@code unknown} for a
     * layer without one): what a collection of layer snapshots keeps. Written before the layers
     * are extracted, so a collection either sees it or runs before the extraction.
     */
    Path layers() {
        return dir.resolve("layers");
    }

    void writeLayers(java.util.List<Optional<dev.ocikit.spec.Digest>> diffIds) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Optional<dev.ocikit.spec.Digest> d : diffIds) {
            text.append(d.map(Object::toString).orElse("unknown")).append('\n');
        }
        Files.writeString(layers(), text, StandardCharsets.UTF_8);
    }

    /** The layers recorded; empty when nothing says (a container made by an older ocikit) or one is unknown. */
    Optional<java.util.Set<dev.ocikit.spec.Digest>> recordedLayers() throws IOException {
        String text;
        try {
            text = Files.readString(layers(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        java.util.Set<dev.ocikit.spec.Digest> out = new java.util.HashSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                out.add(dev.ocikit.spec.Digest.parse(line));
            } catch (dev.ocikit.spec.InvalidDigestException e) {
                return Optional.empty(); // unknown, or torn by a crash: keep every snapshot
            }
        }
        return Optional.of(out);
    }

    /** The overlay lower directory holding the mount points the image lacks (see {@link MountPoints}). */
    Path mountPointLayer() {
        return dir.resolve("mountpoints");
    }

    /** Where the mount points provided are listed, for a commit of a copied root file system. */
    Path mountPointList() {
        return dir.resolve("mountpoints.list");
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


    Path pidFile() {
        return dir.resolve("pid");
    }


    Path network() {
        return dir.resolve("network");
    }

    String id() {
        return dir.getFileName().toString();
    }

    /**
     * Records, in one file written at creation, what later processes need to know: the process
     * that owns the container (pid and start time, which together name it), its name, the image
     * it was made from, and its stop signal.
     */
    void writeInfo(Owner owner, String name, String image, Optional<String> imageId, String stopSignal)
            throws IOException {
        for (String value : new String[] {name, image, imageId.orElse(""), stopSignal}) {
            if (value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a container's name, image and stop signal are single lines: " + value);
            }
        }
        Files.writeString(dir.resolve("info"), "owner=" + owner.pid() + " " + owner.started().toEpochMilli() + "\n"
                + "name=" + name + "\n" + "image=" + image + "\n"
                + imageId.map(i -> "imageid=" + i + "\n").orElse("") + "stopsignal=" + stopSignal + "\n");
    }

    /** The records writeInfo made, read in one go; empty while the container is being created. */
    Optional<Info> info() throws IOException {
        String text = readSmall(dir.resolve("info"));
        if (text == null) {
            return Optional.empty();
        }
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Optional<Owner> owner;
        try {
            String[] parts = fields.getOrDefault("owner", "").trim().split(" ");
            owner = Optional.of(new Owner(Long.parseLong(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1]))));
        } catch (RuntimeException e) {
            owner = Optional.empty(); // unreadable: treated as no owner, so the sweep takes the container
        }
        return Optional.of(new Info(owner, Optional.ofNullable(fields.get("name")),
                Optional.ofNullable(fields.get("image")), Optional.ofNullable(fields.get("imageid")),
                Optional.ofNullable(fields.get("stopsignal"))));
    }

    /**
     * What {@link #writeInfo} recorded; a field may be missing from a damaged file.
     *
     * @param imageId the store id of the image, when it came from the store (what a commit builds on)
     */
    record Info(Optional<Owner> owner, Optional<String> name, Optional<String> image, Optional<String> imageId,
            Optional<String> stopSignal) {}

    /** Records the mount points provided to the container, one per line ({@code d path} or {@code f path}). */
    void writeMountPoints(java.util.List<MountPoints.Stub> stubs) throws IOException {
        if (stubs.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (MountPoints.Stub s : stubs) {
            b.append(s.directory() ? "d " : "f ").append(s.path()).append('\n');
        }
        Files.writeString(mountPointList(), b.toString());
    }

    /** The mount points {@link #writeMountPoints} recorded. */
    java.util.List<MountPoints.Stub> mountPoints() throws IOException {
        String text = readSmall(mountPointList());
        java.util.List<MountPoints.Stub> out = new java.util.ArrayList<>();
        if (text != null) {
            for (String line : text.split("\n")) {
                if (line.length() > 2 && !line.substring(2).contains("..")) {
                    out.add(new MountPoints.Stub(line.substring(2), line.charAt(0) == 'd'));
                }
            }
        }
        return out;
    }

    Optional<Owner> owner() throws IOException {
        return info().flatMap(Info::owner);
    }

    Optional<String> name() throws IOException {
        return info().flatMap(Info::name);
    }

    /** The signal that stops the container (the image's StopSignal, else SIGTERM). */
    Optional<String> stopSignal() throws IOException {
        return info().flatMap(Info::stopSignal);
    }

    /** Marks an exited container as kept: the sweep leaves its directory for logs and inspect. */
    void markKept() throws IOException {
        Files.writeString(dir.resolve("kept"), "");
    }

    boolean kept() {
        return Files.exists(dir.resolve("kept"));
    }


    OptionalInt pid() throws IOException {
        String text = readSmall(pidFile());
        if (text == null || text.isBlank()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            throw new ContainerException("the runtime's pid file " + pidFile() + " holds \"" + text.trim()
                    + "\", not a process id", e);
        }
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
