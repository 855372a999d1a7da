package dev.ocikit.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A reader/writer lock on a store directory that holds across threads and across JVMs.
 *
 * <p>Adding content takes it shared (any number of writers may add blobs at once, since each
 * publishes with an atomic rename); deleting content (garbage collection) takes it exclusive,
 * so no blob can vanish between a writer's "already present" check and its use. A JVM may hold
 * only one lock on a file, so shared holders in one JVM share one shared file lock; that is why
 * there is one instance per directory per JVM.
 */
final class StoreLock {
    private static final ConcurrentHashMap<Path, StoreLock> LOCKS = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final ReentrantReadWriteLock local = new ReentrantReadWriteLock();
    private FileChannel channel;
    private FileLock sharedFileLock;
    private int sharedHolders;

    private StoreLock(Path lockFile) {
        this.lockFile = lockFile;
    }

    /** The lock for {@code lockFile}, which must be an absolute, real path. */
    static StoreLock of(Path lockFile) {
        return LOCKS.computeIfAbsent(lockFile, StoreLock::new);
    }

    /** Closing the returned handle releases the lock; it must be closed by the acquiring thread. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    Held shared() throws IOException {
        local.readLock().lock();
        try {
            synchronized (this) {
                if (sharedHolders == 0) {
                    sharedFileLock = channel().lock(0, Long.MAX_VALUE, true);
                }
                sharedHolders++;
            }
        } catch (IOException | RuntimeException e) {
            local.readLock().unlock();
            throw e;
        }
        return () -> {
            try {
                synchronized (this) {
                    if (--sharedHolders == 0) {
                        FileLock l = sharedFileLock;
                        sharedFileLock = null;
                        l.release();
                    }
                }
            } finally {
                local.readLock().unlock();
            }
        };
    }

    Held exclusive() throws IOException {
        local.writeLock().lock();
        FileLock fileLock;
        try {
            synchronized (this) {
                fileLock = channel().lock(0, Long.MAX_VALUE, false);
            }
        } catch (IOException | RuntimeException e) {
            local.writeLock().unlock();
            throw e;
        }
        return () -> {
            try {
                fileLock.release();
            } finally {
                local.writeLock().unlock();
            }
        };
    }

    /** The exclusive lock if nobody, in this JVM or another, holds the lock now; empty otherwise. */
    java.util.Optional<Held> tryExclusive() throws IOException {
        if (!local.writeLock().tryLock()) {
            return java.util.Optional.empty();
        }
        FileLock fileLock;
        try {
            synchronized (this) {
                fileLock = channel().tryLock(0, Long.MAX_VALUE, false);
            }
        } catch (IOException | RuntimeException e) {
            local.writeLock().unlock();
            throw e;
        }
        if (fileLock == null) {
            local.writeLock().unlock();
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(() -> {
            try {
                fileLock.release();
            } finally {
                local.writeLock().unlock();
            }
        });
    }

    private synchronized FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }
}
