package dev.ocikit.junit;

import dev.ocikit.runtime.network.PortNotPublishedException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Waits until an HTTP {@code GET} of a path on a published port answers with the expected status;
 * see {@link WaitStrategy#forHttp(int, String)}. Redirects are not followed. Attempts are
 * repeated with a short back-off until one answers as expected. Immutable and thread-safe.
 */
public final class HttpWait implements WaitStrategy {
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    private final int port;
    private final String path;
    private final int status;
    private final Duration timeout;

    private HttpWait(int port, String path, int status, Duration timeout) {
        this.port = port;
        this.path = path;
        this.status = status;
        this.timeout = timeout;
    }

    static HttpWait of(int port, String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("an HTTP wait's path starts with '/', got \"" + path + "\"");
        }
        URI.create("http://localhost" + path); // refuses what is not a valid path now, not at the first attempt
        return new HttpWait(ContainerSpec.checkPort(port), path, 200, Probes.DEFAULT_TIMEOUT);
    }

    /** The status the answer must have (default 200). */
    public HttpWait status(int value) {
        if (value < 100 || value > 599) {
            throw new IllegalArgumentException("an HTTP status is between 100 and 599, got " + value);
        }
        return new HttpWait(port, path, value, timeout);
    }

    /** How long to wait (default 60 s). */
    public HttpWait timeout(Duration value) {
        return new HttpWait(port, path, status, Probes.positive(value, "timeout"));
    }

    public int port() {
        return port;
    }

    public String path() {
        return path;
    }

    public int status() {
        return status;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void waitUntilReady(RunningContainer container) throws InterruptedException {
        String awaited = "HTTP " + status + " from GET " + path + " on port " + port;
        int mapped;
        try {
            mapped = container.mappedPort(port);
        } catch (PortNotPublishedException e) {
            throw new ContainerLaunchException("container " + container.name() + ": an HTTP wait needs port " + port
                    + " published; add .publish(" + port + ") to its ContainerSpec", e);
        }
        String host = container.host().contains(":") ? "[" + container.host() + "]" : container.host();
        URI uri = URI.create("http://" + host + ":" + mapped + path);
        Probes.Deadline deadline = Probes.Deadline.after(timeout);
        Probes.Backoff backoff = new Probes.Backoff();
        String lastSeen = "";
        while (true) {
            Probes.requireRunning(container, awaited);
            Duration attempt = deadline.atMost(ATTEMPT_TIMEOUT);
            if (!attempt.isZero()) {
                try {
                    int answered = get(container.host(), mapped, host + ":" + mapped, attempt);
                    if (answered == status) {
                        return;
                    }
                    lastSeen = "GET " + uri + " answered " + answered;
                } catch (IOException e) {
                    // an attempt the deadline cut short says less than the one before it
                    if (!(deadline.passed() && e instanceof java.net.SocketTimeoutException) || lastSeen.isEmpty()) {
                        lastSeen = "GET " + uri + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
                    }
                }
            }
            if (deadline.passed()) {
                throw Probes.timedOut(container, awaited, timeout, lastSeen);
            }
            backoff.pause(deadline);
        }
    }

    /**
     * One {@code GET} over a plain socket, returning the status code. A readiness probe needs only
     * the status line; the JDK's HTTP client would cost a test's start a few hundred milliseconds
     * to set up.
     */
    private int get(String host, int port, String hostHeader, Duration attempt) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, attempt.toMillis()));
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            // The path as the wire wants it: non-ASCII characters percent-encoded, not mangled by ISO-8859-1.
            String target = URI.create("http://localhost" + path).toASCIIString().substring("http://localhost".length());
            String request = "GET " + target + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: ocikit-junit\r\n"
                    + "Accept: */*\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) != -1 && b != '\n' && line.length() < 1024; ) {
                line.append((char) b);
            }
            String status = line.toString().strip();
            // "HTTP/1.1 200 OK"
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[1-5][0-9][0-9]")) {
                throw new IOException(status.isEmpty() ? "the connection closed without an answer"
                        : "not an HTTP answer: " + status);
            }
            return Integer.parseInt(parts[1]);
        }
    }


    @Override
    public String toString() {
        return "forHttp(" + port + ", " + path + ", status " + status + ", timeout " + timeout + ")";
    }
}
