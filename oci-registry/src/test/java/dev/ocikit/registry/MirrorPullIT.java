package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.Copy;
import dev.ocikit.image.OciTransport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.registry.testing.TestImage;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through {@code registries.conf} mirrors with two real docker-registry processes: registry
 * A has mirror B (at {@code B/mirror}, so names are rewritten). The configuration is a user's
 * {@code registries.conf} in a temporary {@code $HOME}, read through
 * {@link RegistryClient.Builder#containersConfig}, as the machine's would be. Both registries
 * speak plain http and are marked {@code insecure} there; test content is put in place by a
 * separate client that talks to each directly.
 */
class MirrorPullIT {
    static TestRegistry a;
    static TestRegistry b;
    /** Talks to A and B themselves, without any registries.conf: for putting and checking content. */
    static RegistryClient direct;

    @TempDir
    Path tmp;
    int pulls;

    @BeforeAll
    static void start() throws IOException {
        a = TestRegistry.plain();
        b = TestRegistry.plain();
        direct = RegistryClient.builder().plainHttp(a.host()).plainHttp(b.host()).build();
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** The environment of a user whose only registries.conf is {@code toml} (no system files are read). */
    ContainersEnvironment environment(String toml) throws IOException {
        Path home = tmp.resolve("home");
        Path conf = home.resolve(".config/containers/registries.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, toml);
        return ContainersEnvironment.of(Map.of("HOME", home.toString()));
    }

    /** A client configured from {@code toml} as Podman would be. */
    RegistryClient client(String toml) throws IOException {
        return client(RegistryClient.builder().containersConfig(environment(toml)));
    }

    static RegistryClient client(RegistryClient.Builder b) {
        return b.retryBackoff(Duration.ofMillis(10)).build();
    }

    /** registries.conf: registry {@code registry} (insecure), with one insecure mirror at {@code mirror}/mirror, plus {@code extra} mirror keys. */
    static String mirrored(TestRegistry registry, TestRegistry mirror, String extra) {
        return "[[registry]]\nlocation = \"" + registry.host() + "\"\ninsecure = true\n"
                + "[[registry.mirror]]\nlocation = \"" + mirror.host() + "/mirror\"\ninsecure = true\n" + extra;
    }

    /** Copies {@code image} through the docker: transport into an OCI layout; returns the manifest digest. */
    Digest pull(RegistryClient client, String image) throws IOException {
        Path layout = tmp.resolve("layout-" + ++pulls);
        return Copy.from(new DockerTransport(client).parse("//" + image))
                .to(OciTransport.reference(layout, Optional.of("pulled"))).run().manifestDigest();
    }

    static boolean has(TestRegistry registry, String path, String tagOrDigest) throws IOException {
        return direct.repository(registry.host(), path).manifestDescriptor(tagOrDigest).isPresent();
    }

    @Test
    void anImageOnlyOnTheMirrorIsPulledFromIt() throws IOException {
        TestImage image = TestImage.of("only-on-mirror");
        Digest pushed = image.push(direct.repository(b.host(), "mirror/one/app"), "v1");
        RegistryClient client = client(mirrored(a, b, ""));

        assertThat(pull(client, a.host() + "/one/app:v1")).isEqualTo(pushed);
        assertThat(has(a, "one/app", "v1")).isFalse();
        ImageLocation at = client.locate(ImageReference.parse(a.host() + "/one/app:v1"));
        assertThat(at.isMirror()).isTrue();
        assertThat(at.reference()).isEqualTo(ImageReference.parse(b.host() + "/mirror/one/app:v1"));
        try (InputStream in = at.repository().openBlob(image.layerDigest(), image.layer().length)) {
            assertThat(in.readAllBytes()).isEqualTo(image.layer());
        }
    }

    @Test
    void whenTheMirrorIsDownTheRegistryServes() throws IOException {
        TestImage onRegistry = TestImage.of("registry-copy");
        Digest fromRegistry = onRegistry.push(direct.repository(a.host(), "two/app"), "v1");
        RegistryClient client;
        try (TestRegistry m = TestRegistry.plain()) {
            Digest fromMirror = TestImage.of("mirror-copy").push(
                    RegistryClient.builder().plainHttp(m.host()).build().repository(m.host(), "mirror/two/app"), "v1");
            client = client(mirrored(a, m, ""));
            // while it is up, the mirror comes first
            assertThat(pull(client, a.host() + "/two/app:v1")).isEqualTo(fromMirror);
        }
        // now nothing listens there: the same client falls back to A
        assertThat(pull(client, a.host() + "/two/app:v1")).isEqualTo(fromRegistry);
        assertThat(client.locate(ImageReference.parse(a.host() + "/two/app:v1")).isMirror()).isFalse();
    }

    @Test
    void whenNeitherHasTheImageTheErrorNamesBothAttempts() throws IOException {
        RegistryClient client = client(mirrored(a, b, ""));
        assertThatThrownBy(() -> pull(client, a.host() + "/three/missing:v1"))
                .isInstanceOf(ManifestUnknownException.class)
                .hasMessageContaining("[" + b.host() + "/mirror/three/missing:v1: ")
                .hasMessageContaining("): " + a.host() + "/three/missing:v1: ")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(ManifestUnknownException.class));
    }

    @Test
    void aDigestOnlyMirrorIsSkippedForATagAndUsedForADigest() throws IOException {
        Digest onRegistry = TestImage.of("four-registry").push(direct.repository(a.host(), "four/app"), "v1");
        Digest onMirror = TestImage.of("four-mirror").push(direct.repository(b.host(), "mirror/four/app"), "v1");
        RegistryClient client = client(mirrored(a, b, "pull-from-mirror = \"digest-only\"\n"));

        assertThat(pull(client, a.host() + "/four/app:v1")).isEqualTo(onRegistry);
        // only the mirror has this one
        assertThat(pull(client, a.host() + "/four/app@" + onMirror)).isEqualTo(onMirror);
    }

    @Test
    void pushesAndDeletesGoToTheRegistryEvenWithAMirror() throws IOException {
        TestImage image = TestImage.of("five");
        Digest digest = image.push(direct.repository(a.host(), "five/src"), "v1");
        RegistryClient client = client(mirrored(a, b, ""));
        DockerTransport docker = new DockerTransport(client);

        Copy.from(docker.parse("//" + a.host() + "/five/src:v1")).to(docker.parse("//" + a.host() + "/five/dst:v1")).run();
        assertThat(direct.repository(a.host(), "five/dst").manifest("v1").digest()).isEqualTo(digest);
        assertThat(has(b, "mirror/five/dst", "v1")).isFalse();
        assertThat(has(b, "five/dst", "v1")).isFalse();

        // a delete through the client goes to A too, whatever the mirror holds
        image.push(direct.repository(b.host(), "mirror/five/dst"), "v1");
        client.repository(ImageReference.parse(a.host() + "/five/dst:v1")).deleteManifest(digest);
        assertThat(has(a, "five/dst", digest.toString())).isFalse();
        assertThat(has(b, "mirror/five/dst", digest.toString())).isTrue();
    }

    @Test
    void aBlockedRegistryRefusesEvenWhenItsMirrorHasTheImage() throws IOException {
        TestImage.of("six").push(direct.repository(b.host(), "mirror/six/app"), "v1");
        TestImage.of("six").push(direct.repository(a.host(), "six/app"), "v1");
        RegistryClient client = client(mirrored(a, b, "").replace("insecure = true\n[[registry.mirror]]",
                "insecure = true\nblocked = true\n[[registry.mirror]]"));

        assertThatThrownBy(() -> pull(client, a.host() + "/six/app:v1"))
                .isInstanceOf(BlockedRegistryException.class).hasMessageContaining(a.host());
        assertThatThrownBy(() -> client.locate(ImageReference.parse(a.host() + "/six/app:v1")))
                .isInstanceOf(BlockedRegistryException.class);
    }

    @Test
    void aMirrorNotMarkedInsecureIsNotReadOverPlainHttp() throws IOException {
        Digest onRegistry = TestImage.of("seven-registry").push(direct.repository(a.host(), "seven/app"), "v1");
        Digest onMirror = TestImage.of("seven-mirror").push(direct.repository(b.host(), "mirror/seven/app"), "v1");
        RegistryClient secureMirror = client(mirrored(a, b, "").replace("/mirror\"\ninsecure = true\n", "/mirror\"\n"));
        RegistryClient insecureMirror = client(mirrored(a, b, ""));

        assertThat(pull(secureMirror, a.host() + "/seven/app:v1")).isEqualTo(onRegistry);
        assertThat(pull(insecureMirror, a.host() + "/seven/app:v1")).isEqualTo(onMirror);
        // the mirror's mark is for pulls through it: the host itself is not insecure for the client
        assertThatThrownBy(() -> insecureMirror.repository(b.host(), "mirror/seven/app").manifest("v1"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aDockerHubMirrorGetsTheRewrittenName() throws IOException {
        Digest pushed = TestImage.of("hub").push(direct.repository(b.host(), "hub/library/mirrored-busybox"), "1.0");
        String toml = "[[registry]]\nprefix = \"docker.io\"\nlocation = \"docker.io\"\n"
                + "[[registry.mirror]]\nlocation = \"" + b.host() + "/hub\"\ninsecure = true\n";
        // docker.io itself is a closed loopback port here, so that a test gone wrong never leaves the machine
        RegistryClient client = client(RegistryClient.builder().containersConfig(environment(toml))
                .endpoint("docker.io", URI.create("http://127.0.0.1:" + freePort())).plainHttp("docker.io"));

        assertThat(pull(client, "mirrored-busybox:1.0")).isEqualTo(pushed);
    }

    @Test
    void theMirrorGetsTheCredentialsAuthJsonHasForItsHost() throws IOException {
        try (TestRegistry m = TestRegistry.basicAuth("mirror-user", "mirror-password")) {
            Credentials creds = m.credentials().orElseThrow();
            Digest pushed = TestImage.of("eight").push(RegistryClient.builder().plainHttp(m.host())
                    .credentials(CredentialProvider.fixed(creds)).build().repository(m.host(), "mirror/eight/app"), "v1");
            Path authJson = tmp.resolve("auth.json");
            String auth = Base64.getEncoder().encodeToString("mirror-user:mirror-password".getBytes(StandardCharsets.UTF_8));
            Files.writeString(authJson, "{\"auths\":{\"" + m.host() + "\":{\"auth\":\"" + auth + "\"}}}");
            ContainersEnvironment env = environment(mirrored(a, m, "")).with("REGISTRY_AUTH_FILE", authJson.toString());

            RegistryClient withAuth = client(RegistryClient.builder().containersConfig(env));
            assertThat(pull(withAuth, a.host() + "/eight/app:v1")).isEqualTo(pushed);
            // without the entry the mirror refuses, and A has nothing: both refusals are reported
            RegistryClient without = client(RegistryClient.builder().containersConfig(env.with("REGISTRY_AUTH_FILE",
                    tmp.resolve("no-auth.json").toString())));
            assertThatThrownBy(() -> pull(without, a.host() + "/eight/app:v1"))
                    .isInstanceOf(ManifestUnknownException.class)
                    .hasMessageContaining("[" + m.host() + "/mirror/eight/app:v1: ")
                    .hasMessageNotContaining("mirror-password")
                    .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(UnauthorizedException.class));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
