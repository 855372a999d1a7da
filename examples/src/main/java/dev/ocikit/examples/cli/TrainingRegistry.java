package dev.ocikit.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry in memory on a loopback port, for the class-data sharing training run only: a push
 * to it and a pull from it load the HTTP client and the registry code, so that the launcher's
 * archive holds them and every later copy, pull or push starts faster. It answers the requests of
 * the distribution spec that a push and a pull make (blob existence, uploads in one or several
 * parts, blob and manifest reads, manifest writes), without authentication; it checks the digest
 * of every upload and manifest, as a registry must, and nothing else.
 */
final class TrainingRegistry implements AutoCloseable {
    private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/(sha256:[0-9a-f]{64})");
    private static final Pattern UPLOADS = Pattern.compile("/v2/(.+)/blobs/uploads/");
    private static final Pattern UPLOAD = Pattern.compile("/v2/(.+)/blobs/uploads/([0-9]+)");
    private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "ocikit-training-registry");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    /** Manifests by "name:reference" (tag or digest), with their media types. */
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
    private final Map<String, java.io.ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger nextUpload = new AtomicInteger();

    private TrainingRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/v2/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static TrainingRegistry start() throws IOException {
        return new TrainingRegistry();
    }

    /** {@code 127.0.0.1:PORT}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            x.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
            Matcher m;
            if (path.equals("/v2/")) {
                send(x, 200, "{}".getBytes(StandardCharsets.UTF_8), "application/json", method);
            } else if ((m = BLOB.matcher(path)).matches()) {
                byte[] blob = blobs.get(m.group(2));
                if (blob == null) {
                    error(x, 404, "BLOB_UNKNOWN", method);
                } else {
                    x.getResponseHeaders().set("Docker-Content-Digest", m.group(2));
                    send(x, 200, blob, "application/octet-stream", method);
                }
            } else if ((m = UPLOADS.matcher(path)).matches() && method.equals("POST")) {
                String id = Integer.toString(nextUpload.incrementAndGet());
                uploads.put(id, new java.io.ByteArrayOutputStream());
                append(x, id);
                x.getResponseHeaders().set("Location", "/v2/" + m.group(1) + "/blobs/uploads/" + id);
                x.getResponseHeaders().set("Range", "0-" + Math.max(0, uploads.get(id).size() - 1));
                x.sendResponseHeaders(202, -1);
            } else if ((m = UPLOAD.matcher(path)).matches() && uploads.containsKey(m.group(2))) {
                String id = m.group(2);
                append(x, id);
                if (method.equals("PATCH")) {
                    x.getResponseHeaders().set("Location", path);
                    x.getResponseHeaders().set("Range", "0-" + Math.max(0, uploads.get(id).size() - 1));
                    x.sendResponseHeaders(202, -1);
                } else if (method.equals("PUT")) {
                    String query = x.getRequestURI().getQuery();
                    String digest = query == null ? "" : query.replaceFirst("^.*digest=([^&]+).*$", "$1");
                    byte[] content = uploads.remove(id).toByteArray();
                    if (!digest.equals(sha256(content))) {
                        error(x, 400, "DIGEST_INVALID", method);
                        return;
                    }
                    blobs.put(digest, content);
                    x.getResponseHeaders().set("Location", "/v2/" + m.group(1) + "/blobs/" + digest);
                    x.getResponseHeaders().set("Docker-Content-Digest", digest);
                    x.sendResponseHeaders(201, -1);
                } else {
                    error(x, 405, "UNSUPPORTED", method);
                }
            } else if ((m = MANIFEST.matcher(path)).matches()) {
                String key = m.group(1) + ":" + m.group(2);
                if (method.equals("PUT")) {
                    byte[] body = x.getRequestBody().readAllBytes();
                    String digest = sha256(body);
                    String type = x.getRequestHeaders().getFirst("Content-Type");
                    for (String k : new String[] {key, m.group(1) + ":" + digest}) {
                        manifests.put(k, body);
                        manifestTypes.put(k, type == null ? "application/vnd.oci.image.manifest.v1+json" : type);
                    }
                    x.getResponseHeaders().set("Location", "/v2/" + m.group(1) + "/manifests/" + digest);
                    x.getResponseHeaders().set("Docker-Content-Digest", digest);
                    x.sendResponseHeaders(201, -1);
                } else if (manifests.containsKey(key)) {
                    byte[] body = manifests.get(key);
                    x.getResponseHeaders().set("Docker-Content-Digest", sha256(body));
                    send(x, 200, body, manifestTypes.get(key), method);
                } else {
                    error(x, 404, "MANIFEST_UNKNOWN", method);
                }
            } else {
                error(x, 404, "NAME_UNKNOWN", method);
            }
        }
    }

    private void append(HttpExchange x, String id) throws IOException {
        try (InputStream in = x.getRequestBody()) {
            in.transferTo(uploads.get(id));
        }
    }

    private static void send(HttpExchange x, int status, byte[] body, String type, String method) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        if (method.equals("HEAD")) {
            x.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    private static void error(HttpExchange x, int status, String code, String method) throws IOException {
        byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + code.toLowerCase().replace('_', ' ')
                + "\"}]}").getBytes(StandardCharsets.UTF_8);
        send(x, status, body, "application/json", method);
    }

    private static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
