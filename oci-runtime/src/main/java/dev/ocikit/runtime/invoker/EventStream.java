package dev.ocikit.runtime.invoker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A running {@code events} command: an iterator of {@link RuntimeEvent}s whose {@link #hasNext()}
 * blocks until the runtime prints the next event, and ends when the container is gone. Closing it
 * stops the runtime process. Meant for one consumer thread; {@link #close()} may come from another.
 */
public final class EventStream implements Iterator<RuntimeEvent>, AutoCloseable {
    private final RuntimeCli cli;
    private final String id;
    private final java.lang.Process process;
    private final Path logFile;
    private final BufferedReader reader;
    private RuntimeEvent next;
    private boolean done;
    private volatile boolean closed;

    EventStream(RuntimeCli cli, String id, java.lang.Process process, Path logFile) {
        this.cli = cli;
        this.id = id;
        this.process = process;
        this.logFile = logFile;
        this.reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Blocks for the next event.
     *
     * @throws RuntimeCommandException (or {@link NoSuchContainerException}) if the runtime failed
     * @throws RuntimeOutputException if it printed a line that is not an event
     */
    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        String line;
        try {
            do {
                line = reader.readLine();
            } while (line != null && line.isBlank());
        } catch (IOException e) {
            if (closed) {
                finish(false);
                return false;
            }
            throw new UncheckedIOException("reading " + cli.name() + " events of " + id + " failed", e);
        }
        if (line == null) {
            finish(!closed);
            return false;
        }
        next = RuntimeCli.parseEvent(cli.name(), "events", line);
        return true;
    }

    @Override
    public RuntimeEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the events of " + id + " have ended");
        }
        RuntimeEvent e = next;
        next = null;
        return e;
    }

    /** The events as a sequential stream; closing the stream closes this. */
    public Stream<RuntimeEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(this::close);
    }

    private void finish(boolean checkExit) {
        done = true;
        int code = cli.waitFor(process, "events");
        byte[] log = cli.readAndForward(logFile);
        RuntimeCli.deleteQuietly(logFile);
        if (checkExit && code != 0) {
            throw cli.failure("events", id, code, RuntimeLog.errorText(log, new byte[0]));
        }
    }

    /** Stops the runtime's {@code events} process. */
    @Override
    public void close() {
        closed = true;
        process.destroy();
        try {
            reader.close();
        } catch (IOException e) {
            // closing our end of a pipe of a killed process: nothing left to report
        }
        if (!process.isAlive()) {
            RuntimeCli.deleteQuietly(logFile);
        } else {
            process.onExit().thenRun(() -> RuntimeCli.deleteQuietly(logFile));
        }
    }
}
