package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.runtime.Features;
import dev.ocikit.spec.runtime.Process;
import dev.ocikit.spec.runtime.Resources;
import dev.ocikit.spec.runtime.State;
import dev.ocikit.spec.testing.Tools;
import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeCliIT {
    @TempDir
    Path tmp;

    private RuntimeCli runc;

    @BeforeAll
    static void reaper() {
        Tools.require("runc");
        ChildReaper.install();
    }

    @BeforeEach
    void setUp() {
        runc = RuntimeCli.runc().root(tmp.resolve("state"));
    }

    @AfterEach
    void cleanUp() {
        TestBundles.deleteAll(runc);
    }

    private static Process process(String... args) {
        return Process.builder().args(args).cwd("/").env(List.of("PATH=/bin")).build();
    }

    @Test
    void versionIsParsedAndPassesTheGate() {
        RuntimeVersion v = runc.version();
        assertThat(v.runtime()).isEqualTo("runc");
        assertThat(v.specVersion()).isPresent();
        assertThat(runc.requireSafeVersion()).isSameAs(runc);
        assertThat(RuntimeCli.installed()).extracting(RuntimeCli::name).contains("runc");
    }

    @Test
    void fullLifecycle() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sleep", "1000");
        String id = TestBundles.id("life");
        Path pidFile = tmp.resolve("pid");
        runc.create(id, bundle, CreateOptions.defaults().pidFile(pidFile));
        long pid = RuntimeCli.readPidFile(pidFile);
        var exit = ChildReaper.exitOf(pid);

        State created = runc.state(id);
        assertThat(created.is(State.Status.CREATED)).isTrue();
        assertThat(created.pid()).contains((int) pid);
        assertThat(runc.list()).extracting(ContainerSummary::id).containsExactly(id);
        assertThat(runc.list().get(0).pid()).isEqualTo(pid);

        runc.start(id);
        assertThat(runc.state(id).is(State.Status.RUNNING)).isTrue();
        assertThat(runc.ps(id)).contains(pid);

        assertThat(runc.exec(id, process("sh", "-c", "exit 3"), ExecOptions.defaults())).isEqualTo(3);

        runc.pause(id);
        assertThat(runc.state(id).status()).isEqualTo("paused");
        runc.resume(id);
        assertThat(runc.state(id).is(State.Status.RUNNING)).isTrue();

        runc.update(id, Resources.builder().pidsLimit(42).build());
        ContainerStats stats = runc.stats(id);
        assertThat(stats.pidsLimit()).hasValue(42L);
        assertThat(stats.cpuTotalNanos()).isPresent();

        runc.kill(id, "KILL", false);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(137);
        assertThat(runc.state(id).is(State.Status.STOPPED)).isTrue();
        runc.delete(id, false);
        assertThat(runc.list()).isEmpty();
        assertThatThrownBy(() -> runc.state(id)).isInstanceOf(NoSuchContainerException.class);
    }

    @Test
    void createPassesStdioThroughToTheContainer() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sh", "-c", "read x; echo out:$x; echo err >&2");
        Path in = Files.writeString(tmp.resolve("in"), "hello\n");
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        String id = TestBundles.id("stdio");
        runc.create(id, bundle, CreateOptions.defaults().pidFile(tmp.resolve("pid"))
                .stdin(Redirect.from(in.toFile())).stdout(Redirect.to(out.toFile())).stderr(Redirect.to(err.toFile())));
        var exit = ChildReaper.exitOf(RuntimeCli.readPidFile(tmp.resolve("pid")));
        runc.start(id);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(0);
        assertThat(Files.readString(out)).isEqualTo("out:hello\n");
        assertThat(Files.readString(err)).isEqualTo("err\n");
    }

    /**
     * The lead dev's non-tty stdio: FIFOs. The JDK opens a Redirect's file in the JVM before it
     * forks, and opening a FIFO blocks until the other end opens, so the other ends are opened on
     * other threads, meeting the JDK's open inside create.
     */
    @Test
    void createWithFifos() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sh", "-c", "read x; echo fifo:$x");
        Path in = tmp.resolve("stdin");
        Path out = tmp.resolve("stdout");
        for (Path fifo : List.of(in, out)) {
            assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        }
        var writer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new java.io.FileOutputStream(in.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            // Not FileInputStream.readAllBytes: on JDK 17 it seeks, and a FIFO answers "Illegal seek".
            try (var reader = new java.io.FileInputStream(out.toFile())) {
                var buffer = new java.io.ByteArrayOutputStream();
                byte[] chunk = new byte[512];
                for (int n; (n = reader.read(chunk)) >= 0; ) {
                    buffer.write(chunk, 0, n);
                }
                return buffer.toString(StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String id = TestBundles.id("fifo");
        runc.create(id, bundle, CreateOptions.defaults().pidFile(tmp.resolve("pid"))
                .stdin(Redirect.from(in.toFile())).stdout(Redirect.to(out.toFile())));
        var exit = ChildReaper.exitOf(RuntimeCli.readPidFile(tmp.resolve("pid")));
        runc.start(id);
        try (var w = writer.get(60, TimeUnit.SECONDS)) {
            w.write("abc\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(output.get(60, TimeUnit.SECONDS)).isEqualTo("fifo:abc\n");
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void runReturnsTheContainersExitCode() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sh", "-c", "exit 7");
        assertThat(runc.run(TestBundles.id("run"), bundle, RunOptions.defaults())).isEqualTo(7);
        assertThat(runc.list()).isEmpty(); // run deletes what it created
    }

    @Test
    void runtimeErrorTextComesFromTheJsonLog() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "no-such-program");
        Path log = tmp.resolve("runtime.log");
        RuntimeCli logged = runc.log(log);
        String id = TestBundles.id("missing");
        assertThatThrownBy(() -> logged.run(id, bundle, RunOptions.defaults()))
                .isInstanceOfSatisfying(ExecutableNotFoundException.class, e -> {
                    assertThat(e.runtime()).isEqualTo("runc");
                    assertThat(e.command()).isEqualTo("run");
                    assertThat(e.runtimeError()).contains("no-such-program").contains("executable file not found");
                    assertThat(e.getMessage()).contains("runc run failed");
                });
        assertThat(Files.readString(log)).contains("\"level\":\"error\"").contains("no-such-program");
    }

    @Test
    void execFailureIsTheRuntimesNotTheProcesses() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sleep", "1000");
        String id = TestBundles.id("exec");
        runc.create(id, bundle, CreateOptions.defaults());
        runc.start(id);
        assertThatThrownBy(() -> runc.exec(id, process("/nonexistent"), ExecOptions.defaults()))
                .isInstanceOfSatisfying(ExecutableNotFoundException.class,
                        e -> assertThat(e.runtimeError()).contains("/nonexistent"));
        assertThatThrownBy(() -> runc.exec(id, process("/etc"), ExecOptions.defaults()))
                .isInstanceOf(ExecutableNotPermittedException.class);
        try (StartedExec started = runc.startExec(id, process("no-such-program"), ExecOptions.defaults())) {
            started.stdout().readAllBytes();
            assertThatThrownBy(started::waitFor).isInstanceOf(ExecutableNotFoundException.class);
        }
        Path out = tmp.resolve("exec-out");
        assertThat(runc.exec(id, process("sh", "-c", "echo $((6*7))"),
                ExecOptions.defaults().stdout(Redirect.to(out.toFile())))).isZero();
        assertThat(Files.readString(out)).isEqualTo("42\n");
    }

    @Test
    void startExecStreams() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sleep", "1000");
        String id = TestBundles.id("stream");
        runc.create(id, bundle, CreateOptions.defaults());
        runc.start(id);
        try (StartedExec exec = runc.startExec(id, process("sh", "-c", "read x; echo got:$x; exit 5"),
                ExecOptions.defaults())) {
            exec.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
            exec.stdin().close();
            String out = new String(exec.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).isEqualTo("got:ping\n");
            assertThat(exec.waitFor()).isEqualTo(5);
        }
    }

    @Test
    void missingContainersAreTyped() {
        String id = TestBundles.id("ghost");
        assertThatThrownBy(() -> runc.state(id)).isInstanceOfSatisfying(NoSuchContainerException.class, e -> {
            assertThat(e.containerId()).isEqualTo(id);
            assertThat(e.command()).isEqualTo("state");
            assertThat(e.runtimeError()).contains("does not exist");
        });
        assertThatThrownBy(() -> runc.kill(id, "KILL", false)).isInstanceOf(NoSuchContainerException.class);
        assertThatThrownBy(() -> runc.delete(id, false)).isInstanceOf(NoSuchContainerException.class);
        runc.delete(id, true); // runc: a forced delete of an unknown container succeeds
        assertThatThrownBy(() -> runc.start(id)).isInstanceOf(NoSuchContainerException.class);
        assertThatThrownBy(() -> runc.ps(id)).isInstanceOf(NoSuchContainerException.class);
        assertThatThrownBy(() -> runc.exec(id, process("true"), ExecOptions.defaults()))
                .isInstanceOf(NoSuchContainerException.class);
        assertThatThrownBy(() -> runc.stats(id)).isInstanceOf(NoSuchContainerException.class);
        assertThatThrownBy(() -> runc.pause(id)).isInstanceOf(NoSuchContainerException.class);
        assertThatThrownBy(() -> runc.resume(id)).isInstanceOf(NoSuchContainerException.class);
        assertThat(runc.list()).isEmpty();
    }

    @Test
    void featuresAreTyped() {
        Features f = runc.features();
        assertThat(f.ociVersionMax()).startsWith("1.");
        assertThat(f.accepts("1.0.0")).isTrue();
    }

    @Test
    void eventsStreamStats() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sleep", "1000");
        String id = TestBundles.id("events");
        runc.create(id, bundle, CreateOptions.defaults());
        runc.start(id);
        try (EventStream events = runc.events(id, Duration.ofMillis(100))) {
            RuntimeEvent first = events.next();
            assertThat(first.type()).isEqualTo("stats");
            assertThat(first.id()).isEqualTo(id);
            assertThat(first.stats()).isPresent();
            assertThat(events.next().type()).isEqualTo("stats");
        }
    }

    @Test
    void unsafeCwdIsRefusedBeforeRuncRuns() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sh");
        TestBundles.edit(bundle, false, "/proc/self/fd/7", "sh");
        String id = TestBundles.id("cve");
        assertThatThrownBy(() -> runc.create(id, bundle, CreateOptions.defaults()))
                .isInstanceOf(UnsafeSpecException.class).hasMessageContaining("CVE-2024-21626");
        assertThatThrownBy(() -> runc.run(id, bundle, RunOptions.defaults())).isInstanceOf(UnsafeSpecException.class);
        assertThat(runc.list()).isEmpty();
        Process bad = Process.builder().args("sh").cwd("/proc/thread-self/fd/3").build();
        assertThatThrownBy(() -> runc.exec(id, bad, ExecOptions.defaults())).isInstanceOf(UnsafeSpecException.class);
    }

    @Test
    void pipesCannotBeHandedToAContainer() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sh");
        assertThatThrownBy(() -> runc.create("x", bundle, CreateOptions.defaults().stdout(Redirect.PIPE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PIPE");
    }

    @Test
    void unknownRuntimeNameIsTyped() {
        assertThatThrownBy(() -> RuntimeCli.of("no-such-runtime-xyz")).isInstanceOf(RuntimeNotFoundException.class)
                .hasMessageContaining("no-such-runtime-xyz");
        assertThatThrownBy(() -> RuntimeCli.of("relative/runc")).isInstanceOf(RuntimeNotFoundException.class);
        assertThat(RuntimeCli.of(runc.executable().toString()).name()).isEqualTo("runc");
        assertThat(new File(runc.executable().toString())).canRead();
    }
}
