package dev.ocikit.examples;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.OciRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A runnable sample: an application that embeds a web server in a container and talks to it, with
 * no daemon. The image is built on the spot from the host's static busybox (no registry needed);
 * the container gets a private network with its port published on 127.0.0.1; closing it stops,
 * unmounts and removes everything.
 *
 * <pre>java -cp ocikit.jar dev.ocikit.examples.EmbeddedWebServer [STORE_DIR]</pre>
 */
public final class EmbeddedWebServer {
    private EmbeddedWebServer() {}

    public static void main(String[] args) throws Exception {
        ImageStore store = args.length > 0 ? ImageStore.open(Path.of(args[0])) : ImageStore.open();
        OciRuntime runtime = OciRuntime.builder().store(store).build();

        // The site and the server, as an image: busybox's httpd serving /www.
        Path site = Files.createTempDirectory("site");
        Files.writeString(site.resolve("index.html"), "<h1>hello from a container</h1>\n");
        ImageBuilder.scratch()
                .copy(AddedFile.of(Path.of("/bin/busybox"), "/bin/busybox").withOwner(0, 0).withMode(0755))
                .copy(AddedFile.of(site, "/www").withOwner(0, 0))
                .entrypoint("/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www")
                .expose("8080")
                .commit(store, "localhost/embedded-web:1");

        try (Container web = runtime.container("localhost/embedded-web:1").publish(8080).start()) {
            // httpd prints nothing until a request comes, so readiness is the port accepting one.
            URI uri = URI.create("http://" + web.host() + ":" + web.mappedPort(8080) + "/");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = null;
            for (int attempt = 0; response == null && attempt < 50; attempt++) {
                try {
                    response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.net.ConnectException notYet) {
                    Thread.onSpinWait();
                }
            }
            if (response == null) {
                throw new IllegalStateException("the server never answered; its log:\n" + String.join("\n", web.lastLines()));
            }
            System.out.println(uri + " answered " + response.statusCode() + ": " + response.body().strip());
        }
    }
}
