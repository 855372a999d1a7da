package dev.ocikit.image.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the last bytes a command printed on either stream, so that its failure can quote them,
 * while passing everything on. Thread-safe: the two streams are pumped by different threads.
 */
final class OutputTail {
    private final byte[] ring;
    private long written;

    OutputTail(int capacity) {
        ring = new byte[capacity];
    }

    /** A stream that writes to {@code next} and to this tail. */
    OutputStream tee(OutputStream next) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                record(b, off, len);
                next.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                next.flush();
            }
        };
    }

    private synchronized void record(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            ring[(int) (written++ % ring.length)] = b[off + i];
        }
    }

    /** What was kept, as text, from the first whole line on when the start was cut. */
    synchronized String text() {
        int n = (int) Math.min(written, ring.length);
        byte[] out = new byte[n];
        long start = written - n;
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((start + i) % ring.length)];
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (start > 0) {
            int nl = s.indexOf('\n');
            s = nl >= 0 ? s.substring(nl + 1) : s;
        }
        return s.stripTrailing();
    }
}
