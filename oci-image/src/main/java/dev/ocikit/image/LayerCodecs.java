package dev.ocikit.image;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
            case GZIP -> new GZIPInputStream(in, 64 * 1024);
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
