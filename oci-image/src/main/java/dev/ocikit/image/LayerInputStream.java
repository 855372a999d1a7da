package dev.ocikit.image;

import dev.ocikit.spec.internal.Streams;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Compression;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A layer's uncompressed tar stream, decompressed on the fly from its blob, with its DiffID
 * (the SHA-256 of the uncompressed tar) computed as it is read.
 *
 * <p>The compression is detected from the first bytes; when that contradicts the media type, the
 * bytes win (registries and old tools mislabel layers) and a warning is logged. Reading beyond
 * {@link LayerLimits#maxUncompressedSize()} throws {@link LayerTooLargeException}. Not
 * thread-safe. Closing it closes the blob stream.
 */
public final class LayerInputStream extends FilterInputStream {
    private static final Logger LOG = LoggerFactory.getLogger(LayerInputStream.class);

    private final Compression compression;
    private final DigestingInputStream digesting;
    private final long limit;

    private LayerInputStream(DigestingInputStream digesting, Compression compression, long limit) {
        super(digesting);
        this.digesting = digesting;
        this.compression = compression;
        this.limit = limit;
    }

    /**
     * Opens the uncompressed stream of a layer blob.
     *
     * @param compressed the blob's bytes, positioned at its start; closed with the result
     * @param declared what the media type says
     */
    public static LayerInputStream open(InputStream compressed, Compression declared, LayerLimits limits)
            throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(compressed, 64 * 1024);
        buffered.mark(8);
        byte[] head = buffered.readNBytes(6);
        buffered.reset();
        Compression actual = LayerCodecs.detect(head, head.length);
        if (actual != declared) {
            LOG.warn("layer declared as {} is actually {}; decompressing it as {}", name(declared), name(actual), name(actual));
        }
        InputStream decompressed = LayerCodecs.decompress(actual, buffered, limits);
        return new LayerInputStream(new DigestingInputStream(decompressed, DigestAlgorithm.SHA256), actual,
                limits.maxUncompressedSize());
    }

    private static String name(Compression c) {
        return c == Compression.NONE ? "uncompressed" : c.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The compression the stream really had. */
    public Compression compression() {
        return compression;
    }

    /** Uncompressed bytes read so far. */
    public long uncompressedSize() {
        return digesting.count();
    }

    /** The DiffID; known once the stream has been read to its end. */
    public Digest diffId() {
        return digesting.digest();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = digesting.read(b, off, len);
        } catch (ZipException e) {
            throw new CorruptLayerException("layer is not valid " + name(compression) + " data: " + e.getMessage(), e);
        } catch (EOFException e) {
            // Java's gzip reader says only EOFException, without a word, when the stream stops inside a member
            throw new CorruptLayerException("layer is not valid " + name(compression) + " data: it is cut short, ending"
                    + " inside compressed data" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        } catch (IOException e) {
            if (compression == Compression.ZSTD && e.getClass().getName().startsWith("com.github.luben")) {
                throw new CorruptLayerException("layer is not valid zstd data, or needs a larger window than allowed: "
                        + e.getMessage(), e);
            }
            throw e;
        }
        if (n > 0 && digesting.count() > limit) {
            throw new LayerTooLargeException("layer expands to more than " + limit
                    + " bytes uncompressed; refusing it as a likely decompression bomb"
                    + " (raise LayerLimits.maxUncompressedSize if the layer is genuine)");
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return Streams.skipByReading(this, n);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Compressed bytes that cannot be decoded. */
    public static final class CorruptLayerException extends OciException {
        private static final long serialVersionUID = 1L;

        CorruptLayerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
