package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.runtime.Process;
import dev.ocikit.spec.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

class ConsoleSocketIT {
    @TempDir
    Path tmp;

    private RuntimeCli runc;

    @BeforeAll
    static void install() {
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

    /** Reads until {@code marker} appeared (or end of stream), returning everything read. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[256];
        while (!seen.toString(StandardCharsets.UTF_8).contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            seen.write(buf, 0, n);
        }
        return seen.toString(StandardCharsets.UTF_8);
    }

    @Test
    void containerGetsATerminal() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), true, "sh", "-c", "tty; stty size; read x; echo got:$x");
        String id = TestBundles.id("tty");
        try (ConsoleSocket socket = ConsoleSocket.listen(tmp.resolve("console.sock"))) {
            runc.create(id, bundle, CreateOptions.defaults().consoleSocket(socket.path()).pidFile(tmp.resolve("pid")));
            var exit = ChildReaper.exitOf(RuntimeCli.readPidFile(tmp.resolve("pid")));
            try (Terminal tty = socket.receive(Duration.ofSeconds(60))) {
                tty.resize(33, 101);
                runc.start(id);
                String before = readUntil(tty.output(), "33 101");
                assertThat(before).contains("/dev/pts/").contains("33 101\r\n");
                tty.input().write("hello\n".getBytes(StandardCharsets.UTF_8));
                tty.input().flush();
                String after = readUntil(tty.output(), "got:hello\r\n");
                assertThat(after).contains("hello\r\n"); // the echo of what was typed
                assertThat(after).contains("got:hello\r\n");
                assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
                assertThat(tty.output().read()).isEqualTo(-1);
            }
        }
        assertThat(Files.exists(tmp.resolve("console.sock"))).isFalse();
    }

    @Test
    void execGetsATerminal() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sleep", "1000");
        String id = TestBundles.id("exectty");
        runc.create(id, bundle, CreateOptions.defaults());
        runc.start(id);
        try (ConsoleSocket socket = ConsoleSocket.listen(tmp.resolve("exec.sock"))) {
            Process p = Process.builder().args("sh", "-c", "tty; exit 4").cwd("/").env(List.of("PATH=/bin")).build();
            Path pidFile = tmp.resolve("exec.pid");
            assertThat(runc.exec(id, p, ExecOptions.defaults().tty(socket.path()).pidFile(pidFile))).isZero();
            var exit = ChildReaper.exitOf(RuntimeCli.readPidFile(pidFile));
            try (Terminal tty = socket.receive(Duration.ofSeconds(60))) {
                assertThat(readUntil(tty.output(), "\r\n")).contains("/dev/pts/");
                assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(4);
            }
            assertThatThrownBy(() -> runc.startExec(id, p, ExecOptions.defaults().tty(socket.path())))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void closeUnblocksReceive() throws Exception {
        ConsoleSocket socket = ConsoleSocket.listen(tmp.resolve("idle.sock"));
        Thread closer = new Thread(socket::close);
        var failure = new java.util.concurrent.CompletableFuture<Throwable>();
        Thread waiter = new Thread(() -> {
            try {
                socket.receive();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        waiter.start();
        closer.start();
        assertThat(failure.get(60, TimeUnit.SECONDS)).isInstanceOf(ConsoleSocketException.class);
        closer.join();
    }

    @Test
    void timeoutIsTyped() {
        try (ConsoleSocket socket = ConsoleSocket.listen(tmp.resolve("t.sock"))) {
            assertThatThrownBy(() -> socket.receive(Duration.ofMillis(10)))
                    .isInstanceOf(ConsoleSocketException.class).hasMessageContaining("no runtime connected");
        }
    }

    @Test
    void overlongPathIsTyped() {
        Path longPath = tmp.resolve("x".repeat(120) + ".sock");
        assertThatThrownBy(() -> ConsoleSocket.listen(longPath)).isInstanceOf(ConsoleSocketException.class)
                .hasMessageContaining("at most 107");
    }
}
