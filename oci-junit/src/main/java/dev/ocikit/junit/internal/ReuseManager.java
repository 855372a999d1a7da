package dev.ocikit.junit.internal;

import dev.ocikit.junit.ContainerLaunchException;
import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.NoSuchContainerException;
import dev.ocikit.runtime.OciRuntime;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reused containers: kept running across test runs under a supervising JVM of their own
 * ({@link ReuseSupervisor}), and found again by name, {@code ocikit-reuse-<hash>}, the hash
 * being that of their {@link LaunchDefinition} (with the store and root). Their files live under
 * {@code <root>/junit/reuse/}: {@code <hash>.json} (the {@link ReuseRecord}), {@code <hash>.lock}
 * (held while one is looked for or started, across JVMs), {@code <hash>.request.json},
 * {@code <hash>.log} (the supervisor's own output) and {@code <hash>.files-<n>/} (the copied files of
 * one container, which its supervisor deletes with it).
 *
 * <p>Thread-safe.
 */
public final class ReuseManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReuseManager.class);
    /** The prefix of reused containers' names. */
    public static final String NAME_PREFIX = "ocikit-reuse-";
    /** Longest wait for a supervisor to report its container started: a JVM start, then the container's. */
    static final Duration SUPERVISOR_START = Duration.ofMinutes(2);

    private final OciRuntime runtime;
    private final Path dir;

    public ReuseManager(OciRuntime runtime) {
        this.runtime = runtime;
        this.dir = runtime.root().resolve("junit").resolve("reuse");
    }

    /** The name a container of {@code definition} gets under this runtime. */
    public String nameOf(LaunchDefinition definition) throws IOException {
        return NAME_PREFIX + key(definition);
    }

    private String key(LaunchDefinition definition) throws IOException {
        return definition.hash(runtime.store().root() + "\n" + runtime.root()).substring(0, 24);
    }

    /** A reused container: its record, and whether an earlier run left it running (else it was just started). */
    public record Attached(ReuseRecord record, boolean found) {}

    /**
     * The running container of {@code definition} an earlier run left, or a new one started
     * under a supervising process of its own.
     *
     * @throws ContainerLaunchException if it could not be started, with the supervisor's output
     */
    public Attached attachOrStart(LaunchDefinition definition) throws IOException, InterruptedException {
        String key = key(definition);
        String name = NAME_PREFIX + key;
        Path recordFile = dir.resolve(key + ".json");
        return FileLocks.withLock(dir.resolve(key + ".lock"), () -> {
            Optional<ReuseRecord> record = ReuseRecord.read(recordFile);
            Optional<ContainerInfo> info = inspect(name);
            if (record.isPresent() && info.isPresent() && info.get().status().equals("running")
                    && info.get().id().equals(record.get().id())) {
                LOG.debug("reusing container {}", name);
                return new Attached(record.get(), true);
            }
            if (info.isPresent()) {
                LOG.info("removing reused container {}: it is {} (or its record is lost), a new one replaces it", name,
                        info.get().status());
                runtime.remove(name, true);
            }
            Files.deleteIfExists(recordFile);
            // each container's own copies: the supervisor of a container removed above deletes its own
            Path files = dir.resolve(key + ".files-" + Long.toHexString(System.nanoTime()));
            return new Attached(startSupervised(key, name, definition, recordFile, files), false);
        });
    }

    private Optional<ContainerInfo> inspect(String name) throws IOException {
        try {
            return Optional.of(runtime.inspect(name));
        } catch (NoSuchContainerException e) {
            return Optional.empty();
        }
    }

    /** Removes the reused container named {@code name}, if there is one; its supervisor then exits. */
    public void remove(String name) throws IOException {
        try {
            runtime.remove(name, true);
        } catch (NoSuchContainerException e) {
            // already gone
        }
    }

    private ReuseRecord startSupervised(String key, String name, LaunchDefinition definition, Path recordFile, Path files)
            throws IOException, InterruptedException {
        Path requestFile = dir.resolve(key + ".request.json");
        Path log = dir.resolve(key + ".log");
        ReuseSupervisor.Request request = new ReuseSupervisor.Request(runtime.store().root().toString(),
                runtime.root().toString(), runtime.stateRoot().toString(), runtime.rootless(), name, definition,
                recordFile.toString(), files.toString());
        Files.write(requestFile, LaunchDefinition.JSON.writeValueAsBytes(request));
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString()); // its own session: not killed with the test run's process group
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        command.addAll(List.of("-cp", ClassPath.ofThisJvm(), ReuseSupervisor.class.getName(), requestFile.toString()));
        LOG.info("starting reused container {} under a supervising process", name);
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line = out.readLine();
                return line == null ? "" : line;
            } catch (IOException e) {
                return "";
            }
        });
        String line;
        try {
            line = reply.get(SUPERVISOR_START.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            remove(name);
            throw new ContainerLaunchException("reused container " + name + " did not start within " + SUPERVISOR_START
                    + "; its supervising process said:\n" + tail(log));
        } catch (ExecutionException e) {
            throw new ContainerLaunchException("reused container " + name + ": lost its supervising process's answer",
                    e.getCause());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            remove(name);
            throw e;
        }
        Optional<ReuseRecord> record = ReuseRecord.read(recordFile);
        if (!line.startsWith(ReuseSupervisor.READY) || record.isEmpty()) {
            process.waitFor(10, TimeUnit.SECONDS); // it has said all it will; its log is complete once it exits
            throw new ContainerLaunchException("could not start reused container " + name + "; its supervising process"
                    + (process.isAlive() ? "" : " exited with " + process.exitValue() + " and") + " said:\n" + tail(log));
        }
        return record.get();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(its log " + log + " cannot be read: " + e.getMessage() + ")";
        }
    }
}
