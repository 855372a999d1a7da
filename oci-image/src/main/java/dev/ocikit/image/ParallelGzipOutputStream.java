package dev.ocikit.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip compression on several cores, producing one ordinary gzip member that any gzip reader
 * decodes (the technique of pigz).
 *
 * <p>The input is cut into blocks of a fixed size. Each block is deflated on its own, on the
 * executor, with the previous 32 KiB of input as preset dictionary so that compression barely
 * suffers, and ends with a sync flush so that the pieces concatenate on byte boundaries into one
 * deflate stream; the last block finishes it. The CRC-32 and length of the trailer are computed
 * over the input as it is written. The output depends only on the input, the level and the block
 * size, never on thread timing or the number of threads, so it is reproducible.
 *
 * <p>Memory is bounded: at most {@code parallelism * 2} blocks are being compressed or waiting to
 * be written; {@link #write} blocks while that many are in flight. {@link #flush()} writes what
 * is finished but does not cut a block, so calling it does not change the output.
 *
 * <p>Not thread-safe: one thread writes. Closing finishes the gzip member and closes the
 * underlying stream.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    /** The default block size: 128 KiB of input, as pigz uses. */
    public static final int DEFAULT_BLOCK_SIZE = 128 * 1024;
    /** The smallest block size; the dictionary of one block is the last 32 KiB of the previous one. */
    public static final int MIN_BLOCK_SIZE = 32 * 1024;
    /** The largest block size accepted. */
    public static final int MAX_BLOCK_SIZE = 16 * 1024 * 1024;
    private static final int WINDOW = 32 * 1024;

    private final OutputStream out;
    private final int level;
    private final int blockSize;
    private final int maxInFlight;
    private final Executor executor;
    private final CRC32 crc = new CRC32();
    private final ArrayDeque<CompletableFuture<Block>> inFlight = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Deflater> deflaters = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<byte[]> spareBuffers = new ArrayDeque<>();
    private volatile boolean ended;
    private byte[] block;
    private int fill;
    private byte[] dictionary;
    private long length;
    private long blocks;
    private boolean closed;
    private boolean failed;

    /**
     * @param out receives the gzip stream; closed by {@link #close()}
     * @param level 0 to 9, or -1 for zlib's default (6)
     * @param blockSize input bytes per block, {@link #MIN_BLOCK_SIZE} to {@link #MAX_BLOCK_SIZE}
     * @param parallelism how many blocks may be compressed at once; twice as many may be in flight
     * @param executor runs the block compressions; should have about {@code parallelism} threads
     */
    public ParallelGzipOutputStream(OutputStream out, int level, int blockSize, int parallelism, Executor executor)
            throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.executor = Objects.requireNonNull(executor, "executor");
        if (level < -1 || level > 9) {
            throw new IllegalArgumentException("gzip level must be -1 or 0 to 9: " + level);
        }
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("gzip block size must be " + MIN_BLOCK_SIZE + " to " + MAX_BLOCK_SIZE
                    + " bytes: " + blockSize);
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        this.level = level;
        this.blockSize = blockSize;
        this.maxInFlight = parallelism * 2;
        this.block = new byte[blockSize];
        writeHeader();
    }

    /**
     * A stream with the default level and block size, compressing on a shared pool of daemon
     * threads, one per available processor.
     */
    public static ParallelGzipOutputStream of(OutputStream out) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ParallelGzipOutputStream(out, -1, DEFAULT_BLOCK_SIZE, cores, sharedPool());
    }

    /**
     * The pool used when no executor is given: one daemon thread per available processor, idle
     * threads ending after a minute. Shared by every stream, so that concurrent streams share the
     * cores instead of each claiming all of them.
     */
    static Executor sharedPool() {
        return SharedPool.POOL;
    }

    private static final class SharedPool {
        static final ThreadPoolExecutor POOL;

        static {
            int cores = Runtime.getRuntime().availableProcessors();
            AtomicInteger n = new AtomicInteger();
            POOL = new ThreadPoolExecutor(cores, cores, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "ocikit-gzip-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            POOL.allowCoreThreadTimeOut(true);
        }
    }

    /** How many blocks have been handed to the executor so far. */
    public long blocks() {
        return blocks;
    }

    private void writeHeader() throws IOException {
        // No name, no time stamp, OS "unknown": nothing about the host goes into the stream.
        int xfl = level == 9 ? 2 : level == 1 ? 4 : 0;
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) xfl, (byte) 255});
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        crc.update(b, off, len);
        length += len;
        while (len > 0) {
            if (fill == blockSize) {
                // Submitted only when more input arrives, so that close() can finish the last block.
                submit(false);
            }
            int n = Math.min(len, blockSize - fill);
            System.arraycopy(b, off, block, fill, n);
            fill += n;
            off += n;
            len -= n;
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] input = block;
        int size = fill;
        byte[] dict = dictionary;
        dictionary = last ? null : Arrays.copyOfRange(input, size - WINDOW, size);
        block = spareBuffers.isEmpty() ? new byte[blockSize] : spareBuffers.pop();
        fill = 0;
        blocks++;
        CompletableFuture<Block> f;
        try {
            f = CompletableFuture.supplyAsync(() -> compress(input, size, dict, last), executor);
        } catch (RuntimeException e) {
            failed = true;
            throw new IOException("gzip block could not be scheduled: " + e, e);
        }
        inFlight.add(f);
        while (inFlight.size() > maxInFlight || (!inFlight.isEmpty() && inFlight.peek().isDone())) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        Block done;
        try {
            done = inFlight.peek().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = true;
            throw new InterruptedIOException("interrupted while waiting for gzip compression");
        } catch (ExecutionException e) {
            failed = true;
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("gzip compression failed: " + cause, cause);
        }
        inFlight.poll();
        out.write(done.compressed);
        if (done.input.length == blockSize && spareBuffers.size() < 2) {
            spareBuffers.push(done.input);
        }
    }

    private record Block(byte[] input, byte[] compressed) {}

    /** Runs on the executor: deflate one block, reusing this stream's idle deflaters. */
    private Block compress(byte[] input, int size, byte[] dict, boolean last) {
        Deflater d = deflaters.poll();
        if (d == null) {
            d = new Deflater(level, true);
        }
        try {
            if (dict != null) {
                d.setDictionary(dict);
            }
            d.setInput(input, 0, size);
            byte[] buf = new byte[size + (size >> 10) + 64];
            int pos = 0;
            if (last) {
                d.finish();
                while (!d.finished()) {
                    if (pos == buf.length) {
                        buf = Arrays.copyOf(buf, buf.length * 2);
                    }
                    pos += d.deflate(buf, pos, buf.length - pos);
                }
            } else {
                while (true) {
                    if (pos == buf.length) {
                        buf = Arrays.copyOf(buf, buf.length * 2);
                    }
                    int space = buf.length - pos;
                    int n = d.deflate(buf, pos, space, Deflater.SYNC_FLUSH);
                    pos += n;
                    if (n < space) {
                        break; // all input consumed and flushed to a byte boundary
                    }
                }
            }
            return new Block(input, Arrays.copyOf(buf, pos));
        } finally {
            d.reset();
            if (ended) {
                d.end();
            } else {
                deflaters.offer(d);
            }
        }
    }

    /** Writes the blocks that are already compressed; does not cut the current block. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
            writeOldest();
        }
        out.flush();
    }

    /** Compresses what is left, writes the trailer and closes the underlying stream. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!failed) {
                submit(true);
                while (!inFlight.isEmpty()) {
                    writeOldest();
                }
                byte[] trailer = new byte[8];
                int c = (int) crc.getValue();
                int n = (int) length; // ISIZE is the length modulo 2^32
                for (int i = 0; i < 4; i++) {
                    trailer[i] = (byte) (c >>> (8 * i));
                    trailer[4 + i] = (byte) (n >>> (8 * i));
                }
                out.write(trailer);
                out.flush();
            }
        } finally {
            release();
            out.close();
        }
    }

    /** Stops without finishing the stream: pending blocks are dropped. Does not close the underlying stream. */
    void abort() {
        closed = true;
        failed = true;
        release();
    }

    private void release() {
        ended = true;
        for (CompletableFuture<Block> f : inFlight) {
            f.cancel(false);
        }
        inFlight.clear();
        Deflater d;
        while ((d = deflaters.poll()) != null) {
            d.end();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (failed) {
            throw new IOException("an earlier gzip block failed; the stream cannot continue");
        }
    }
}
