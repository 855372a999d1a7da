package dev.ocikit.runtime;

import dev.ocikit.image.ImageStore;
import java.nio.file.Path;

/**
 * A JVM that starts one long-running container and then waits to be killed: run by
 * {@link SweepIT} in a child process, which kills it with SIGKILL so that nothing of it (no
 * shutdown hook) gets to clean up.
 *
 * <p>Arguments: store root, runtime root, state root, image name, and {@code park} (wait to be
 * killed) or {@code exit} (exit normally at once, leaving the container to the shutdown hook).
 */
public final class ContainerOwnerMain {
    private ContainerOwnerMain() {}

    public static void main(String[] args) throws Exception {
        OciRuntime runtime = OciRuntime.builder().store(ImageStore.open(Path.of(args[0]))).root(Path.of(args[1]))
                .stateRoot(Path.of(args[2])).sweepOnStart(false).build();
        Container c = runtime.container(args[3]).command("sh", "-c", "echo started; exec sleep 600").start();
        c.waitForLog("started", java.time.Duration.ofSeconds(30));
        System.out.println(c.id() + " " + c.pid());
        System.out.flush();
        if (args[4].equals("exit")) {
            System.exit(0);
        }
        Thread.sleep(Long.MAX_VALUE); // parked until the test kills this JVM
    }
}
