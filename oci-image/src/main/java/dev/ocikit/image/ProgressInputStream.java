package dev.ocikit.image;

import dev.ocikit.spec.image.Descriptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells a {@link CopyListener} how many bytes of a blob have been read. Not thread-safe. */
final class ProgressInputStream extends FilterInputStream {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressInputStream.class);

    private final CopyListener listener;
    private final Descriptor blob;
    private long done;

    ProgressInputStream(InputStream in, CopyListener listener, Descriptor blob) {
        super(in);
        this.listener = listener;
        this.blob = blob;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            advance(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (skipped > 0) {
            advance(skipped);
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void advance(long n) {
        done += n;
        Listeners.call(() -> listener.blobProgress(blob, done, blob.size()));
    }

    /** Calls listeners so that a failing one cannot break a copy. */
    static final class Listeners {
        private Listeners() {}

        static void call(Runnable callback) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                LOG.warn("a copy listener threw; ignoring it", e);
            }
        }
    }
}
