package dev.ocikit.image;

import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The compressed form of a stream, produced as it is read: each read pulls a chunk of the
 * source through the compressor, so no thread and no temporary file is needed, and memory stays
 * at a chunk plus the compressor's own window. Not thread-safe. Closing it closes the source.
 */
final class CompressingInputStream extends InputStream {
    private static final int CHUNK = 64 * 1024;

    private final InputStream source;
    private final ByteSink sink = new ByteSink();
    private final OutputStream compressor;
    private final byte[] chunk = new byte[CHUNK];
    private boolean finished;
    private boolean closed;

    CompressingInputStream(InputStream source, Compression compression) throws IOException {
        if (compression == Compression.NONE) {
            throw new IllegalArgumentException("nothing to compress with " + compression);
        }
        this.source = source;
        this.compressor = LayerCodecs.compress(compression, sink);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (sink.available() == 0) {
            if (finished) {
                return -1;
            }
            int n = source.read(chunk);
            if (n < 0) {
                finished = true;
                compressor.close(); // writes the trailer into the sink
            } else if (n > 0) {
                compressor.write(chunk, 0, n);
            }
        }
        return sink.read(b, off, len);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!finished) {
                // Frees the compressor's native memory (zstd) even when the copy was abandoned.
                try {
                    compressor.close();
                } catch (IOException | RuntimeException ignored) {
                    // the copy failed already; this close only releases resources
                }
            }
        } finally {
            source.close();
        }
    }
}
