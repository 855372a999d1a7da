package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.registry.testing.TestImage;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through registries.conf mirrors against small in-process registries that fail on purpose
 * (5xx, 401, down, missing image) and record every request, so that which host served what, and
 * which credentials went where, can be checked. Per-source TLS is in {@code MirrorPullIT}: these
 * servers do not answer a TLS hello, a real registry does.
 */
class MirrorFallbackTest {
    private static final String USER = "mirror-user";
    private static final String PASSWORD = "s3cret-never-in-messages";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /** A registry serving some images from memory, or failing every request with {@code failWith}; records requests. */
    final class Fake {
        final HttpServer server;
        final Map<String, byte[]> content = new HashMap<>(); // "/v2/<path>/manifests/<ref>" and "/v2/<path>/blobs/<digest>"
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> authorizations = new CopyOnWriteArrayList<>();
        volatile int failWith;
        volatile boolean basicAuth;

        Fake() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", ex -> {
                try (ex) {
                    handle(ex);
                }
            });
            server.start();
            servers.add(server);
        }

        String host() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + path);
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            if (failWith != 0) {
                send(ex, failWith, new byte[0]);
                return;
            }
            if (basicAuth && !BASIC.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, new byte[0], "WWW-Authenticate", "Basic realm=\"fake\"");
                return;
            }
            byte[] body = content.get(path);
            if (path.equals("/v2/")) {
                send(ex, 200, "{}".getBytes(StandardCharsets.UTF_8));
            } else if (body == null) {
                send(ex, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"
                        .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
            } else if (path.contains("/manifests/")) {
                send(ex, 200, body, "Content-Type", MediaTypes.OCI_MANIFEST, "Docker-Content-Digest", Digest.sha256(body).toString());
            } else {
                send(ex, 200, body);
            }
        }

        /** Serves {@code image} as {@code path:tag} (and by digest). */
        Fake serve(String path, String tag, TestImage image) {
            content.put("/v2/" + path + "/manifests/" + tag, image.manifestBytes());
            content.put("/v2/" + path + "/manifests/" + image.manifest().digest(), image.manifestBytes());
            content.put("/v2/" + path + "/blobs/" + image.layerDigest(), image.layer());
            content.put("/v2/" + path + "/blobs/" + image.configDigest(), image.config());
            return this;
        }

        List<String> blobRequests() {
            return requests.stream().filter(r -> r.contains("/blobs/")).toList();
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body, String... headers) throws IOException {
        for (int i = 0; i < headers.length; i += 2) {
            ex.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, body.length == 0 || head ? -1 : body.length);
        if (body.length > 0 && !head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private RegistriesConf conf(String toml) throws IOException {
        return RegistriesConf.load(Files.writeString(tmp.resolve("registries.conf"), toml));
    }

    /** registries.conf: {@code registry} with one mirror at {@code mirrorLocation} (plus {@code extra} mirror keys). */
    private RegistriesConf mirrored(String registry, String mirrorLocation, String extra) throws IOException {
        return conf("[[registry]]\nlocation = \"" + registry + "\"\n[[registry.mirror]]\nlocation = \""
                + mirrorLocation + "\"\n" + extra);
    }

    private static RegistryClient.Builder client(RegistriesConf conf, Fake... plain) {
        RegistryClient.Builder b = RegistryClient.builder().registriesConf(conf).retryBackoff(Duration.ofMillis(1))
                .maxAttempts(2);
        for (Fake f : plain) {
            b.plainHttp(f.host());
        }
        return b;
    }

    /** Reads the image through the docker: transport as the copy engine would: top manifest, then its blobs. */
    private static Digest pullThroughTransport(RegistryClient client, String image) throws IOException {
        DockerTransport docker = new DockerTransport(client);
        try (ImageSource src = docker.parse("//" + image).openSource()) {
            ManifestBlob m = src.manifest(Optional.empty());
            var parsed = dev.ocikit.spec.image.ImageManifest.parse(m.bytes());
            List<Descriptor> blobs = new ArrayList<>(parsed.layers());
            blobs.add(parsed.config());
            for (Descriptor d : blobs) {
                try (InputStream in = src.blob(d)) {
                    assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(d.digest());
                }
            }
            return m.digest();
        }
    }

    @Test
    void manifestAndBlobsComeFromTheMirrorThatAnswered() throws IOException {
        TestImage onMirror = TestImage.of("on-mirror");
        Fake registry = new Fake().serve("team/app", "v1", TestImage.of("on-registry"));
        Fake mirror = new Fake().serve("cache/team/app", "v1", onMirror);
        RegistryClient client = client(mirrored(registry.host(), mirror.host() + "/cache", ""), registry, mirror).build();

        assertThat(pullThroughTransport(client, registry.host() + "/team/app:v1")).isEqualTo(onMirror.manifest().digest());
        assertThat(registry.requests).isEmpty();
        assertThat(mirror.requests).contains("GET /v2/cache/team/app/manifests/v1");
        assertThat(mirror.blobRequests()).hasSize(2);

        ImageLocation at = client.locate(ImageReference.parse(registry.host() + "/team/app:v1"));
        assertThat(at.isMirror()).isTrue();
        assertThat(at.reference()).isEqualTo(ImageReference.parse(mirror.host() + "/cache/team/app:v1"));
        assertThat(at.requested()).isEqualTo(ImageReference.parse(registry.host() + "/team/app:v1"));
        assertThat(at.repository().registry()).isEqualTo(mirror.host());
    }

    @Test
    void aMirrorAnswering5xxOr401IsSkippedAndEverythingComesFromTheRegistry() throws IOException {
        TestImage image = TestImage.of("fallback");
        for (int status : new int[] {503, 401, 403, 500}) {
            Fake registry = new Fake().serve("app", "v1", image);
            Fake mirror = new Fake().serve("app", "v1", TestImage.of("stale"));
            mirror.failWith = status;
            RegistryClient client = client(mirrored(registry.host(), mirror.host(), ""), registry, mirror).build();

            assertThat(pullThroughTransport(client, registry.host() + "/app:v1")).as("mirror answering %d", status)
                    .isEqualTo(image.manifest().digest());
            assertThat(mirror.requests).as("mirror answering %d", status).isNotEmpty().noneMatch(r -> r.contains("/blobs/"));
            assertThat(registry.blobRequests()).hasSize(2);
        }
    }

    @Test
    void aMirrorThatIsDownIsSkipped() throws IOException {
        TestImage image = TestImage.of("down");
        Fake registry = new Fake().serve("app", "v1", image);
        String down = "127.0.0.1:" + freePort();
        RegistryClient client = client(mirrored(registry.host(), down, ""), registry).plainHttp(down).build();
        assertThat(pullThroughTransport(client, registry.host() + "/app:v1")).isEqualTo(image.manifest().digest());
        assertThat(client.locate(ImageReference.parse(registry.host() + "/app:v1")).isMirror()).isFalse();
    }

    @Test
    void whenNoSourceHasTheImageTheErrorNamesEveryAttemptAndKeepsTheRegistrysType() throws IOException {
        Fake registry = new Fake();
        String down = "127.0.0.1:" + freePort();
        Fake mirror = new Fake();
        RegistriesConf conf = conf("[[registry]]\nlocation = \"" + registry.host() + "\"\n"
                + "[[registry.mirror]]\nlocation = \"" + down + "\"\n"
                + "[[registry.mirror]]\nlocation = \"" + mirror.host() + "/m\"\n");
        RegistryClient client = client(conf, registry, mirror).plainHttp(down).build();
        ImageReference wanted = ImageReference.parse(registry.host() + "/app:v1");

        assertThatThrownBy(() -> client.locate(wanted))
                .isInstanceOf(ManifestUnknownException.class)
                .hasMessageContaining("[" + down + "/app:v1: ")
                .hasMessageContaining("[" + mirror.host() + "/m/app:v1: ")
                .hasMessageContaining("): " + registry.host() + "/app:v1: ")
                .satisfies(e -> {
                    assertThat(((RegistryException) e).status()).isEqualTo(404);
                    assertThat(e.getCause()).isInstanceOf(ManifestUnknownException.class);
                    assertThat(e.getSuppressed()).hasSize(2);
                    assertThat(e.getSuppressed()[0]).isInstanceOf(ConnectException.class);
                    assertThat(e.getSuppressed()[1]).isInstanceOf(ManifestUnknownException.class);
                });
        // the transport fails the same way when the source is opened
        assertThatThrownBy(() -> new DockerTransport(client).reference(wanted).openSource())
                .isInstanceOf(ManifestUnknownException.class).hasMessageContaining(mirror.host() + "/m/app:v1");
    }

    @Test
    void withoutMirrorsTheRegistrysErrorIsUnchanged() throws IOException {
        Fake registry = new Fake();
        RegistryClient client = client(RegistriesConf.empty(), registry).build();
        ImageReference wanted = ImageReference.parse(registry.host() + "/app:v1");
        String direct = null;
        try {
            client.repository(wanted).manifest("v1");
        } catch (ManifestUnknownException e) {
            direct = e.getMessage();
        }
        assertThat(direct).isNotNull();
        assertThatThrownBy(() -> client.locate(wanted)).isInstanceOf(ManifestUnknownException.class).hasMessage(direct);
    }

    @Test
    void fixedCredentialsAreNotSentToAMirrorOnAnotherHost() throws IOException {
        TestImage image = TestImage.of("creds");
        Fake registry = new Fake().serve("app", "v1", image);
        registry.basicAuth = true;
        Fake mirror = new Fake().serve("app", "v1", TestImage.of("would-leak"));
        mirror.basicAuth = true; // it would serve with the registry's credentials, if it got them
        RegistryClient client = client(mirrored(registry.host(), mirror.host(), ""), registry, mirror)
                .credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD))).build();

        assertThat(pullThroughTransport(client, registry.host() + "/app:v1")).isEqualTo(image.manifest().digest());
        assertThat(mirror.requests).isNotEmpty();
        assertThat(mirror.authorizations).containsOnly("null");
        assertThat(registry.authorizations).contains(BASIC);
    }

    @Test
    void perHostCredentialsReachTheMirrorTheyAreFor() throws IOException {
        TestImage image = TestImage.of("mirror-creds");
        Fake registry = new Fake();
        Fake mirror = new Fake().serve("app", "v1", image);
        mirror.basicAuth = true;
        CredentialProvider perHost = (host, repo) -> host.equals(mirror.host())
                ? Optional.of(Credentials.of(USER, PASSWORD)) : Optional.empty();
        RegistryClient client = client(mirrored(registry.host(), mirror.host(), ""), registry, mirror)
                .credentials(perHost).build();

        assertThat(pullThroughTransport(client, registry.host() + "/app:v1")).isEqualTo(image.manifest().digest());
        assertThat(mirror.authorizations).contains(BASIC);
        assertThat(registry.requests).isEmpty();
    }

    @Test
    void tagOnlyAndDigestOnlyMirrorsServeOnlyTheirKindOfReference() throws IOException {
        TestImage image = TestImage.of("kinds");
        Fake registry = new Fake().serve("app", "v1", image);
        Fake mirror = new Fake().serve("app", "v1", image);
        RegistryClient digestOnly = client(mirrored(registry.host(), mirror.host(), "pull-from-mirror = \"digest-only\"\n"),
                registry, mirror).build();
        assertThat(digestOnly.locate(ImageReference.parse(registry.host() + "/app:v1")).isMirror()).isFalse();
        assertThat(mirror.requests).isEmpty();
        assertThat(digestOnly.locate(ImageReference.parse(registry.host() + "/app@" + image.manifest().digest())).isMirror())
                .isTrue();

        RegistryClient tagOnly = client(mirrored(registry.host(), mirror.host(), "pull-from-mirror = \"tag-only\"\n"),
                registry, mirror).build();
        assertThat(tagOnly.locate(ImageReference.parse(registry.host() + "/app:v1")).isMirror()).isTrue();
        assertThat(tagOnly.locate(ImageReference.parse(registry.host() + "/app@" + image.manifest().digest())).isMirror())
                .isFalse();
    }

    @Test
    void aBlockedRegistryIsRefusedBeforeAnyRequest() throws IOException {
        TestImage image = TestImage.of("blocked");
        Fake registry = new Fake().serve("app", "v1", image);
        Fake mirror = new Fake().serve("app", "v1", image);
        RegistryClient client = client(conf("[[registry]]\nlocation = \"" + registry.host() + "\"\nblocked = true\n"
                + "[[registry.mirror]]\nlocation = \"" + mirror.host() + "\"\n"), registry, mirror).build();
        ImageReference wanted = ImageReference.parse(registry.host() + "/app:v1");

        assertThatThrownBy(() -> client.locate(wanted)).isInstanceOf(BlockedRegistryException.class)
                .hasMessageContaining(registry.host());
        assertThatThrownBy(() -> client.pullSources(wanted)).isInstanceOf(BlockedRegistryException.class);
        assertThatThrownBy(() -> new DockerTransport(client).reference(wanted).openSource())
                .isInstanceOf(BlockedRegistryException.class);
        assertThat(registry.requests).isEmpty();
        assertThat(mirror.requests).isEmpty();
    }

    @Test
    void pullSourcesAreTheConfigurationsAndNoneWithoutIt() throws IOException {
        RegistriesConf conf = mirrored("registry.example", "mirror.example/cache", "insecure = true\n");
        ImageReference wanted = ImageReference.parse("registry.example/app:1");
        assertThat(RegistryClient.builder().registriesConf(conf).build().pullSources(wanted)).containsExactly(
                new RegistriesConf.PullSource(ImageReference.parse("mirror.example/cache/app:1"), true, true),
                new RegistriesConf.PullSource(wanted, false, false));
        assertThat(RegistryClient.builder().build().pullSources(wanted))
                .containsExactly(new RegistriesConf.PullSource(wanted, false, false));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
