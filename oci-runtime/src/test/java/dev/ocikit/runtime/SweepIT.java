package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.testing.BusyboxImage;
import dev.ocikit.spec.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import dev.ocikit.runtime.invoker.ChildReaper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed with SIGKILL leaves a running container; the next runtime built sweeps it all away. */
class SweepIT {
    @TempDir
    Path dir;

    Path storeRoot;
    ImageStore store;
    Path root;
    Path state;

    /** A store with a busybox image, a runtime root and a state root of this test's own. */
    @org.junit.jupiter.api.BeforeEach
    void storeAndRoots() throws Exception {
        Tools.require("runc");
        storeRoot = dir.resolve("store");
        store = ImageStore.open(storeRoot);
        BusyboxImage.store(store, "localhost/busybox:sweep", dir);
        root = dir.resolve("runtime");
        state = Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8));
        // The container's init, orphaned twice (by runc create, then by its JVM), comes to this
        // JVM, so that its end can be waited for rather than guessed.
        ChildReaper.install();
    }

    /** A child JVM that starts one container, reports "id pid", then parks or exits. */
    record Owner(Process process, String id, long pid) {}

    Owner owner(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ContainerOwnerMain.class.getName(), storeRoot.toString(), root.toString(), state.toString(),
                "localhost/busybox:sweep", mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String line = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("the owner JVM reports its container").isNotNull();
        return new Owner(owner, line.split(" ")[0], Long.parseLong(line.split(" ")[1]));
    }

    @Test
    void theNextStartCleansUpAfterAJvmKilledWithSigkill() throws Exception {
        Owner started = owner("park");
        Process owner = started.process();
        String id = started.id();
        long pid = started.pid();
        Path containerDir = root.resolve("containers").resolve(id);
        assertThat(RootfsMount.mountsUnder(containerDir)).isNotEmpty();

        owner.destroyForcibly(); // SIGKILL: no shutdown hook runs
        owner.waitFor();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the container outlives its JVM").contains(true);

        OciRuntime next = OciRuntime.builder().store(store).root(root).stateRoot(state).sweepOnStart(false).build();
        List<String> swept = next.sweep();

        assertThat(swept).containsExactly(id);
        assertThat(Files.exists(containerDir)).isFalse();
        assertThat(RootfsMount.mountsUnder(root)).isEmpty();
        assertThat(Files.exists(state.resolve(id))).isFalse();
        assertThat(ChildReaper.exitOf(pid).get(60, TimeUnit.SECONDS)).as("killed by the sweep").isEqualTo(137);
        assertThat(next.list()).isEmpty();
    }

    @Test
    void aJvmThatExitsRemovesItsContainersOnTheWayOut() throws Exception {
        Owner started = owner("exit");
        assertThat(started.process().waitFor()).isZero();
        String id = started.id();
        long pid = started.pid();

        assertThat(Files.exists(root.resolve("containers").resolve(id))).as("removed by the shutdown hook").isFalse();
        assertThat(RootfsMount.mountsUnder(root)).isEmpty();
        assertThat(Files.exists(state.resolve(id))).isFalse();
        // Either the exiting JVM reaped its container's init itself (then it is gone: ECHILD
        // here), or the zombie came to this JVM, the nearest subreaper, and is reaped here.
        try {
            assertThat(ChildReaper.exitOf(pid).get(60, TimeUnit.SECONDS)).isEqualTo(137);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(dev.ocikit.runtime.invoker.ChildReaperException.class);
            assertThat(Files.exists(Path.of("/proc", Long.toString(pid)))).as("the container's init is gone").isFalse();
        }
    }
}
