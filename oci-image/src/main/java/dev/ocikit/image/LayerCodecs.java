package dev.ocikit.image;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.ocikit.spec.image.Compression;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Compressing and decompressing layer streams: gzip and zstd, detected by their magic numbers. */
public final class LayerCodecs {
    private LayerCodecs() {}

    /**
     * The compression the first bytes of a stream show, whatever it was declared as. A tar
     * stream starts with a file name, never with these magic numbers.
     *
     * @throws UnsupportedCompressionException for bzip2 and xz, which no OCI media type allows
     */
    public static Compression detect(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        // A skippable frame (magic 0x184D2A50 to 0x184D2A5F) may open a zstd stream: zstd:chunked's metadata
        if (length >= 4 && (head[0] & 0xf0) == 0x50 && (head[1] & 0xff) == 0x2a
                && (head[2] & 0xff) == 0x4d && (head[3] & 0xff) == 0x18) {
            return Compression.ZSTD;
        }
        if (length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            throw new UnsupportedCompressionException("bzip2");
        }
        if (length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0) {
            throw new UnsupportedCompressionException("xz");
        }
        return Compression.NONE;
    }

    /** Decompresses {@code in}; closing the result closes {@code in}. */
    static InputStream decompress(Compression compression, InputStream in, LayerLimits limits) throws IOException {
        return switch (compression) {
            case NONE -> in;
            case GZIP -> gunzip(in);
            case ZSTD -> {
                ZstdInputStreamNoFinalizer z = new ZstdInputStreamNoFinalizer(in);
                // A frame asking for a larger window than this is refused by the decoder, so a
                // hostile layer cannot make us allocate gigabytes of window.
                z.setLongMax(limits.maxZstdWindowLog());
                yield z;
            }
        };
    }

    /**
     * A gzip stream of one member or several (pigz, eStargz), decompressed. Java's
     * GZIPInputStream (before JDK 23) reads past a member only if the input's {@code available()}
     * says more bytes are there, and a network stream between two chunks says 0: the layer was cut
     * at a member's end. The input is given an {@code available()} that looks ahead to know.
     */
    static InputStream gunzip(InputStream in) throws IOException {
        return new GZIPInputStream(new Lookahead(in), 64 * 1024);
    }

    /** {@code available()} is 0 only at the end of the stream: it reads a byte ahead (blocking) to know. */
    static final class Lookahead extends FilterInputStream {
        private static final int UNKNOWN = -2;
        private int next = UNKNOWN;

        Lookahead(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            if (next != UNKNOWN) {
                int b = next;
                next = next < 0 ? next : UNKNOWN;
                return b;
            }
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (next == UNKNOWN) {
                return in.read(b, off, len);
            }
            if (next < 0) {
                return -1;
            }
            b[off] = (byte) next;
            next = UNKNOWN;
            int more = len > 1 ? Math.min(len - 1, in.available()) : 0;
            int n = more > 0 ? in.read(b, off + 1, more) : 0;
            return 1 + Math.max(n, 0);
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = 0;
            while (skipped < n && read() >= 0) {
                skipped++;
            }
            return skipped;
        }

        @Override
        public int available() throws IOException {
            if (next >= 0) {
                return 1 + in.available();
            }
            if (next == -1) {
                return 0;
            }
            int a = in.available();
            if (a > 0) {
                return a;
            }
            next = in.read();
            return next < 0 ? 0 : 1;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /**
     * Compresses into {@code out}; closing the result finishes the stream and closes {@code out}.
     * The output carries no timestamps or host details, so the same input gives the same bytes.
     */
    public static OutputStream compress(Compression compression, OutputStream out) throws IOException {
        return switch (compression) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, 64 * 1024) {
                {
                    def.setLevel(Deflater.DEFAULT_COMPRESSION);
                }
            };
            case ZSTD -> new ZstdOutputStreamNoFinalizer(out, 3);
        };
    }
}
