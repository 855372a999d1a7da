package dev.ocikit.registry.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP/1.1 reverse proxy on a free {@code 127.0.0.1} port, in front of an
 * upstream registry (a {@link TestRegistry}). Requests are read from raw sockets, so that the
 * proxy can drop a connection with a TCP reset in the middle of a body or never answer at all;
 * they are forwarded upstream with {@link HttpClient} (method, path and query, headers, body) and
 * the answer is written back with its status, headers (upstream addresses in {@code Location}
 * rewritten to the proxy's) and body.
 *
 * <p>Faults are scripted with {@link #on(String, String)}: a rule matches a method and a path
 * pattern and applies to the next {@code n} matching requests (or all of them). The first rule
 * that matches and has uses left decides; otherwise the request is forwarded untouched. Every
 * request is recorded ({@link #requests()}) with the time the proxy read it and what it did.
 * Thread-safe; {@link #close()} stops it and drops every open connection.
 */
public final class FaultProxy implements AutoCloseable {
    /** What the proxy did with a request. */
    public enum Action { FORWARDED, STATUS, RESET, DROPPED, STALLED }

    /** A request the proxy read: its method, path with query, headers (lower-case names), and when. */
    public record Seen(String method, String path, Map<String, String> headers, long nanoTime, Action action) {
        public boolean matches(String m, String pathRegex) {
            return method.equals(m) && path.matches(pathRegex);
        }
    }

    private sealed interface Fault permits Status, ResetAfter, DropAfter, Stall, LostAnswer, StallAfter {}

    private record Status(int code, Map<String, String> headers) implements Fault {}

    private record ResetAfter(long bodyBytes) implements Fault {}

    private record DropAfter(long bodyBytes) implements Fault {}

    private record Stall() implements Fault {}
    private record LostAnswer() implements Fault {}

    private record StallAfter(long bodyBytes) implements Fault {}

    private static final class Rule {
        final Predicate<String> method;
        final String pathRegex;
        final Fault fault;
        int remaining; // negative: always

        Rule(Predicate<String> method, String pathRegex, Fault fault, int times) {
            this.method = method;
            this.pathRegex = pathRegex;
            this.fault = fault;
            this.remaining = times;
        }
    }

    /** Builds a rule: {@code proxy.on("GET", "/v2/.+/blobs/.+").times(2).status(500)}. */
    public final class RuleBuilder {
        private final Predicate<String> method;
        private final String pathRegex;
        private int times = 1;

        private RuleBuilder(Predicate<String> method, String pathRegex) {
            this.method = method;
            this.pathRegex = pathRegex;
        }

        /** The rule applies to the next {@code n} matching requests (default 1). */
        public RuleBuilder times(int n) {
            this.times = n;
            return this;
        }

        /** The rule applies to every matching request. */
        public RuleBuilder always() {
            this.times = -1;
            return this;
        }

        /** Answers with this status and an empty body, without asking upstream. */
        public FaultProxy status(int code) {
            return add(new Status(code, Map.of()));
        }

        /** Answers 429 with {@code Retry-After: seconds}, without asking upstream. */
        public FaultProxy tooManyRequests(int retryAfterSeconds) {
            return add(new Status(429, Map.of("Retry-After", Integer.toString(retryAfterSeconds))));
        }

        /** Forwards, sends the answer's headers and the first {@code bytes} of its body, then resets the connection. */
        public FaultProxy resetAfter(long bytes) {
            return add(new ResetAfter(bytes));
        }

        /**
         * Forwards, sends the answer's headers and the first {@code bytes} of its body, then closes
         * the connection cleanly: the client sees the body end before its {@code Content-Length}
         * and has every byte sent so far (unlike a reset, which may discard bytes in flight).
         */
        public FaultProxy dropAfter(long bytes) {
            return add(new DropAfter(bytes));
        }

        /**
         * Forwards, sends the answer's headers and the first {@code bytes} of its body, then sends
         * nothing more, keeping the connection open (until the client gives up or the proxy closes).
         */
        public FaultProxy stallAfter(long bytes) {
            return add(new StallAfter(bytes));
        }

        /**
         * Forwards the request (so the registry acts on it), then resets the connection before
         * any of the answer: a request that was done but whose answer was lost.
         */
        public FaultProxy lostAnswer() {
            return add(new LostAnswer());
        }

        /** Reads the request and never answers (until the client gives up or the proxy closes). */
        public FaultProxy stall() {
            return add(new Stall());
        }

        private FaultProxy add(Fault f) {
            rules.add(new Rule(method, pathRegex, f, times));
            return FaultProxy.this;
        }
    }

    private final ServerSocket server;
    private final URI upstream;
    private final HttpClient http;
    private final Thread acceptor;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        this.acceptor.setDaemon(true);
    }

    /** Starts a proxy forwarding to {@code registry}. */
    public static FaultProxy start(TestRegistry registry) throws IOException {
        return start(registry.baseUri());
    }

    /** Starts a proxy forwarding to {@code http://host:port}. */
    public static FaultProxy start(URI upstream) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        FaultProxy p = new FaultProxy(s, upstream);
        p.acceptor.start();
        return p;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image names to go through the proxy. */
    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** A rule for requests with this method ({@code *} for any) and a path (with query) matching {@code pathRegex}. */
    public RuleBuilder on(String method, String pathRegex) {
        Predicate<String> m = method.equals("*") ? x -> true : method::equals;
        return new RuleBuilder(m, pathRegex);
    }

    /** Removes every rule. */
    public void clearRules() {
        rules.clear();
    }

    /** Every request read so far, in order. */
    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    /** The requests read so far with this method and a path matching {@code pathRegex}, in order. */
    public List<Seen> requests(String method, String pathRegex) {
        return seen.stream().filter(s -> s.matches(method, pathRegex)).toList();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(s);
            Thread t = new Thread(() -> serve(s), "fault-proxy-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                Request req = Request.read(in);
                if (req == null) {
                    return; // the client closed the connection
                }
                Rule rule = take(req);
                Fault fault = rule == null ? null : rule.fault;
                Action action = fault == null ? Action.FORWARDED : fault instanceof Status ? Action.STATUS
                        : fault instanceof ResetAfter || fault instanceof LostAnswer ? Action.RESET
                        : fault instanceof DropAfter ? Action.DROPPED
                        : Action.STALLED; // Stall and StallAfter
                seen.add(new Seen(req.method, req.path, req.headers, System.nanoTime(), action));
                if (fault instanceof Status st) {
                    StringBuilder h = new StringBuilder("HTTP/1.1 " + st.code + " Injected\r\nContent-Length: 0\r\n");
                    st.headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
                    out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    continue;
                }
                if (fault instanceof Stall) {
                    // hold the connection without answering until the client gives up
                    while (in.read() >= 0) {
                        // discard
                    }
                    return;
                }
                HttpResponse<byte[]> r = forward(req);
                if (fault instanceof LostAnswer) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                long length = r.body().length;
                StringBuilder h = new StringBuilder("HTTP/1.1 " + r.statusCode() + " Proxied\r\n");
                r.headers().map().forEach((k, vs) -> {
                    String name = k.toLowerCase(Locale.ROOT);
                    if (name.equals("content-length") || name.equals("transfer-encoding") || name.equals("connection")) {
                        return;
                    }
                    for (String v : vs) {
                        if (name.equals("location")) {
                            v = v.replace(upstream.getRawAuthority(), host());
                        }
                        h.append(k).append(": ").append(v).append("\r\n");
                    }
                });
                boolean noBody = req.method.equals("HEAD") || r.statusCode() == 204 || r.statusCode() == 304;
                String declared = req.method.equals("HEAD")
                        ? r.headers().firstValue("Content-Length").orElse("0") : Long.toString(noBody ? 0 : length);
                h.append("Content-Length: ").append(declared).append("\r\n\r\n");
                out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (fault instanceof ResetAfter ra) {
                    out.write(r.body(), 0, (int) Math.min(ra.bodyBytes, length));
                    out.flush();
                    socket.setSoLinger(true, 0); // close with RST: the connection dropped, not a clean end
                    return;
                }
                if (fault instanceof StallAfter sa) {
                    out.write(r.body(), 0, (int) Math.min(sa.bodyBytes, length));
                    out.flush();
                    while (in.read() >= 0) {
                        // hold the connection, sending nothing, until the client closes it
                    }
                    return;
                }
                if (fault instanceof DropAfter da) {
                    out.write(r.body(), 0, (int) Math.min(da.bodyBytes, length));
                    out.flush();
                    return; // closed with FIN before the declared length
                }
                if (!noBody) {
                    out.write(r.body());
                }
                out.flush();
            }
        } catch (SocketException e) {
            // the client or close() dropped the connection
        } catch (IOException e) {
            // a malformed request or a broken upstream: drop the connection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    private synchronized Rule take(Request req) {
        for (Rule r : rules) {
            if (r.remaining != 0 && r.method.test(req.method) && req.path.matches(r.pathRegex)) {
                if (r.remaining > 0) {
                    r.remaining--;
                }
                return r;
            }
        }
        return null;
    }

    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

    private HttpResponse<byte[]> forward(Request req) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(req.path)).timeout(Duration.ofSeconds(30))
                .method(req.method, req.body.length == 0 && !req.hasBody ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(req.body));
        req.rawHeaders.forEach(h -> {
            if (!RESTRICTED.contains(h[0].toLowerCase(Locale.ROOT))) {
                try {
                    b.header(h[0], h[1]);
                } catch (IllegalArgumentException e) {
                    // a header HttpClient sets itself: not forwarded
                }
            }
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + host() + " -> " + upstream + "]";
    }

    /** One HTTP/1.1 request read from a socket, its body de-chunked. */
    private static final class Request {
        final String method;
        final String path;
        final List<String[]> rawHeaders;
        final Map<String, String> headers;
        final byte[] body;
        final boolean hasBody;

        private Request(String method, String path, List<String[]> rawHeaders, byte[] body, boolean hasBody) {
            this.method = method;
            this.path = path;
            this.rawHeaders = rawHeaders;
            Map<String, String> h = new java.util.LinkedHashMap<>();
            rawHeaders.forEach(x -> h.merge(x[0].toLowerCase(Locale.ROOT), x[1], (a, c) -> a + ", " + c));
            this.headers = Map.copyOf(h);
            this.body = body;
            this.hasBody = hasBody;
        }

        /** The next request, or null at the end of the stream. */
        static Request read(InputStream in) throws IOException {
            String line = line(in);
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length != 3) {
                throw new IOException("bad request line: " + line);
            }
            List<String[]> headers = new ArrayList<>();
            long length = -1;
            boolean chunked = false;
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                headers.add(new String[] {name, value});
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            byte[] body;
            if (chunked) {
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                while (true) {
                    String size = line(in);
                    if (size == null) {
                        throw new IOException("chunked body cut short");
                    }
                    int semi = size.indexOf(';');
                    int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
                            // trailers: ignored
                        }
                        break;
                    }
                    bos.write(in.readNBytes(n));
                    line(in);
                }
                body = bos.toByteArray();
            } else {
                body = length > 0 ? in.readNBytes((int) length) : new byte[0];
            }
            return new Request(parts[0], parts[1], headers, body, chunked || length >= 0);
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    byte[] bytes = b.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                b.write(c);
            }
            return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
