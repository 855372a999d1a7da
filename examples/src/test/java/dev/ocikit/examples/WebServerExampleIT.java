package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.junit.Container;
import dev.ocikit.junit.ContainerSpec;
import dev.ocikit.junit.OciContainer;
import dev.ocikit.junit.OciContainers;
import dev.ocikit.junit.WaitStrategy;
import dev.ocikit.spec.testing.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test against a real server in a container: busybox httpd serving a small site, from an image
 * the test builds itself, run by {@code @OciContainers} through runc (no daemon), and asked over
 * HTTP with the JDK's own client. Needs runc, root, and Debian's busybox-static.
 */
@ExtendWith(WebServerExampleIT.BuildImage.class) // declared before @OciContainers, so it runs first
@OciContainers
class WebServerExampleIT {
    /** The image, as an OCI layout under target/: the extension copies it into its image store. */
    static final String IMAGE = "oci:" + Path.of("target/images").toAbsolutePath() + ":httpd";

    /** One server for the whole class (a static field); an instance field would get one per test. */
    @Container
    static OciContainer web = OciContainer.of(ContainerSpec.of(IMAGE)
            .publish(8080)                                  // on a free port of the host's 127.0.0.1
            .waitingFor(WaitStrategy.forHttp(8080, "/")));  // the tests start once GET / answers 200

    static final HttpClient http = HttpClient.newHttpClient();

    static HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://" + web.host() + ":" + web.mappedPort(8080) + path);
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheIndexPage() throws Exception {
        HttpResponse<String> response = get("/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("<h1>Hello from busybox httpd</h1>\n");
    }

    @Test
    void servesOtherFilesWithTheirType() throws Exception {
        HttpResponse<String> response = get("/ping.txt");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(response.body()).isEqualTo("pong\n");
    }

    @Test
    void answers404ForAMissingPage() throws Exception {
        HttpResponse<String> response = get("/no-such-page.html");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("404 Not Found");
    }

    /**
     * Builds the image before the extension starts the container: from scratch, busybox (one
     * static file) and the site in src/test/resources/www; no Dockerfile, no daemon. A
     * {@code @BeforeAll} method would be too late: static containers start before those run.
     */
    static class BuildImage implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            Tools.require("runc"); // no runc: the class is skipped (failed under OCIKIT_REQUIRE_INTEGRATION=1)
            ImageBuilder.scratch()
                    .copy(Path.of("/bin/busybox"), "/bin/busybox")
                    .copy(Path.of("src/test/resources/www"), "/www")
                    .entrypoint("/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www")
                    .commit(IMAGE);
        }
    }
}
