package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.distribution.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against small in-process HTTP servers that misbehave on purpose: redirects to other
 * hosts, dropped connections, 5xx and 429, wrong digests, paged tag lists.
 */
class FakeRegistryTest {
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    private HttpServer server(String context, HttpHandler handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext(context, ex -> {
            try (ex) {
                handler.handle(ex);
            }
        });
        s.start();
        servers.add(s);
        return s;
    }

    private static String host(HttpServer s) {
        return "127.0.0.1:" + s.getAddress().getPort();
    }

    private static RegistryClient.Builder clientFor(HttpServer s) {
        return RegistryClient.builder().plainHttp(host(s)).retryBackoff(Duration.ofMillis(1));
    }

    private static void send(HttpExchange ex, int status, byte[] body, String... headers) throws IOException {
        for (int i = 0; i < headers.length; i += 2) {
            ex.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static final String USER = "carol";
    private static final String PASSWORD = "hunter2-not-in-messages";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @Test
    void redirectToAnotherHostDoesNotCarryAuthorization() throws IOException {
        byte[] blob = "the blob's bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        List<String> cdnAuth = new CopyOnWriteArrayList<>();
        List<String> sameHostAuth = new CopyOnWriteArrayList<>();
        HttpServer cdn = server("/", ex -> {
            cdnAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            send(ex, 200, blob);
        });
        HttpServer registry = server("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!BASIC.equals(auth)) {
                send(ex, 401, new byte[0], "WWW-Authenticate", "Basic realm=\"fake\"");
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/v2/app/blobs/")) {
                // first hop stays on this host (credentials kept), second goes elsewhere
                send(ex, 307, new byte[0], "Location", "/internal/" + digest.encoded());
            } else if (path.startsWith("/internal/")) {
                sameHostAuth.add(auth);
                send(ex, 302, new byte[0], "Location", "http://localhost:" + cdn.getAddress().getPort() + "/cdn/blob");
            } else {
                send(ex, 404, new byte[0]);
            }
        });
        RegistryClient client = clientFor(registry).credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD))).build();
        try (InputStream in = client.repository(host(registry), "app").openBlob(digest, blob.length)) {
            assertThat(in.readAllBytes()).isEqualTo(blob);
        }
        assertThat(sameHostAuth).containsExactly(BASIC);
        assertThat(cdnAuth).containsExactly("null");
    }

    @Test
    void tagsFollowRelativeLinkHeaders() throws IOException {
        HttpServer s = server("/v2/", ex -> {
            String q = ex.getRequestURI().getQuery();
            if (q.equals("n=2")) {
                send(ex, 200, "{\"name\":\"app\",\"tags\":[\"a\",\"b\"]}".getBytes(StandardCharsets.UTF_8),
                        "Link", "</v2/app/tags/list?n=2&last=b>; rel=\"next\"");
            } else if (q.equals("n=2&last=b")) {
                send(ex, 200, "{\"name\":\"app\",\"tags\":[\"c\"]}".getBytes(StandardCharsets.UTF_8));
            } else {
                send(ex, 400, new byte[0]);
            }
        });
        assertThat(clientFor(s).pageSize(2).build().repository(host(s), "app").tags()).containsExactly("a", "b", "c");
    }

    @Test
    void retriesOn503And429HonouringRetryAfter() throws IOException {
        byte[] manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"
                .getBytes(StandardCharsets.UTF_8);
        AtomicInteger calls = new AtomicInteger();
        HttpServer s = server("/v2/", ex -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                send(ex, 503, new byte[0]);
            } else if (n == 2) {
                send(ex, 429, new byte[0], "Retry-After", "0");
            } else {
                send(ex, 200, manifest, "Content-Type", "application/vnd.oci.image.index.v1+json",
                        "Docker-Content-Digest", Digest.sha256(manifest).toString());
            }
        });
        var m = clientFor(s).build().repository(host(s), "app").manifest("v1");
        assertThat(m.digest()).isEqualTo(Digest.sha256(manifest));
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheRegistrysError() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        HttpServer s = server("/v2/", ex -> {
            calls.incrementAndGet();
            send(ex, 500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"storage on fire\"}]}".getBytes(StandardCharsets.UTF_8));
        });
        assertThatThrownBy(() -> clientFor(s).maxAttempts(3).build().repository(host(s), "app").manifest("v1"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("500").hasMessageContaining("storage on fire")
                .satisfies(e -> assertThat(((RegistryException) e).status()).isEqualTo(500));
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void errorEnvelopeBecomesTypedException() throws IOException {
        HttpServer s = server("/v2/", ex -> send(ex, 403,
                "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no way\"}]}".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> clientFor(s).build().repository(host(s), "app").tags())
                .isInstanceOf(UnauthorizedException.class)
                .satisfies(e -> assertThat(((RegistryException) e).has(ErrorCode.DENIED)).isTrue());
    }

    @Test
    void droppedBlobDownloadResumesWithRange() throws IOException {
        byte[] blob = new byte[200_000];
        new java.util.Random(7).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        List<String> ranges = new CopyOnWriteArrayList<>();
        HttpServer s = server("/v2/", ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            ranges.add(String.valueOf(range));
            if (range == null) {
                ex.sendResponseHeaders(200, blob.length);
                OutputStream out = ex.getResponseBody();
                out.write(blob, 0, 70_000);
                out.flush();
                // drop the connection mid-body
                throw new IOException("simulated reset");
            }
            long from = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
            send(ex, 206, java.util.Arrays.copyOfRange(blob, (int) from, blob.length),
                    "Content-Range", "bytes " + from + "-" + (blob.length - 1) + "/" + blob.length);
        });
        try (InputStream in = clientFor(s).build().repository(host(s), "app").openBlob(digest, blob.length)) {
            assertThat(in.readAllBytes()).isEqualTo(blob);
        }
        assertThat(ranges).hasSize(2);
        assertThat(ranges.get(0)).isEqualTo("null");
        assertThat(ranges.get(1)).matches("bytes=\\d+-").isNotEqualTo("bytes=0-");
    }

    @Test
    void manifestWhoseBytesDoNotMatchItsDigestIsRefused() throws IOException {
        byte[] manifest = "{\"schemaVersion\":2,\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
        Digest other = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
        HttpServer s = server("/v2/", ex -> send(ex, 200, manifest, "Content-Type", "application/vnd.oci.image.index.v1+json",
                "Docker-Content-Digest", other.toString()));
        RegistryRepository repo = clientFor(s).build().repository(host(s), "app");
        assertThatThrownBy(() -> repo.manifest("v1")).isInstanceOf(DigestMismatchException.class);
        assertThatThrownBy(() -> repo.manifest(other.toString())).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void oversizedManifestIsRefused() throws IOException {
        byte[] big = new byte[2048];
        java.util.Arrays.fill(big, (byte) ' ');
        HttpServer s = server("/v2/", ex -> send(ex, 200, big, "Content-Type", "application/vnd.oci.image.manifest.v1+json"));
        assertThatThrownBy(() -> clientFor(s).maxManifestSize(1024).build().repository(host(s), "app").manifest("v1"))
                .isInstanceOf(RegistryException.class).hasMessageContaining("limit of 1024");
    }

    @Test
    void plainHttpTokenRealmOnAnotherHostIsRefused() throws IOException {
        AtomicInteger tokenCalls = new AtomicInteger();
        HttpServer tokens = server("/", ex -> {
            tokenCalls.incrementAndGet();
            send(ex, 200, "{\"token\":\"t\"}".getBytes(StandardCharsets.UTF_8));
        });
        HttpServer s = server("/v2/", ex -> send(ex, 401, new byte[0], "WWW-Authenticate",
                "Bearer realm=\"http://localhost:" + tokens.getAddress().getPort() + "/token\",service=\"x\""));
        RegistryClient client = clientFor(s).credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD))).build();
        assertThatThrownBy(() -> client.ping(host(s))).isInstanceOf(RegistryException.class)
                .hasMessageContaining("plain-http token realm").message().doesNotContain(PASSWORD);
        assertThat(tokenCalls.get()).isZero();
    }

    @Test
    void challengesParseQuotedCommasAndSeveralSchemes() {
        List<AuthChallenge> cs = AuthChallenge.parse(
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                        + "scope=\"repository:a/b:pull,push repository:c:pull\", Basic realm=\"x\\\"y\"");
        assertThat(cs).hasSize(2);
        assertThat(cs.get(0).isBearer()).isTrue();
        assertThat(cs.get(0).param("realm")).hasValue("https://auth.example/token");
        assertThat(cs.get(0).param("service")).hasValue("registry.example");
        assertThat(cs.get(0).param("scope")).hasValue("repository:a/b:pull,push repository:c:pull");
        assertThat(cs.get(1).isBasic()).isTrue();
        assertThat(cs.get(1).param("realm")).hasValue("x\"y");
        assertThat(AuthChallenge.parse("bearer realm=unquoted,error=invalid_token").get(0).param("error"))
                .hasValue("invalid_token");
    }

    @Test
    void linkHeaderNextIsFound() {
        assertThat(Pagination.nextLink(List.of("</v2/_catalog?last=x&n=2>; rel=\"next\""))).hasValue("/v2/_catalog?last=x&n=2");
        assertThat(Pagination.nextLink(List.of("<https://a/prev>; rel=\"prev\", <https://a/next>; rel=next")))
                .hasValue("https://a/next");
        assertThat(Pagination.nextLink(List.of())).isEqualTo(Optional.empty());
    }

    @Test
    void chunkedUploadResolvesRelativeLocationsAndHonoursChunkMinimum() throws IOException {
        byte[] blob = new byte[45];
        new java.util.Random(3).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        List<String> log = new CopyOnWriteArrayList<>();
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        HttpServer s = server("/", ex -> {
            String m = ex.getRequestMethod();
            String p = ex.getRequestURI().getPath();
            if (m.equals("HEAD")) {
                send(ex, 404, new byte[0]);
            } else if (m.equals("POST")) {
                log.add("POST " + p);
                send(ex, 202, new byte[0], "Location", "session-1?state=a", "OCI-Chunk-Min-Length", "20");
            } else if (m.equals("PATCH")) {
                byte[] body = ex.getRequestBody().readAllBytes();
                synchronized (received) {
                    received.write(body, 0, body.length);
                }
                log.add("PATCH " + p + " " + ex.getRequestHeaders().getFirst("Content-Range") + " " + body.length);
                send(ex, 202, new byte[0], "Location", "/upload/1?state=" + log.size());
            } else if (m.equals("PUT")) {
                log.add("PUT " + p + "?" + ex.getRequestURI().getQuery());
                send(ex, 201, new byte[0]);
            }
        });
        RegistryRepository repo = clientFor(s).chunkedUploadThreshold(0).chunkSize(3).build().repository(host(s), "ns/app");
        assertThat(repo.pushBlob(digest, blob.length, RegistryRepository.Content.of(blob)))
                .isEqualTo(RegistryRepository.BlobPush.UPLOADED);
        assertThat(log).containsExactly("POST /v2/ns/app/blobs/uploads/", "PATCH /v2/ns/app/blobs/uploads/session-1 0-19 20",
                "PATCH /upload/1 20-39 20", "PATCH /upload/1 40-44 5", "PUT /upload/1?state=4&digest=" + digest);
        assertThat(received.toByteArray()).isEqualTo(blob);
    }

    @Test
    void aChunkRefusedAsOutOfRangeResumesWhereTheSessionSaysItStands() throws IOException {
        byte[] blob = new byte[45];
        new java.util.Random(4).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        List<String> log = new CopyOnWriteArrayList<>();
        java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
        HttpServer s = server("/", ex -> {
            String m = ex.getRequestMethod();
            String p = ex.getRequestURI().getPath();
            if (m.equals("HEAD")) {
                send(ex, 404, new byte[0]);
            } else if (m.equals("POST")) {
                send(ex, 202, new byte[0], "Location", "/upload/1", "OCI-Chunk-Min-Length", "20");
            } else if (m.equals("PATCH")) {
                byte[] body = ex.getRequestBody().readAllBytes();
                String range = ex.getRequestHeaders().getFirst("Content-Range");
                log.add("PATCH " + p + " " + range);
                synchronized (held) {
                    if (range.equals("20-39")) {
                        // the registry kept only part of this chunk (a proxy cut it short), and says so with 416
                        held.write(body, 0, 10);
                        send(ex, 416, new byte[0]);
                        return;
                    }
                    held.write(body, 0, body.length);
                }
                send(ex, 202, new byte[0], "Location", "/upload/1");
            } else if (m.equals("GET")) {
                log.add("GET " + p);
                send(ex, 204, new byte[0], "Range", "0-" + (held.size() - 1), "Location", "/upload/2");
            } else if (m.equals("PUT")) {
                log.add("PUT " + p);
                send(ex, 201, new byte[0]);
            }
        });
        RegistryRepository repo = clientFor(s).chunkedUploadThreshold(0).chunkSize(3).build().repository(host(s), "ns/app");
        assertThat(repo.pushBlob(digest, blob.length, RegistryRepository.Content.of(blob)))
                .isEqualTo(RegistryRepository.BlobPush.UPLOADED);
        assertThat(log).containsExactly("PATCH /upload/1 0-19", "PATCH /upload/1 20-39", "GET /upload/1",
                "PATCH /upload/2 30-44", "PUT /upload/1");
        assertThat(held.toByteArray()).isEqualTo(blob);
    }

    @Test
    void aSessionThatNeverMovesOnFailsTheUploadAfterAFewResumes() throws IOException {
        byte[] blob = new byte[45];
        Digest digest = Digest.sha256(blob);
        java.util.concurrent.atomic.AtomicInteger patches = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer s = server("/", ex -> {
            String m = ex.getRequestMethod();
            if (m.equals("HEAD")) {
                send(ex, 404, new byte[0]);
            } else if (m.equals("POST")) {
                send(ex, 202, new byte[0], "Location", "/upload/1");
            } else if (m.equals("PATCH")) {
                ex.getRequestBody().readAllBytes();
                send(ex, patches.incrementAndGet() == 1 ? 202 : 416, new byte[0], "Location", "/upload/1");
            } else if (m.equals("GET")) {
                send(ex, 204, new byte[0], "Range", "0-19");
            } else {
                send(ex, 500, new byte[0]);
            }
        });
        RegistryRepository repo = clientFor(s).chunkedUploadThreshold(0).chunkSize(20).build().repository(host(s), "ns/app");
        assertThatThrownBy(() -> repo.pushBlob(digest, blob.length, RegistryRepository.Content.of(blob)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(416));
        assertThat(patches.get()).isEqualTo(5); // the first chunk, then the second one four times: three resumes
    }

    @Test
    void aRegistryThatTracksSubjectsItselfGetsNoReferrersTag() throws IOException {
        Digest subject = Digest.sha256("subject".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"artifactType\":\"application/vnd.example\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
                + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
                + "\"layers\":[],\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + subject + "\",\"size\":7}}";
        List<String> log = new CopyOnWriteArrayList<>();
        HttpServer s = server("/", ex -> {
            log.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            ex.getRequestBody().readAllBytes();
            send(ex, 201, new byte[0], "OCI-Subject", subject.toString());
        });
        RegistryRepository repo = clientFor(s).build().repository(host(s), "ns/app");
        dev.ocikit.image.spi.ManifestBlob m = dev.ocikit.image.spi.ManifestBlob.of(
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/vnd.oci.image.manifest.v1+json");
        repo.putManifest(m, List.of("sig"));
        assertThat(log).containsExactly("PUT /v2/ns/app/manifests/sig");
    }

    @Test
    void aBrokenReferrersAnswerHidesOnlyTheSignaturesKeptThere() throws IOException {
        Digest image = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
        for (int status : new int[] {405, 500}) {
            HttpServer s = server("/", ex -> send(ex, status, new byte[0]));
            RegistryRepository repo = clientFor(s).maxAttempts(1).build().repository(host(s), "ns/app");
            assertThat(SigstoreAttachments.readReferrers(repo, image, new SignatureBudget(image))).isEmpty();
        }
        HttpServer garbage = server("/", ex -> send(ex, 200, "{\"manifests\": 7}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.oci.image.index.v1+json"));
        RegistryRepository repo = clientFor(garbage).build().repository(host(garbage), "ns/app");
        assertThat(SigstoreAttachments.readReferrers(repo, image, new SignatureBudget(image))).isEmpty();
    }

    @Test
    void oneImagesSignaturesFromAllPlacesTogetherAreBounded() {
        Digest image = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
        SignatureBudget bytes = new SignatureBudget(image);
        bytes.take(SignatureBudget.MAX_BYTES - 1, "lookaside");
        assertThatThrownBy(() -> bytes.take(2, "the .sig tag"))
                .isInstanceOf(dev.ocikit.image.signature.SignatureVerificationException.class)
                .hasMessageContaining(image.toString()).hasMessageContaining("the .sig tag").hasMessageContaining("32 MiB");
        SignatureBudget count = new SignatureBudget(image);
        for (int i = 0; i < SignatureBudget.MAX_COUNT; i++) {
            count.take(10, "lookaside");
        }
        assertThatThrownBy(() -> count.take(10, "referrers")).hasMessageContaining(SignatureBudget.MAX_COUNT + " signatures");
    }
}
