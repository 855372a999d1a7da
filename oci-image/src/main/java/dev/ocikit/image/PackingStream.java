package dev.ocikit.image;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A layer blob produced on demand: each read packs just enough of the content (one header, or
 * one chunk of a file) through the compressor to have bytes to return. Pulling instead of pushing
 * lets a consumer that wants an input stream, such as {@link BlobStore#put(InputStream)}, store
 * the blob in the same pass that packs it, with no temporary file in between. The tree is walked
 * and small files are read ahead by a {@link PackLookahead}, so that disk waits overlap with
 * compression. The DiffID is hashed on the way into the compressor.
 *
 * <p>Memory: the lookahead's bounded entries and small files, one chunk of a large file, the
 * compressor's blocks in flight, and what the compressor emitted but was not read yet. Not
 * thread-safe. Closing before the end stops the packing.
 */
final class PackingStream extends InputStream {
    private static final int CHUNK = 128 * 1024;
    /**
     * zlib's level 4 rather than its default 6: on a Debian root file system it deflates in 60% of
     * the CPU time for a blob 1.8% larger (still smaller than umoci's pgzip output), and deflate is
     * nearly all of a gzip pack's CPU time.
     */
    static final int DEFAULT_GZIP_LEVEL = 4;

    private final PackLookahead ahead;
    private final ByteSink sink;
    private final OutputStream compressor;
    private final MessageDigest tarHash = DigestAlgorithm.SHA256.newMessageDigest();
    private final Optional<MessageDigest> blobHash;
    private final byte[] chunk = new byte[CHUNK];
    private long tarSize;
    private long blobSize;
    private PackEntry current;
    private FileChannel content;
    private long remaining;
    private boolean finished;
    private boolean closed;
    private Digest diffId;

    private PackingStream(PackLookahead ahead, ByteSink sink, OutputStream compressor, boolean hashBlob) {
        this.ahead = ahead;
        this.sink = sink;
        this.compressor = compressor;
        this.blobHash = hashBlob ? Optional.of(DigestAlgorithm.SHA256.newMessageDigest()) : Optional.empty();
    }

    /**
     * Starts packing {@code layer} as {@code options} say.
     *
     * @param hashBlob whether to hash the blob as it is read (not needed when the reader hashes)
     */
    static PackingStream open(LayerContent layer, PackOptions options, boolean hashBlob) throws IOException {
        TreeWalk walk = layer.walk(new PackContext(options));
        ByteSink sink = new ByteSink();
        OutputStream compressor = switch (options.compression()) {
            case NONE -> sink;
            case GZIP -> new ParallelGzipOutputStream(sink, options.level() == -1 ? DEFAULT_GZIP_LEVEL : options.level(),
                    options.gzipBlockSize(),
                    options.parallelism(), options.executor().orElseGet(ParallelGzipOutputStream::sharedPool));
            case ZSTD -> {
                ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(sink,
                        options.level() == -1 ? 3 : options.level());
                // zstd writes the same bytes for any number of workers from one up, so the
                // parallelism never changes the blob.
                z.setWorkers(options.parallelism());
                yield z;
            }
        };
        return new PackingStream(PackLookahead.start(walk), sink, compressor, hashBlob);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
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
        while (sink.available() == 0 && !finished) {
            step();
        }
        if (sink.available() == 0) {
            return -1;
        }
        int n = sink.read(b, off, len);
        blobHash.ifPresent(h -> h.update(b, off, n));
        blobSize += n;
        return n;
    }

    /** Packs one more piece: a chunk of the current file, the next header, or the archive's end. */
    private void step() throws IOException {
        if (content != null) {
            copyChunk();
            return;
        }
        PackLookahead.Item next = ahead.next();
        if (next == PackLookahead.Item.END) {
            tar(TarHeaders.trailer(), TarHeaders.BLOCK * 2);
            compressor.close(); // finishes the compressed stream into the sink
            diffId = Digest.of(DigestAlgorithm.SHA256, tarHash.digest());
            finished = true;
            return;
        }
        PackEntry e = next.entry();
        tar(next.headers(), next.headers().length);
        Optional<byte[]> small = next.awaitContent();
        if (small.isPresent()) {
            byte[] data = small.get();
            tar(data, data.length);
            int pad = TarHeaders.padding(data.length);
            Arrays.fill(chunk, 0, pad, (byte) 0);
            tar(chunk, pad);
            ahead.done(next);
        } else if (e.size() > 0) {
            current = e;
            remaining = e.size();
            content = FileChannel.open(e.content().orElseThrow(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private void copyChunk() throws IOException {
        int want = (int) Math.min(chunk.length, remaining);
        ByteBuffer buf = ByteBuffer.wrap(chunk, 0, want);
        while (buf.hasRemaining()) {
            if (content.read(buf) < 0) {
                throw changed("shrank");
            }
        }
        tar(chunk, want);
        remaining -= want;
        if (remaining == 0) {
            // A file that grew would make the entry's content disagree with its header's size.
            if (content.read(ByteBuffer.allocate(1)) > 0) {
                throw changed("grew");
            }
            content.close();
            content = null;
            int pad = TarHeaders.padding(current.size());
            Arrays.fill(chunk, 0, pad, (byte) 0);
            tar(chunk, pad);
            current = null;
        }
    }

    private LayerPackException changed(String how) {
        return changed(current, how);
    }

    static LayerPackException changed(PackEntry e, String how) {
        return new LayerPackException("'" + e.name() + "' (" + e.content().orElseThrow() + ") " + how
                + " while it was being packed (its size was " + e.size() + " bytes); pack a tree nothing writes"
                + " to, such as a stopped container's");
    }

    private void tar(byte[] b, int n) throws IOException {
        tarHash.update(b, 0, n);
        tarSize += n;
        compressor.write(b, 0, n);
    }

    /** The lookahead feeding this stream, for tests. */
    PackLookahead lookahead() {
        return ahead;
    }

    /** The DiffID, once the stream has been read to its end. */
    Digest diffId() {
        if (diffId == null) {
            throw new IllegalStateException("the layer has not been read to its end");
        }
        return diffId;
    }

    /** The uncompressed tar's length, once the stream has been read to its end. */
    long tarSize() {
        return tarSize;
    }

    /** Blob bytes read so far. */
    long blobSize() {
        return blobSize;
    }

    /** The blob's digest, when hashing was asked for and the stream has been read to its end. */
    Digest blobDigest() {
        if (diffId == null || sink.available() > 0 || blobHash.isEmpty()) {
            throw new IllegalStateException("the blob was not hashed to its end");
        }
        return Digest.of(DigestAlgorithm.SHA256, blobHash.get().digest());
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        ahead.close();
        try {
            if (content != null) {
                content.close();
            }
        } finally {
            if (!finished) {
                if (compressor instanceof ParallelGzipOutputStream gz) {
                    gz.abort();
                } else if (compressor != sink) {
                    compressor.close();
                }
            }
        }
    }
}
