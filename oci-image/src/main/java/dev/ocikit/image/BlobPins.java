package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.OciException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps blobs that an unfinished write needs out of garbage collection, across threads and JVMs.
 *
 * <p>A writer (an image destination) owns one pin file {@code pins/<uuid>.pin} in the layout,
 * holds an exclusive file lock on it while it lives, and appends each digest it stores or reuses
 * before the blob can be collected (under the blob store's shared lock). Garbage collection,
 * holding the exclusive lock, treats the digests of every locked pin file as live and deletes
 * pin files nobody holds (their writer died).
 *
 * <p>POSIX record locks belong to the process and are dropped when it closes any descriptor of
 * the file; so this JVM never opens its own pin files a second time: its live pins are
 * registered in {@link #LOCAL} and read from memory.
 */
final class BlobPins {
    private static final Logger LOG = LoggerFactory.getLogger(BlobPins.class);
    static final String DIR = "pins";
    private static final String SUFFIX = ".pin";
    private static final ConcurrentHashMap<Path, Pin> LOCAL = new ConcurrentHashMap<>();

    private BlobPins() {}

    /** A new pin in the layout at {@code root} (a real path). The caller closes it. */
    static Pin open(Path root) throws IOException {
        Path dir = root.resolve(DIR);
        Files.createDirectories(dir);
        for (int attempt = 0; attempt < 8; attempt++) {
            Path file = dir.resolve(UUID.randomUUID() + SUFFIX);
            Pin pin = new Pin(file);
            // Registered before the file exists, so that a collection in this JVM never opens it.
            LOCAL.put(file, pin);
            if (pin.acquire()) {
                return pin;
            }
            LOCAL.remove(file);
        }
        throw new IOException("could not create a pin file in " + dir);
    }

    /**
     * The digests every live writer has pinned. Deletes the pin files of writers that are gone.
     * Call with the blob store's exclusive lock held.
     */
    static Set<Digest> live(Path root) throws IOException {
        Set<Digest> out = new HashSet<>();
        Path dir = root.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                Pin local = LOCAL.get(file);
                if (local != null) {
                    out.addAll(local.digests());
                    continue;
                }
                readForeign(file, out);
            }
        }
        return out;
    }

    private static void readForeign(Path file, Set<Digest> out) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held in this JVM by a pin still being registered: live, and empty
            }
            if (lock == null) {
                out.addAll(parse(ch));
                return;
            }
            try {
                Files.deleteIfExists(file);
                LOG.debug("removed the pin file {} of a writer that is gone", file);
            } finally {
                lock.release();
            }
        } catch (NoSuchFileException e) {
            // its writer finished meanwhile
        }
    }

    private static Set<Digest> parse(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > 64L * 1024 * 1024) {
            throw new IOException("pin file of " + size + " bytes: not written by ocikit");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && ch.read(buffer, buffer.position()) > 0) {
            // read the whole file
        }
        Set<Digest> out = new HashSet<>();
        for (String line : new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).split("\n")) {
            try {
                out.add(Digest.parse(line));
            } catch (OciException e) {
                // a line still being written: its writer pins it before using the blob
            }
        }
        return out;
    }

    /** One writer's pins. Thread-safe. */
    static final class Pin implements Closeable {
        private final Path file;
        private final Set<Digest> digests = new LinkedHashSet<>();
        private FileChannel channel;
        private FileLock lock;
        private boolean closed;

        private Pin(Path file) {
            this.file = file;
        }

        private boolean acquire() throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            // A collector that found the new file unlocked may have deleted it before we locked it.
            if (lock != null && Files.exists(file)) {
                return true;
            }
            channel.close();
            return false;
        }

        /** Pins a digest; from here on, collection keeps the blob. */
        synchronized void add(Digest digest) throws IOException {
            if (closed) {
                throw new IllegalStateException("pin closed");
            }
            if (digests.add(digest)) {
                ByteBuffer line = ByteBuffer.wrap((digest + "\n").getBytes(StandardCharsets.US_ASCII));
                while (line.hasRemaining()) {
                    channel.write(line);
                }
            }
        }

        synchronized Set<Digest> digests() {
            return Set.copyOf(digests);
        }

        /** Unpins everything: deletes the file while still holding its lock, then lets go. */
        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Files.deleteIfExists(file);
            } finally {
                LOCAL.remove(file);
                try {
                    lock.release();
                } finally {
                    channel.close();
                }
            }
        }
    }
}
