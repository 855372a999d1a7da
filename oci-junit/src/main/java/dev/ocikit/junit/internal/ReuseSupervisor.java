package dev.ocikit.junit.internal;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.ContainerBuilder;
import dev.ocikit.runtime.OciRuntime;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The process that owns a reused container: it starts the container, writes its
 * {@link ReuseRecord}, answers {@value #READY} on standard output, and then waits for the
 * container to exit (or be removed by someone else), to remove what is left and exit too. Its
 * standard error is a log file the test JVM quotes when the start fails. Being the container's
 * owner, it keeps the runtime's sweep from taking the container while it runs. SIGTERM ends it:
 * the runtime's shutdown hook removes the container first.
 */
public final class ReuseSupervisor {
    /** The first word of the answer once the container runs. */
    static final String READY = "ready";

    private ReuseSupervisor() {}

    /** What to start, and where. */
    public record Request(String storeRoot, String runtimeRoot, String stateRoot, boolean rootless, String name,
            LaunchDefinition definition, String recordFile, String filesDir) {}

    public static void main(String[] args) {
        PrintStream answer = System.out;
        System.setOut(System.err); // only the answer goes to the test JVM; everything else to the log
        int status = run(args, answer);
        System.exit(status);
    }

    static int run(String[] args, PrintStream answer) {
        Optional<Container> container = Optional.empty();
        Request request = null;
        try {
            if (args.length != 1) {
                throw new IllegalArgumentException("usage: ReuseSupervisor REQUEST.json");
            }
            request = LaunchDefinition.JSON.readValue(Files.readAllBytes(Path.of(args[0])), Request.class);
            OciRuntime runtime = OciRuntime.builder()
                    .store(ImageStore.open(Path.of(request.storeRoot())))
                    .root(Path.of(request.runtimeRoot()))
                    .stateRoot(Path.of(request.stateRoot()))
                    .rootless(request.rootless())
                    .sweepOnStart(false)
                    .build();
            ContainerBuilder builder = runtime.container(request.definition().imageId()).name(request.name());
            request.definition().applyTo(builder, Path.of(request.filesDir()));
            Container started = builder.start();
            container = Optional.of(started);
            List<ReuseRecord.Port> ports = new ArrayList<>();
            for (int port : request.definition().ports()) {
                ports.add(new ReuseRecord.Port(port, started.mappedPort(port)));
            }
            new ReuseRecord(started.id(), started.name(), started.host(), ports, started.pid(),
                    ProcessHandle.current().pid()).write(Path.of(request.recordFile()));
            answer.println(READY + " " + started.id());
            answer.flush();
            answer.close();
            System.err.println("container " + started.name() + " (" + started.id() + ") runs");
            int code = started.waitFor();
            System.err.println("container " + started.name() + " exited with " + code + "; removing it");
            return 0;
        } catch (Throwable e) {
            e.printStackTrace();
            answer.println("failed: " + e);
            answer.flush();
            return 1;
        } finally {
            cleanUp(container, request);
        }
    }

    private static void cleanUp(Optional<Container> container, Request request) {
        try {
            if (container.isPresent()) {
                container.get().close();
            }
        } catch (Exception e) {
            // removed by someone else (ocikit rm -f), which is how reused containers usually end
            System.err.println("removing the container: " + e);
        }
        if (request == null) {
            return;
        }
        try {
            Path record = Path.of(request.recordFile());
            Optional<ReuseRecord> current = ReuseRecord.read(record);
            // a later supervisor may have written its own record meanwhile: only ours goes
            if (current.isPresent() && container.isPresent() && current.get().id().equals(container.get().id())) {
                Files.deleteIfExists(record);
            }
        } catch (Exception e) {
            System.err.println("cleaning up: " + e);
        }
    }
}
