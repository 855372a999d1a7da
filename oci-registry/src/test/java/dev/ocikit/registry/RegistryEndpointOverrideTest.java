package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link RegistryClient.Builder#endpoint}: a registry name reached at another address, TLS rules kept. */
class RegistryEndpointOverrideTest {

    @Test
    void dockerIoIsReachedAtTheEndpointInsteadOfRegistry1() throws IOException {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", ex -> {
            try (ex) {
                seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " Host=" + ex.getRequestHeaders().getFirst("Host"));
                ex.sendResponseHeaders(200, -1);
            }
        });
        s.start();
        try {
            URI at = URI.create("http://127.0.0.1:" + s.getAddress().getPort());
            RegistryClient c = RegistryClient.builder().plainHttp("docker.io").endpoint("docker.io", at).build();
            c.ping("docker.io");
            assertThat(seen).containsExactly("GET /v2/ Host=127.0.0.1:" + s.getAddress().getPort());
        } finally {
            s.stop(0);
        }
    }

    @Test
    void plainHttpEndpointOfASecureRegistryIsRefused() {
        RegistryClient.Builder b = RegistryClient.builder().endpoint("quay.io", URI.create("http://127.0.0.1:1"));
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quay.io").hasMessageContaining("insecure");
        // once marked insecure, it is the user's choice
        RegistryClient.builder().endpoint("quay.io", URI.create("http://127.0.0.1:1")).insecure("quay.io").build();
    }

    @Test
    void endpointsWithPathsQueriesOrOtherSchemesAreRefused() {
        for (String bad : List.of("https://127.0.0.1:5000/v2", "ftp://127.0.0.1", "https://127.0.0.1?x=1",
                "https://user@127.0.0.1", "localhost:5000")) {
            assertThatThrownBy(() -> RegistryClient.builder().endpoint("docker.io", URI.create(bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("docker.io");
        }
    }
}
