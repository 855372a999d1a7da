package dev.ocikit.runtime;

import dev.ocikit.spec.runtime.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container's root file system from being mounted to being released: an overlay of lower
 * directories with a writable upper directory, or a plain copy. Between the two it provides the
 * mount points the container's mounts need (see {@link MountPoints}) without letting them into
 * the writable layer, and afterwards removes those runc still had to create there.
 *
 * <p>Not thread-safe: one container's setup uses it on one thread.
 */
final class ContainerRootfs {
    private final Path target;
    private final List<Path> lowers;
    private final Path empty;
    private final Path upper;
    private final Path work;
    private final Path stubLayer;
    private final Optional<Path> reference;
    private final boolean overlay;
    private List<MountPoints.Stub> stubs = List.of();
    private List<MountPoints.Stub> inUpper = List.of();
    /**
     * Where mount-point layers are kept for every container of this runtime, so that the next
     * container of the same image with the same mounts is mounted once, with the layer already
     * there, instead of twice; empty for a layer of the container's own.
     */
    private Optional<Path> shared = Optional.empty();
    /** The shared layer the overlay was first mounted with, by the guess of the last container. */
    private Optional<SharedLayer> mountedWith = Optional.empty();

    /** A shared mount-point layer and what it was made for. */
    private record SharedLayer(List<String> destinations, List<MountPoints.Stub> stubs, Optional<Path> layer) {}

    private ContainerRootfs(Path target, List<Path> lowers, Path empty, Path upper, Path work, Path stubLayer,
            Optional<Path> reference, boolean overlay) {
        this.target = target;
        this.lowers = List.copyOf(lowers);
        this.empty = empty;
        this.upper = upper;
        this.work = work;
        this.stubLayer = stubLayer;
        this.reference = reference;
        this.overlay = overlay;
    }

    /**
     * An overlay at {@code target} of {@code lowers} (bottom first) under {@code upper}; mount
     * points missing from them go into {@code stubLayer}, a directory of the container's own.
     */
    static ContainerRootfs overlay(List<Path> lowers, Path empty, Path upper, Path work, Path stubLayer, Path target) {
        return new ContainerRootfs(target, lowers, empty, upper, work, stubLayer, Optional.empty(), true);
    }

    /**
     * A root file system already copied to {@code target}; {@code reference}, if given, is a
     * second copy of the same layers that changes are measured against, and gets the same mount
     * points.
     */
    static ContainerRootfs copied(Path target, Optional<Path> reference) {
        return new ContainerRootfs(target, List.of(), null, null, null, null, reference, false);
    }

    /** Keeps mount-point layers in {@code directory}, shared by the runtime's containers. */
    ContainerRootfs sharingMountPoints(Path directory) {
        shared = Optional.of(directory);
        return this;
    }

    Path target() {
        return target;
    }

    boolean isOverlay() {
        return overlay;
    }

    /** The mount points provided, relative to the root. */
    List<MountPoints.Stub> stubs() {
        return stubs;
    }

    /** Mounts the overlay (nothing to do for a copy). */
    void mount() throws IOException {
        if (!overlay) {
            return;
        }
        if (shared.isPresent()) {
            mountedWith = readHint();
            if (mountedWith.isPresent() && mountedWith.get().layer().isPresent()) {
                RootfsMount.overlay(withLayer(mountedWith.get().layer().get()), empty, upper, work, target);
                return;
            }
        }
        RootfsMount.overlay(lowers, empty, upper, work, target);
    }

    private List<Path> withLayer(Path layer) {
        List<Path> all = new ArrayList<>(lowers);
        all.add(layer);
        return all;
    }

    /**
     * Makes every mount point of {@code mounts} exist, outside the writable layer. Call after
     * {@link #mount()} and before the runtime creates the container; an overlay may be mounted
     * again, with the mount points in a layer of their own on top of the others.
     */
    void provideMountPoints(List<Mount> mounts) throws IOException {
        if (overlay && shared.isPresent()) {
            provideShared(mounts);
            return;
        }
        stubs = MountPoints.missing(target, mounts);
        if (stubs.isEmpty()) {
            return;
        }
        if (!overlay) {
            MountPoints.createIn(target, stubs);
            if (reference.isPresent()) {
                MountPoints.createIn(reference.get(), stubs);
            }
            return;
        }
        if (Files.exists(stubLayer)) {
            dev.ocikit.image.internal.FileTrees.deleteRecursively(stubLayer);
        }
        MountPoints.writeLayer(stubLayer, target, stubs);
        RootfsMount.unmount(target);
        List<Path> withStubs = new ArrayList<>(lowers);
        withStubs.add(stubLayer);
        RootfsMount.overlay(withStubs, empty, upper, work, target);
        // A whiteout or an opaque directory in the upper directory (of a working container that
        // deleted what is now a mount point) hides the stub: runc creates it in the upper.
        inUpper = MountPoints.notVisible(target, stubs);
    }

    /**
     * The shared way: when the overlay was mounted with the layer the last container of these
     * lower directories needed, and this one's mounts are the same, there is nothing to do; else
     * the mount points are worked out on the plain layers, their layer found (or written once)
     * under the shared directory, and the overlay mounted again with it.
     */
    private void provideShared(List<Mount> mounts) throws IOException {
        // What decides the mount points, in order (a nested mount needs none; a bind of a file needs
        // a file): the hint is taken only for exactly the same mounts.
        List<String> destinations = new ArrayList<>();
        for (Mount m : mounts) {
            boolean bind = m.type().map("bind"::equals).orElse(false) || m.options().contains("bind")
                    || m.options().contains("rbind");
            String kind = !bind ? m.type().orElse("none")
                    : m.source().isPresent() && Files.isDirectory(Path.of(m.source().get())) ? "bind-dir" : "bind-file";
            destinations.add(kind + " " + m.destination());
        }
        if (mountedWith.isPresent() && mountedWith.get().destinations().equals(destinations)) {
            stubs = mountedWith.get().stubs();
            inUpper = stubs.isEmpty() ? List.of() : MountPoints.notVisible(target, stubs);
            return;
        }
        if (mountedWith.isPresent() && mountedWith.get().layer().isPresent()) {
            RootfsMount.unmount(target);
            RootfsMount.overlay(lowers, empty, upper, work, target);
        }
        stubs = MountPoints.missing(target, mounts);
        Optional<Path> layer = Optional.empty();
        if (!stubs.isEmpty()) {
            Path dir = shared.get().resolve(key("layer", stubsText(stubs)));
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(shared.get());
                Path tmp = shared.get().resolve(".tmp-" + java.util.UUID.randomUUID());
                try {
                    MountPoints.writeLayer(tmp, target, stubs);
                    Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.FileSystemException raced) {
                    // another container wrote the same layer first (rename fails with ENOTEMPTY,
                    // which the JDK reports as a plain FileSystemException): theirs serves
                    if (!Files.isDirectory(dir)) {
                        throw raced;
                    }
                } finally {
                    dev.ocikit.image.internal.FileTrees.deleteRecursively(tmp);
                }
            }
            layer = Optional.of(dir);
            RootfsMount.unmount(target);
            RootfsMount.overlay(withLayer(dir), empty, upper, work, target);
            inUpper = MountPoints.notVisible(target, stubs);
        }
        writeHint(new SharedLayer(destinations, stubs, layer));
    }

    /** A name from the lower directories and {@code what}: shared layers and hints are per stack of layers. */
    private String key(String kind, String what) {
        StringBuilder sb = new StringBuilder();
        for (Path l : lowers) {
            sb.append(l).append('\n');
        }
        sb.append(kind).append('\n').append(what);
        return kind + "-" + dev.ocikit.spec.Digest.sha256(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .encoded().substring(0, 32);
    }

    private static String stubsText(List<MountPoints.Stub> list) {
        StringBuilder sb = new StringBuilder();
        for (MountPoints.Stub s : list) {
            sb.append(s.directory() ? "d " : "f ").append(s.path()).append('\n');
        }
        return sb.toString();
    }

    private Path hintFile() {
        return shared.get().resolve(key("hint", ""));
    }

    /** The last container's mounts and mount points for these layers; empty when unknown or unreadable. */
    private Optional<SharedLayer> readHint() {
        try {
            List<String> lines = Files.readAllLines(hintFile(), java.nio.charset.StandardCharsets.UTF_8);
            int i = 0;
            Optional<Path> layer = lines.get(i).equals("-") ? Optional.empty() : Optional.of(shared.get().resolve(lines.get(i)));
            i++;
            int n = Integer.parseInt(lines.get(i++));
            List<String> destinations = new ArrayList<>(lines.subList(i, i + n));
            i += n;
            List<MountPoints.Stub> list = new ArrayList<>();
            for (String line : lines.subList(i, lines.size())) {
                list.add(new MountPoints.Stub(line.substring(2), line.startsWith("d ")));
            }
            if (layer.isPresent() && !Files.isDirectory(layer.get())) {
                return Optional.empty();
            }
            return Optional.of(new SharedLayer(destinations, List.copyOf(list), layer));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no hint, or a damaged one: mounted the plain way
        }
    }

    private void writeHint(SharedLayer hint) {
        StringBuilder sb = new StringBuilder();
        sb.append(hint.layer().map(l -> l.getFileName().toString()).orElse("-")).append('\n');
        sb.append(hint.destinations().size()).append('\n');
        for (String d : hint.destinations()) {
            sb.append(d).append('\n');
        }
        sb.append(stubsText(hint.stubs()));
        try {
            Files.createDirectories(shared.get());
            Path tmp = shared.get().resolve(".tmp-" + java.util.UUID.randomUUID());
            Files.writeString(tmp, sb, java.nio.charset.StandardCharsets.UTF_8);
            Files.move(tmp, hintFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // only a guess for the next container: it mounts twice without it
        }
    }

    /**
     * Removes the mount points runc created in the writable layer. Call once the container's
     * processes are gone and the runtime has deleted it, while the root is still mounted: where a
     * whiteout hid a stub, removing it through the overlay puts the whiteout back.
     */
    void removeCreatedMountPoints() throws IOException {
        if (!inUpper.isEmpty()) {
            MountPoints.remove(target, inUpper);
            inUpper = List.of();
        }
    }

    /** Unmounts the overlay if it is mounted. */
    void unmount() throws IOException {
        if (overlay) {
            for (Path m : RootfsMount.mountsUnder(target)) {
                RootfsMount.unmount(m);
            }
        }
    }
}
