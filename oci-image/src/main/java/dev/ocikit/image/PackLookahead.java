package dev.ocikit.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Walks a layer's tree ahead of the packer, on a thread of its own, and reads small files' content
 * on a few more, so that the system calls and disk reads of the next entries overlap with the
 * compression of the current ones instead of taking turns with it.
 *
 * <p>The entries come out in the walk's order, each with its tar headers and, for a small regular
 * file, its content; what the walk or a read threw comes out at the entry where it happened. So
 * the packed bytes never depend on thread timing. Memory is bounded: at most {@link #MAX_ENTRIES}
 * entries and {@link #MAX_BYTES} bytes of content ahead. Larger files are left for the consumer
 * to stream. One consumer thread; {@link #close()} stops the walk.
 */
final class PackLookahead implements AutoCloseable {
    /** Regular files up to this size are read ahead in one piece; larger ones are streamed. */
    static final int SMALL_FILE = 256 * 1024;
    static final int MAX_ENTRIES = 512;
    static final int MAX_BYTES = 8 * 1024 * 1024;

    /** One entry, ready to write; or the failure that ends the walk. */
    record Item(PackEntry entry, byte[] headers, CompletableFuture<byte[]> content, Throwable failure) {
        static final Item END = new Item(null, null, null, null);

        /** The small file's bytes, exactly {@code entry.size()} of them; empty if the consumer streams it. */
        Optional<byte[]> awaitContent() throws IOException {
            if (content == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(content.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading " + entry.name());
            } catch (ExecutionException e) {
                throw rethrow(e.getCause());
            }
        }
    }

    private final TreeWalk walk;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(MAX_ENTRIES);
    private final Semaphore bytesAhead = new Semaphore(MAX_BYTES);
    private final Thread walker;
    private volatile boolean closed;

    private PackLookahead(TreeWalk walk) {
        this.walk = walk;
        this.walker = new Thread(this::run, "ocikit-pack-walk");
        walker.setDaemon(true);
    }

    static PackLookahead start(TreeWalk walk) {
        PackLookahead l = new PackLookahead(walk);
        l.walker.start();
        return l;
    }

    /** The next item, {@link Item#END} after the last entry. Rethrows a failure of the walk. */
    Item next() throws IOException {
        Item i;
        try {
            i = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the next entry to pack");
        }
        if (i.failure != null) {
            // Stays at the head, so that every later call fails the same way.
            queue.clear();
            queue.offer(i);
            throw rethrow(i.failure);
        }
        return i;
    }

    /** The walking thread, for tests. */
    Thread walker() {
        return walker;
    }

    /** Called once an item's content has been written: lets the walk read further ahead. */
    void done(Item i) {
        if (i.content != null) {
            bytesAhead.release((int) i.entry.size());
        }
    }

    private void run() {
        try {
            while (!closed) {
                Optional<PackEntry> next = walk.next();
                if (next.isEmpty()) {
                    put(Item.END);
                    return;
                }
                PackEntry e = next.get();
                byte[] headers = TarHeaders.headers(e);
                CompletableFuture<byte[]> content = null;
                if (e.size() > 0 && e.size() <= SMALL_FILE) {
                    bytesAhead.acquire((int) e.size());
                    content = new CompletableFuture<>();
                    Readers.POOL.execute(new Read(e, content));
                }
                put(new Item(e, headers, content, null));
            }
        } catch (InterruptedException e) {
            // closed: nobody waits for more
        } catch (Throwable t) {
            if (!closed) {
                try {
                    put(new Item(null, null, null, t));
                } catch (InterruptedException e) {
                    // closed
                }
            }
        }
    }

    private void put(Item i) throws InterruptedException {
        while (!queue.offer(i, 100, TimeUnit.MILLISECONDS)) {
            if (closed) {
                throw new InterruptedException();
            }
        }
    }

    /**
     * A small file's read. A class of its own rather than {@code CompletableFuture.supplyAsync}, which
     * the gzip blocks use too: sharing it made the JIT compile one large method for both.
     */
    private record Read(PackEntry entry, CompletableFuture<byte[]> result) implements Runnable {
        @Override
        public void run() {
            try {
                result.complete(readSmall(entry));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }
    }

    /** The whole file in one read, checked against the size its header records. */
    static byte[] readSmall(PackEntry e) {
        byte[] data = new byte[(int) e.size()];
        try (FileChannel ch = FileChannel.open(e.content().orElseThrow(), StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw PackingStream.changed(e, "shrank");
                }
            }
            // A file that grew would make the entry's content disagree with its header's size.
            if (ch.read(ByteBuffer.allocate(1)) > 0) {
                throw PackingStream.changed(e, "grew");
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return data;
    }

    static IOException rethrow(Throwable t) throws IOException {
        if (t instanceof UncheckedIOException u) {
            throw u.getCause();
        }
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new IOException(t);
    }

    /** Stops the walk; reads already started finish on their own and are dropped. */
    @Override
    public void close() {
        closed = true;
        walk.stopPrefetch();
        walker.interrupt();
        queue.clear();
    }

    /** Daemon threads for small-file reads, shared by all packs: disk waits, not CPU, so more than cores. */
    private static final class Readers {
        // Eight on two cores read a cold Debian tree's small files in 6% less of the pack's time than four.
        static final Executor POOL = daemonPool("ocikit-pack-read-", Math.max(8, Runtime.getRuntime().availableProcessors() * 4));
    }

    /** A pool of {@code threads} daemon threads named {@code prefix} and a number, which end when idle a while. */
    static Executor daemonPool(String prefix, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, prefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
