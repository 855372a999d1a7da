package dev.ocikit.spec;

import dev.ocikit.spec.internal.Streams;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * An input stream that hashes what passes through it, and optionally verifies it.
 *
 * <p>In verifying mode ({@link #verifying}) the stream refuses to deliver more bytes than the
 * declared size, and at end of stream throws {@link DigestMismatchException} if the size or the
 * digest is wrong, so a consumer that reads to the end has either verified content or an
 * exception, never silently wrong bytes. Not thread-safe. Closing it closes the wrapped stream.
 */
public final class DigestingInputStream extends FilterInputStream {
    private final MessageDigest hasher;
    private final DigestAlgorithm algorithm;
    private final Digest expected;
    private final long expectedSize;
    private long count;
    private Digest result;
    private DigestMismatchException failure;

    /** Hashes with {@code algorithm}; never verifies. */
    public DigestingInputStream(InputStream in, DigestAlgorithm algorithm) {
        this(in, algorithm, null, -1);
    }

    private DigestingInputStream(InputStream in, DigestAlgorithm algorithm, Digest expected, long expectedSize) {
        super(Objects.requireNonNull(in, "in"));
        this.algorithm = algorithm;
        this.hasher = algorithm.newMessageDigest();
        this.expected = expected;
        this.expectedSize = expectedSize;
    }

    /**
     * A stream that checks, as it is read, that the content has {@code expectedSize} bytes (when
     * not negative) and hashes to {@code expected}.
     */
    public static DigestingInputStream verifying(InputStream in, Digest expected, long expectedSize) {
        Objects.requireNonNull(expected, "expected");
        if (in instanceof DigestingInputStream d && d.verifies(expected, expectedSize)) {
            // Already checked by this very stream: hashing every byte a second time would prove nothing more.
            return d;
        }
        return new DigestingInputStream(in, expected.algorithm(), expected, expectedSize);
    }

    /**
     * Whether this stream will check, from its first byte, exactly what a new
     * {@code verifying(…, expected, expectedSize)} would: the same digest, and the same size (or a
     * size when none is asked for). Only an unread stream qualifies, since the check covers every
     * byte from the start.
     */
    public boolean verifies(Digest expected, long expectedSize) {
        return this.expected != null && this.expected.equals(expected) && count == 0 && result == null && failure == null
                && (expectedSize < 0 || this.expectedSize == expectedSize);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure; // a failed check stays failed; never a clean end of stream after it
        }
        if (result != null) {
            return -1;
        }
        int n = super.read(b, off, len);
        if (n < 0) {
            finish();
            return -1;
        }
        hasher.update(b, off, n);
        count += n;
        if (expectedSize >= 0 && count > expectedSize) {
            failure = new DigestMismatchException("content of " + expected + " is longer than its declared size of "
                    + expectedSize + " bytes", expected, null);
            throw failure;
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

    @Override
    public synchronized void mark(int readlimit) {
        // unsupported: rewinding would hash bytes twice
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported while hashing");
    }

    private void finish() {
        result = Digest.of(algorithm, hasher.digest());
        if (expected == null) {
            return;
        }
        if (expectedSize >= 0 && count != expectedSize) {
            failure = new DigestMismatchException("content of " + expected + " ended after " + count
                    + " bytes, but its declared size is " + expectedSize, expected, result);
            throw failure;
        }
        if (!expected.equals(result)) {
            failure = new DigestMismatchException(expected, result);
            throw failure;
        }
    }

    /** Number of bytes read so far. */
    public long count() {
        return count;
    }

    /**
     * The digest of everything read; available once the stream reached its end.
     *
     * @throws IllegalStateException if the end has not been reached yet
     */
    public Digest digest() {
        if (result == null) {
            throw new IllegalStateException("digest is known only after the stream has been read to its end");
        }
        return result;
    }
}
