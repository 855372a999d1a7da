package dev.ocikit.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Waits for the exit code of a container supervised by another process: that process renames
 * the {@code exit} file into the container's directory when it reaps the container, so a
 * directory watch (inotify) wakes us exactly then.
 */
final class ExitWatch {
    private ExitWatch() {}

    static OptionalInt await(ContainerDirectory dir, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchService watch = dir.dir().getFileSystem().newWatchService()) {
            dir.dir().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (true) {
                OptionalInt code = dir.exitCode(); // checked after registering, so no rename is missed
                if (code.isPresent()) {
                    return code;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return OptionalInt.empty();
                }
                WatchKey key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key == null) {
                    return dir.exitCode();
                }
                key.pollEvents();
                if (!key.reset()) {
                    return dir.exitCode(); // the directory went away: removed meanwhile
                }
            }
        } catch (NoSuchFileException | ClosedWatchServiceException e) {
            return OptionalInt.empty();
        }
    }
}
