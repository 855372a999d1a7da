package dev.ocikit.image.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temporary file or directory that says, to other processes, whether its writer still lives:
 * the writer holds a lock on it (a file) or on a lock file beside it (a directory, which must stay
 * empty for what is written into it) until {@link #close()}. What a killed writer left is then
 * recognised by {@link #sweep} as no one's, and deleted, instead of piling up.
 *
 * <p>POSIX locks belong to the process and go when it closes any descriptor of the file, so this
 * JVM never opens its own live temporaries' files a second time: it keeps them in a set. Not
 * thread-safe; {@link #sweep} is.
 */
public final class OwnedTemp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedTemp.class);
    private static final String OWNER = ".owner";
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private OwnedTemp(Path path, Path lockFile, FileChannel channel, FileLock lock) {
        this.path = path;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** A new empty file {@code parent/<prefix><random><suffix>}, open for writing through {@link #channel()}. */
    public static OwnedTemp file(Path parent, String prefix, String suffix) throws IOException {
        for (int attempt = 0; attempt < 8; attempt++) {
            Path file = parent.resolve(prefix + UUID.randomUUID() + suffix);
            LIVE.add(file);
            FileChannel ch = null;
            try {
                ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
                FileLock lock = ch.lock();
                // Between creating and locking it, another process's sweep may have taken it for a leftover.
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    return new OwnedTemp(file, file, ch, lock);
                }
                ch.close();
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    ch.close();
                    Files.deleteIfExists(file);
                }
                LIVE.remove(file);
                throw e;
            }
            LIVE.remove(file);
        }
        throw new IOException("could not make a temporary file in " + parent + ": each was swept away as it was made");
    }

    /** A new empty directory {@code parent/<prefix><random>}, its lock file beside it. */
    public static OwnedTemp directory(Path parent, String prefix) throws IOException {
        Path dir = parent.resolve(prefix + UUID.randomUUID());
        Path lockFile = dir.resolveSibling(dir.getFileName() + OWNER);
        LIVE.add(dir);
        LIVE.add(lockFile);
        FileChannel ch = null;
        try {
            // the lock first: a directory is never without its owner's lock, even while being made
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            FileLock lock = ch.lock();
            if (!Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("the lock file " + lockFile + " was swept away as it was made; try again");
            }
            Files.createDirectory(dir);
            return new OwnedTemp(dir, lockFile, ch, lock);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
                Files.deleteIfExists(lockFile);
            }
            LIVE.remove(dir);
            LIVE.remove(lockFile);
            throw e;
        }
    }

    /** The file or directory. */
    public Path path() {
        return path;
    }

    /** The channel holding the lock; for a file, the one to write it through. */
    public FileChannel channel() {
        return channel;
    }

    /**
     * Deletes what {@link #directory} made in {@code parent} with {@code prefix} and no live
     * writer holds: directories that writers killed midway left, with their lock files. Never
     * throws for what it cannot delete: a sweep is housekeeping.
     */
    public static void sweep(Path parent, String prefix) {
        sweep(parent, prefix, null);
    }

    /** As {@link #sweep(Path, String)}, and files {@link #file} made with {@code prefix} and {@code suffix}. */
    public static void sweep(Path parent, String prefix, String suffix) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, e -> e.getFileName().toString().startsWith(prefix))) {
            entries.forEach(found::add);
        } catch (IOException | RuntimeException e) {
            LOG.debug("sweeping {} for {}* stopped: {}", parent, prefix, e.toString());
            return;
        }
        for (Path entry : found) {
            if (LIVE.contains(entry)) {
                continue;
            }
            try {
                sweepOne(entry, suffix);
            } catch (IOException | RuntimeException e) {
                LOG.debug("leaving {}: {}", entry, e.toString()); // the others are still swept
            }
        }
    }

    private static void sweepOne(Path entry, String suffix) throws IOException {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            Path lockFile = entry.resolveSibling(name + OWNER);
            if (!LIVE.contains(lockFile) && Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS) && unowned(lockFile)) {
                LOG.debug("deleting {}, left by a writer that is gone", entry);
                FileTrees.deleteRecursively(entry);
                Files.deleteIfExists(lockFile);
            }
        } else if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            boolean lockFile = name.endsWith(OWNER);
            boolean ofADirectory = lockFile
                    && Files.isDirectory(entry.resolveSibling(name.substring(0, name.length() - OWNER.length())));
            // a partial file, or the lock file of a directory that is gone (its writer killed as it made or removed it)
            boolean ours = (lockFile && !ofADirectory) || (!lockFile && suffix != null && name.endsWith(suffix));
            if (ours && unowned(entry)) {
                LOG.debug("deleting {}, left by a writer that is gone", entry);
                Files.deleteIfExists(entry);
            }
        }
    }

    /** Whether no process holds a lock on {@code file}: the lock is taken and let go at once. */
    private static boolean unowned(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (OverlappingFileLockException | IOException e) {
            return false; // held in this JVM by a way the live set does not know, gone, or unreadable: not ours to delete
        }
    }

    /** Lets go of the lock and deletes what is still there (a published file was renamed away). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                FileTrees.deleteRecursively(path);
            } else {
                Files.deleteIfExists(path);
            }
        } finally {
            try {
                if (channel.isOpen()) {
                    lock.release();
                }
            } finally {
                channel.close();
                if (!lockFile.equals(path)) {
                    Files.deleteIfExists(lockFile);
                }
                LIVE.remove(path);
                LIVE.remove(lockFile);
            }
        }
    }
}
