package dev.ocikit.image;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Where a compressor writes, for a reader to take back out: the bridge that lets a push-style
 * {@code OutputStream} compressor serve a pull-style {@code InputStream} without a thread or a
 * temporary file. It grows only as far as one write outruns the reader. Not thread-safe.
 */
final class ByteSink extends OutputStream {
    private byte[] buf = new byte[64 * 1024];
    private int start;
    private int end;

    /** Bytes written and not yet read. */
    int available() {
        return end - start;
    }

    /** Moves up to {@code len} buffered bytes into {@code b}; returns how many (0 when empty). */
    int read(byte[] b, int off, int len) {
        int n = Math.min(len, end - start);
        System.arraycopy(buf, start, b, off, n);
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return n;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (end + len > buf.length) {
            int live = end - start;
            if (live + len > buf.length) {
                buf = Arrays.copyOfRange(buf, start, start + Math.max(buf.length * 2, live + len));
            } else {
                System.arraycopy(buf, start, buf, 0, live);
            }
            start = 0;
            end = live;
        }
        System.arraycopy(b, off, buf, end, len);
        end += len;
    }

    @Override
    public void close() {
        // the compressor closes its output when it finishes; what it wrote stays readable
    }
}
