package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SignatureVerificationException;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.registry.testing.TestCertificates;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.MalformedDocumentException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lookaside signature storage: its URLs, file:// reading and writing, and http(s):// reading from in-process servers. */
class LookasideTest {
    private static final Digest MANIFEST = Digest.sha256("a manifest".getBytes(StandardCharsets.UTF_8));
    private static final String HEX = MANIFEST.encoded();

    @TempDir
    Path tmp;

    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    private static SimpleSignature simple(String text) {
        return new SimpleSignature(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Lookaside lookaside(RegistryClient.Builder b) {
        return b.maxAttempts(1).requestTimeout(Duration.ofSeconds(10)).build().lookaside();
    }

    private static Lookaside plainLookaside() {
        return lookaside(RegistryClient.builder());
    }

    @Test
    void signatureUrlsAreTheRepositoryPathAndTheDigestUnderTheStorage() {
        assertThat(Lookaside.signatureUrl(URI.create("file:///var/lib/containers/sigstore"), "library/busybox", MANIFEST, 1))
                .hasToString("file:///var/lib/containers/sigstore/library/busybox@sha256=" + HEX + "/signature-1");
        assertThat(Lookaside.signatureUrl(URI.create("https://sigs.example.com:8443/root"), "team/app", MANIFEST, 12))
                .hasToString("https://sigs.example.com:8443/root/team/app@sha256=" + HEX + "/signature-12");
        // as containers/image: a trailing slash is not dropped, a query is kept
        assertThat(Lookaside.signatureUrl(URI.create("http://127.0.0.1:4242/"), "app", MANIFEST, 1))
                .hasToString("http://127.0.0.1:4242//app@sha256=" + HEX + "/signature-1");
        assertThat(Lookaside.signatureUrl(URI.create("https://cdn.example.com/sigs?sig=abc"), "app", MANIFEST, 2))
                .hasToString("https://cdn.example.com/sigs/app@sha256=" + HEX + "/signature-2?sig=abc");
        Digest sha512 = Digest.compute(DigestAlgorithm.SHA512, new byte[] {1});
        assertThat(Lookaside.signatureUrl(URI.create("file:///s"), "a/b/c", sha512, 3))
                .hasToString("file:///s/a/b/c@sha512=" + sha512.encoded() + "/signature-3");
        assertThatThrownBy(() -> Lookaside.signatureUrl(URI.create("file:///s"), "a", MANIFEST, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Lookaside.file(Lookaside.signatureUrl(URI.create("file:///srv/my%20sigs"), "app", MANIFEST, 1)))
                .isEqualTo(Path.of("/srv/my sigs/app@sha256=" + HEX + "/signature-1"));
    }

    @Test
    void fileStorageRoundTripAndReplacement() throws IOException {
        URI storage = tmp.resolve("sigstore").toUri();
        Lookaside l = plainLookaside();
        assertThat(l.read(storage, "team/app", MANIFEST)).isEmpty();

        SigstoreSignature sigstore = new SigstoreSignature(SigstoreSignature.PAYLOAD_MEDIA_TYPE, "{}".getBytes(StandardCharsets.UTF_8),
                Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, "c2ln"));
        List<ImageSignature> three = List.of(simple("one"), sigstore, simple("three"));
        Lookaside.write(storage, "team/app", MANIFEST, three);
        Path dir = tmp.resolve("sigstore/team/app@sha256=" + HEX);
        assertThat(dir.resolve("signature-1")).hasContent("one");
        assertThat(Files.getPosixFilePermissions(dir.resolve("signature-2"))).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(l.read(storage, "team/app", MANIFEST)).containsExactlyElementsOf(three);

        // fewer signatures: the old third one goes, so that no reader finds it after the new ones
        Lookaside.write(storage, "team/app", MANIFEST, List.of(simple("new")));
        assertThat(l.read(storage, "team/app", MANIFEST)).containsExactly(simple("new"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("signature-1");
        }
        // an empty list changes nothing, as in containers/image
        Lookaside.write(storage, "team/app", MANIFEST, List.of());
        assertThat(l.read(storage, "team/app", MANIFEST)).containsExactly(simple("new"));
        // another digest is another directory
        assertThat(l.read(storage, "team/app", Digest.sha256(new byte[0]))).isEmpty();
    }

    @Test
    void readingStopsAtTheFirstMissingNumber() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("s/app@sha256=" + HEX));
        Files.writeString(dir.resolve("signature-1"), "1");
        Files.writeString(dir.resolve("signature-2"), "2");
        Files.writeString(dir.resolve("signature-4"), "4");
        assertThat(plainLookaside().read(tmp.resolve("s").toUri(), "app", MANIFEST)).containsExactly(simple("1"), simple("2"));
    }

    @Test
    void anOversizedSignatureFileIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("s/app@sha256=" + HEX));
        Files.write(dir.resolve("signature-1"), new byte[Lookaside.MAX_SIGNATURE_SIZE + 1]);
        assertThatThrownBy(() -> plainLookaside().read(tmp.resolve("s").toUri(), "app", MANIFEST))
                .isInstanceOf(MalformedDocumentException.class).hasMessageContaining("more than the " + Lookaside.MAX_SIGNATURE_SIZE);
    }

    @Test
    void moreSignaturesThanAnyImageHasAreRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("s/app@sha256=" + HEX));
        for (int n = 1; n <= Lookaside.MAX_SIGNATURES + 1; n++) {
            Files.writeString(dir.resolve("signature-" + n), "x");
        }
        assertThatThrownBy(() -> plainLookaside().read(tmp.resolve("s").toUri(), "app", MANIFEST))
                .isInstanceOf(LookasideException.class).hasMessageContaining("more than 128 signatures");
    }

    @Test
    void aSignatureInAnUnknownFormatIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("s/app@sha256=" + HEX));
        Files.write(dir.resolve("signature-1"), "\0future-format\n{}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> plainLookaside().read(tmp.resolve("s").toUri(), "app", MANIFEST))
                .isInstanceOf(SignatureVerificationException.class).hasMessageContaining("future-format");
    }

    @Test
    void httpStorageIsWrittenNeverAndSaysSoAsContainersImageDoes() {
        assertThat(Lookaside.writable(URI.create("file:///x"))).isTrue();
        assertThat(Lookaside.writable(URI.create("https://x/y"))).isFalse();
        assertThat(Lookaside.notWritable(URI.create("https://user:pw@sigs.example.com/y?t=1"))).isEqualTo(
                "Writing directly to a https lookaside https://sigs.example.com/y is not supported. Configure a lookaside-staging: location");
    }

    // ---------------------------------------------------------------- http

    private record Hit(String path, Optional<String> authorization) {}

    private HttpServer server(List<Hit> hits, HttpHandler handler) throws IOException {
        return start(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), hits, handler);
    }

    private HttpServer start(HttpServer s, List<Hit> hits, HttpHandler handler) {
        s.createContext("/", ex -> {
            try (ex) {
                hits.add(new Hit(ex.getRequestURI().toString(), Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization"))));
                handler.handle(ex);
            }
        });
        s.start();
        servers.add(s);
        return s;
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Serves signature-1 and -2 of {@link #MANIFEST} under /sigs/app; 404 for anything else. */
    private static HttpHandler twoSignatures() {
        return ex -> {
            String p = ex.getRequestURI().getPath();
            if (p.equals("/sigs/app@sha256=" + HEX + "/signature-1")) {
                send(ex, 200, "first".getBytes(StandardCharsets.UTF_8));
            } else if (p.equals("/sigs/app@sha256=" + HEX + "/signature-2")) {
                send(ex, 200, "second".getBytes(StandardCharsets.UTF_8));
            } else {
                send(ex, 404, "not here".getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    private static URI base(HttpServer s, String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + s.getAddress().getPort() + path);
    }

    @Test
    void httpReadsUntilA404AndSendsNoCredentials() throws IOException {
        List<Hit> hits = new CopyOnWriteArrayList<>();
        HttpServer s = server(hits, twoSignatures());
        assertThat(plainLookaside().read(base(s, "http", "/sigs"), "app", MANIFEST)).containsExactly(simple("first"), simple("second"));
        assertThat(hits).extracting(Hit::path).containsExactly("/sigs/app@sha256=" + HEX + "/signature-1",
                "/sigs/app@sha256=" + HEX + "/signature-2", "/sigs/app@sha256=" + HEX + "/signature-3");
        assertThat(hits).allSatisfy(h -> assertThat(h.authorization()).isEmpty());
    }

    @Test
    void aServerErrorIsATypedFailure() throws IOException {
        HttpServer s = server(new CopyOnWriteArrayList<>(), ex -> send(ex, 500, "oops".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> plainLookaside().read(base(s, "http", "/sigs"), "app", MANIFEST))
                .isInstanceOf(LookasideException.class)
                .hasMessage("reading signature http://127.0.0.1:" + s.getAddress().getPort() + "/sigs/app@sha256=" + HEX
                        + "/signature-1 failed with HTTP 500")
                .satisfies(e -> assertThat(((LookasideException) e).status()).hasValue(500));
    }

    @Test
    void anOversizedBodyIsRefused() throws IOException {
        HttpServer s = server(new CopyOnWriteArrayList<>(), ex -> send(ex, 200, new byte[Lookaside.MAX_SIGNATURE_SIZE + 1]));
        assertThatThrownBy(() -> plainLookaside().read(base(s, "http", "/sigs"), "app", MANIFEST))
                .isInstanceOf(LookasideException.class).hasMessageContaining("larger than " + Lookaside.MAX_SIGNATURE_SIZE);
    }

    @Test
    void redirectsAreFollowedButNotForEver() throws IOException {
        List<Hit> hits = new CopyOnWriteArrayList<>();
        HttpServer target = server(hits, twoSignatures());
        HttpServer front = server(hits, ex -> {
            ex.getResponseHeaders().add("Location", base(target, "http", "/sigs").toString()
                    + ex.getRequestURI().getPath().substring("/front".length()));
            send(ex, 302, new byte[0]);
        });
        assertThat(plainLookaside().read(base(front, "http", "/front"), "app", MANIFEST)).containsExactly(simple("first"), simple("second"));

        HttpServer loop = server(new CopyOnWriteArrayList<>(), ex -> {
            ex.getResponseHeaders().add("Location", ex.getRequestURI().getPath());
            send(ex, 307, new byte[0]);
        });
        assertThatThrownBy(() -> plainLookaside().read(base(loop, "http", "/x"), "app", MANIFEST))
                .isInstanceOf(LookasideException.class).hasMessageContaining("more than 10 redirects");
    }

    @Test
    void aPasswordInAPlainHttpUrlIsNotSent() throws IOException {
        List<Hit> hits = new CopyOnWriteArrayList<>();
        HttpServer s = server(hits, twoSignatures());
        URI withPassword = URI.create("http://reader:s3cret@127.0.0.1:" + s.getAddress().getPort() + "/sigs");
        assertThatThrownBy(() -> plainLookaside().read(withPassword, "app", MANIFEST)).isInstanceOf(LookasideException.class)
                .hasMessageContaining("https only").message().doesNotContain("s3cret").doesNotContain("reader");
        assertThat(hits).isEmpty();
    }

    @Test
    void overHttpsAPasswordInTheUrlGoesToItsOriginOnlyAndNoDowngradeIsFollowed() throws Exception {
        TestCertificates.KeyAndCertificate ca = TestCertificates.ca("lookaside test CA");
        TestCertificates.KeyAndCertificate leaf = TestCertificates.server(ca);
        List<Hit> hits = new CopyOnWriteArrayList<>();
        HttpsServer other = https(leaf, ca, hits, twoSignatures());
        HttpsServer origin = https(leaf, ca, hits, ex -> {
            String p = ex.getRequestURI().getPath();
            if (p.endsWith("/signature-1")) {
                send(ex, 200, "here".getBytes(StandardCharsets.UTF_8));
            } else if (p.endsWith("/signature-2")) {
                // to another origin: the credentials stay behind
                ex.getResponseHeaders().add("Location", base(other, "https", "/sigs/app@sha256=" + HEX + "/signature-1").toString());
                send(ex, 302, new byte[0]);
            } else {
                send(ex, 404, new byte[0]);
            }
        });
        SSLContext trust = TestCertificates.trusting(ca.certificate());
        Lookaside l = lookaside(RegistryClient.builder().defaultSslContext(trust));
        URI storage = URI.create("https://reader:s%3Acret@127.0.0.1:" + origin.getAddress().getPort() + "/sigs");
        assertThat(l.read(storage, "app", MANIFEST)).containsExactly(simple("here"), simple("first"));
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("reader:s:cret".getBytes(StandardCharsets.UTF_8));
        assertThat(hits).extracting(Hit::authorization).containsExactly(Optional.of(basic), Optional.of(basic), Optional.empty(),
                Optional.of(basic));

        HttpServer plain = server(new CopyOnWriteArrayList<>(), twoSignatures());
        HttpsServer downgrading = https(leaf, ca, new CopyOnWriteArrayList<>(), ex -> {
            ex.getResponseHeaders().add("Location", base(plain, "http", ex.getRequestURI().getPath()).toString());
            send(ex, 301, new byte[0]);
        });
        assertThatThrownBy(() -> l.read(base(downgrading, "https", "/sigs"), "app", MANIFEST))
                .isInstanceOf(LookasideException.class).hasMessageContaining("from https to plain http");

        // and without the CA, TLS is verified: the read fails
        assertThatThrownBy(() -> plainLookaside().read(base(origin, "https", "/sigs"), "app", MANIFEST))
                .isInstanceOf(IOException.class);
    }

    private HttpsServer https(TestCertificates.KeyAndCertificate leaf, TestCertificates.KeyAndCertificate ca, List<Hit> hits,
            HttpHandler handler) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "test".toCharArray();
        ks.setKeyEntry("server", leaf.privateKey(), pw, new Certificate[] {leaf.certificate(), ca.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        start(s, hits, handler);
        return s;
    }
}
