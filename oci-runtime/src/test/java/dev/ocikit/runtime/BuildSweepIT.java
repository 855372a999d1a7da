package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.invoker.ChildReaper;
import dev.ocikit.spec.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed with SIGKILL in the middle of a build command leaves nothing the next runtime does not sweep. */
class BuildSweepIT {
    @TempDir
    Path dir;

    @Test
    void aBuildContainerOfAKilledJvmIsSwept() throws Exception {
        Tools.require("runc");
        ChildReaper.install(); // the orphaned command comes to this JVM, which can then reap it
        Path root = dir.resolve("runtime");
        Path state = Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                BuildRunOwnerMain.class.getName(), dir.toString(), root.toString(), state.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String id = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(id).as("the owner JVM reports its build container").isNotNull();
        Path containerDir = root.resolve("containers").resolve(id);
        assertThat(RootfsMount.mountsUnder(containerDir)).isNotEmpty();
        OciRuntime next = OciRuntime.builder().store(ImageStore.open(dir.resolve("store"))).root(root).stateRoot(state)
                .sweepOnStart(false).build();
        // From runc, not the pid file: with run --detach, runc writes that file after the command has
        // already printed its first line.
        long pid = next.cli().state(id).pid().orElseThrow();

        owner.destroyForcibly();
        owner.waitFor();

        assertThat(next.sweep()).containsExactly(id);
        assertThat(containerDir).doesNotExist();
        assertThat(RootfsMount.mountsUnder(root)).isEmpty();
        assertThat(next.cli().list()).isEmpty();
        assertThat(ChildReaper.exitOf(pid).get(60, TimeUnit.SECONDS)).as("the command, killed by the sweep").isEqualTo(137);
        try (var left = Files.list(root.resolve("containers"))) {
            assertThat(left).isEmpty();
        }
    }
}
