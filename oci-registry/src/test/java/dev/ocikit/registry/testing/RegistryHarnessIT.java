package dev.ocikit.registry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The harness itself: each variant starts, answers /v2/ as configured, and stops. */
class RegistryHarnessIT {

    private static int ping(TestRegistry r) throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder();
        r.sslContext().ifPresent(b::sslContext);
        return b.build().send(HttpRequest.newBuilder(r.baseUri().resolve("/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void plainAnswersWithoutAuth() throws Exception {
        try (TestRegistry r = TestRegistry.plain()) {
            assertThat(ping(r)).isEqualTo(200);
        }
    }

    @Test
    void basicAuthChallenges() throws Exception {
        try (TestRegistry r = TestRegistry.basicAuth("alice", "s3cret")) {
            assertThat(ping(r)).isEqualTo(401);
        }
    }

    @Test
    void tlsIsTrustedThroughItsCa() throws Exception {
        try (TestRegistry r = TestRegistry.tls()) {
            assertThat(r.baseUri().getScheme()).isEqualTo("https");
            assertThat(ping(r)).isEqualTo(200);
        }
    }

    @Test
    void tokenAuthChallengesAndStopsItsTokenServer() throws Exception {
        TestRegistry r = TestRegistry.tokenAuth("bob", "pw");
        try (r) {
            assertThat(ping(r)).isEqualTo(401);
            assertThat(r.tokenServer()).isPresent();
        }
        assertThat(r.storageDir().getParent()).doesNotExist();
    }
}
