package dev.ocikit.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a directory's {@code lock} file, for threads of this JVM and for other
 * processes alike (a file lock alone is per process; a {@link ReentrantLock} alone is per JVM).
 * The kernel drops the file lock of a process that dies, so a killed JVM never leaves it held.
 */
final class DirectoryLock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(ReentrantLock local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits for the lock of {@code dir}. */
    static DirectoryLock acquire(Path dir) throws IOException {
        ReentrantLock local = LOCAL.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
        local.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new DirectoryLock(local, channel, channel.lock());
        } catch (IOException | RuntimeException | Error e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    /** The lock of {@code dir} if no one holds it now; empty otherwise. */
    static Optional<DirectoryLock> tryAcquire(Path dir) throws IOException {
        ReentrantLock local = LOCAL.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
        if (!local.tryLock()) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                local.unlock();
                return Optional.empty();
            }
            return Optional.of(new DirectoryLock(local, channel, lock));
        } catch (OverlappingFileLockException e) {
            channel.close();
            local.unlock();
            return Optional.empty();
        } catch (IOException | RuntimeException | Error e) {
            if (channel != null) {
                channel.close();
            }
            local.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            local.unlock();
        }
    }
}
