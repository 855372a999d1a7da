package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.OciException;

/**
 * waitpid could not report a process's exit: most often ECHILD, the pid is not a child of this
 * JVM (not started by it, not re-parented to it because {@link ChildReaper#install()} ran too
 * late, or already reaped by someone else).
 */
public class ChildReaperException extends OciException {
    private final long pid;
    private final int errno;

    public ChildReaperException(long pid, int errno, String message) {
        super(message);
        this.pid = pid;
        this.errno = errno;
    }

    /** The pid waited for. */
    public long pid() {
        return pid;
    }

    /** The errno of the failed call (10 is ECHILD), or 0 if none. */
    public int errno() {
        return errno;
    }
}
