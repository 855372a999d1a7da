package dev.ocikit.spec.internal;

import java.io.IOException;
import java.io.InputStream;

/** Stream helpers the hashing and limiting streams of every module share. */
public final class Streams {
    private Streams() {}

    /**
     * Skips by reading through {@code in}'s own {@code read}, so that a stream that hashes,
     * counts or limits what passes sees the skipped bytes too (plain {@code skip} would let them
     * bypass it). Returns how many bytes were skipped, fewer only at the end of the stream.
     */
    public static long skipByReading(InputStream in, long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
        long done = 0;
        while (done < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }
}
