package dev.ocikit.image;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** How a layer's tar stream is compressed. */
public enum Compression {
    NONE,
    GZIP,
    ZSTD;

    /**
     * The compression a layer media type declares: {@code +gzip}/{@code .gzip}/Docker's
     * {@code .tar.gzip} are gzip, {@code +zstd} is zstd, anything else is uncompressed.
     */
    public static Compression fromMediaType(String mediaType) {
        if (mediaType.endsWith("+gzip") || mediaType.endsWith(".gzip") || mediaType.endsWith(".gz")) {
            return GZIP;
        }
        if (mediaType.endsWith("+zstd") || mediaType.endsWith(".zstd")) {
            return ZSTD;
        }
        return NONE;
    }

    /**
     * The compression the first bytes of a stream show, whatever it was declared as. A tar
     * stream starts with a file name, never with these magic numbers.
     *
     * @throws UnsupportedCompressionException for bzip2 and xz, which no OCI media type allows
     */
    public static Compression detect(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        if (length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            throw new UnsupportedCompressionException("bzip2");
        }
        if (length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0) {
            throw new UnsupportedCompressionException("xz");
        }
        return NONE;
    }

    /** Decompresses {@code in}; closing the result closes {@code in}. */
    InputStream decompress(InputStream in, LayerLimits limits) throws IOException {
        return switch (this) {
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
    public OutputStream compress(OutputStream out) throws IOException {
        return switch (this) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, 64 * 1024) {
                {
                    def.setLevel(Deflater.DEFAULT_COMPRESSION);
                }
            };
            case ZSTD -> new ZstdOutputStreamNoFinalizer(out, 3);
        };
    }

    /** Bzip2, xz or another format a layer may not use. */
    public static final class UnsupportedCompressionException extends OciException {
        private static final long serialVersionUID = 1L;

        UnsupportedCompressionException(String format) {
            super("layer is " + format + "-compressed, which no OCI or Docker layer media type allows;"
                    + " only uncompressed tar, gzip and zstd are supported");
        }
    }
}
