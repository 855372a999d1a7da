package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.Healthcheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The built-in wait strategies against a fake container: when each passes, times out, or gives up because the container exited. */
class WaitStrategyTest {
    /** For waits expected to time out: nothing to wait for, they fail as soon as it passes. */
    private static final Duration SHORT = Duration.ofMillis(300);
    /** For waits whose last attempt's answer is asserted: long enough for a first HTTP client's start on a busy machine. */
    private static final Duration FEW_SECONDS = Duration.ofSeconds(2);
    /** For waits expected to pass: they return as soon as they do. */
    private static final Duration LONG = Duration.ofSeconds(30);

    private final FakeContainer container = new FakeContainer();

    @Nested
    class LogLines {
        @Test
        void passesWhenTheLinesWereSeen() throws Exception {
            container.logLinesSeen = true;
            WaitStrategy.forLogLine("ready").timeout(LONG).waitUntilReady(container);
        }

        @Test
        void timesOutQuotingTheLastLines() {
            container.lastLines = List.of("starting", "still starting");
            assertThatThrownBy(() -> WaitStrategy.forLogLine("rea+dy").times(2).timeout(SHORT).waitUntilReady(container))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("container fake was not ready within 300 ms:")
                    .hasMessageContaining("2 lines matching /rea+dy/")
                    .hasMessageContaining("| still starting")
                    .satisfies(e -> assertThat(((WaitTimeoutException) e).lastLines()).containsExactly("starting",
                            "still starting"))
                    .satisfies(e -> assertThat(((WaitTimeoutException) e).timeout()).isEqualTo(SHORT));
        }

        @Test
        void aContainerThatExitedFailsWithItsExitCodeNotATimeout() {
            container.exit(3);
            assertThatThrownBy(() -> WaitStrategy.forLogLine("ready").waitUntilReady(container))
                    .isInstanceOf(ContainerLaunchException.class)
                    .isNotInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("exited with code 3 before it was ready")
                    .hasMessageContaining("| last line");
        }

        @Test
        void refusesABadPatternOrCountWhenWritten() {
            assertThatThrownBy(() -> WaitStrategy.forLogLine("(")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WaitStrategy.forLogLine("a").times(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WaitStrategy.forLogLine("a").timeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void isImmutable() {
            LogLineWait base = WaitStrategy.forLogLine("x");
            LogLineWait twice = base.times(2).timeout(SHORT);
            assertThat(base.times()).isEqualTo(1);
            assertThat(base.timeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(twice.times()).isEqualTo(2);
            assertThat(twice.regex()).isEqualTo("x");
        }
    }

    @Nested
    class Ports {
        @Test
        void passesOnceSomethingListensAndTheHostPortAccepts() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                // inside: this JVM's own network namespace, where the server listens on that port
                container.ports.put(server.getLocalPort(), server.getLocalPort());
                WaitStrategy.forPort(server.getLocalPort()).timeout(LONG).waitUntilReady(container);
            }
        }

        @Test
        void anUnpublishedPortIsJudgedFromInsideAlone() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                WaitStrategy.forPort(server.getLocalPort()).timeout(LONG).waitUntilReady(container);
            }
        }

        @Test
        void timesOutWhenNothingListens() throws Exception {
            int free;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                free = probe.getLocalPort();
            }
            container.ports.put(free, free);
            assertThatThrownBy(() -> WaitStrategy.forPort(free).timeout(SHORT).waitUntilReady(container))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("TCP port " + free + " to listen")
                    .hasMessageContaining("nothing listens on port " + free + " inside the container");
        }

        @Test
        void listeningInsideIsNotEnoughWhenThePublishedPortRefuses() throws Exception {
            int closed;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                closed = probe.getLocalPort();
            }
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                container.ports.put(server.getLocalPort(), closed); // a forwarding to nowhere
                assertThatThrownBy(() -> WaitStrategy.forPort(server.getLocalPort()).timeout(FEW_SECONDS).waitUntilReady(container))
                        .isInstanceOf(WaitTimeoutException.class)
                        .hasMessageContaining("connecting to 127.0.0.1:" + closed);
            }
        }

        @Test
        void anUnpublishedPortThatCannotBeLookedAtTimesOutSayingSo() {
            container.pid = Long.MAX_VALUE; // no such process: its socket tables cannot be read
            assertThatThrownBy(() -> WaitStrategy.forPort(5432).timeout(SHORT).waitUntilReady(container))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("port 5432 is not published, and /proc/" + Long.MAX_VALUE + "/net/tcp cannot be read");
        }

        @Test
        void aContainerThatExitedFailsAtOnce() {
            container.exit(137);
            assertThatThrownBy(() -> WaitStrategy.forPort(80).waitUntilReady(container))
                    .isInstanceOf(ContainerLaunchException.class)
                    .isNotInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("exited with code 137");
        }

        @Test
        void refusesPortsOutOfRange() {
            assertThatThrownBy(() -> WaitStrategy.forPort(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WaitStrategy.forPort(65536)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Http {
        private HttpServer server;

        private int serve(java.util.function.IntSupplier status) throws Exception {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/health", exchange -> {
                exchange.sendResponseHeaders(status.getAsInt(), -1);
                exchange.close();
            });
            server.start();
            container.ports.put(80, server.getAddress().getPort());
            return server.getAddress().getPort();
        }

        @AfterEach
        void stop() {
            if (server != null) {
                server.stop(0);
            }
        }

        @Test
        void passesOnTheExpectedStatusAfterOthers() throws Exception {
            AtomicInteger calls = new AtomicInteger();
            serve(() -> calls.incrementAndGet() < 3 ? 503 : 200);
            WaitStrategy.forHttp(80, "/health").timeout(LONG).waitUntilReady(container);
            assertThat(calls.get()).isEqualTo(3);
        }

        @Test
        void anotherStatusCanBeExpected() throws Exception {
            serve(() -> 204);
            WaitStrategy.forHttp(80, "/health").status(204).timeout(LONG).waitUntilReady(container);
        }

        @Test
        void timesOutNamingTheLastStatus() throws Exception {
            int port = serve(() -> 503);
            assertThatThrownBy(() -> WaitStrategy.forHttp(80, "/health").timeout(FEW_SECONDS).waitUntilReady(container))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("HTTP 200 from GET /health on port 80")
                    .hasMessageContaining("GET http://127.0.0.1:" + port + "/health answered 503");
        }

        @Test
        void anUnpublishedPortIsAMistakeSaidAtOnce() {
            assertThatThrownBy(() -> WaitStrategy.forHttp(81, "/").waitUntilReady(container))
                    .isInstanceOf(ContainerLaunchException.class)
                    .hasMessageContaining("add .publish(81)");
        }

        @Test
        void refusesBadPathsAndStatuses() {
            assertThatThrownBy(() -> WaitStrategy.forHttp(80, "health")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WaitStrategy.forHttp(80, "/a b")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WaitStrategy.forHttp(80, "/").status(42)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Commands {
        @Test
        void passesOnceTheCommandSucceeds() throws Exception {
            AtomicInteger runs = new AtomicInteger();
            container.exec = c -> new ExecResult(runs.incrementAndGet() < 3 ? 1 : 0, "", "");
            WaitStrategy.forCommand("pg_isready").timeout(LONG).waitUntilReady(container);
            assertThat(container.execs).hasSize(3).allSatisfy(c -> assertThat(c).containsExactly("pg_isready"));
        }

        @Test
        void timesOutWithTheLastExitCodeAndOutput() {
            container.exec = c -> new ExecResult(2, "", "no response\n");
            assertThatThrownBy(() -> WaitStrategy.forCommand("pg_isready", "-q").timeout(SHORT).waitUntilReady(container))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("`pg_isready -q` to exit 0")
                    .hasMessageContaining("last attempt: exit code 2, output: no response");
        }

        @Test
        void aCommandThatHangsCountsAsFailedAtTheTimeout() {
            CountDownLatch never = new CountDownLatch(1);
            container.exec = c -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new ExecResult(0, "", "");
            };
            try {
                assertThatThrownBy(() -> WaitStrategy.forCommand("hang").timeout(SHORT).waitUntilReady(container))
                        .isInstanceOf(WaitTimeoutException.class)
                        .hasMessageContaining("no exit within");
            } finally {
                never.countDown();
            }
        }

        @Test
        void aCommandThatCannotRunIsRetriedAndNamedAtTheTimeout() {
            container.exec = c -> {
                throw new IllegalStateException("exec failed: no such file");
            };
            assertThatThrownBy(() -> WaitStrategy.forCommand("missing").timeout(SHORT).waitUntilReady(container))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("could not run [missing]: exec failed: no such file");
        }

        @Test
        void needsACommand() {
            assertThatThrownBy(WaitStrategy::forCommand).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Healthchecks {
        private void imageCheck(Healthcheck check) {
            container.imageConfig = ContainerConfig.builder().healthcheck(check).build();
        }

        @Test
        void runsACmdShellCheckThroughTheShell() throws Exception {
            imageCheck(Healthcheck.of(List.of("CMD-SHELL", "test -f /ready")).withInterval(Duration.ofMillis(10)));
            AtomicInteger runs = new AtomicInteger();
            container.exec = c -> new ExecResult(runs.incrementAndGet() < 2 ? 1 : 0, "", "");
            WaitStrategy.forHealthcheck().timeout(LONG).waitUntilReady(container);
            assertThat(container.execs).hasSize(2)
                    .allSatisfy(c -> assertThat(c).containsExactly("/bin/sh", "-c", "test -f /ready"));
        }

        @Test
        void runsACmdCheckAsItIs() throws Exception {
            imageCheck(Healthcheck.of(List.of("CMD", "/bin/check", "--quick")));
            WaitStrategy.forHealthcheck().waitUntilReady(container);
            assertThat(container.execs).containsExactly(List.of("/bin/check", "--quick"));
        }

        @Test
        void timesOutWithTheCheckAndItsLastResult() {
            imageCheck(Healthcheck.of(List.of("CMD", "false")).withInterval(Duration.ofMillis(10)));
            container.exec = c -> new ExecResult(1, "unhealthy", "");
            assertThatThrownBy(() -> WaitStrategy.forHealthcheck().timeout(SHORT).waitUntilReady(container))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageContaining("HEALTHCHECK `false` to succeed")
                    .hasMessageContaining("exit code 1, output: unhealthy");
        }

        @Test
        void anImageWithoutACheckIsAMistakeSaidAtOnce() {
            assertThatThrownBy(() -> WaitStrategy.forHealthcheck().waitUntilReady(container))
                    .isInstanceOf(ContainerLaunchException.class)
                    .hasMessageContaining("has no HEALTHCHECK");
            imageCheck(Healthcheck.none());
            assertThatThrownBy(() -> WaitStrategy.forHealthcheck().waitUntilReady(container))
                    .isInstanceOf(ContainerLaunchException.class)
                    .hasMessageContaining("has no HEALTHCHECK");
        }

        @Test
        void aMalformedCheckIsNamed() {
            imageCheck(Healthcheck.of(List.of("CMD-SHELL", "a", "b")));
            assertThatThrownBy(() -> WaitStrategy.forHealthcheck().waitUntilReady(container))
                    .isInstanceOf(ContainerLaunchException.class)
                    .hasMessageContaining("is neither");
            imageCheck(Healthcheck.of(List.of("CMD")));
            assertThatThrownBy(() -> WaitStrategy.forHealthcheck().waitUntilReady(container))
                    .isInstanceOf(ContainerLaunchException.class)
                    .hasMessageContaining("is neither");
        }

        @Test
        void intervalsFollowTheCheckUnlessSet() {
            Healthcheck plain = Healthcheck.of(List.of("CMD", "true"));
            Healthcheck timed = plain.withInterval(Duration.ofSeconds(7)).withStartInterval(Duration.ofSeconds(1));
            HealthcheckWait wait = WaitStrategy.forHealthcheck();
            assertThat(wait.interval(plain, true)).isEqualTo(Duration.ofSeconds(30));
            assertThat(wait.interval(timed, false)).isEqualTo(Duration.ofSeconds(7));
            assertThat(wait.interval(timed, true)).isEqualTo(Duration.ofSeconds(1));
            assertThat(wait.interval(Duration.ofMillis(50)).interval(timed, true)).isEqualTo(Duration.ofMillis(50));
        }
    }

    @Test
    void aLongOutputIsQuotedFromItsEnd() {
        List<String> lines = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "line " + i).toList();
        ContainerLaunchException e = new ContainerLaunchException("failed", lines, null);
        assertThat(e.getMessage()).startsWith("failed\nLast lines of its output (40 of 100):")
                .contains("| line 60").contains("| line 99").doesNotContain("line 59\n");
        assertThat(e.lastLines()).hasSize(100);
        assertThat(new ContainerLaunchException("plain").getMessage()).isEqualTo("plain");
    }
}
