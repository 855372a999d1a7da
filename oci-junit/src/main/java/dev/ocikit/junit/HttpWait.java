package dev.ocikit.junit;

import dev.ocikit.runtime.network.PortNotPublishedException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Waits until an HTTP {@code GET} of a path on a published port answers with the expected status;
 * see {@link WaitStrategy#forHttp(int, String)}. Redirects are not followed. Attempts are
 * repeated with a short back-off until one answers as expected. Immutable and thread-safe.
 */
public final class HttpWait implements WaitStrategy {
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static volatile HttpClient client;

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
                    HttpResponse<Void> response = client().send(HttpRequest.newBuilder(uri).timeout(attempt).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == status) {
                        return;
                    }
                    lastSeen = "GET " + uri + " answered " + response.statusCode();
                } catch (IOException e) {
                    // an attempt the deadline cut short says less than the one before it
                    if (!(deadline.passed() && e instanceof java.net.http.HttpTimeoutException) || lastSeen.isEmpty()) {
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

    private static HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (HttpWait.class) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(ATTEMPT_TIMEOUT)
                            .proxy(HttpClient.Builder.NO_PROXY) // a container on loopback is never behind the JVM's proxy
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return "forHttp(" + port + ", " + path + ", status " + status + ", timeout " + timeout + ")";
    }
}
