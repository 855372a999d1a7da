package dev.ocikit.runtime.invoker;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A foreground {@code exec} started by {@link RuntimeCli#startExec}: its stdio are pipes to the
 * process in the container. Read stdout and stderr concurrently (or one of them from another
 * thread) before {@link #waitFor()}, or a full pipe stalls the process. Thread-safe as
 * {@link java.lang.Process} is.
 */
public final class StartedExec implements AutoCloseable {
    private final RuntimeCli cli;
    private final String id;
    private final java.lang.Process process;
    private final Path logFile;
    private final Path processFile;

    StartedExec(RuntimeCli cli, String id, java.lang.Process process, Path logFile, Path processFile) {
        this.cli = cli;
        this.id = id;
        this.process = process;
        this.logFile = logFile;
        this.processFile = processFile;
    }

    /** The runtime process ({@code runc exec}); its pid is not the container process's. */
    public java.lang.Process process() {
        return process;
    }

    /** Writes to the container process's stdin; close it to send EOF. */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** The container process's stdout. */
    public InputStream stdout() {
        return process.getInputStream();
    }

    /** The container process's stderr (and the runtime's own stderr text). */
    public InputStream stderr() {
        return process.getErrorStream();
    }

    /**
     * Waits for the process and returns its exit code.
     *
     * @throws RuntimeCommandException if the runtime failed rather than the process exiting
     */
    public int waitFor() {
        int code = cli.waitFor(process, "exec");
        byte[] log = cli.readAndForward(logFile);
        cleanup();
        List<String> errors = RuntimeLog.errors(log);
        if (!errors.isEmpty()) {
            throw cli.failure("exec", id, code, String.join("; ", errors));
        }
        return code;
    }

    /**
     * If the runtime still runs, sends it SIGTERM, which runc and crun forward to the container
     * process; then cleans up. A process that ignores SIGTERM keeps running: kill it by its pid.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            process.onExit().thenRun(this::cleanup);
        } else {
            cleanup();
        }
    }

    private void cleanup() {
        RuntimeCli.deleteQuietly(logFile);
        RuntimeCli.deleteQuietly(processFile);
    }
}
