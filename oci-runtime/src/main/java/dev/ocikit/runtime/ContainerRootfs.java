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
        if (overlay) {
            RootfsMount.overlay(lowers, empty, upper, work, target);
        }
    }

    /**
     * Makes every mount point of {@code mounts} exist, outside the writable layer. Call after
     * {@link #mount()} and before the runtime creates the container; an overlay may be mounted
     * again, with the mount points in a layer of their own on top of the others.
     */
    void provideMountPoints(List<Mount> mounts) throws IOException {
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
