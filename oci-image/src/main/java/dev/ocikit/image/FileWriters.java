package dev.ocikit.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates new regular files on a few worker threads while the unpacker goes on reading the tar
 * stream: in ext4 most of an unpack's time is the kernel creating files, and that overlaps.
 *
 * <p>Only the unpacker's thread calls this class. Correctness rests on a simple rule the caller
 * keeps: work is submitted only for a path that did not exist, and before anything that could
 * observe or change a pending path (a later entry for it or below it, any deletion, whiteouts,
 * hard links, the end of a layer) the caller calls {@link #conflicts} or {@link #drain}. A pending
 * file's ancestors cannot change meanwhile, since only deletions change existing nodes and every
 * deletion drains first. Failures surface from {@link #drain} or {@link #submit} in submission
 * order, as the exception the work threw; {@link #close} waits for every started task, so the
 * caller may then delete what was written.
 */
final class FileWriters implements AutoCloseable {
    /** File data held in memory for pending writes, at most: 32 MiB, less in a small heap (-Xmx64m: 8 MiB). */
    static final long MAX_IN_FLIGHT_BYTES = Math.max(1L << 20, Math.min(32L << 20, Runtime.getRuntime().maxMemory() / 8));
    /** Larger files are written by the caller's thread; buffering them would gain little. */
    static final int MAX_BUFFERED_FILE = (int) Math.min(4L << 20, MAX_IN_FLIGHT_BYTES / 4);
    /** Bookkeeping charged per file, so that many empty files are bounded too. */
    private static final long COST_PER_FILE = 512;
    private static final int THREADS = 3;
    private static final AtomicInteger POOLS = new AtomicInteger();

    /** What a worker does for one file. */
    interface Work {
        void run() throws IOException;
    }

    private record Pending(Path path, long cost, Future<?> future) {}

    private final Path root;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Set<Path> paths = new HashSet<>();
    private long inFlight;
    private ExecutorService pool;

    FileWriters(Path root) {
        this.root = root;
    }

    /** Whether {@code path}, or a directory it would sit under, is still being written. */
    boolean conflicts(Path path) {
        if (queue.isEmpty()) {
            return false;
        }
        for (Path p = path; p != null && !p.equals(root); p = p.getParent()) {
            if (paths.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code work} for the new file {@code path} on a worker, holding {@code bytes} of its
     * data; first reports failures of earlier work that has finished.
     */
    void submit(Path path, long bytes, Work work) throws IOException {
        long cost = bytes + COST_PER_FILE;
        while (!queue.isEmpty() && (queue.peekFirst().future().isDone() || inFlight + cost > MAX_IN_FLIGHT_BYTES)) {
            awaitOldest();
        }
        if (pool == null) {
            pool = newPool();
        }
        Future<?> f = pool.submit(() -> {
            work.run();
            return null;
        });
        queue.addLast(new Pending(path, cost, f));
        paths.add(path);
        inFlight += cost;
    }

    /** Waits for all pending work, throwing the first failure in submission order. */
    void drain() throws IOException {
        while (!queue.isEmpty()) {
            awaitOldest();
        }
    }

    private void awaitOldest() throws IOException {
        Pending p = queue.pollFirst();
        paths.remove(p.path());
        inFlight -= p.cost();
        try {
            p.future().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + p.path() + " to be written");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("writing " + p.path() + " failed", cause);
        }
    }

    /** Cancels what has not started and waits for the rest; failures are left unreported. */
    @Override
    public void close() {
        for (Pending p : queue) {
            p.future().cancel(false);
        }
        queue.clear();
        paths.clear();
        inFlight = 0;
        if (pool == null) {
            return;
        }
        pool.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true; // the caller deletes the files next: the workers must be gone first
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static ExecutorService newPool() {
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "ocikit-unpack-" + id + "-writer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
