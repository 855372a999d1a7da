package dev.ocikit.registry;

import static dev.ocikit.registry.RegistryClientIT.assertRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.registry.testing.TestImage;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.registry.testing.TestTokenServer;
import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** Push and pull through each kind of authentication and transport security a registry offers. */
class RegistryAuthIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "correct-horse-battery";
    private static final String WRONG = "wrong-password-xyzzy";

    @Test
    void basicAuth() throws IOException {
        try (TestRegistry r = TestRegistry.basicAuth(USER, PASSWORD)) {
            RegistryClient client = RegistryClient.builder().insecure(r.host())
                    .credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD))).build();
            assertRoundTrip(client.repository(r.host(), "auth/basic"), TestImage.of("basic"), "v1");
            client.ping(r.host());
        }
    }

    @Test
    void basicAuthWithWrongOrMissingPasswordIsUnauthorizedAndSilentAboutTheSecret() throws IOException {
        try (TestRegistry r = TestRegistry.basicAuth(USER, PASSWORD)) {
            RegistryClient wrong = RegistryClient.builder().insecure(r.host())
                    .credentials(CredentialProvider.fixed(Credentials.of(USER, WRONG))).build();
            assertThatThrownBy(() -> wrong.repository(r.host(), "auth/basic").manifest("v1"))
                    .isInstanceOf(UnauthorizedException.class)
                    .satisfies(e -> assertThat(((RegistryException) e).status()).isEqualTo(401))
                    .message().doesNotContain(WRONG).doesNotContain(PASSWORD);
            RegistryClient anonymous = RegistryClient.builder().insecure(r.host()).build();
            assertThatThrownBy(() -> anonymous.ping(r.host())).isInstanceOf(UnauthorizedException.class);
        }
    }

    @Test
    void tlsWithTheRegistrysCa() throws IOException {
        try (TestRegistry r = TestRegistry.tls()) {
            RegistryClient client = RegistryClient.builder().sslContext(r.host(), r.sslContext().orElseThrow()).build();
            assertRoundTrip(client.repository(r.host(), "auth/tls"), TestImage.of("tls"), "v1");
            // without the CA the certificate is refused, unless the registry is marked insecure
            RegistryClient untrusting = RegistryClient.builder().maxAttempts(1).build();
            assertThatThrownBy(() -> untrusting.ping(r.host())).isInstanceOf(SSLException.class);
            RegistryClient insecure = RegistryClient.builder().insecure(r.host()).build();
            assertThat(insecure.repository(r.host(), "auth/tls").manifest("v1").digest())
                    .isEqualTo(TestImage.of("tls").manifest().digest());
        }
    }

    @Test
    void tokenAuthWithPasswordThenAnonymousPullThenIdentityToken() throws IOException {
        try (TestRegistry r = TestRegistry.tokenAuth(USER, PASSWORD)) {
            TestTokenServer tokens = r.tokenServer().orElseThrow();
            RegistryClient client = RegistryClient.builder().insecure(r.host())
                    .credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD))).build();
            TestImage image = TestImage.of("token");
            assertRoundTrip(client.repository(r.host(), "auth/token"), image, "v1");
            // tokens are cached per scope: a second pull asks the token server for nothing new
            int issued = tokens.issuedCount();
            client.repository(r.host(), "auth/token").manifest("v1");
            assertThat(tokens.issuedCount()).isEqualTo(issued);

            // the token server gives anonymous callers pull rights: no credentials, still a token
            RegistryClient anonymous = RegistryClient.builder().insecure(r.host()).build();
            assertThat(anonymous.repository(r.host(), "auth/token").manifest("v1").digest())
                    .isEqualTo(image.manifest().digest());
            assertThat(tokens.requests()).anyMatch(q -> q.startsWith("GET ") && q.contains("repository:auth/token:pull"));
            // ...but not push
            assertThatThrownBy(() -> TestImage.of("anon-push").push(anonymous.repository(r.host(), "auth/token"), "v2"))
                    .isInstanceOf(UnauthorizedException.class);

            // an identity token is exchanged with the refresh_token grant
            tokens.addRefreshToken("refresh-abc", USER);
            RegistryClient identity = RegistryClient.builder().insecure(r.host())
                    .credentials(CredentialProvider.fixed(Credentials.identityToken("<token>", "refresh-abc"))).build();
            Digest d = TestImage.of("identity").push(identity.repository(r.host(), "auth/identity"), "v1");
            assertThat(identity.repository(r.host(), "auth/identity").manifest("v1").digest()).isEqualTo(d);
            assertThat(tokens.requests()).anyMatch(q -> q.startsWith("POST grant_type=refresh_token"));
        }
    }

    @Test
    void tokenAuthRefreshesExpiredTokens() throws IOException {
        try (TestRegistry r = TestRegistry.tokenAuth(USER, PASSWORD)) {
            TestTokenServer tokens = r.tokenServer().orElseThrow();
            tokens.expiresInSeconds(1); // shorter than the client's renewal margin: every use renews
            RegistryClient client = RegistryClient.builder().insecure(r.host())
                    .credentials(CredentialProvider.fixed(Credentials.of(USER, PASSWORD))).build();
            Digest d = TestImage.of("expiry").push(client.repository(r.host(), "auth/expiry"), "v1");
            int issued = tokens.issuedCount();
            assertThat(client.repository(r.host(), "auth/expiry").manifest("v1").digest()).isEqualTo(d);
            assertThat(tokens.issuedCount()).isGreaterThan(issued);
        }
    }

    @Test
    void tokenAuthWithWrongPasswordIsUnauthorizedAndSilentAboutTheSecret() throws IOException {
        try (TestRegistry r = TestRegistry.tokenAuth(USER, PASSWORD)) {
            AtomicInteger lookups = new AtomicInteger();
            RegistryClient wrong = RegistryClient.builder().insecure(r.host())
                    .credentials((registry, repo) -> {
                        lookups.incrementAndGet();
                        return java.util.Optional.of(Credentials.of(USER, WRONG));
                    }).build();
            assertThatThrownBy(() -> wrong.repository(r.host(), "auth/token").manifest("v1"))
                    .isInstanceOf(UnauthorizedException.class)
                    .message().contains(USER).doesNotContain(WRONG).doesNotContain(PASSWORD);
            assertThat(lookups.get()).isPositive();
        }
    }
}
