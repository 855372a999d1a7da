package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ocikit.junit.internal.ReuseManager;
import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.NoSuchContainerException;
import dev.ocikit.runtime.OciRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A reused container outlives the test run that started it (under a supervising JVM of its own)
 * and serves the next run, which finds it by its definition; it goes when removed, and its
 * supervisor with it.
 */
@ExtendWith(TestImages.class)
class ReuseIT {
    private static final List<String> IDS = new CopyOnWriteArrayList<>();
    private static final List<Boolean> FOUND = new CopyOnWriteArrayList<>();
    private static final List<String> PAGES = new CopyOnWriteArrayList<>();

    private OciRuntime runtime;

    /** Run only through the test kit, once per "test run". */
    @OciContainers
    static class Reusing {
        @Container
        static OciContainer web = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX)
                .command("httpd", "-f", "-p", "8080", "-h", "/www")
                .publish(8080)
                .reuse(true)
                .waitingFor(WaitStrategy.forHttp(8080, "/index.html")));

        @Test
        void serves() throws Exception {
            IDS.add(web.id());
            FOUND.add(web.isReused());
            assertThat(web.runtimeContainer()).isEmpty();
            assertThat(web.exec("cat", "/www/index.html").stdout()).isEqualTo(TestImages.INDEX);
            PAGES.add(HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(
                    HttpRequest.newBuilder(URI.create("http://" + web.host() + ":" + web.mappedPort(8080) + "/index.html"))
                            .build(), HttpResponse.BodyHandlers.ofString()).body());
        }
    }

    @BeforeEach
    @AfterEach
    void removeReusedContainers() throws Exception {
        runtime = Environment.defaults().runtime;
        for (ContainerInfo c : runtime.list()) {
            if (c.name().startsWith(ReuseManager.NAME_PREFIX)) {
                Environment.defaults().reuse.remove(c.name());
            }
        }
        assertThat(runtime.list()).noneMatch(c -> c.name().startsWith(ReuseManager.NAME_PREFIX));
    }

    private static void runOnce() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Reusing.class)).execute()
                .testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    @Test
    void aLaterRunFindsTheContainerRunningAndUsesIt() throws Exception {
        IDS.clear();
        FOUND.clear();
        PAGES.clear();
        runOnce();
        ContainerInfo kept = runtime.inspect(IDS.get(0));
        assertThat(kept.status()).as("still running after its run").isEqualTo("running");
        assertThat(kept.name()).startsWith(ReuseManager.NAME_PREFIX);
        assertThat(kept.ownerPid()).as("owned by its supervisor, not this JVM").isNotEqualTo(ProcessHandle.current().pid());
        assertThat(ProcessHandle.of(kept.ownerPid())).get().matches(ProcessHandle::isAlive);

        runOnce();
        assertThat(IDS).hasSize(2).containsOnly(kept.id());
        assertThat(FOUND).containsExactly(false, true);
        assertThat(PAGES).containsExactly(TestImages.INDEX, TestImages.INDEX);
        assertThat(runtime.inspect(kept.id()).status()).isEqualTo("running");
    }

    @Test
    void removingTheContainerEndsItsSupervisorAndTheNextRunStartsAFreshOne() throws Exception {
        IDS.clear();
        FOUND.clear();
        runOnce();
        ContainerInfo first = runtime.inspect(IDS.get(0));
        ProcessHandle supervisor = ProcessHandle.of(first.ownerPid()).orElseThrow();
        Environment.defaults().reuse.remove(first.name());
        assertThat(supervisor.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThatThrownBy(() -> runtime.inspect(first.id())).isInstanceOf(NoSuchContainerException.class);

        runOnce();
        assertThat(IDS).hasSize(2).doesNotHaveDuplicates();
        assertThat(FOUND).containsExactly(false, false);
    }
}
