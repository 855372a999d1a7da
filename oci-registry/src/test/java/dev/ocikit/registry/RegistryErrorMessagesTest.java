package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** Failures to reach a registry name the request, and say what the JDK's own messages leave out. */
class RegistryErrorMessagesTest {
    @Test
    void nothingListeningSaysTheConnectionWasRefusedNotNull() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String host = "127.0.0.1:" + port;
        RegistryClient client = RegistryClient.builder().plainHttp(host).maxAttempts(1).build();

        assertThatThrownBy(() -> client.repository(ImageReference.parse(host + "/app:v1")).manifest("v1"))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining(host + "/v2/app/manifests/v1")
                .hasMessageContaining("refused or unreachable")
                .hasMessageNotContaining("null");
    }

    @Test
    void tlsToAPlainHttpRegistryNamesTheRequestAndSaysWhatToDo() throws Exception {
        // answers a TLS hello as a plain HTTP server does (the distribution registry's Go server: a 400)
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (var s = plain.accept()) {
                    s.getInputStream().read(new byte[512]);
                    s.getOutputStream().write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the test sees what the client made of it
                }
            });
            answer.setDaemon(true);
            answer.start();
            String host = "127.0.0.1:" + plain.getLocalPort();
            RegistryClient client = RegistryClient.builder().maxAttempts(1).requestTimeout(Duration.ofSeconds(20)).build();

            assertThatThrownBy(() -> client.repository(ImageReference.parse(host + "/app:v1")).manifest("v1"))
                    .isInstanceOf(SSLException.class)
                    .hasMessageContaining(host)
                    .hasMessageContaining("plain HTTP")
                    .hasMessageContaining("--tls-verify=false");
        }
    }
}
