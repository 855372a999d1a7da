package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content-addressed blob store on the local file system, laid out as the {@code blobs/}
 * directory of an OCI image layout ({@code blobs/<algorithm>/<encoded>}).
 *
 * <p>Every write is verified while it streams: content is written to a private temporary file in
 * {@code ingest/}, hashed and counted on the way, flushed to disk, and only then renamed into
 * place, so a blob under its digest's name always has that digest, and a crash leaves at most a
 * temporary file that {@link #collectGarbage} removes. Published blobs are made read-only.
 *
 * <p>Thread-safe, and safe for several JVMs sharing one directory: writers take a shared lock
 * on {@code <root>/lock}, garbage collection an exclusive one.
 */
public final class BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(BlobStore.class);
    private static final int BUFFER = 128 * 1024;

    private final Path root;
    private final Path blobs;
    private final Path ingest;
    private final StoreLock lock;

    private BlobStore(Path root) throws IOException {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.ingest = root.resolve("ingest");
        Files.createDirectories(blobs);
        Files.createDirectories(ingest);
        this.lock = StoreLock.of(root.resolve("lock"));
    }

    /** Opens (creating if needed) the store at {@code root}. */
    public static BlobStore open(Path root) throws IOException {
        Objects.requireNonNull(root, "root");
        Files.createDirectories(root);
        return new BlobStore(root.toRealPath());
    }

    /** The store's directory. */
    public Path root() {
        return root;
    }

    /** Whether the store has the blob. */
    public boolean contains(Digest digest) {
        return Files.isRegularFile(pathOf(digest));
    }

    /** The blob's size, if the store has it. */
    public Optional<Long> size(Digest digest) throws IOException {
        try {
            return Optional.of(Files.size(pathOf(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Opens the blob for reading. The caller closes the stream. Content was verified when it was
     * written; {@link #verify} re-checks the whole store.
     *
     * @throws BlobUnknownException if the store does not have it
     */
    public InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(pathOf(digest));
        } catch (NoSuchFileException e) {
            throw new BlobUnknownException(digest, "the blob store at " + root);
        }
    }

    /**
     * Reads a small blob (a manifest or config) whole, re-verifying its digest, refusing one
     * larger than {@code maxSize} bytes so that a corrupt store cannot exhaust memory.
     */
    public byte[] readAllBytes(Digest digest, long maxSize) throws IOException {
        long size = size(digest).orElseThrow(() -> new BlobUnknownException(digest, "the blob store at " + root));
        if (size > maxSize) {
            throw new OciException("blob " + digest + " is " + size + " bytes, more than the " + maxSize
                    + " allowed for this kind of content");
        }
        byte[] bytes = Files.readAllBytes(pathOf(digest));
        digest.verify(bytes);
        return bytes;
    }

    /**
     * Stores content that must hash to {@code expected} and, unless {@code expectedSize} is
     * negative, be exactly that long. If the store already has the blob, the stream is not read.
     * The caller closes {@code content}.
     *
     * @throws DigestMismatchException if the content is not what it was declared to be; nothing
     *     is stored then
     */
    public BlobInfo put(InputStream content, Digest expected, long expectedSize) throws IOException {
        Objects.requireNonNull(expected, "expected");
        try (StoreLock.Held held = lock.shared()) {
            Optional<Long> existing = size(expected);
            if (existing.isPresent() && (expectedSize < 0 || existing.get() == expectedSize)) {
                return new BlobInfo(expected, existing.get());
            }
            return write(DigestingInputStream.verifying(content, expected, expectedSize));
        }
    }

    /** Stores content whose digest is not known beforehand, hashing it with SHA-256. */
    public BlobInfo put(InputStream content) throws IOException {
        try (StoreLock.Held held = lock.shared()) {
            return write(new DigestingInputStream(content, DigestAlgorithm.SHA256));
        }
    }

    /** Stores the given bytes under their SHA-256 digest. */
    public BlobInfo put(byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        return put(new java.io.ByteArrayInputStream(content), digest, content.length);
    }

    private static final int COPY_BUFFER_SIZE = 256 << 10;

    private BlobInfo write(DigestingInputStream in) throws IOException {
        Path temp = Files.createTempFile(ingest, "blob-", ".partial");
        boolean published = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE);
                    OutputStream os = Channels.newOutputStream(out)) {
                // Large reads: fewer system calls, and the hash runs over long runs of bytes.
                byte[] buffer = new byte[COPY_BUFFER_SIZE];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    os.write(buffer, 0, n);
                }
                os.flush();
                out.force(true);
            }
            Digest digest = in.digest();
            Path target = pathOf(digest);
            Files.createDirectories(target.getParent());
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--r--r--"));
            AtomicFiles.move(temp, target); // identical content may be replaced: same digest
            published = true;
            AtomicFiles.syncDirectory(target.getParent());
            LOG.debug("stored blob {} ({} bytes)", digest, in.count());
            return new BlobInfo(digest, in.count());
        } finally {
            if (!published) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Removes a blob; returns whether it was there. Takes the exclusive lock. */
    public boolean delete(Digest digest) throws IOException {
        try (StoreLock.Held held = lock.exclusive()) {
            return Files.deleteIfExists(pathOf(digest));
        }
    }

    /** Every blob in the store, sorted. Files that are not named as digests are skipped. */
    public List<Digest> list() throws IOException {
        TreeSet<Digest> out = new TreeSet<>();
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            Path dir = blobs.resolve(algorithm.id());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    parseName(algorithm, p).ifPresent(out::add);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Re-hashes every blob and reports what is wrong: content that does not match its name,
     * files that are not named as digests, and temporary files left by interrupted writes.
     * Changes nothing.
     */
    public VerifyReport verify() throws IOException {
        List<VerifyReport.Problem> problems = new ArrayList<>();
        int checked = 0;
        try (StoreLock.Held held = lock.shared()) {
            for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
                Path dir = blobs.resolve(algorithm.id());
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                    for (Path p : entries) {
                        Optional<Digest> name = parseName(algorithm, p);
                        if (name.isEmpty() || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            problems.add(new VerifyReport.Problem(p, "not a blob: the name is not a " + algorithm.id()
                                    + " digest or the entry is not a regular file"));
                            continue;
                        }
                        checked++;
                        try (InputStream in = Files.newInputStream(p)) {
                            Digest actual = Digest.compute(algorithm, in);
                            if (!actual.equals(name.get())) {
                                problems.add(new VerifyReport.Problem(p, "corrupt: content hashes to " + actual));
                            }
                        } catch (IOException e) {
                            problems.add(new VerifyReport.Problem(p, "unreadable: " + e.getMessage()));
                        }
                    }
                }
            }
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(ingest)) {
                for (Path p : leftovers) {
                    problems.add(new VerifyReport.Problem(p, "temporary file left by an interrupted write"));
                }
            }
        }
        return new VerifyReport(checked, problems);
    }

    /**
     * Deletes every blob not in {@code live}, and every temporary file left by interrupted
     * writes, under the exclusive lock so that no writer is in flight. Returns what was removed.
     */
    public GarbageReport collectGarbage(Set<Digest> live) throws IOException {
        Objects.requireNonNull(live, "live");
        return collectGarbage(() -> live);
    }

    /** Computes what is live, under the exclusive lock, so that it cannot change before the sweep. */
    interface LiveSet {
        Set<Digest> compute() throws IOException;
    }

    /**
     * Like {@link #collectGarbage(Set)}, but asks for the live set once the exclusive lock is held:
     * an image layout reads its index and its writers' pins there, so that nothing can become
     * referenced between the mark and the sweep. If {@code liveSet} throws, nothing is deleted.
     */
    GarbageReport collectGarbage(LiveSet liveSet) throws IOException {
        List<Digest> removed = new ArrayList<>();
        long bytes = 0;
        try (StoreLock.Held held = lock.exclusive()) {
            Set<Digest> live = Objects.requireNonNull(liveSet.compute(), "live");
            for (Digest d : list()) {
                if (!live.contains(d)) {
                    Path p = pathOf(d);
                    long size = Files.size(p);
                    if (Files.deleteIfExists(p)) {
                        removed.add(d);
                        bytes += size;
                    }
                }
            }
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(ingest)) {
                for (Path p : leftovers) {
                    Files.deleteIfExists(p);
                }
            }
        }
        LOG.debug("garbage collection removed {} blobs, {} bytes", removed.size(), bytes);
        return new GarbageReport(removed, bytes);
    }

    /**
     * Deletes what writes killed midway left in {@code ingest/}, if no write runs now (in any
     * JVM): a cheap check, made when a writer opens, so that a killed copy's partial blobs do not
     * wait for a garbage collection nobody runs on an {@code oci:} layout.
     *
     * @return whether the store was free to sweep
     */
    boolean sweepLeftovers() throws IOException {
        Optional<StoreLock.Held> held = lock.tryExclusive();
        if (held.isEmpty()) {
            return false;
        }
        try (StoreLock.Held h = held.get()) {
            BlobPins.live(root); // drops the pin files of writers that are gone
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(ingest)) {
                for (Path p : leftovers) {
                    LOG.debug("deleting {}, left by an interrupted write", p);
                    Files.deleteIfExists(p);
                }
            }
            return true;
        }
    }

    /** Where the blob lives. A {@link Digest} is always a safe file name (validated hex). */
    Path pathOf(Digest digest) {
        return blobs.resolve(digest.algorithm().id()).resolve(digest.encoded());
    }

    static Optional<Digest> parseName(DigestAlgorithm algorithm, Path p) {
        try {
            return Optional.of(new Digest(algorithm, p.getFileName().toString()));
        } catch (OciException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "BlobStore[" + root + "]";
    }
}
