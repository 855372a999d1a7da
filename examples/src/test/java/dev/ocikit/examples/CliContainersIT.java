package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Podman's container commands through the CLI with real runc: a busybox image in a private
 * store, containers run in the foreground in-process and detached through the shaded jar (a
 * detached run spawns a supervising JVM), and one run as an unprivileged user (rootless).
 */
class CliContainersIT {
    private static final String IMAGE = "localhost/busybox:it";
    private static final List<String> APPLETS = List.of("sh", "echo", "id", "cat", "ls", "sleep", "env", "pwd", "touch",
            "true", "false", "kill", "wget", "httpd", "printf");

    @TempDir
    static Path shared;

    static Path store;
    static Path layout;

    @TempDir
    Path tmp;

    @BeforeAll
    static void image() throws Exception {
        Tools.require("runc");
        Path rootfs = shared.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.createDirectories(rootfs.resolve("www"));
        Path busybox = Files.isExecutable(Path.of("/bin/busybox")) ? Path.of("/bin/busybox") : Tools.require("busybox");
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "app:x:1000:1000:App:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n");
        Files.writeString(rootfs.resolve("www/index.html"), "hello from busybox httpd\n");
        layout = shared.resolve("layout");
        ImageFromDirectory.main(new String[] {rootfs.toString(), layout.toString(), "it", "sh"});
        store = shared.resolve("store");
        Run copy = ocikit("--root", store.toString(), "copy", "-q", "oci:" + layout + ":it", "ocikit:" + IMAGE);
        assertThat(copy.exit()).as(copy.err()).isZero();
    }

    @AfterEach
    void nothingLeft() throws IOException {
        Run ps = cli("ps", "-a", "-q");
        assertThat(ps.out()).as("containers left behind").isBlank();
        assertThat(mountsUnder(store)).as("mounts left under the store").isEmpty();
    }


    /** The CLI in-process against the test store. */
    static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", store.toString()));
        all.addAll(List.of(args));
        return ocikit(all.toArray(String[]::new));
    }

    /** The shaded jar in its own JVM, as a user runs it: detached runs spawn a supervisor from it. */
    static Run jar(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(javaBinary());
        cmd.add("-jar");
        cmd.add(prefix.isEmpty() ? shadedJar().toString() : args[0]);
        cmd.addAll(List.of(args).subList(prefix.isEmpty() ? 0 : 1, args.length));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("ocikit %s exits", cmd).isTrue();
        return new Run(p.exitValue(), out, err.join());
    }

    static Run detached(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", store.toString()));
        all.addAll(List.of(args));
        return jar(List.of(), all.toArray(String[]::new));
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path shadedJar() {
        Path jar = Path.of(System.getProperty("ocikit.jar", "target/ocikit.jar")).toAbsolutePath();
        assertThat(jar).as("the shaded jar (mvn package builds it before failsafe runs)").isRegularFile();
        return jar;
    }

    static List<String> mountsUnder(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && (f[4].equals(prefix) || f[4].startsWith(prefix + "/"))) {
                found.add(f[4]);
            }
        }
        return found;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Waits, by inotify on the container's directory, until its stdout log holds {@code text}. */
    static void awaitLog(String id, String text, Duration timeout) throws Exception {
        awaitLog(store, id, text, timeout);
    }

    static void awaitLog(Path storeRoot, String id, String text, Duration timeout) throws Exception {
        Path dir = storeRoot.resolve("containers").resolve(id);
        Path log = dir.resolve("stdout.log");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchService watch = dir.getFileSystem().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (!(Files.exists(log) && Files.readString(log).contains(text))) {
                long left = deadline - System.nanoTime();
                WatchKey key = left > 0 ? watch.poll(left, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    throw new AssertionError("no \"" + text + "\" in the output of " + id + " within " + timeout
                            + "; it says: " + (Files.exists(log) ? Files.readString(log) : "(no log)"));
                }
                key.pollEvents();
                key.reset();
            }
        }
    }

    @Test
    void runRmPropagatesTheExitCodeAndBothStreams() {
        Run r = cli("run", "--rm", IMAGE, "sh", "-c", "echo to-out; echo to-err >&2; exit 3");
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("to-out\n");
        assertThat(r.err()).isEqualTo("to-err\n");

        Run ok = cli("run", "--rm", IMAGE, "true");
        assertThat(ok.exit()).as(ok.err()).isZero();
    }

    @Test
    void environmentUserAndWorkdir() {
        Run r = cli("run", "--rm", "-e", "GREETING=hello there", "-u", "app", "-w", "/tmp", IMAGE,
                "sh", "-c", "echo \"$GREETING\"; id -u; id -g; pwd");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello there\n1000\n1000\n/tmp\n");

        Run numeric = cli("run", "--rm", "-u", "4321:99", IMAGE, "id");
        assertThat(numeric.exit()).as(numeric.err()).isZero();
        assertThat(numeric.out()).startsWith("uid=4321 gid=99");
    }

    @Test
    void readOnlyBindMountAndReadOnlyRootfs() throws IOException {
        Path host = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(host.resolve("note"), "from the host\n");
        Run r = cli("run", "--rm", "-v", host + ":/data:ro", IMAGE,
                "sh", "-c", "cat /data/note; touch /data/new 2>/dev/null && echo WROTE || echo refused");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("from the host\nrefused\n");
        assertThat(host.resolve("new")).doesNotExist();

        Run rw = cli("run", "--rm", "-v", host + ":/data", IMAGE, "sh", "-c", "echo back > /data/back");
        assertThat(rw.exit()).as(rw.err()).isZero();
        assertThat(host.resolve("back")).hasContent("back");

        Run ro = cli("run", "--rm", "--read-only", IMAGE, "sh", "-c", "touch /rootfile 2>/dev/null && echo WROTE || echo refused");
        assertThat(ro.exit()).as(ro.err()).isZero();
        assertThat(ro.out()).isEqualTo("refused\n");
        Run writable = cli("run", "--rm", IMAGE, "sh", "-c", "touch /rootfile && echo wrote");
        assertThat(writable.out()).isEqualTo("wrote\n");
    }

    @Test
    void memoryAndPidsLimitsReachTheCgroup() {
        Run r = cli("run", "--rm", "-m", "64m", "--pids-limit", "42", IMAGE, "sh", "-c",
                "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(64 * 1024 * 1024 + "\n42\n");
    }

    @Test
    void entrypointOverride() {
        Run r = cli("run", "--rm", "--entrypoint", "/bin/echo", IMAGE, "from", "echo");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("from echo\n");
        // as podman: a new entrypoint drops the image's Cmd (sh), so echo gets no arguments
        Run alone = cli("run", "--rm", "--entrypoint", "/bin/echo", IMAGE);
        assertThat(alone.exit()).as(alone.err()).isZero();
        assertThat(alone.out()).isEqualTo("\n");
        // an empty entrypoint removes the image's and keeps its Cmd, as Podman's makeCommand does
        Run cleared = cli("run", "--rm", "--entrypoint", "", IMAGE);
        assertThat(cleared.exit()).as(cleared.err()).isZero();
    }

    @Test
    void aContainerRunWithoutRmIsKeptUntilRemoved() {
        String name = unique("kept");
        Run r = cli("run", "--name", name, IMAGE, "sh", "-c", "echo kept output; exit 4");
        assertThat(r.exit()).as(r.err()).isEqualTo(4);
        assertThat(r.out()).isEqualTo("kept output\n");

        Run ps = cli("ps", "-a");
        assertThat(ps.exit()).as(ps.err()).isZero();
        String line = ps.out().lines().filter(l -> l.endsWith(name)).findFirst().orElseThrow(() -> new AssertionError(ps.out()));
        assertThat(line).contains("Exited (4)").contains(IMAGE);
        assertThat(cli("ps").out().lines()).as("ps without -a").noneMatch(l -> l.endsWith(name));

        Run logs = cli("logs", name);
        assertThat(logs.exit()).as(logs.err()).isZero();
        assertThat(logs.out()).isEqualTo("kept output\n");

        Run inspect = cli("inspect", name);
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        JsonNode json = Json.tree(inspect.out().getBytes(StandardCharsets.UTF_8), "inspect").get(0);
        assertThat(json.get("Name").asText()).isEqualTo(name);
        assertThat(json.get("State").get("ExitCode").asInt()).isEqualTo(4);
        assertThat(json.get("State").get("Status").asText()).isEqualTo("exited");
        assertThat(json.get("State").get("Running").asBoolean()).isFalse();
        String id = json.get("Id").asText();

        Run rm = cli("rm", name);
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(rm.out().trim()).isEqualTo(id);
        assertThat(store.resolve("containers").resolve(id)).doesNotExist();
    }

    @Test
    void detachedContainerPsExecStopAndWait() throws Exception {
        String name = unique("bg");
        Run d = detached("run", "-d", "--name", name, IMAGE, "sh", "-c",
                "trap 'echo got TERM; exit 7' TERM; echo ready; sleep 1000 & wait");
        assertThat(d.exit()).as(d.err()).isZero();
        String id = d.out().trim();
        assertThat(id).matches("[0-9a-f]{64}");
        awaitLog(id, "ready", Duration.ofSeconds(60));

        Run ps = cli("ps");
        String line = ps.out().lines().filter(l -> l.endsWith(name)).findFirst().orElseThrow(() -> new AssertionError(ps.out()));
        assertThat(line).startsWith(id.substring(0, 12)).contains("Running");
        assertThat(cli("ps", "-q", "--no-trunc").out().lines()).contains(id);

        Run exec = cli("exec", name, "sh", "-c", "echo in the container; id -u; exit 5");
        assertThat(exec.exit()).as(exec.err()).isEqualTo(5);
        assertThat(exec.out()).isEqualTo("in the container\n0\n");

        Run stop = cli("stop", "-t", "1", name);
        assertThat(stop.exit()).as(stop.err()).isZero();
        assertThat(stop.out().trim()).isEqualTo(name);
        Run wait = cli("wait", name);
        assertThat(wait.exit()).as(wait.err()).isZero();
        assertThat(wait.out().trim()).isEqualTo("7");
        assertThat(cli("logs", name).out()).isEqualTo("ready\ngot TERM\n");
        assertThat(cli("ps", "-a").out()).contains("Exited (7)");
        assertThat(cli("rm", name).exit()).isZero();
    }

    @Test
    void createThenStartThenWait() throws Exception {
        String name = unique("job");
        Run created = detached("create", "--name", name, IMAGE, "sh", "-c", "echo the job ran; exit 4");
        assertThat(created.exit()).as(created.err()).isZero();
        String id = created.out().trim();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(cli("ps", "-a").out().lines().filter(l -> l.endsWith(name)).findFirst().orElseThrow())
                .contains("Created");
        assertThat(cli("logs", name).out()).isEmpty();

        Run start = cli("start", name);
        assertThat(start.exit()).as(start.err()).isZero();
        assertThat(start.out().trim()).isEqualTo(name);
        assertThat(cli("wait", name).out().trim()).isEqualTo("4");
        assertThat(cli("logs", name).out()).isEqualTo("the job ran\n");

        Run again = cli("start", name);
        assertThat(again.exit()).isEqualTo(125);
        assertThat(again.err()).contains("ocikit start starts containers made by ocikit create");
        assertThat(cli("rm", name).exit()).isZero();
    }

    @Test
    void aCreatedContainerIsRemovedWithoutEverRunning() throws Exception {
        String name = unique("never");
        Run created = detached("create", "--name", name, IMAGE, "sh", "-c", "echo must not run > /tmp/x");
        assertThat(created.exit()).as(created.err()).isZero();
        Run rm = cli("rm", name);
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(rm.out().trim()).isEqualTo(created.out().trim());
        assertThat(cli("ps", "-a", "-q").out()).isEmpty();
    }

    /** The supervising process of a created container, from the owner line of the container's info file. */
    /**
     * Waits for a supervising JVM to end. Its parent exits at once, so it is re-parented: to this
     * JVM when an earlier test made it a child subreaper (then it is reaped here, or it would
     * stay a zombie), else to init.
     */
    static void awaitGone(long pid) throws Exception {
        try {
            dev.ocikit.runtime.invoker.ChildReaper.exitOf(pid).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException notOurChild) {
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isPresent()) {
                handle.get().onExit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Whether the process exists and is not a zombie. */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    static ProcessHandle supervisorOf(String id) throws IOException {
        String owner = Files.readAllLines(store.resolve("containers").resolve(id).resolve("info")).stream()
                .filter(l -> l.startsWith("owner=")).findFirst().orElseThrow();
        long pid = Long.parseLong(owner.substring("owner=".length()).split(" ")[0]);
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no supervisor " + pid));
        assertThat(handle.info().arguments().map(List::of).orElse(List.of())).as("pid %d is a supervisor", pid)
                .contains("--supervised");
        return handle;
    }

    /** A created container stopped, killed or force-removed from outside does not leave its supervisor waiting. */
    @Test
    void aCreatedContainerEndedFromOutsideReleasesItsSupervisor() throws Exception {
        for (List<String> ending : List.of(List.of("stop", "-t", "1"), List.of("kill"), List.of("rm", "-f"))) {
            String name = unique("ended");
            Run created = detached("create", "--name", name, IMAGE, "sleep", "1000");
            assertThat(created.exit()).as(created.err()).isZero();
            ProcessHandle supervisor = supervisorOf(created.out().trim());
            List<String> args = new ArrayList<>(ending);
            args.add(name);
            Run end = cli(args.toArray(String[]::new));
            assertThat(end.exit()).as(ending + ": " + end.err()).isZero();
            awaitGone(supervisor.pid());
            assertThat(running(supervisor.pid())).as(ending.toString()).isFalse();
            // kept as an exited container unless removed; removing it finds nobody waiting
            cli("rm", name);
            assertThat(cli("ps", "-a", "-q").out()).as(ending.toString()).isBlank();
        }
    }

    @Test
    void killSendsTheSignalAndRmForceRemovesARunningContainer() throws Exception {
        String killed = unique("killed");
        Run d = detached("run", "-d", "--name", killed, IMAGE, "sh", "-c",
                "trap 'exit 12' USR1; echo ready; sleep 1000 & wait");
        assertThat(d.exit()).as(d.err()).isZero();
        awaitLog(d.out().trim(), "ready", Duration.ofSeconds(60));
        Run kill = cli("kill", "-s", "USR1", killed);
        assertThat(kill.exit()).as(kill.err()).isZero();
        assertThat(cli("wait", killed).out().trim()).isEqualTo("12");
        assertThat(cli("rm", killed).exit()).isZero();

        // PID 1 ignores SIGTERM it has no handler for: stop falls back to SIGKILL after the grace
        String stubborn = unique("stubborn");
        Run s = detached("run", "-d", "--name", stubborn, IMAGE, "sleep", "1000");
        assertThat(s.exit()).as(s.err()).isZero();
        Run stop = cli("stop", "-t", "1", stubborn);
        assertThat(stop.exit()).as(stop.err()).isZero();
        assertThat(cli("wait", stubborn).out().trim()).isEqualTo("137");
        assertThat(cli("rm", stubborn).exit()).isZero();

        String running = unique("running");
        Run r = detached("run", "-d", "--name", running, IMAGE, "sleep", "1000");
        assertThat(r.exit()).as(r.err()).isZero();
        String id = r.out().trim();
        Run refused = cli("rm", running);
        assertThat(refused.exit()).isEqualTo(125);
        assertThat(refused.err()).startsWith("Error: ").contains("is running");
        Run rm = cli("rm", "-f", running);
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(rm.out().trim()).isEqualTo(id);
        assertThat(cli("ps", "-a", "-q").out()).isBlank();
    }

    @Test
    void publishedPortServesHttpFromTheContainer() throws Exception {
        int hostPort;
        try (ServerSocket free = new ServerSocket(0)) {
            hostPort = free.getLocalPort();
        }
        String name = unique("web");
        // The container says "ready" once its own httpd answers, so the test needs no sleep.
        Run d = detached("run", "-d", "--name", name, "-p", hostPort + ":8080", IMAGE, "sh", "-c",
                "httpd -f -p 8080 -h /www & until wget -q -O /dev/null http://127.0.0.1:8080/; do :; done; echo ready; wait");
        assertThat(d.exit()).as(d.err()).isZero();
        awaitLog(d.out().trim(), "ready", Duration.ofSeconds(60));
        assertThat(get(hostPort)).isEqualTo("hello from busybox httpd\n");
        Run rm = cli("rm", "-f", name);
        assertThat(rm.exit()).as(rm.err()).isZero();
    }

    /**
     * GET /index.html on a published port. The forwarder may not be listening yet when the
     * container is (slirp4netns adds its forward after start): a refused connection is retried,
     * a bounded number of times, each attempt a blocking connect.
     */
    static String get(int hostPort) throws IOException {
        for (int attempt = 0; ; attempt++) {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + hostPort + "/index.html").openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(10000);
            try {
                assertThat(c.getResponseCode()).isEqualTo(200);
                return read(c.getInputStream());
            } catch (ConnectException e) {
                if (attempt >= 200) {
                    throw e;
                }
            } finally {
                c.disconnect();
            }
        }
    }

    @Test
    void errorsAreClearAndExit125() {
        Run unknownImage = cli("run", "--rm", "localhost/no-such-image-" + UUID.randomUUID().toString().substring(0, 8) + ":1", "true");
        assertThat(unknownImage.exit()).isEqualTo(125);
        assertThat(unknownImage.err()).contains("Error: ").contains("no-such-image").contains("could not be pulled");

        assertThat(unknownImage.out()).as("the pull's progress is this command's output").contains("Trying to pull");

        for (String command : List.of("logs", "rm", "stop", "wait", "exec", "kill")) {
            List<String> args = new ArrayList<>(List.of(command, "no-such-container"));
            if (command.equals("exec")) {
                args.add("true");
            }
            Run r = cli(args.toArray(String[]::new));
            assertThat(r.exit()).as(command).isEqualTo(125);
            assertThat(r.err()).as(command).startsWith("Error: ").contains("no container with id or name \"no-such-container\"");
        }

        String name = unique("dup");
        assertThat(cli("run", "--name", name, IMAGE, "true").exit()).isZero();
        Run dup = cli("run", "--rm", "--name", name, IMAGE, "true");
        assertThat(dup.exit()).isEqualTo(125);
        assertThat(dup.err()).startsWith("Error: ").contains("\"" + name + "\"").contains("already in use");
        assertThat(cli("rm", name).exit()).isZero();
    }

    @Test
    void aMissingExecutableExits127AndAForbiddenOne126AsPodman() throws Exception {
        Run missing = cli("run", "--rm", IMAGE, "nosuchcmd");
        assertThat(missing.exit()).as(missing.err()).isEqualTo(127);
        assertThat(missing.err()).contains("Error: ").contains("nosuchcmd");
        Run missingPath = cli("run", "--rm", IMAGE, "/no/such/program");
        assertThat(missingPath.exit()).as(missingPath.err()).isEqualTo(127);
        Run forbidden = cli("run", "--rm", IMAGE, "/etc/passwd");
        assertThat(forbidden.exit()).as(forbidden.err()).isEqualTo(126);
        Run detachedMissing = detached("run", "-d", "--rm", IMAGE, "nosuchcmd");
        assertThat(detachedMissing.exit()).as(detachedMissing.err()).isEqualTo(127);

        String name = unique("execs");
        Run d = detached("run", "-d", "--name", name, IMAGE, "sleep", "1000");
        assertThat(d.exit()).as(d.err()).isZero();
        try {
            Run execMissing = cli("exec", name, "nosuchcmd");
            assertThat(execMissing.exit()).as(execMissing.err()).isEqualTo(127);
            Run execForbidden = cli("exec", name, "/etc");
            assertThat(execForbidden.exit()).as(execForbidden.err()).isEqualTo(126);
            assertThat(cli("exec", name, "false").exit()).as("the program's own code stays its own").isEqualTo(1);
        } finally {
            assertThat(cli("rm", "-f", name).exit()).isZero();
        }
    }

    /**
     * {@code run -t} must copy what is still in the pty when the container exits. The container
     * writes a little more than our stdout pipe (64 KiB) and the copier's buffer (8 KiB) hold, so
     * the copier is stuck writing while the rest waits in the pty; the container then exits, after
     * a handshake on a FIFO so the test knows when. The test reads only after giving the process
     * a few seconds to exit: without waiting for the copier the process exits in that time and the
     * end of the output is lost; with it, the process waits until we read. The pty holds a few KiB
     * only, and how much varies with how the writes were split: should it hold less than the rest,
     * the container cannot finish before we read, so the test reads after a bounded wait instead
     * of hanging, and then checks the output only.
     */
    @Test
    void aTerminalRunCopiesTheLastOutputBeforeExiting() throws Exception {
        Path hs = Files.createDirectories(tmp.resolve("handshake"));
        Path fifo = hs.resolve("exited");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        int blocks = 740; // 74 000 bytes
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-jar", shadedJar().toString(), "--root",
                store.toString(), "run", "--rm", "-t", "-v", hs + ":/hs", IMAGE, "sh", "-c",
                "i=0; while [ $i -lt " + blocks + " ]; do printf %0100d 0; i=$((i+1)); done; echo; echo END;"
                        + " echo bye > /hs/exited"));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> exited = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(fifo).trim(); // the container's last act
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            try {
                assertThat(exited.get(30, TimeUnit.SECONDS)).isEqualTo("bye");
                p.waitFor(3, TimeUnit.SECONDS); // the copier-less process would exit here, its output cut
            } catch (java.util.concurrent.TimeoutException e) {
                // the container still writes: the pty held less than the rest; reading lets it finish
            }
            String out = read(p.getInputStream());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(out.replace("\r", "")).hasSize(blocks * 100 + "\nEND\n".length()).endsWith("\nEND\n");
            assertThat(exited.get(60, TimeUnit.SECONDS)).isEqualTo("bye");
        } finally {
            p.destroyForcibly();
            if (!exited.isDone()) {
                // a container that never got to its handshake: open the FIFO's other end so the reader ends
                new ProcessBuilder("sh", "-c", "echo > " + fifo).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A detached run finds its own subcommand, not the first argument that spells it (here --root's value). */
    @Test
    void aDetachedRunWithAStoreNamedRun() throws Exception {
        Path storeNamedRun = tmp.resolve("run");
        Run copy = ocikit("--root", storeNamedRun.toString(), "copy", "-q", "oci:" + layout + ":it", "ocikit:" + IMAGE);
        assertThat(copy.exit()).as(copy.err()).isZero();
        String name = unique("runrun");
        Process p = new ProcessBuilder(javaBinary(), "-jar", shadedJar().toString(), "--root", "run", "run", "-d",
                "--name", name, IMAGE, "sleep", "1000").directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        try {
            assertThat(p.exitValue()).as(err.join()).isZero();
            assertThat(out.trim()).matches("[0-9a-f]{64}");
        } finally {
            ocikit("--root", storeNamedRun.toString(), "rm", "-f", name);
        }
        assertThat(ocikit("--root", storeNamedRun.toString(), "ps", "-a", "-q").out()).isBlank();
    }

    @Test
    void aDetachedRunThatCannotStartSaysWhy() throws Exception {
        Run d = detached("run", "-d", "--name", unique("nope"), "localhost/no-such-image-" + UUID.randomUUID().toString().substring(0, 8) + ":1", "true");
        assertThat(d.exit()).isEqualTo(125);
        assertThat(d.err()).contains("Error: ").contains("could not be pulled");
        assertThat(d.out()).contains("Trying to pull").doesNotContainPattern("[0-9a-f]{64}");
    }

    /**
     * The whole rootless path, as an unprivileged user (nobody, 65534) would run it: the store
     * in its own directory, the layers copied instead of overlay-mounted, runc's state under
     * XDG_RUNTIME_DIR, and a user namespace mapping container root to the user.
     */
    @Test
    void rootlessRunAsAnUnprivilegedUser() throws Exception {
        Tools.require("setpriv");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ocikit-rootless-it-");
        try {
            Files.copy(shadedJar(), dir.resolve("ocikit.jar"));
            copyTree(layout, dir.resolve("layout"));
            Files.createDirectories(dir.resolve("run"));
            Files.createDirectories(dir.resolve("data"));
            Process chown = new ProcessBuilder("chown", "-R", "65534:65534", dir.toString()).inheritIO().start();
            assertThat(chown.waitFor()).isZero();
            List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "env", "HOME=" + dir, "XDG_RUNTIME_DIR=" + dir.resolve("run"), "XDG_DATA_HOME=" + dir.resolve("data"));
            String jar = dir.resolve("ocikit.jar").toString();
            String root = dir.resolve("store").toString();

            Run copy = jar(asNobody, jar, "--root", root, "copy", "-q", "oci:" + dir.resolve("layout") + ":it",
                    "ocikit:localhost/busybox:rootless");
            assertThat(copy.exit()).as(copy.err()).isZero();

            Run run = jar(asNobody, jar, "--root", root, "run", "--rm", "localhost/busybox:rootless",
                    "sh", "-c", "id; cat /proc/self/uid_map; touch /written && echo rootfs-writable");
            assertThat(run.exit()).as(run.err()).isZero();
            List<String> lines = run.out().lines().toList();
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).startsWith("uid=0(root) gid=0(root)");
            assertThat(lines.get(1).trim().split("\\s+")).containsExactly("0", "65534", "1");
            assertThat(lines.get(2)).isEqualTo("rootfs-writable");

            // Kept and detached containers work rootless too, and stop reaches a PID 1 that ignores SIGTERM
            // (runc kill --all needs a cgroup, which a rootless container on cgroup v1 lacks).
            Run d = jar(asNobody, jar, "--root", root, "run", "-d", "--name", "rl", "localhost/busybox:rootless", "sleep", "1000");
            assertThat(d.exit()).as(d.err()).isZero();
            Run stop = jar(asNobody, jar, "--root", root, "stop", "-t", "1", "rl");
            assertThat(stop.exit()).as(stop.err()).isZero();
            Run wait = jar(asNobody, jar, "--root", root, "wait", "rl");
            assertThat(wait.out().trim()).isEqualTo("137");
            Run rm = jar(asNobody, jar, "--root", root, "rm", "rl");
            assertThat(rm.exit()).as(rm.err()).isZero();

            // A published port through slirp4netns, where an unprivileged user may open /dev/net/tun
            // (0666 on stock Debian; some sandboxes make it 0600, and then slirp4netns cannot start).
            Path tun = Path.of("/dev/net/tun");
            if (Files.exists(tun) && Files.getPosixFilePermissions(tun).containsAll(java.util.Set.of(
                    java.nio.file.attribute.PosixFilePermission.OTHERS_READ, java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE))) {
                Tools.require("slirp4netns");
                int hostPort;
                try (ServerSocket free = new ServerSocket(0)) {
                    hostPort = free.getLocalPort();
                }
                Run web = jar(asNobody, jar, "--root", root, "run", "-d", "--name", "rlweb", "-p", hostPort + ":8080",
                        "localhost/busybox:rootless", "sh", "-c",
                        "httpd -f -p 8080 -h /www & until wget -q -O /dev/null http://127.0.0.1:8080/; do :; done; echo ready; wait");
                assertThat(web.exit()).as(web.err()).isZero();
                try {
                    awaitLog(Path.of(root), web.out().trim(), "ready", Duration.ofSeconds(60));
                    assertThat(get(hostPort)).isEqualTo("hello from busybox httpd\n");
                } finally {
                    Run rmWeb = jar(asNobody, jar, "--root", root, "rm", "-f", "rlweb");
                    assertThat(rmWeb.exit()).as(rmWeb.err()).isZero();
                }
            }

            try (var left = Files.list(dir.resolve("store/containers"))) {
                assertThat(left.toList()).as("containers left by the rootless run").isEmpty();
            }
            assertThat(mountsUnder(dir)).isEmpty();
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
