package dev.ocikit.junit.internal;

import dev.ocikit.junit.ContainerLaunchException;
import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.NoSuchContainerException;
import dev.ocikit.runtime.OciRuntime;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import dev.ocikit.image.internal.FileTrees;
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
 * {@code <hash>.log} (the supervisor's own output) and {@code <hash>.run-<n>/}, each supervisor's
 * own directory: its pid, its class path (see {@link ClassPath#isolated}) and the files copied
 * into its container, deleted once it has exited.
 *
 * <p>Thread-safe.
 */
public final class ReuseManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReuseManager.class);
    /** The prefix of reused containers' names. */
    public static final String NAME_PREFIX = "ocikit-reuse-";
    /** Longest wait for a supervisor to report its container started: a JVM start, then the container's. */
    static final Duration SUPERVISOR_START = Duration.ofMinutes(2);
    /** Longest wait for a supervisor asked to stop to remove its container and exit. */
    static final Duration SUPERVISOR_STOP = Duration.ofSeconds(60);

    /** Marks a supervisor's directory: {@code <hash>.run-<n>/} holds its pid, class path and copied files. */
    private static final String RUN = ".run-";

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
                remove(name);
            }
            Files.deleteIfExists(recordFile);
            sweepRuns();
            return new Attached(startSupervised(key, name, definition, recordFile), false);
        });
    }

    private Optional<ContainerInfo> inspect(String name) throws IOException {
        try {
            return Optional.of(runtime.inspect(name));
        } catch (NoSuchContainerException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes the reused container named {@code name}, if there is one: its supervising process is
     * asked to (SIGTERM), which removes it and exits, so that two processes never tear the same
     * container down at once; without a supervisor (it was killed), it is removed from here.
     */
    public void remove(String name) throws IOException, InterruptedException {
        Optional<ContainerInfo> info = inspect(name);
        if (info.isEmpty()) {
            return;
        }
        // Only a live supervisor of ours is signalled: a recorded pid that a dead supervisor left
        // may have been reused by any process of the user's.
        Optional<ProcessHandle> supervisor = ProcessHandle.of(info.get().ownerPid())
                .filter(p -> p.pid() != ProcessHandle.current().pid() && p.isAlive())
                .filter(p -> p.info().commandLine().map(c -> c.contains(ReuseSupervisor.class.getName())).orElse(false));
        if (supervisor.isPresent()) {
            supervisor.get().destroy();
            try {
                supervisor.get().onExit().get(SUPERVISOR_STOP.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("the supervising process {} of reused container {} did not exit within {}; removing it from here",
                        supervisor.get().pid(), name, SUPERVISOR_STOP);
                supervisor.get().destroyForcibly();
            }
        }
        try {
            runtime.remove(info.get().id(), true); // what a supervisor that failed, or was killed, left
        } catch (NoSuchContainerException e) {
            // removed by its supervisor
        }
    }

    /**
     * Deletes the directories of supervisors that are gone (the files copied into their
     * containers, their class paths): a supervisor's directory is in use as long as it runs.
     */
    private void sweepRuns() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> runs;
        try (java.util.stream.Stream<Path> list = Files.list(dir)) {
            runs = list.filter(p -> p.getFileName().toString().contains(RUN) && Files.isDirectory(p)).toList();
        }
        for (Path run : runs) {
            Path pidFile = run.resolve("pid");
            boolean gone;
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                gone = ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
            } catch (IOException | NumberFormatException e) {
                // no pid yet: being started, unless it is older than any start takes
                gone = Files.getLastModifiedTime(run).toInstant()
                        .isBefore(java.time.Instant.now().minus(SUPERVISOR_START.multipliedBy(2)));
            }
            if (gone) {
                try {
                    FileTrees.deleteRecursively(run);
                } catch (IOException e) {
                    LOG.warn("could not delete {}, left by a reused container's supervisor that is gone: {}", run, e.toString());
                }
            }
        }
    }

    private ReuseRecord startSupervised(String key, String name, LaunchDefinition definition, Path recordFile)
            throws IOException, InterruptedException {
        Path requestFile = dir.resolve(key + ".request.json");
        Path log = dir.resolve(key + ".log");
        Path run = dir.resolve(key + RUN + Long.toHexString(System.nanoTime()));
        Path files = run.resolve("files");
        Path classes = run.resolve("classpath");
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
        command.addAll(List.of("-cp", ClassPath.isolated(classes), ReuseSupervisor.class.getName(), requestFile.toString()));
        LOG.info("starting reused container {} under a supervising process", name);
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        Files.writeString(run.resolve("pid"), Long.toString(process.pid())); // its directory lives as long as it
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
            process.destroy();
            remove(name);
            throw new ContainerLaunchException("reused container " + name + " did not start within " + SUPERVISOR_START
                    + "; its supervising process said:\n" + tail(log));
        } catch (ExecutionException e) {
            throw new ContainerLaunchException("reused container " + name + ": lost its supervising process's answer",
                    e.getCause());
        } catch (InterruptedException e) {
            process.destroy(); // it removes what it started, and exits
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
