package dev.ocikit.image;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second unpack mode: each layer extracted once, on its own, into a directory of its own
 * that can serve as an overlayfs lower directory, so that a container root file system is an
 * overlay mount, O(1) in the size of the image, instead of a copy. The directories live under
 * {@code <root>/<algorithm>/<hex of the DiffID>} and are shared by every image that has the
 * layer.
 *
 * <p>Whiteouts are stored in the form overlayfs reads: {@code .wh.name} becomes a 0/0 character
 * device {@code name}, {@code .wh..wh..opq} sets {@code trusted.overlay.opaque=y} on its
 * directory. Creating those needs root ({@code CAP_MKNOD}, {@code CAP_SYS_ADMIN}); without it a
 * layer with a whiteout fails with {@link UnsupportedLayerException} rather than falling back to
 * a form a rootless overlay mount would read ({@code user.overlay.*}), because such a snapshot
 * would show stray {@code user.overlay.*} attributes when mounted by root. Use {@link Unpacker}
 * for a plain root file system without root.
 *
 * <p>Each layer is extracted into {@code <root>/tmp}, its DiffID checked, the file system flushed
 * ({@code syncfs}), and only then renamed into place, so a snapshot directory under its DiffID is
 * always complete and is reused without being read again; a crash leaves at most a temporary
 * directory. Concurrent calls, in this JVM or others, that extract the same layer both do the
 * work and the first rename wins. Layers are extracted in parallel, on the injected
 * {@link Executor} or on a pool of up to four threads made for the call.
 *
 * <p>Because a layer is extracted without the layers below it, three things differ from
 * {@link Unpacker} (none of which layers written by Docker, Buildah or umoci do):
 * <ul>
 *   <li>a hard link to a file of a lower layer cannot be made, and fails with
 *       {@link UnsupportedLayerException};
 *   <li>a write through a lower layer's symlink ({@code lib/x} over {@code lib -> usr/lib})
 *       creates a real directory that hides the symlink in the merged view;
 *   <li>a parent directory the layer does not name itself is created 0755 root:root and hides
 *       the lower directory's metadata in the merged view (a layer's own root directory too).
 * </ul>
 * A literal 0/0 character device in a layer is a whiteout in this form, as it is to overlayfs.
 *
 * <p>Immutable and thread-safe, and safe for several JVMs on one root: {@link #prepare} holds the
 * root's lock shared, {@link #collectGarbage} exclusive, so a collection never removes a layer
 * while it is being extracted or found.
 */
public final class LayerSnapshots {
    private static final int DEFAULT_THREADS = 4;

    private final Path root;
    private final Unpacker unpacker;
    private final Optional<Executor> executor;

    private LayerSnapshots(Path root, Unpacker unpacker, Optional<Executor> executor) {
        this.root = root;
        this.unpacker = unpacker;
        this.executor = executor;
    }

    /**
     * Snapshots under {@code root} (created if missing), extracted with {@link Unpacker#defaults()}
     * on a pool made for each call.
     */
    public static LayerSnapshots at(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        Files.createDirectories(absolute.resolve("tmp"));
        return new LayerSnapshots(absolute, Unpacker.defaults(), Optional.empty());
    }

    /** The same snapshots, extracted with this unpacker's mode and limits. */
    public LayerSnapshots unpacker(Unpacker value) {
        return new LayerSnapshots(root, Objects.requireNonNull(value, "unpacker"), executor);
    }

    /** The same snapshots, extracted on this executor, which the caller owns and shuts down. */
    public LayerSnapshots executor(Executor value) {
        return new LayerSnapshots(root, unpacker, Optional.of(Objects.requireNonNull(value, "executor")));
    }

    public Path root() {
        return root;
    }

    /** The snapshot directory of the layer with this DiffID, if it has been extracted. */
    public Optional<Path> find(Digest diffId) {
        Path dir = directoryOf(diffId);
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * Makes sure every layer has its snapshot, extracting the missing ones in parallel, and
     * returns them in the image's order. A layer whose {@link LayerSource#diffId()} is known and
     * already extracted is not read at all; one without a DiffID is extracted every time (its
     * name is only known afterwards) and then found, or left, under its DiffID.
     *
     * @param layers bottom first, as in the manifest
     * @throws HostileLayerException, UnsupportedLayerException, LayerTooLargeException,
     *     DigestMismatchException as {@link Unpacker#unpack} does; the layers that were fine are
     *     kept, the failed one leaves nothing behind
     */
    public Chain prepare(List<LayerSource> layers) throws IOException {
        try (StoreLock.Held held = StoreLock.of(root.resolve("lock")).shared()) {
            return prepareLocked(layers);
        }
    }

    private Chain prepareLocked(List<LayerSource> layers) throws IOException {
        // One task per distinct DiffID; layers without one each get their own.
        Map<Object, Integer> firstIndex = new LinkedHashMap<>();
        List<LayerSource> distinct = new ArrayList<>();
        int[] taskOf = new int[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            LayerSource layer = layers.get(i);
            Object key = layer.diffId().isPresent() ? layer.diffId().get() : new Object();
            Integer task = firstIndex.get(key);
            if (task == null) {
                task = distinct.size();
                firstIndex.put(key, task);
                distinct.add(layer);
            }
            taskOf[i] = task;
        }
        List<Snapshot> existing = new ArrayList<>();
        for (LayerSource layer : distinct) {
            Optional<Path> found = layer.diffId().isPresent() ? find(layer.diffId().get()) : Optional.empty();
            if (found.isEmpty()) {
                break;
            }
            existing.add(new Snapshot(found.get(), layer.diffId().get()));
        }
        if (existing.size() == distinct.size()) {
            return chain(layers, taskOf, existing); // every layer is there: a container start makes no thread for it
        }
        ExecutorService own = null;
        Executor runOn;
        if (executor.isPresent()) {
            runOn = executor.get();
        } else {
            own = Executors.newFixedThreadPool(Math.max(1, Math.min(DEFAULT_THREADS, distinct.size())), daemonThreads());
            runOn = own;
        }
        try {
            List<CompletableFuture<Snapshot>> tasks = new ArrayList<>();
            for (LayerSource layer : distinct) {
                tasks.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return snapshot(layer);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, runOn));
            }
            // Let every task finish, so none is still writing when this returns or throws.
            CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).exceptionally(t -> null).join();
            List<Snapshot> done = new ArrayList<>();
            for (CompletableFuture<Snapshot> task : tasks) {
                done.add(result(task));
            }
            return chain(layers, taskOf, done);
        } finally {
            if (own != null) {
                own.shutdown();
            }
        }
    }

    private static Chain chain(List<LayerSource> layers, int[] taskOf, List<Snapshot> done) {
        List<Path> directories = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            directories.add(done.get(taskOf[i]).directory());
            diffIds.add(done.get(taskOf[i]).diffId());
        }
        return new Chain(directories, diffIds);
    }

    private static Snapshot result(CompletableFuture<Snapshot> task) throws IOException {
        try {
            return task.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private record Snapshot(Path directory, Digest diffId) {}

    private Snapshot snapshot(LayerSource layer) throws IOException {
        if (layer.diffId().isPresent()) {
            Optional<Path> existing = find(layer.diffId().get());
            if (existing.isPresent()) {
                return new Snapshot(existing.get(), layer.diffId().get());
            }
        }
        Path tmp = Files.createTempDirectory(root.resolve("tmp"), "layer-");
        try {
            Files.setAttribute(tmp, "unix:mode", 0755);
            Digest diffId = unpacker.extractForOverlay(layer, tmp).diffIds().get(0);
            Path target = directoryOf(diffId);
            Files.createDirectories(target.getParent());
            syncFileSystem(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Someone else finished the same layer first; theirs is as good as ours.
            } catch (FileSystemException e) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
            }
            syncFileSystem(target.getParent());
            return new Snapshot(target, diffId);
        } finally {
            Unpacker.deleteRecursively(tmp);
        }
    }

    /**
     * Removes every snapshot whose DiffID is not in {@code live}, and whatever interrupted
     * extractions left in {@code tmp/}. {@code live} must name every layer of every image a caller
     * may still mount, such as the layers of all images in the store and of all containers.
     *
     * @return the DiffIDs of the snapshots removed
     */
    public List<Digest> collectGarbage(java.util.Set<Digest> live) throws IOException {
        Objects.requireNonNull(live, "live");
        return collectGarbage(() -> Optional.of(live));
    }

    /** The layers still in use, or empty when that cannot be known (nothing is then removed). */
    @FunctionalInterface
    public interface LiveLayers {
        Optional<java.util.Set<Digest>> get() throws IOException;
    }

    /**
     * Like {@link #collectGarbage(java.util.Set)}, with the layers in use asked for once no
     * extraction runs (under the lock that {@link #prepare} shares): a user that records its
     * layers before it prepares them is either seen or prepares after the collection.
     */
    public List<Digest> collectGarbage(LiveLayers layers) throws IOException {
        Objects.requireNonNull(layers, "layers");
        List<Digest> removed = new ArrayList<>();
        try (StoreLock.Held held = StoreLock.of(root.resolve("lock")).exclusive()) {
            Optional<java.util.Set<Digest>> known = layers.get();
            if (known.isEmpty()) {
                return removed;
            }
            java.util.Set<Digest> live = known.get();
            for (dev.ocikit.spec.DigestAlgorithm algorithm : dev.ocikit.spec.DigestAlgorithm.values()) {
                Path dir = root.resolve(algorithm.id());
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                    for (Path entry : entries) {
                        // a name that is not a digest is not a snapshot: leave what we do not understand
                        Optional<Digest> named = BlobStore.parseName(algorithm, entry);
                        if (named.isEmpty()) {
                            continue;
                        }
                        Digest diffId = named.get();
                        if (!live.contains(diffId)) {
                            Unpacker.deleteRecursively(entry);
                            removed.add(diffId);
                        }
                    }
                }
            }
            try (java.nio.file.DirectoryStream<Path> leftovers = Files.newDirectoryStream(root.resolve("tmp"))) {
                for (Path leftover : leftovers) {
                    Unpacker.deleteRecursively(leftover);
                }
            }
        }
        return removed;
    }

    private Path directoryOf(Digest diffId) {
        return root.resolve(diffId.algorithm().id()).resolve(diffId.encoded());
    }

    /** Everything written so far reaches the disk before the rename that makes it trusted. */
    private static void syncFileSystem(Path dir) throws IOException {
        if (!LibC.available()) {
            return;
        }
        int fd;
        try {
            fd = LibC.open(dir.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("opening " + dir + " to flush it failed with errno " + e.getErrorCode());
        }
        try {
            LibC.syncfs(fd);
        } catch (LastErrorException e) {
            throw new IOException("syncfs of " + dir + " failed with errno " + e.getErrorCode());
        } finally {
            LibC.close(fd);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "ocikit-snapshot-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * An image's layers as snapshot directories. Immutable.
     *
     * @param directories one per layer, bottom first (a layer repeated in the image repeats here)
     * @param diffIds the DiffID of each
     */
    public record Chain(List<Path> directories, List<Digest> diffIds) {
        public Chain {
            directories = List.copyOf(directories);
            diffIds = List.copyOf(diffIds);
        }

        /**
         * The value of overlayfs's {@code lowerdir=} option: the directories top first, joined
         * with ':'. overlayfs needs at least two lower directories when there is no upper one.
         *
         * @throws IllegalArgumentException if a path holds ':' or ',', which the option cannot carry
         * @throws IllegalStateException if a layer appears twice in the image: overlayfs refuses
         *     the same lower directory twice (ELOOP), so the mounter must give the second one
         *     another path (a bind mount) and build the option from {@link #directories()}
         */
        public String overlayLowerdir() {
            if (new java.util.HashSet<>(directories).size() != directories.size()) {
                throw new IllegalStateException("the image has a layer twice; overlayfs refuses the same lower directory"
                        + " twice, so bind-mount the repeated snapshot elsewhere and build lowerdir= from directories()");
            }
            List<String> topFirst = new ArrayList<>();
            for (int i = directories.size() - 1; i >= 0; i--) {
                String p = directories.get(i).toString();
                if (p.contains(":") || p.contains(",")) {
                    throw new IllegalArgumentException("overlayfs cannot take a lower directory whose path holds ':' or ','"
                            + ": " + p + "; keep the snapshot root on a plain path");
                }
                topFirst.add(p);
            }
            return String.join(":", topFirst);
        }
    }
}
