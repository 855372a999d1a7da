package dev.ocikit.benchmarks.junit;

import dev.ocikit.junit.Container;
import dev.ocikit.junit.ContainerSpec;
import dev.ocikit.junit.OciContainer;
import dev.ocikit.junit.OciContainers;
import dev.ocikit.junit.WaitStrategy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * What {@code junit-start.sh} times: a test class with one container (busybox httpd from the
 * store of {@code -Docikit.store}, image {@code -Dbench.image}, ready when {@code GET /} answers
 * 200) whose test prints {@link Marker#LINE} first, then checks the server answers.
 */
@OciContainers
public class HttpdFirstTest {
    @Container
    static OciContainer web = OciContainer.of(ContainerSpec.of(System.getProperty("bench.image", "localhost/bench/httpd:1"))
            .publish(8080)
            .waitingFor(WaitStrategy.forHttp(8080, "/")));

    @Test
    void first() throws Exception {
        Marker.print();
        URI uri = URI.create("http://" + web.host() + ":" + web.mappedPort(8080) + "/");
        HttpResponse<String> response = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + uri + " answered " + response.statusCode());
        }
    }
}
