package dev.ocikit.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads another stream ahead on its own thread, so that decompressing and hashing a layer
 * overlaps with creating its files. Holds at most {@code CHUNKS} chunks. A failure of the
 * source is thrown by {@link #read} at the point of the stream where it happened, as the
 * exception the source threw; the end of the stream is seen only after the source returned
 * it, so what the source knows at its end (a digest) may be asked once this stream is at its end.
 *
 * <p>One consumer thread. {@link #close} stops and waits for the reader thread but does not
 * close the source: its owner closes it afterwards.
 */
final class ReadAheadInputStream extends InputStream {
    private static final int CHUNK = 256 * 1024;
    private static final int CHUNKS = 8;
    private static final Object END = new Object();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(CHUNKS);
    /**
     * Chunks the consumer is done with, for the reader to fill again: a few buffers that stay in
     * the CPU's caches, instead of a fresh one for every 256 KiB that the heap must zero and collect.
     */
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(CHUNKS + 2);
    private final Thread reader;
    private volatile boolean closed;
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean ended;
    private Throwable failure;

    ReadAheadInputStream(InputStream source) {
        Objects.requireNonNull(source, "source");
        reader = new Thread(() -> fill(source), "ocikit-unpack-read-ahead-" + THREADS.incrementAndGet());
        reader.setDaemon(true);
        reader.start();
    }

    private void fill(InputStream source) {
        while (true) {
            byte[] b = spare.poll();
            if (b == null) {
                b = new byte[CHUNK];
            }
            int n = 0;
            Object last = null;
            try {
                while (n < CHUNK) {
                    int r = source.read(b, n, CHUNK - n);
                    if (r < 0) {
                        last = END;
                        break;
                    }
                    n += r;
                }
            } catch (Throwable t) { // handed to the consumer, who throws it where it happened
                last = t;
            }
            // The bytes read before a failure still come first.
            if (n > 0 && !offer(n == CHUNK ? b : Arrays.copyOf(b, n))) {
                return;
            }
            if (last != null) {
                offer(last);
                return;
            }
        }
    }

    /** False once the consumer closed this stream. */
    private boolean offer(Object item) {
        try {
            while (!closed) {
                if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private boolean next() throws IOException {
        while (pos == chunk.length) {
            if (ended) {
                return false;
            }
            if (failure != null) {
                throw PackLookahead.rethrow(failure);
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading a layer");
            }
            if (item == END) {
                ended = true;
            } else if (item instanceof Throwable t) {
                failure = t;
            } else {
                if (chunk.length == CHUNK) {
                    spare.offer(chunk);
                }
                chunk = (byte[]) item;
                pos = 0;
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        return next() ? chunk[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (!next()) {
            return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return chunk.length - pos;
    }

    /** Stops the reader thread and waits for it, so the source may be closed next. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        queue.clear();
        boolean interrupted = false;
        while (true) {
            try {
                reader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the source must not be closed under the reader
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
