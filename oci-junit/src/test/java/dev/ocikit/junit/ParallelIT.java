package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ocikit.runtime.ContainerInfo;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Parallel runs: two test classes at once (JUnit's parallel execution), each with its own
 * containers; and the containers of one class, started at the same time. Being at the same time
 * is shown by latches that only open when both sides reach them, not by timing.
 */
@ExtendWith(TestImages.class)
class ParallelIT {
    private static final Set<String> NAMES = ConcurrentHashMap.newKeySet();
    private static volatile CountDownLatch bothClassesRunning;
    private static volatile CountDownLatch bothWaitsRunning;

    private static ContainerSpec sleeper() {
        return ContainerSpec.of(TestImages.BUSYBOX).command("sleep", "600");
    }

    /** Returns once both containers' waits are under way, or fails: only parallel starts get past it. */
    private static final WaitStrategy MEET_THE_OTHER_START = container -> {
        bothWaitsRunning.countDown();
        if (!bothWaitsRunning.await(60, TimeUnit.SECONDS)) {
            throw new ContainerLaunchException("the other container of the class was not being started meanwhile");
        }
    };

    private static void meetTheOtherClass(OciContainer mine) throws InterruptedException {
        assertThat(mine.isRunning()).isTrue();
        NAMES.add(mine.name());
        bothClassesRunning.countDown();
        assertThat(bothClassesRunning.await(60, TimeUnit.SECONDS)).as("the other class ran at the same time").isTrue();
    }

    @OciContainers
    static class First {
        @Container
        static OciContainer mine = OciContainer.of(sleeper());

        @Test
        void runsWhileTheOtherClassRuns() throws Exception {
            meetTheOtherClass(mine);
        }
    }

    @OciContainers
    static class Second {
        @Container
        static OciContainer mine = OciContainer.of(sleeper());

        @Test
        void runsWhileTheOtherClassRuns() throws Exception {
            meetTheOtherClass(mine);
        }
    }

    @OciContainers
    static class TwoAtOnce {
        @Container
        static OciContainer a = OciContainer.of(sleeper().waitingFor(MEET_THE_OTHER_START));

        @Container
        static OciContainer b = OciContainer.of(sleeper().waitingFor(MEET_THE_OTHER_START));

        @Test
        void bothRun() {
            assertThat(a.isRunning()).isTrue();
            assertThat(b.isRunning()).isTrue();
            assertThat(a.id()).isNotEqualTo(b.id());
            NAMES.add(a.name());
            NAMES.add(b.name());
        }
    }

    @Test
    void twoClassesRunAtOnceEachWithItsOwnContainers() throws Exception {
        bothClassesRunning = new CountDownLatch(2);
        NAMES.clear();
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
                .selectors(selectClass(First.class), selectClass(Second.class))
                .execute()
                .testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(NAMES).hasSize(2).allMatch(n -> n.startsWith("First-mine-") || n.startsWith("Second-mine-"));
        assertGone(NAMES);
    }

    @Test
    void theContainersOfOneClassStartInParallel() throws Exception {
        bothWaitsRunning = new CountDownLatch(2);
        NAMES.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(TwoAtOnce.class)).execute()
                .testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertThat(NAMES).hasSize(2);
        assertGone(NAMES);
    }

    private static void assertGone(Set<String> names) throws Exception {
        List<String> left = Environment.defaults().runtime.list().stream().map(ContainerInfo::name)
                .filter(names::contains).toList();
        assertThat(left).as("containers left after the classes ended").isEmpty();
    }
}
