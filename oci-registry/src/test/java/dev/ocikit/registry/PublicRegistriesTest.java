package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.registry.testing.PublicRegistryEmulator;
import dev.ocikit.registry.testing.PublicRegistryEmulator.MultiArchImage;
import dev.ocikit.registry.testing.PublicRegistryEmulator.PlatformImage;
import dev.ocikit.registry.testing.PublicRegistryEmulator.Profile;
import dev.ocikit.registry.testing.PublicRegistryEmulator.Request;
import dev.ocikit.registry.testing.PublicRegistryEmulator.TokenJson;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.distribution.ErrorCode;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client against loopback emulators of docker.io, quay.io, registry.access.redhat.com,
 * registry.redhat.io and registry.fedoraproject.org (see {@link PublicRegistryEmulator}): each
 * answers with that registry's challenge, token endpoint and token JSON, error bodies and CDN
 * redirects, over TLS with a CA made for the test. The client reaches them under their public
 * names through {@link RegistryClient.Builder#endpoint}.
 */
class PublicRegistriesTest {
    private static final String USER = "portal-user";
    private static final String PASSWORD = "s3cret-portal-password";

    private PublicRegistryEmulator emulator;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private PublicRegistryEmulator start(Profile p) throws IOException {
        emulator = PublicRegistryEmulator.start(p);
        return emulator;
    }

    private RegistryClient.Builder clientFor(PublicRegistryEmulator e) {
        return RegistryClient.builder()
                .endpoint(e.profile().registry, e.endpoint())
                .sslContext(e.profile().registry, e.clientTrust())
                .defaultSslContext(e.clientTrust()) // the token realm and the CDN are other hosts
                .retryBackoff(Duration.ofMillis(1));
    }

    private static String repositoryOf(Profile p) {
        return switch (p) {
            case DOCKER_HUB -> "library/busybox";
            case QUAY -> "podman/hello";
            case REDHAT_ACCESS -> "ubi9/ubi-minimal";
            case REDHAT_IO -> "rhel9/postgresql-15";
            case FEDORA -> "fedora/fedora";
        };
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void pullsIndexPlatformManifestConfigAndLayer(Profile profile) throws IOException {
        PublicRegistryEmulator e = start(profile);
        e.user(USER, PASSWORD);
        String repo = repositoryOf(profile);
        MultiArchImage image = e.addImage(repo, "latest");
        RegistryClient.Builder b = clientFor(e);
        if (profile.needsCredentials) {
            b.credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD)));
        }
        RegistryRepository r = b.build().repository(ImageReference.parse(profile.registry + "/" + repo + ":latest"));

        ManifestBlob index = r.manifest("latest");
        assertThat(index.mediaType()).isEqualTo(profile.indexType);
        assertThat(index.digest()).isEqualTo(image.indexDigest());
        Descriptor arm = ImageIndex.parse(index.bytes()).manifests().stream()
                .filter(d -> d.platform().map(pl -> pl.architecture().equals("arm64")).orElse(false)).findFirst().orElseThrow();
        PlatformImage expected = image.platform("arm64");

        Descriptor head = r.manifestDescriptor("latest").orElseThrow();
        assertThat(head.digest()).isEqualTo(image.indexDigest());
        assertThat(head.mediaType()).isEqualTo(profile.indexType);

        ManifestBlob platform = r.manifest(arm.digest().toString());
        assertThat(platform.mediaType()).isEqualTo(profile.manifestType);
        assertThat(platform.digest()).isEqualTo(expected.manifestDigest());
        ImageManifest m = ImageManifest.parse(platform.bytes());

        assertThat(readBlob(r, m.config().digest(), m.config().size())).isEqualTo(expected.config());
        Descriptor layer = m.layers().get(0);
        assertThat(readBlob(r, layer.digest(), layer.size())).isEqualTo(expected.layer());

        List<Request> cdn = e.requests("cdn");
        if (profile.cdnBlobs) {
            assertThat(cdn).hasSize(2).allSatisfy(q -> assertThat(q.authorization()).isEmpty());
            assertThat(e.requests("registry")).filteredOn(q -> q.path().contains("/blobs/"))
                    .hasSize(2);
        } else {
            assertThat(cdn).isEmpty();
        }
        List<Request> tokenRequests = e.requests().stream().filter(q -> q.query().map(x -> x.contains("service=")).orElse(false)).toList();
        if (profile.bearer) {
            // one token for the repository's pull scope, reused for every later request
            assertThat(tokenRequests).hasSize(1);
            assertThat(tokenRequests.get(0).query().orElseThrow()).contains("scope=repository%3A" + repo.replace("/", "%2F") + "%3Apull");
            assertThat(tokenRequests.get(0).authorization().isPresent()).isEqualTo(profile.needsCredentials);
            assertThat(e.requests("registry")).filteredOn(q -> q.path().contains("/manifests/") && q.authorization().isPresent())
                    .allSatisfy(q -> assertThat(q.authorization().get()).startsWith("Bearer emulated."));
        } else {
            assertThat(tokenRequests).isEmpty();
            assertThat(e.requests()).allSatisfy(q -> assertThat(q.authorization()).isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void pingsTheApiRoot(Profile profile) throws IOException {
        PublicRegistryEmulator e = start(profile);
        e.user(USER, PASSWORD);
        RegistryClient.Builder b = clientFor(e);
        if (profile.needsCredentials) {
            b.credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD)));
        }
        b.build().ping(profile.registry);
        assertThat(e.requests("registry")).extracting(Request::path).last().isEqualTo("/v2/");
    }

    @Test
    void dockerHubPrivateRepositoryNeedsTheUsersCredentialsAtTheTokenService() throws IOException {
        PublicRegistryEmulator e = start(Profile.DOCKER_HUB);
        e.user(USER, PASSWORD);
        MultiArchImage image = e.addImage("portaluser/app", "1.0");
        e.makePrivate("portaluser/app");
        ImageReference ref = ImageReference.parse("docker.io/portaluser/app:1.0");

        assertThatThrownBy(() -> clientFor(e).build().repository(ref).manifest("1.0"))
                .isInstanceOfSatisfying(UnauthorizedException.class, x -> assertThat(x.has(ErrorCode.UNAUTHORIZED)).isTrue());

        RegistryRepository r = clientFor(e).credentials((registry, repository) -> registry.equals("docker.io")
                ? Optional.of(Credentials.of(USER, PASSWORD)) : Optional.empty()).build().repository(ref);
        assertThat(r.manifest("1.0").digest()).isEqualTo(image.indexDigest());
        Request token = e.requests("auth").get(e.requests("auth").size() - 1);
        assertThat(token.authorization()).hasValueSatisfying(a -> assertThat(a).startsWith("Basic "));
        // the registry itself only ever sees the Bearer token, never the password
        assertThat(e.requests("registry")).allSatisfy(q -> assertThat(q.authorization().orElse("Bearer ")).startsWith("Bearer "));
    }

    private static byte[] readBlob(RegistryRepository r, Digest d, long size) throws IOException {
        try (InputStream in = r.openBlob(d, size)) {
            return in.readAllBytes();
        }
    }

    @Test
    void dockerHubShortNamesGoToLibraryOnTheEndpointWithDockerHubsTokenRequest() throws IOException {
        PublicRegistryEmulator e = start(Profile.DOCKER_HUB);
        MultiArchImage image = e.addImage("library/busybox", "latest");
        ImageReference ref = ImageReference.parse("busybox");
        assertThat(ref.domain()).isEqualTo("docker.io");
        assertThat(ref.path()).isEqualTo("library/busybox");

        ManifestBlob index = clientFor(e).build().repository(ref).manifest("latest");

        assertThat(index.digest()).isEqualTo(image.indexDigest());
        assertThat(e.requests("registry")).extracting(Request::path)
                .containsOnly("/v2/library/busybox/manifests/latest");
        Request token = e.requests("auth").get(0);
        assertThat(token.path()).isEqualTo("/token");
        assertThat(token.query()).hasValue("service=registry.docker.io&scope=repository%3Alibrary%2Fbusybox%3Apull");
        assertThat(token.authorization()).isEmpty();
    }

    @Test
    void dockerHubMissingRepositoryIsUnauthorizedWithHubsMessage() throws IOException {
        PublicRegistryEmulator e = start(Profile.DOCKER_HUB);
        RegistryRepository r = clientFor(e).build().repository(ImageReference.parse("docker.io/library/no-such-image"));

        assertThatThrownBy(() -> r.manifest("latest")).isInstanceOfSatisfying(UnauthorizedException.class, x -> {
            assertThat(x.status()).isEqualTo(401);
            assertThat(x.has(ErrorCode.UNAUTHORIZED)).isTrue();
            assertThat(x.errors().get(0).message()).hasValue("authentication required");
            assertThat(x.getMessage()).contains("UNAUTHORIZED: authentication required").contains("library/no-such-image");
        });
    }

    @Test
    void dockerHubPullRateLimitIsATypedTooManyRequestsError() throws IOException {
        PublicRegistryEmulator e = start(Profile.DOCKER_HUB);
        e.addImage("library/busybox", "latest");
        e.rateLimited(true);
        RegistryRepository r = clientFor(e).maxAttempts(2).build().repository(ImageReference.parse("busybox"));

        assertThatThrownBy(() -> r.manifest("latest")).isInstanceOfSatisfying(RegistryException.class, x -> {
            assertThat(x.status()).isEqualTo(429);
            assertThat(x.has(ErrorCode.TOOMANYREQUESTS)).isTrue();
            assertThat(x.getMessage()).contains("TOOMANYREQUESTS: You have reached your pull rate limit");
        });
        // retried once (bounded), then given up
        assertThat(e.requests("registry")).filteredOn(q -> q.authorization().isPresent()).hasSize(2);
    }

    @Test
    void unknownTagIsManifestUnknown() throws IOException {
        PublicRegistryEmulator e = start(Profile.QUAY);
        e.addImage("podman/hello", "latest");
        RegistryRepository r = clientFor(e).build().repository(ImageReference.parse("quay.io/podman/hello"));

        assertThatThrownBy(() -> r.manifest("no-such-tag")).isInstanceOfSatisfying(ManifestUnknownException.class,
                x -> assertThat(x.has(ErrorCode.MANIFEST_UNKNOWN)).isTrue());
    }

    @Test
    void quayPrivateRepositoryGivesQuaysUnauthorizedMessage() throws IOException {
        PublicRegistryEmulator e = start(Profile.QUAY);
        e.tokenJson(TokenJson.TOKEN_ONLY);
        RegistryRepository r = clientFor(e).build().repository(ImageReference.parse("quay.io/someone/private"));

        assertThatThrownBy(() -> r.manifest("latest")).isInstanceOfSatisfying(UnauthorizedException.class, x -> {
            assertThat(x.status()).isEqualTo(401);
            assertThat(x.errors()).singleElement().satisfies(err -> {
                assertThat(err.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
                assertThat(err.message()).hasValue("access to the requested resource is not authorized");
            });
        });
        assertThat(e.requests("registry")).extracting(Request::path).contains("/v2/auth");
    }

    @Test
    void redHatRegistryRefusesAnonymousAndNeverLeaksThePassword() throws IOException {
        PublicRegistryEmulator e = start(Profile.REDHAT_IO);
        e.user(USER, PASSWORD);
        e.addImage("rhel9/postgresql-15", "latest");

        RegistryRepository anonymous = clientFor(e).build().repository(ImageReference.parse("registry.redhat.io/rhel9/postgresql-15"));
        assertThatThrownBy(() -> anonymous.manifest("latest")).isInstanceOfSatisfying(UnauthorizedException.class, x -> {
            assertThat(x.status()).isEqualTo(401);
            assertThat(x.getMessage()).contains("registry.redhat.io").contains("anonymous");
        });

        RegistryRepository wrong = clientFor(e).credentials(CredentialProvider.fixed(Credentials.of(USER, "wrong-" + PASSWORD)))
                .build().repository(ImageReference.parse("registry.redhat.io/rhel9/postgresql-15"));
        assertThatThrownBy(() -> wrong.manifest("latest")).isInstanceOfSatisfying(UnauthorizedException.class, x -> {
            assertThat(x.getMessage()).contains(USER).doesNotContain(PASSWORD);
            assertThat(x.toString()).doesNotContain(PASSWORD);
        });
        assertThat(e.requests("auth")).extracting(Request::path)
                .containsOnly("/auth/realms/rhcc/protocol/redhat-docker-v2/auth");
    }

    @Test
    void everyTokenJsonShapeWorks() throws IOException {
        for (TokenJson shape : TokenJson.values()) {
            try (PublicRegistryEmulator e = PublicRegistryEmulator.start(Profile.DOCKER_HUB)) {
                e.tokenJson(shape);
                MultiArchImage image = e.addImage("library/alpine", "3");
                ManifestBlob m = clientFor(e).build().repository(ImageReference.parse("alpine")).manifest("3");
                assertThat(m.digest()).as(shape.name()).isEqualTo(image.indexDigest());
            }
        }
    }

    @Test
    void tokenWithoutExpiresInLastsSixtySecondsLessTheRenewalMargin() throws IOException {
        PublicRegistryEmulator e = start(Profile.QUAY);
        e.tokenJson(TokenJson.TOKEN_ONLY);
        e.addImage("podman/hello", "latest");
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RegistryRepository r = clientFor(e).clock(clock).build().repository(ImageReference.parse("quay.io/podman/hello"));

        r.manifest("latest");
        clock.advance(Duration.ofSeconds(45));
        r.manifest("latest");
        assertThat(tokenRequests(e)).as("still valid after 45 s").isEqualTo(1);

        clock.advance(Duration.ofSeconds(10)); // 55 s: within 10 s of the 60 s default expiry
        r.manifest("latest");
        assertThat(tokenRequests(e)).as("renewed before the 60 s default expiry").isEqualTo(2);
    }

    @Test
    void tokenWithExpiresInIsKeptForItsAnnouncedLifetime() throws IOException {
        PublicRegistryEmulator e = start(Profile.DOCKER_HUB);
        e.addImage("library/busybox", "latest");
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RegistryRepository r = clientFor(e).clock(clock).build().repository(ImageReference.parse("busybox"));

        r.manifest("latest");
        clock.advance(Duration.ofSeconds(250)); // expires_in is 300
        r.manifest("latest");
        assertThat(tokenRequests(e)).isEqualTo(1);
    }

    @Test
    void theRegistrysTlsContextAppliesToItsEndpoint() throws IOException {
        PublicRegistryEmulator e = start(Profile.FEDORA);
        MultiArchImage image = e.addImage("fedora/fedora", "40");
        ImageReference ref = ImageReference.parse("registry.fedoraproject.org/fedora/fedora");

        RegistryClient trusting = RegistryClient.builder().endpoint("registry.fedoraproject.org", e.endpoint())
                .sslContext("registry.fedoraproject.org", e.clientTrust()).build();
        assertThat(trusting.repository(ref).manifest("40").digest()).isEqualTo(image.indexDigest());

        // without the registry's CA the JVM's trust store is used, and it does not know the test CA
        RegistryClient notTrusting = RegistryClient.builder().endpoint("registry.fedoraproject.org", e.endpoint())
                .maxAttempts(1).build();
        assertThatThrownBy(() -> notTrusting.repository(ref).manifest("40")).isInstanceOf(javax.net.ssl.SSLException.class);

        // marked insecure, the endpoint is used without verification, as --tls-verify=false does
        RegistryClient insecure = RegistryClient.builder().endpoint("registry.fedoraproject.org", e.endpoint())
                .insecure("registry.fedoraproject.org").build();
        assertThat(insecure.repository(ref).manifest("40").digest()).isEqualTo(image.indexDigest());
    }

    @Test
    void aRealmAtAnIpLiteralOtherThanTheEndpointsHostIsStillRefused() throws IOException {
        PublicRegistryEmulator e = start(Profile.DOCKER_HUB);
        e.user(USER, PASSWORD);
        e.addImage("library/busybox", "latest");
        // the registry answers at "localhost", its realm at 127.0.0.1: another host, given as an IP literal
        RegistryRepository r = RegistryClient.builder()
                .endpoint("docker.io", java.net.URI.create("https://localhost:" + e.endpoint().getPort()))
                .defaultSslContext(e.clientTrust()).credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD)))
                .build().repository(ImageReference.parse("busybox"));

        assertThatThrownBy(() -> r.manifest("latest")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("IP address 127.0.0.1").hasMessageNotContaining(PASSWORD);
        assertThat(e.requests("auth")).isEmpty();
    }

    private static long tokenRequests(PublicRegistryEmulator e) {
        return e.requests().stream().filter(q -> q.query().map(x -> x.contains("service=")).orElse(false)).count();
    }

    /** A clock tests move forward by hand. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
