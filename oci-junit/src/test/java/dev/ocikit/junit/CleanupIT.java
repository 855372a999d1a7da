package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.NoSuchContainerException;
import dev.ocikit.runtime.OciRuntime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Containers are removed whatever happens to the tests: after a failing test, and when one of a
 * class's containers fails to start (the others are removed, and the failure quotes the failing
 * container's output). The classes that fail are run through the JUnit test kit.
 */
@ExtendWith(TestImages.class)
class CleanupIT {
    private static final Map<String, String> NAMES = new ConcurrentHashMap<>();
    private static OciRuntime runtime;

    @BeforeAll
    static void runtime() {
        runtime = Environment.defaults().runtime;
    }

    /** Run only through the test kit: its test fails on purpose. */
    @OciContainers
    static class FailingTest {
        @Container
        static OciContainer shared = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX).command("sleep", "600"));

        @Container
        OciContainer own = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX).command("sleep", "600"));

        @Test
        void fails() {
            NAMES.put("shared", shared.name());
            NAMES.put("own", own.name());
            assertThat(own.isRunning()).as("this test fails on purpose").isFalse();
        }
    }

    /** Run only through the test kit: its second container never becomes ready. */
    @OciContainers
    static class FailingStart {
        @Container
        static OciContainer good = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX).command("sleep", "600"));

        @Container
        static OciContainer stuck = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX)
                .command("sh", "-c", "echo still booting, step 1; echo still booting, step 2; exec sleep 600")
                .waitingFor(WaitStrategy.forLogLine("ready to serve").timeout(java.time.Duration.ofSeconds(2))));

        @Test
        void neverRuns() {
            NAMES.put("ran", "yes");
        }
    }

    @Test
    void theContainersOfAFailingTestAreRemoved() {
        NAMES.clear();
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingTest.class))
                .execute();
        results.testEvents().assertStatistics(s -> s.started(1).failed(1).succeeded(0));
        assertThat(NAMES).containsKeys("shared", "own");
        for (String name : NAMES.values()) {
            assertThatThrownBy(() -> runtime.inspect(name)).as(name).isInstanceOf(NoSuchContainerException.class);
        }
        assertThat(FailingTest.shared.isStarted()).isFalse();
    }

    @Test
    void whenOneContainerFailsToStartTheOthersAreRemovedAndTheFailureQuotesItsOutput() throws Exception {
        NAMES.clear();
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingStart.class))
                .execute();
        assertThat(NAMES).as("no test runs when the class's containers do not start").isEmpty();
        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).hasSize(1);
        Throwable failure = failed.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(WaitTimeoutException.class)
                .hasMessageContaining("FailingStart-stuck-")
                .hasMessageContaining("was not ready within 2 s: waited for a line matching /ready to serve/")
                .hasMessageContaining("| still booting, step 1")
                .hasMessageContaining("| still booting, step 2");
        assertThat(((WaitTimeoutException) failure).lastLines()).containsExactly("still booting, step 1",
                "still booting, step 2");
        assertThat(FailingStart.good.isStarted()).isFalse();
        assertThat(FailingStart.stuck.isStarted()).isFalse();
        List<String> left = runtime.list().stream().map(ContainerInfo::name).filter(n -> n.startsWith("FailingStart-"))
                .toList();
        assertThat(left).as("containers of the class left behind").isEmpty();
    }
}
