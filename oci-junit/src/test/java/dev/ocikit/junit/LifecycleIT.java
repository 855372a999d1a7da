package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.Copy;
import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.invoker.ContainerStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OciContainer} started by hand (as the extension does it), with each wait strategy against
 * a real container, resources, images copied in from a transport, and the failures: a timeout
 * quoting the output, a container that exits, a file to copy that is missing. After each, nothing
 * is left under the runtime's root.
 */
@ExtendWith(TestImages.class)
class LifecycleIT {
    private static final Duration GENEROUS = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static ContainerSpec busybox() {
        return ContainerSpec.of(TestImages.BUSYBOX);
    }

    private static List<String> containerNames() throws Exception {
        return Environment.defaults().runtime.list().stream().map(ContainerInfo::name).toList();
    }

    @Test
    void aPortWaitPassesOnceTheServerListensThroughItsPublishedPort() throws Exception {
        try (OciContainer web = OciContainer.of(busybox().command("httpd", "-f", "-p", "8080", "-h", "/www").publish(8080)
                .waitingFor(WaitStrategy.forPort(8080).timeout(GENEROUS))).start()) {
            assertThat(web.isRunning()).isTrue();
            try (java.net.Socket s = new java.net.Socket(web.host(), web.mappedPort(8080))) {
                assertThat(s.isConnected()).isTrue();
            }
        }
    }

    @Test
    void aCommandWaitPassesOnceItsCommandSucceedsInside() throws Exception {
        try (OciContainer c = OciContainer.of(busybox().command("sh", "-c", "touch /tmp/ready; exec sleep 600")
                .waitingFor(WaitStrategy.forCommand("test", "-f", "/tmp/ready").timeout(GENEROUS))).start()) {
            assertThat(c.exec("ls", "/tmp").stdout()).contains("ready");
        }
    }

    @Test
    void aHealthcheckWaitRunsTheImagesCheck() throws Exception {
        try (OciContainer c = OciContainer.of(ContainerSpec.of(TestImages.HEALTHY)
                .command("sh", "-c", "touch /tmp/healthy; exec sleep 600")
                .waitingFor(WaitStrategy.forHealthcheck().timeout(GENEROUS))).start()) {
            assertThat(c.imageConfig().healthcheck()).isPresent();
        }
    }

    @Test
    void anUnhealthyContainerTimesOutWithTheChecksAnswer() throws Exception {
        int before = containerNames().size();
        OciContainer c = OciContainer.of(ContainerSpec.of(TestImages.HEALTHY)
                .command("sh", "-c", "echo never healthy; exec sleep 600")
                .waitingFor(WaitStrategy.forHealthcheck().timeout(Duration.ofSeconds(2))));
        assertThatThrownBy(c::start)
                .isInstanceOf(WaitTimeoutException.class)
                .hasMessageContaining("its HEALTHCHECK `/bin/sh -c test -f /tmp/healthy` to succeed")
                .hasMessageContaining("last attempt: exit code 1")
                .hasMessageContaining("| never healthy");
        assertThat(c.isStarted()).isFalse();
        assertThat(containerNames()).hasSize(before);
    }

    @Test
    void aLogWaitThatTimesOutQuotesTheOutputAndTheContainerIsRemoved() throws Exception {
        int before = containerNames().size();
        OciContainer c = OciContainer.of(busybox()
                .command("sh", "-c", "echo loading the catalogue; echo ERROR: no database >&2; exec sleep 600")
                .waitingFor(WaitStrategy.forLogLine("started").timeout(Duration.ofSeconds(2))));
        assertThatThrownBy(c::start)
                .isInstanceOf(WaitTimeoutException.class)
                .hasMessageContaining("was not ready within 2 s: waited for a line matching /started/")
                .hasMessageContaining("| loading the catalogue")
                .hasMessageContaining("| ERROR: no database");
        assertThat(containerNames()).hasSize(before);
    }

    @Test
    void aContainerThatExitsFailsItsWaitAtOnceWithItsExitCode() throws Exception {
        int before = containerNames().size();
        OciContainer c = OciContainer.of(busybox().command("sh", "-c", "echo cannot start; exit 3")
                .waitingFor(WaitStrategy.forPort(8080).timeout(GENEROUS)));
        assertThatThrownBy(c::start)
                .isInstanceOf(ContainerLaunchException.class)
                .isNotInstanceOf(WaitTimeoutException.class)
                .hasMessageContaining("exited with code 3 before it was ready")
                .hasMessageContaining("| cannot start");
        assertThat(containerNames()).hasSize(before);
    }

    @Test
    void aMissingFileToCopyFailsTheStartNamingIt() throws Exception {
        int before = containerNames().size();
        Path missing = dir.resolve("missing.conf");
        OciContainer c = OciContainer.of(busybox().copyFile(missing, "/etc/app.conf").command("sleep", "600"));
        assertThatThrownBy(c::start).isInstanceOf(ContainerLaunchException.class).hasMessageContaining(missing.toString());
        assertThat(containerNames()).hasSize(before);
    }

    @Test
    void aDirectoryIsCopiedInWithItsContent() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site/css"));
        Files.writeString(site.resolve("main.css"), "body {}\n");
        Files.writeString(dir.resolve("site/index.html"), "<h1>hi</h1>\n");
        try (OciContainer c = OciContainer.of(busybox().copyFile(dir.resolve("site"), "/srv/site").command("sleep", "600"))
                .start()) {
            assertThat(c.exec("cat", "/srv/site/index.html", "/srv/site/css/main.css").stdout())
                    .isEqualTo("<h1>hi</h1>\nbody {}\n");
        }
    }

    @Test
    void resourceLimitsReachTheContainersCgroups() throws Exception {
        try (OciContainer c = OciContainer.of(busybox().command("sleep", "600").memory(64L << 20).cpus(0.5).pidsLimit(50))
                .start()) {
            ContainerStats stats = c.runtimeContainer().orElseThrow().stats();
            assertThat(stats.memoryLimitBytes()).hasValue(64L << 20);
            assertThat(stats.pidsLimit()).hasValue(50);
            String quota = c.exec("sh", "-c", "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max")
                    .stdout();
            assertThat(quota).startsWith("50000");
        }
    }

    @Test
    void anImageGivenAsATransportReferenceIsCopiedIntoTheStore() throws Exception {
        Path layout = dir.resolve("layout");
        Copy.from(Environment.defaults().store.reference(TestImages.BUSYBOX)).to("oci:" + layout + ":bb").run();
        List<String> lines = new CopyOnWriteArrayList<>();
        try (OciContainer c = OciContainer.of(ContainerSpec.of("oci:" + layout + ":bb")
                .command("sh", "-c", "echo from an OCI layout; exec sleep 600")
                .onOutput(lines::add)
                .waitingFor(WaitStrategy.forLogLine("from an OCI layout").timeout(GENEROUS))).start()) {
            assertThat(lines).containsExactly("from an OCI layout");
            String imageId = Environment.defaults().runtime.inspect(c.id()).imageId().orElseThrow();
            assertThat(Environment.defaults().store.resolve(imageId).names()).map(Object::toString)
                    .anySatisfy(n -> assertThat(n).startsWith("localhost/ocikit-junit/import:"));
        }
    }

    @Test
    void aStoppedContainerCanBeStartedAgainAsANewOne() throws Exception {
        OciContainer c = OciContainer.of(busybox().command("sleep", "600"));
        String first;
        try (OciContainer started = c.start()) {
            first = started.id();
            assertThatThrownBy(c::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        }
        assertThat(c.isStarted()).isFalse();
        try (OciContainer again = c.start()) {
            assertThat(again.id()).isNotEqualTo(first);
        }
        assertThat(containerNames()).doesNotContain(c.toString());
    }
}
