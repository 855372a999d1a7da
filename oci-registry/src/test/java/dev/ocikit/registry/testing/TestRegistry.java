package dev.ocikit.registry.testing;

import dev.ocikit.registry.Credentials;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}) on a free {@code 127.0.0.1}
 * port, with its storage in a temporary directory, for integration tests. Start one with
 * {@link #plain()}, {@link #basicAuth}, {@link #tls()} or {@link #tokenAuth}; {@link #close()}
 * stops the process (and the token server) and deletes its files. Use in try-with-resources or
 * from {@code @BeforeAll}/{@code @AfterAll}.
 *
 * <p>Starting calls {@code Tools.require("docker-registry")}, so the test is skipped (or failed
 * under {@code OCIKIT_REQUIRE_INTEGRATION=1}) where the registry is not installed. Readiness is
 * awaited by polling {@code /v2/} until it answers, with a bounded deadline. Catalog and delete
 * are enabled. Thread-safe once started.
 */
public final class TestRegistry implements AutoCloseable {
    /** Longest wait for the registry to answer {@code /v2/}. */
    private static final Duration READY_DEADLINE = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 3;

    private enum Mode { PLAIN, BASIC, TLS, TOKEN }

    private final Path dir;
    private final Process process;
    private final int port;
    private final Mode mode;
    private final Optional<Credentials> credentials;
    private final Optional<TestCertificates.KeyAndCertificate> ca;
    private final Optional<TestTokenServer> tokenServer;

    private TestRegistry(Path dir, Process process, int port, Mode mode, Optional<Credentials> credentials,
            Optional<TestCertificates.KeyAndCertificate> ca, Optional<TestTokenServer> tokenServer) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.mode = mode;
        this.credentials = credentials;
        this.ca = ca;
        this.tokenServer = tokenServer;
    }

    /** Plain http, no authentication. */
    public static TestRegistry plain() throws IOException {
        return start(Mode.PLAIN, Optional.empty());
    }

    /** Plain http with htpasswd (bcrypt) Basic authentication for one user. */
    public static TestRegistry basicAuth(String username, String password) throws IOException {
        return start(Mode.BASIC, Optional.of(Credentials.of(username, password)));
    }

    /** https with a server certificate signed by a CA made for this registry; see {@link #sslContext()}. */
    public static TestRegistry tls() throws IOException {
        return start(Mode.TLS, Optional.empty());
    }

    /**
     * Plain http with {@code auth: token}: a {@link TestTokenServer} issuing JWTs to this user
     * (and pull-only tokens to anonymous callers).
     */
    public static TestRegistry tokenAuth(String username, String password) throws IOException {
        return start(Mode.TOKEN, Optional.of(Credentials.of(username, password)));
    }

    private static TestRegistry start(Mode mode, Optional<Credentials> credentials) throws IOException {
        Path exe = Tools.require("docker-registry");
        Path dir = Files.createTempDirectory("ocikit-test-registry-");
        Optional<TestCertificates.KeyAndCertificate> ca = Optional.empty();
        Optional<TestTokenServer> token = Optional.empty();
        try {
            StringBuilder extra = new StringBuilder();
            if (mode == Mode.BASIC) {
                Credentials c = credentials.orElseThrow();
                byte[] salt = new byte[16];
                new SecureRandom().nextBytes(salt);
                // registry 2.8 accepts bcrypt entries only; cost 5 keeps the test fast
                String hash = OpenBSDBCrypt.generate("2a", c.password().orElseThrow().toCharArray(), salt, 5);
                Files.writeString(dir.resolve("htpasswd"), c.username() + ":" + hash + "\n");
                extra.append("auth:\n  htpasswd:\n    realm: ocikit-test\n    path: ")
                        .append(dir.resolve("htpasswd")).append('\n');
            } else if (mode == Mode.TLS) {
                TestCertificates.KeyAndCertificate caCert = TestCertificates.ca("ocikit test CA");
                TestCertificates.KeyAndCertificate server = TestCertificates.server(caCert);
                caCert.writeCertificatePem(dir.resolve("ca.crt"));
                server.writeCertificatePem(dir.resolve("server.crt"));
                server.writeKeyPem(dir.resolve("server.key"));
                ca = Optional.of(caCert);
            } else if (mode == Mode.TOKEN) {
                Credentials c = credentials.orElseThrow();
                TestTokenServer t = TestTokenServer.start(c.username(), c.password().orElseThrow());
                token = Optional.of(t);
                t.signing().writeCertificatePem(dir.resolve("token-root.crt"));
                extra.append("auth:\n  token:\n    realm: ").append(t.realm())
                        .append("\n    service: ").append(TestTokenServer.SERVICE)
                        .append("\n    issuer: ").append(TestTokenServer.ISSUER)
                        .append("\n    rootcertbundle: ").append(dir.resolve("token-root.crt")).append('\n');
            }
            IOException last = null;
            for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
                int port = freePort();
                Path config = dir.resolve("config.yml");
                Files.writeString(config, config(dir, port, mode, extra.toString()));
                Path log = dir.resolve("registry.log");
                Process p = new ProcessBuilder(exe.toString(), "serve", config.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                TestRegistry r = new TestRegistry(dir, p, port, mode, credentials, ca, token);
                try {
                    r.awaitReady();
                    return r;
                } catch (IOException e) {
                    // most likely the port was taken between probing and binding: try another
                    stop(p);
                    last = e;
                }
            }
            throw last;
        } catch (IOException | RuntimeException e) {
            token.ifPresent(TestTokenServer::close);
            deleteTree(dir);
            throw e;
        }
    }

    private static String config(Path dir, int port, Mode mode, String extra) {
        StringBuilder b = new StringBuilder();
        b.append("version: 0.1\n");
        b.append("log:\n  level: warn\n  accesslog:\n    disabled: true\n");
        b.append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("storage")).append('\n');
        b.append("  delete:\n    enabled: true\n");
        b.append("  maintenance:\n    uploadpurging:\n      enabled: false\n");
        b.append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        b.append("  secret: ").append(HexFormat.of().formatHex(new SecureRandom().generateSeed(16))).append('\n');
        if (mode == Mode.TLS) {
            b.append("  tls:\n    certificate: ").append(dir.resolve("server.crt"))
                    .append("\n    key: ").append(dir.resolve("server.key")).append('\n');
        }
        b.append(extra);
        return b.toString();
    }

    private void awaitReady() throws IOException {
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        ca.ifPresent(c -> hb.sslContext(TestCertificates.trusting(c.certificate())));
        HttpClient http = hb.build();
        long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
        long backoffMillis = 10;
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(baseUri().resolve("/v2/"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for docker-registry", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("docker-registry did not answer /v2/ within " + READY_DEADLINE + ": " + logTail());
            }
            try {
                Thread.sleep(backoffMillis); // poll backoff, bounded by the deadline above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 200);
        }
    }

    /** The last lines the registry logged, for failure messages. */
    public String logTail() {
        try {
            String s = Files.readString(dir.resolve("registry.log"), StandardCharsets.UTF_8);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image names. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://...} for {@link #tls()}. */
    public URI baseUri() {
        return URI.create((mode == Mode.TLS ? "https" : "http") + "://" + host());
    }

    /** Whether this registry speaks TLS. */
    public boolean isTls() {
        return mode == Mode.TLS;
    }

    /** The user the registry accepts (Basic and token modes). */
    public Optional<Credentials> credentials() {
        return credentials;
    }

    /** For {@link #tls()}: a TLS context trusting this registry's CA. */
    public Optional<SSLContext> sslContext() {
        return ca.map(c -> TestCertificates.trusting(c.certificate()));
    }

    /** For {@link #tls()}: the CA certificate as a PEM file (for a certs.d directory). */
    public Optional<Path> caCertificatePem() {
        return ca.map(c -> dir.resolve("ca.crt"));
    }

    /** For {@link #tokenAuth}: the token server. */
    public Optional<TestTokenServer> tokenServer() {
        return tokenServer;
    }

    /** The registry's storage root. */
    public Path storageDir() {
        return dir.resolve("storage");
    }

    @Override
    public void close() {
        stop(process);
        tokenServer.ifPresent(TestTokenServer::close);
        deleteTree(dir);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp dir left behind is harmless
        }
    }

    @Override
    public String toString() {
        return "TestRegistry[" + mode + " " + baseUri() + "]";
    }
}
