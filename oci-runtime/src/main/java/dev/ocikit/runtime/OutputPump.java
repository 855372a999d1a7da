package dev.ocikit.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one of a container's output streams, as it comes, to its log file and to line
 * consumers, and keeps the last lines in memory for failure messages. Memory is bounded: only
 * {@link #TAIL_LINES} lines of at most {@link #MAX_LINE} bytes are kept; the file has it all.
 */
final class OutputPump implements Runnable {
    static final int TAIL_LINES = 200;
    static final int MAX_LINE = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);

    private final String name;
    private final Opener source;
    private final OutputStream log;
    private final List<Consumer<String>> consumers = new CopyOnWriteArrayList<>();
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final CompletableFuture<Void> opened = new CompletableFuture<>();

    interface Opener {
        InputStream open() throws IOException;
    }

    OutputPump(String name, Opener source, OutputStream log, List<Consumer<String>> consumers) {
        this.name = name;
        this.source = source;
        this.log = log;
        this.consumers.addAll(consumers);
    }

    /** Adds a consumer that first receives the kept lines, then every new one, in order. */
    void subscribe(Consumer<String> consumer) {
        synchronized (tail) {
            for (String line : tail) {
                consumer.accept(line);
            }
            consumers.add(consumer);
        }
    }

    void unsubscribe(Consumer<String> consumer) {
        consumers.remove(consumer);
    }

    /** The last lines, oldest first. */
    List<String> tail() {
        synchronized (tail) {
            return new ArrayList<>(tail);
        }
    }

    /** Completes once the source is open (for a pipe: once a writer has opened it too). */
    CompletableFuture<Void> opened() {
        return opened;
    }

    /** Completes when the stream has ended (every writer closed it) and the log is flushed. */
    CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void run() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = source.open(); OutputStream out = log) {
            opened.complete(null);
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                out.flush();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        append(line, buffer, start, i - start);
                        emit(line);
                        start = i + 1;
                    }
                }
                append(line, buffer, start, n - start);
            }
            if (line.size() > 0) {
                emit(line);
            }
        } catch (IOException e) {
            LOG.debug("{}: output copy ended: {}", name, e.toString());
        } finally {
            opened.complete(null);
            done.complete(null);
        }
    }

    private static void append(ByteArrayOutputStream line, byte[] b, int off, int len) {
        int room = MAX_LINE - line.size();
        if (room > 0) {
            line.write(b, off, Math.min(room, len));
        }
    }

    private void emit(ByteArrayOutputStream bytes) {
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        bytes.reset();
        synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(text);
            for (Consumer<String> c : consumers) {
                try {
                    c.accept(text);
                } catch (RuntimeException e) {
                    LOG.warn("{}: an output consumer failed: {}", name, e.toString());
                }
            }
        }
    }
}
