package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.invoker.RuntimeCommandException;
import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.runtime.testing.BusyboxImage;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.testing.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real containers from a stored busybox image, through real runc: the proof list. */
class ContainerIT {
    @TempDir
    static Path dir;

    static OciRuntime runtime;

    @BeforeAll
    static void storeImages() throws IOException {
        Tools.require("runc");
        ImageStore store = ImageStore.open(dir.resolve("store"));
        BusyboxImage.store(store, "localhost/busybox:test", dir);
        BusyboxImage.store(store, "localhost/configured:test", ContainerConfig.builder()
                .env("GREETING", "from-image")
                .env("PATH", "/usr/local/bin:/bin")
                .workingDir("/srv/work")
                .user("app")
                .cmd(List.of("sh", "-c", "echo $GREETING; id; pwd"))
                .build(), dir, extra -> {
                    Files.createDirectories(extra.resolve("www"));
                    Files.writeString(extra.resolve("www/index.html"), "hello from the container\n");
                });
        runtime = OciRuntime.builder().store(store).root(dir.resolve("runtime"))
                .stateRoot(Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8)))
                .build();
    }

    @AfterAll
    static void noLeftovers() throws IOException {
        if (runtime != null) {
            assertThat(runtime.list()).isEmpty();
            assertThat(RootfsMount.mountsUnder(runtime.root())).isEmpty();
        }
    }

    /** Busybox as PID 1 ignores SIGTERM; tests need not wait Podman's 10 s for it. */
    ContainerBuilder busybox() throws IOException {
        return runtime.container("localhost/busybox:test").stopTimeout(Duration.ofMillis(200));
    }

    @Test
    void exitCodeOfTheFirstProcess() throws Exception {
        try (Container c = busybox().command("sh", "-c", "echo out; echo err >&2; exit 7").start()) {
            assertThat(c.waitFor()).isEqualTo(7);
            assertThat(c.stdoutLog()).isEqualTo("out\n");
            assertThat(c.stderrLog()).isEqualTo("err\n");
        }
    }

    @Test
    void outputAlsoGoesToCallersFilesWhichOutliveTheContainer() throws Exception {
        Path out = dir.resolve("copied-stdout.txt");
        Path err = dir.resolve("copied-stderr.txt");
        try (Container c = busybox().stdoutTo(out).stderrTo(err).command("sh", "-c", "echo to-out; echo to-err >&2").start()) {
            assertThat(c.waitFor()).isZero();
        }
        assertThat(out).hasContent("to-out");
        assertThat(err).hasContent("to-err");
    }

    @Test
    void aCopiedRootfsWhereOverlayIsNotWanted() throws Exception {
        OciRuntime copying = OciRuntime.builder().store(runtime.store()).root(dir.resolve("copying"))
                .stateRoot(runtime.stateRoot()).copyRootfs(true).build();
        try (Container c = copying.container("localhost/configured:test").user("root")
                .command("sh", "-c", "cat /www/index.html; echo changed > /www/index.html; cat /www/index.html").start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("hello from the container\nchanged\n");
            assertThat(RootfsMount.mountsUnder(copying.root().resolve("containers").resolve(c.id()).resolve("bundle")))
                    .isEmpty();
        }
        try (Container c = copying.container("localhost/configured:test").command("cat", "/www/index.html").start()) {
            c.waitFor();
            assertThat(c.stdoutLog()).isEqualTo("hello from the container\n");
        }
        try (var left = Files.list(copying.root().resolve("containers"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void createThenStart() throws Exception {
        try (Container c = busybox().command("sh", "-c", "echo started").create()) {
            assertThat(c.state().status()).isEqualTo("created");
            assertThat(c.stdoutLog()).isEmpty();
            c.start();
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("started\n");
        }
    }

    @Test
    void pauseFreezesAndResumeThawsEveryProcess() throws Exception {
        try (Container c = busybox().stdin(true).command("sh", "-c", "echo ready; read x; echo after:$x").start()) {
            c.waitForLog("ready", Duration.ofSeconds(20));
            assertThat(c.processes()).contains(c.pid());
            c.pause();
            assertThat(c.state().status()).isEqualTo("paused");
            c.resume();
            assertThat(c.state().status()).isEqualTo("running");
            c.stdin().write("go\n".getBytes(StandardCharsets.UTF_8));
            c.stdin().close();
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("ready\nafter:go\n");
        }
    }

    @Test
    void imageConfigGivesEnvUserAndWorkdirCreatedIfMissing() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (Container c = runtime.container("localhost/configured:test").onStdout(lines::add).start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(lines).containsExactly("from-image", "uid=1000(app) gid=1000(app) groups=10(wheel),29(audio)",
                    "/srv/work");
        }
    }

    @Test
    void callerEnvUserAndGroupsOverrideTheImage() throws Exception {
        try (Container c = runtime.container("localhost/configured:test")
                .env("GREETING", "from-caller")
                .user("daemon:wheel")
                .workdir("/tmp")
                .command("sh", "-c", "echo $GREETING; id -u; id -g; pwd")
                .start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("from-caller\n1\n10\n/tmp\n");
        }
    }

    @Test
    void signalsReachTheProcess() throws Exception {
        try (Container c = busybox().command("sh", "-c", "trap 'echo got-usr1; exit 3' USR1; echo ready; while true; do sleep 1; done")
                .start()) {
            c.waitForLog("^ready$", Duration.ofSeconds(20));
            c.kill("SIGUSR1");
            assertThat(c.waitFor()).isEqualTo(3);
            assertThat(c.stdoutLog()).contains("got-usr1");
        }
    }

    @Test
    void stopKillsAProcessThatIgnoresSigterm() throws Exception {
        try (Container c = busybox().command("sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done").start()) {
            c.waitForLog("ready", Duration.ofSeconds(20));
            assertThat(c.stop(Duration.ofMillis(300))).isEqualTo(137);
        }
    }

    @Test
    void bindMountsReadOnlyAndReadWrite() throws Exception {
        Path ro = Files.createDirectories(dir.resolve("bind-ro"));
        Files.writeString(ro.resolve("data.txt"), "host data\n");
        Path rw = Files.createDirectories(dir.resolve("bind-rw"));
        try (Container c = busybox()
                .bind(ro, "/data", true)
                .bind(rw, "/out", false)
                .command("sh", "-c", "cat /data/data.txt; touch /data/x 2>/dev/null && echo ro-writable; echo written > /out/result")
                .start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("host data\n");
        }
        assertThat(rw.resolve("result")).hasContent("written");
    }

    @Test
    void aNamedVolumeOutlivesItsContainers() throws Exception {
        try (Container c = busybox().volume("it-data", "/data", false).command("sh", "-c", "echo kept > /data/file").start()) {
            assertThat(c.waitFor()).isZero();
        }
        try (Container c = busybox().volume("it-data", "/data", true)
                .command("sh", "-c", "cat /data/file; touch /data/other 2>/dev/null || echo read-only").start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("kept\nread-only\n");
        }
        assertThat(runtime.root().resolve("volumes/it-data/_data/file")).hasContent("kept");
        assertThatThrownBy(() -> busybox().volume("../escape", "/data", false).command("true").start())
                .isInstanceOf(ContainerException.class).hasMessageContaining("invalid volume name");
    }

    @Test
    void readOnlyRootfsRefusesWritesButTmpfsTakesThem() throws Exception {
        try (Container c = busybox().readOnlyRootfs(true).tmpfs("/scratch")
                .command("sh", "-c", "touch /newfile || echo refused; touch /scratch/ok && echo tmpfs-ok").start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("refused\ntmpfs-ok\n");
        }
    }

    @Test
    void writesGoToTheContainerNotTheImage() throws Exception {
        try (Container c = busybox().command("sh", "-c", "echo changed > /bin/marker; rm /etc/group").start()) {
            assertThat(c.waitFor()).isZero();
        }
        try (Container c = busybox().command("sh", "-c", "ls /bin/marker 2>&1; cat /etc/group | head -1").start()) {
            c.waitFor();
            assertThat(c.stdoutLog()).contains("No such file").contains("root:x:0:");
        }
    }

    @Test
    void memoryAndPidsLimitsAreVisibleInside() throws Exception {
        try (Container c = busybox().memory(64L * 1024 * 1024).pidsLimit(32)
                .command("sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max")
                .start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("67108864\n32\n");
        }
    }

    @Test
    void execRunsAnotherProcessWithTheContainersEnvironment() throws Exception {
        try (Container c = busybox().env("FOO", "bar").command("sh", "-c", "echo ready; exec sleep 600").start()) {
            c.waitForLog("ready", Duration.ofSeconds(20));
            ExecResult r = c.exec("sh", "-c", "echo $FOO; echo oops >&2; exit 4");
            assertThat(r.exitCode()).isEqualTo(4);
            assertThat(r.stdout()).isEqualTo("bar\n");
            assertThat(r.stderr()).isEqualTo("oops\n");
        }
    }

    @Test
    void stdinReachesTheProcess() throws Exception {
        try (Container c = busybox().stdin(true).command("sh", "-c", "read line; echo got:$line").start()) {
            OutputStream in = c.stdin();
            in.write("hello\n".getBytes(StandardCharsets.UTF_8));
            in.close();
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("got:hello\n");
        }
    }

    @Test
    void terminalSession() throws Exception {
        try (Container c = busybox().tty(true).command("sh", "-c", "tty; read x; echo got:$x").start()) {
            var terminal = c.terminal().orElseThrow();
            terminal.input().write("typed\n".getBytes(StandardCharsets.UTF_8));
            terminal.input().flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(terminal.output(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null && !line.contains("got:")) {
                seen.append(line).append('\n');
            }
            assertThat(line).contains("got:typed");
            assertThat(seen.toString()).contains("/dev/pts/");
            assertThat(c.waitFor()).isZero();
        }
    }

    @Test
    void aServerReachedThroughAPublishedPort() throws Exception {
        try (Container c = runtime.container("localhost/configured:test").user("root").stopTimeout(Duration.ofMillis(200))
                .command("sh", "-c", "echo listening; exec httpd -f -v -p 8080 -h /www")
                .publish(8080).start()) {
            c.waitForLog("listening", Duration.ofSeconds(20));
            String response = httpGet(c.host(), c.mappedPort(8080));
            assertThat(response).startsWith("HTTP/1.").contains("hello from the container");
        }
    }

    /** One GET; connection refusals while httpd binds are retried a bounded number of times. */
    static String httpGet(String host, int port) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 200; attempt++) {
            try (Socket s = new Socket(host, port)) {
                s.getOutputStream().write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.ConnectException e) {
                last = e;
                Thread.onSpinWait();
            }
        }
        throw last;
    }

    @Test
    void hostNetworkSharesTheHostsInterfaces() throws Exception {
        try (Container c = busybox().network(NetworkMode.HOST).command("sh", "-c", "ls /sys/class/net").start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog().lines().toList()).hasSizeGreaterThan(1);
        }
        try (Container c = busybox().command("sh", "-c", "ls /sys/class/net").start()) {
            assertThat(c.waitFor()).isZero();
            assertThat(c.stdoutLog()).isEqualTo("lo\n");
        }
    }

    @Test
    void aMissingExecutableFailsAtStartWithTheRuntimesMessageAndLeavesNothing() throws IOException {
        int before = runtime.list().size();
        assertThatThrownBy(() -> busybox().command("/no/such/program").start())
                .isInstanceOf(RuntimeCommandException.class)
                .hasMessageContaining("/no/such/program");
        assertThat(runtime.list()).hasSize(before);
    }

    @Test
    void aRefusedStartLeavesNoThreadWaitingOnAPipe() throws Exception {
        long before = pipeThreads();
        // runc's cwd guard (CVE-2024-21626) refuses this only once the pipes are made
        assertThatThrownBy(() -> busybox().workdir("/proc/self/fd/7").command("true").start())
                .isInstanceOf(dev.ocikit.runtime.invoker.UnsafeSpecException.class);
        assertThatThrownBy(() -> busybox().workdir("/proc/self/fd/7").stdin(true).command("true").start())
                .isInstanceOf(dev.ocikit.runtime.invoker.UnsafeSpecException.class);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (isPipeThread(t)) {
                t.join(5000);
            }
        }
        assertThat(pipeThreads()).as(Thread.getAllStackTraces().entrySet().stream().filter(e -> isPipeThread(e.getKey()))
                .map(e -> e.getKey().getName() + " " + java.util.Arrays.toString(e.getValue())).toList().toString())
                .isEqualTo(before);
    }

    static long pipeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(ContainerIT::isPipeThread).count();
    }

    static boolean isPipeThread(Thread t) {
        return t.isAlive() && t.getName().startsWith("ocikit-")
                && (t.getName().endsWith("-stdout") || t.getName().endsWith("-stderr") || t.getName().endsWith("-stdin"));
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsMade() throws Exception {
        int before = runtime.list().size();
        for (String bad : List.of("a/b", "a\nb", "", "-x", "../up")) {
            assertThatThrownBy(() -> busybox().name(bad).command("true").start())
                    .isInstanceOf(ContainerException.class).hasMessageContaining("invalid container name");
        }
        try (var dirs = Files.list(runtime.root().resolve("containers"))) {
            assertThat(dirs.count()).isEqualTo(before);
        }
    }

    @Test
    void aRootReachedThroughASymlinkLeavesNoMountBehind() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real-root"));
        Path link = Files.createSymbolicLink(dir.resolve("linked-root"), real);
        OciRuntime linked = OciRuntime.builder().store(runtime.store()).root(link).stateRoot(runtime.stateRoot()).build();
        try (Container c = linked.container("localhost/busybox:test").command("true").start()) {
            assertThat(c.waitFor()).isZero();
        }
        assertThat(RootfsMount.mountsUnder(real)).isEmpty();
        try (var left = Files.list(real.resolve("containers"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void stateIsKeptInDirectoriesOfItsOwnerAlone() throws Exception {
        for (String sub : List.of("containers", "snapshots", "volumes")) {
            assertThat(Files.getPosixFilePermissions(runtime.root().resolve(sub)))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        Path foreign = Files.createDirectories(dir.resolve("foreign-state"));
        Files.setAttribute(foreign, "unix:uid", 65534);
        assertThatThrownBy(() -> OciRuntime.builder().store(runtime.store()).root(dir.resolve("other-root"))
                .stateRoot(foreign).build())
                .isInstanceOf(ContainerException.class).hasMessageContaining("owned by uid 65534");
    }

    @Test
    void namesAreUnique() throws Exception {
        try (Container c = busybox().name("unique-name").command("sleep", "600").start()) {
            assertThatThrownBy(() -> busybox().name("unique-name").command("true").start())
                    .isInstanceOf(ContainerException.class).hasMessageContaining("already in use");
            assertThat(runtime.inspect("unique-name").id()).isEqualTo(c.id());
        }
    }

    @Test
    void fiftyContainersLeaveNothingBehind() throws Exception {
        Path runcState = runtime.stateRoot();
        for (int i = 0; i < 50; i++) {
            try (Container c = busybox().command("true").start()) {
                assertThat(c.waitFor()).isZero();
            }
        }
        assertThat(runtime.list()).isEmpty();
        assertThat(RootfsMount.mountsUnder(runtime.root())).isEmpty();
        try (var left = Files.list(runtime.root().resolve("containers"))) {
            assertThat(left).isEmpty();
        }
        try (var left = Files.list(runcState)) {
            assertThat(left.filter(Files::isDirectory)).isEmpty();
        }
        assertThat(ProcessHandle.current().children().filter(p -> p.info().command().orElse("").contains("runc")))
                .isEmpty();
    }
}
