package dev.ocikit.junit.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks on files that hold across the threads of this JVM and across JVMs: a JVM may
 * hold only one lock on a file, so the threads of one JVM first queue on a lock of their own.
 * Used so that of two tests (or two JVMs) needing the same image, or the same reused container,
 * one makes it and the other waits and then finds it.
 */
public final class FileLocks {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private FileLocks() {}

    /** Work done while the lock is held. */
    @FunctionalInterface
    public interface Locked<T> {
        T run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code action} holding the lock on {@code lockFile} (created if missing, with its
     * directory), waiting for other threads and processes that hold it.
     */
    public static <T> T withLock(Path lockFile, Locked<T> action) throws IOException, InterruptedException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock local = LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
        local.lockInterruptibly();
        try {
            Files.createDirectories(key.getParent());
            try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock held = channel.lock()) {
                return action.run();
            }
        } finally {
            local.unlock();
        }
    }
}
