package dev.ocikit.runtime.invoker;

import com.sun.jna.LastErrorException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the JVM a child subreaper and reports the exit status of container processes.
 *
 * <p>{@code runc create} exits once the container's init is set up; the init is then orphaned.
 * With {@code prctl(PR_SET_CHILD_SUBREAPER)} the kernel re-parents it to this JVM instead of to
 * pid 1, so the JVM can {@code waitpid} for it and learn its exit status. Call {@link #install()}
 * before {@code create} (a process orphaned earlier went to another reaper).
 *
 * <p><b>Only the pids asked for are reaped.</b> The JDK's own process reaper owns the children
 * {@link ProcessBuilder} starts and waits for each by pid; this class never calls
 * {@code waitpid(-1)}, which would steal their statuses. The flip side: any other orphan that
 * reaches the JVM (e.g. a detached {@code exec}'s process nobody asks {@link #exitOf} about) stays
 * a zombie until the JVM exits.
 *
 * <p>Thread-safe; process-wide state.
 */
public final class ChildReaper {
    private static final Logger LOG = LoggerFactory.getLogger(ChildReaper.class);
    private static final Map<Long, CompletableFuture<Integer>> WAITING = new ConcurrentHashMap<>();
    private static volatile boolean installed;

    private ChildReaper() {}

    /**
     * Marks this JVM as a child subreaper; idempotent. Orphaned descendants are re-parented to the
     * JVM from now on.
     *
     * @throws ChildReaperException if the kernel refuses (Linux before 3.4)
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Sys.require();
        try {
            Sys.prctl(Sys.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        } catch (LastErrorException e) {
            throw new ChildReaperException(0, e.getErrorCode(),
                    "prctl(PR_SET_CHILD_SUBREAPER) failed with errno " + e.getErrorCode()
                            + "; the kernel must be Linux 3.4 or later");
        }
        installed = true;
        LOG.debug("the JVM is now a child subreaper");
    }

    /** Whether the JVM is a child subreaper (asks the kernel, so it also sees one set by other code). */
    public static boolean isInstalled() {
        if (installed) {
            return true;
        }
        Sys.require();
        try (com.sun.jna.Memory m = new com.sun.jna.Memory(4)) {
            m.setInt(0, 0);
            Sys.prctl(Sys.PR_GET_CHILD_SUBREAPER, com.sun.jna.Pointer.nativeValue(m), 0, 0, 0);
            return m.getInt(0) != 0;
        }
    }

    /**
     * The exit of {@code pid}, a child of this JVM (directly, or re-parented to it): completes with
     * the exit code, or 128 + the signal that killed it. A daemon thread blocks in {@code waitpid}
     * for it. Asking twice for a pid still waited for returns the same future.
     *
     * <p>Completes exceptionally with {@link ChildReaperException} if {@code pid} is not our child
     * (ECHILD): started by another process, orphaned before {@link #install()}, or already reaped.
     */
    public static CompletableFuture<Integer> exitOf(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a process id: " + pid);
        }
        Sys.require();
        CompletableFuture<Integer> created = new CompletableFuture<>();
        CompletableFuture<Integer> existing = WAITING.putIfAbsent(pid, created);
        if (existing != null) {
            return existing;
        }
        Thread t = new Thread(() -> reap(pid, created), "ocikit-reaper-" + pid);
        t.setDaemon(true);
        t.start();
        return created;
    }

    private static void reap(long pid, CompletableFuture<Integer> result) {
        int[] status = new int[1];
        try {
            while (true) {
                try {
                    Sys.waitpid((int) pid, status, 0);
                    break;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Sys.EINTR) {
                        continue;
                    }
                    throw e;
                }
            }
        } catch (LastErrorException e) {
            WAITING.remove(pid, result);
            String why = e.getErrorCode() == Sys.ECHILD
                    ? "process " + pid + " is not a child of this JVM (ECHILD): it was not started from here, was"
                            + " orphaned before ChildReaper.install(), or was already reaped"
                    : "waitpid(" + pid + ") failed with errno " + e.getErrorCode();
            result.completeExceptionally(new ChildReaperException(pid, e.getErrorCode(), why));
            return;
        }
        // Removed before completing, so that a caller reacting to the completion may ask afresh.
        WAITING.remove(pid, result);
        int code = Sys.exitCode(status[0]);
        LOG.debug("process {} exited with {}", pid, code);
        result.complete(code);
    }
}
