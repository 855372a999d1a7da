package dev.ocikit.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Lists directories, and lstats what they hold, on a few threads ahead of a {@link TreeWalk}.
 * A walk of a tree that is not in the page cache waits on the disk for every directory block and
 * inode block, one at a time; listing the directories it will reach next in parallel keeps several
 * of those reads in flight. Each listing starts those of the subdirectories it found.
 *
 * <p>A listing ahead is only ever a shortcut: when one failed (a directory vanished, a name could
 * not be read) or was not made, the walk lists the directory itself and meets the failure where it
 * always would. Memory is bounded: at most {@link #MAX_ENTRIES} entries listed and not yet taken.
 * Thread-safe; {@link #close()} stops further listing.
 */
final class DirectoryPrefetch implements AutoCloseable {
    static final int MAX_ENTRIES = 16 * 1024;

    /** A directory's entry, as {@code lstat} described it when it was listed. */
    record Child(String name, Path path, FileMeta meta) {}

    private final ConcurrentHashMap<Path, CompletableFuture<List<Child>>> listings = new ConcurrentHashMap<>();
    private final Semaphore budget;
    private final AtomicInteger taken = new AtomicInteger();
    private volatile boolean closed;

    DirectoryPrefetch() {
        this(MAX_ENTRIES);
    }

    /** With room for {@code maxEntries} entries listed ahead, for tests. */
    DirectoryPrefetch(int maxEntries) {
        this.budget = new Semaphore(maxEntries);
    }

    /** Starts listing {@code dir} ahead, unless that is under way; {@code exclude}d subdirectories are not followed. */
    void ahead(Path dir, Predicate<Path> exclude) {
        if (closed || listings.containsKey(dir)) {
            return;
        }
        CompletableFuture<List<Child>> listing = new CompletableFuture<>();
        if (listings.putIfAbsent(dir, listing) == null) {
            Listers.POOL.execute(() -> list(dir, exclude, listing));
        }
    }

    /**
     * {@code dir}'s entries in the order the file system listed them, waiting for a listing under
     * way; null when the caller must list the directory itself.
     */
    List<Child> take(Path dir) {
        CompletableFuture<List<Child>> listing = listings.remove(dir);
        if (listing == null) {
            return null;
        }
        List<Child> children = listing.join();
        if (children != null) {
            budget.release(permits(children.size()));
            taken.incrementAndGet();
        }
        return children;
    }

    /** How many listings made ahead were taken, for tests. */
    int taken() {
        return taken.get();
    }

    private void list(Path dir, Predicate<Path> exclude, CompletableFuture<List<Child>> listing) {
        try {
            listAhead(dir, exclude, listing);
        } finally {
            listing.complete(null); // whatever went wrong (an Error too), the walk that waits lists it itself
        }
    }

    private void listAhead(Path dir, Predicate<Path> exclude, CompletableFuture<List<Child>> listing) {
        if (closed) {
            return;
        }
        List<Child> children = null;
        int permits = 0;
        try {
            List<String> names = TreeWalk.names(dir);
            permits = permits(names.size());
            if (budget.tryAcquire(permits)) {
                children = new ArrayList<>(names.size());
                for (String name : names) {
                    Path p = dir.resolve(name);
                    children.add(new Child(name, p, FileMeta.of(p, false)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the walk lists this directory itself, and reports what is wrong in its place
            if (children != null) {
                budget.release(permits);
                children = null;
            }
        }
        if (children != null) {
            // Before the walk may take this listing: it then finds the subdirectories' listings under way.
            for (Child c : children) {
                if (c.meta().isDirectory() && !exclude.test(c.path())) {
                    ahead(c.path(), exclude);
                }
            }
        }
        listing.complete(children);
    }

    private static int permits(int entries) {
        return Math.max(1, entries);
    }

    @Override
    public void close() {
        closed = true;
        // listings finished and never taken give their room back; those still running find the prefetch closed
        for (Path dir : List.copyOf(listings.keySet())) {
            CompletableFuture<List<Child>> listing = listings.remove(dir);
            List<Child> children = listing == null ? null : listing.getNow(null);
            if (children != null) {
                budget.release(permits(children.size()));
            }
        }
    }

    /** Daemon threads shared by all walks: they wait on the disk, so a few more than cores. */
    private static final class Listers {
        static final Executor POOL = PackLookahead.daemonPool("ocikit-pack-list-",
                Math.max(4, Runtime.getRuntime().availableProcessors() * 2));
    }
}
