package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.runtime.NoSuchContainerException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The extension as a user meets it: a static container for the class (busybox httpd reached
 * through its published port) and an instance container per test (with a copied file, an
 * environment variable and a log-line wait), both real, through runc.
 */
@ExtendWith(TestImages.class)
@OciContainers
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExtensionIT {
    private static final Path CONFIG = resource("/worker.conf");

    @Container
    static OciContainer web = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX)
            .command("httpd", "-f", "-p", "8080", "-h", "/www")
            .publish(8080)
            .waitingFor(WaitStrategy.forHttp(8080, "/index.html")));

    @Container
    OciContainer worker = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX)
            .env("GREETING", "hello")
            .copyFile(CONFIG, "/etc/worker.conf")
            .command("sh", "-c", "echo \"$GREETING from the worker\"; exec sleep 600")
            .waitingFor(WaitStrategy.forLogLine("hello from the worker")));

    private static final List<String> workerIds = new CopyOnWriteArrayList<>();
    private static String webId;

    private static Path resource(String name) {
        try {
            return Path.of(ExtensionIT.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void theClassContainerRunsBeforeBeforeAllMethods() {
        assertThat(web.isStarted()).isTrue();
        assertThat(web.isRunning()).isTrue();
        webId = web.id();
    }

    @Test
    @Order(1)
    void theClassContainerAnswersOnItsPublishedPort() throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(
                HttpRequest.newBuilder(URI.create("http://" + web.host() + ":" + web.mappedPort(8080) + "/index.html"))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(TestImages.INDEX);
        assertThat(web.host()).isEqualTo("127.0.0.1");
        assertThat(web.mappedPort(8080)).isNotEqualTo(8080).isPositive();
    }

    @Test
    @Order(2)
    void eachTestGetsItsOwnInstanceContainer() throws Exception {
        workerIds.add(worker.id());
        assertThat(worker.isRunning()).isTrue();
        assertThat(worker.name()).startsWith("ExtensionIT-worker-");
        assertThat(web.id()).as("the class's container is the same for every test").isEqualTo(webId);
    }

    @Test
    @Order(3)
    void theInstanceContainerOfTheTestBeforeIsGone() throws Exception {
        workerIds.add(worker.id());
        assertThat(workerIds).hasSize(2).doesNotHaveDuplicates();
        var runtime = Environment.defaults().runtime;
        assertThatThrownBy(() -> runtime.inspect(workerIds.get(0))).isInstanceOf(NoSuchContainerException.class);
        ContainerInfo current = runtime.inspect(worker.id());
        assertThat(current.status()).isEqualTo("running");
        assertThat(current.image()).isEqualTo(TestImages.BUSYBOX);
    }

    @Test
    @Order(4)
    void filesAreCopiedInAndTheEnvironmentSet() throws Exception {
        ExecResult conf = worker.exec("cat", "/etc/worker.conf");
        assertThat(conf.exitCode()).isZero();
        assertThat(conf.stdout()).isEqualTo(Files.readString(CONFIG));

        ExecResult changed = worker.exec("sh", "-c", "echo changed > /etc/worker.conf && cat /etc/worker.conf");
        assertThat(changed.stdout()).isEqualTo("changed\n");
        assertThat(CONFIG).as("the container changes its copy, not the original").hasContent("mode=worker\nlevel=3");

        assertThat(worker.exec("sh", "-c", "echo $GREETING").stdout()).isEqualTo("hello\n");
        assertThat(worker.logs().stdout()).isEqualTo("hello from the worker\n");
        assertThat(worker.lastLines()).containsExactly("hello from the worker");
    }

    @Test
    @Order(5)
    void theRuntimesHandleIsThereForTheRest() {
        assertThat(worker.isReused()).isFalse();
        assertThat(worker.runtimeContainer()).get().satisfies(c -> {
            assertThat(c.id()).isEqualTo(worker.id());
            assertThat(c.processes()).isNotEmpty();
        });
        assertThat(worker.imageConfig().cmd()).containsExactly("sh");
        assertThat(worker.pid()).isEqualTo(worker.runtimeContainer().orElseThrow().pid());
    }

    @AfterAll
    static void theClassContainerStillRunsInAfterAllMethods() {
        assertThat(web.isRunning()).isTrue();
    }
}
