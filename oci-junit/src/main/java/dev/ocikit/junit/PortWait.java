package dev.ocikit.junit;

import dev.ocikit.junit.internal.ListeningSockets;
import dev.ocikit.runtime.network.PortNotPublishedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits until a TCP port of the container listens; see {@link WaitStrategy#forPort(int)}.
 *
 * <p>Each attempt first looks inside: whether the container's network namespace has a socket
 * listening on the port ({@code /proc/<pid>/net/tcp} and {@code tcp6}), which needs no tool in
 * the image. Then, if the port is published, it connects to the host port with a short connect
 * timeout: rootless port forwarders accept on the host side before anything listens inside, so
 * the outside check alone would pass too early, and the inside one alone would not prove the
 * forwarding. Attempts are repeated with a short back-off until both pass. Immutable and
 * thread-safe.
 */
public final class PortWait implements WaitStrategy {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private final int port;
    private final Duration timeout;

    private PortWait(int port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
    }

    static PortWait of(int port) {
        return new PortWait(ContainerSpec.checkPort(port), Probes.DEFAULT_TIMEOUT);
    }

    /** How long to wait (default 60 s). */
    public PortWait timeout(Duration value) {
        return new PortWait(port, Probes.positive(value, "timeout"));
    }

    public int port() {
        return port;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void waitUntilReady(RunningContainer container) throws InterruptedException {
        String awaited = "TCP port " + port + " to listen";
        Probes.Deadline deadline = Probes.Deadline.after(timeout);
        Probes.Backoff backoff = new Probes.Backoff();
        String lastSeen = "";
        while (true) {
            Probes.requireRunning(container, awaited);
            Optional<Boolean> inside = ListeningSockets.listens(container.pid(), port);
            if (inside.isPresent() && !inside.get()) {
                lastSeen = "nothing listens on port " + port + " inside the container";
            } else {
                Optional<Integer> mapped = mappedPort(container);
                if (mapped.isEmpty()) {
                    if (inside.isPresent()) {
                        return; // not published: listening inside is all there is to see
                    }
                    // unreadable: the process may just have exited (the next round tells), or /proc is not ours to read
                    lastSeen = "port " + port + " is not published, and /proc/" + container.pid() + "/net/tcp cannot be"
                            + " read to look inside; publish the port, or wait for something else";
                } else {
                    String target = container.host() + ":" + mapped.get();
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(container.host(), mapped.get()),
                                (int) Math.max(1, deadline.atMost(CONNECT_TIMEOUT).toMillis()));
                        return;
                    } catch (IOException e) {
                        // an attempt the deadline cut short says less than the one before it
                        if (!(deadline.passed() && e instanceof java.net.SocketTimeoutException) || lastSeen.isEmpty()) {
                            lastSeen = "connecting to " + target + ": " + e.getMessage();
                        }
                    }
                }
            }
            if (deadline.passed()) {
                throw Probes.timedOut(container, awaited, timeout, lastSeen);
            }
            backoff.pause(deadline);
        }
    }

    private Optional<Integer> mappedPort(RunningContainer container) {
        try {
            return Optional.of(container.mappedPort(port));
        } catch (PortNotPublishedException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "forPort(" + port + ", timeout " + timeout + ")";
    }
}
