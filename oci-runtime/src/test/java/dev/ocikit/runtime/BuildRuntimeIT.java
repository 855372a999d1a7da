package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.BlobStore;
import dev.ocikit.image.HostileLayerException;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerPacker;
import dev.ocikit.image.LayerSource;
import dev.ocikit.image.PackOptions;
import dev.ocikit.image.PackedLayer;
import dev.ocikit.image.build.BuildMount;
import dev.ocikit.image.build.BuildNetwork;
import dev.ocikit.image.build.RunOutcome;
import dev.ocikit.image.build.RunRequest;
import dev.ocikit.runtime.bundle.BundleSpec;
import dev.ocikit.runtime.testing.BusyboxRootfs;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RUN steps through {@link OciRuntime} as a {@link dev.ocikit.image.build.BuildRuntime}, with real runc. */
class BuildRuntimeIT {
    @TempDir
    static Path dir;

    static OciRuntime runtime;
    static OciRuntime copying;
    static List<LayerSource> busybox;

    @BeforeAll
    static void layersAndRuntime() throws IOException {
        Tools.require("runc");
        BlobStore blobs = BlobStore.open(dir.resolve("blobs"));
        PackedLayer packed = LayerPacker.defaults().pack(LayerContent.directory(BusyboxRootfs.create(dir.resolve("rootfs"))),
                blobs);
        busybox = List.of(LayerSource.of(blobs, packed.digest(), packed.compression(), packed.diffId()));
        Path state = Path.of("/run/ocikit-test-" + UUID.randomUUID().toString().substring(0, 8));
        ImageStore store = ImageStore.open(dir.resolve("store"));
        runtime = OciRuntime.builder().store(store).root(dir.resolve("runtime")).stateRoot(state).build();
        copying = OciRuntime.builder().store(store).root(dir.resolve("copying")).stateRoot(state).copyRootfs(true).build();
    }

    @AfterAll
    static void noLeftovers() throws IOException {
        for (OciRuntime r : new OciRuntime[] {runtime, copying}) {
            if (r == null) {
                continue;
            }
            try (Stream<Path> left = Files.list(r.root().resolve("containers"))) {
                assertThat(left).as("container directories left under %s", r.root()).isEmpty();
            }
            assertThat(RootfsMount.mountsUnder(r.root())).isEmpty();
            assertThat(r.cli().list()).isEmpty();
        }
    }

    static RunRequest.Builder request(String... command) {
        return RunRequest.newBuilder(busybox, ContainerConfig.EMPTY, List.of(command)).network(BuildNetwork.NONE);
    }

    /** The tar entries of a layer, by name. */
    static Map<String, TarArchiveEntry> entries(LayerContent changes) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        LayerPacker.of(PackOptions.newBuilder().compression(Compression.NONE).build()).write(changes, tar);
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = in.getNextTarEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    /** Runs and returns the outcome's layer entries and exit code; the outcome is closed. */
    record Result(int exitCode, Map<String, TarArchiveEntry> entries, String stdout, String stderr) {}

    static Result run(OciRuntime r, RunRequest.Builder request) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path containerDir;
        Result result;
        try (RunOutcome outcome = r.run(request.output(out, err).build())) {
            result = new Result(outcome.exitCode(), entries(outcome.changes()), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
            containerDir = onlyContainerDir(r);
        }
        assertThat(containerDir).as("removed on close").doesNotExist();
        return result;
    }

    static Path onlyContainerDir(OciRuntime r) throws IOException {
        try (Stream<Path> dirs = Files.list(r.root().resolve("containers"))) {
            return dirs.findFirst().orElseThrow();
        }
    }

    @Test
    void aWrittenFileIsTheOnlyChangeNotTheGeneratedFilesNorMountPoints() throws Exception {
        Result r = run(runtime, request("sh", "-c", "echo hi > /hello; cat /etc/hosts /etc/hostname > /dev/null; ls /proc/self > /dev/null"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.entries().keySet()).containsExactly("hello");
        assertThat(r.entries().get("hello").getSize()).isEqualTo(3);
    }

    @Test
    void aDeletedLowerFileIsAWhiteoutAndAChmodIsACopyWithTheNewMode() throws Exception {
        Result r = run(runtime, request("sh", "-c", "rm /bin/true && chmod 600 /etc/group && chown 1000:10 /etc/passwd"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.entries().keySet()).contains("bin/.wh.true", "etc/group", "etc/passwd")
                .doesNotContain("etc/hosts", "etc/resolv.conf", "etc/hostname", "proc/", "sys/", "dev/");
        assertThat(r.entries().get("etc/group").getMode() & 07777).isEqualTo(0600);
        assertThat(r.entries().get("etc/passwd").getLongUserId()).isEqualTo(1000);
        assertThat(r.entries().get("etc/passwd").getLongGroupId()).isEqualTo(10);
    }

    @Test
    void theExitCodeIsReturnedAndASignalIs128PlusItsNumber() throws Exception {
        assertThat(run(runtime, request("sh", "-c", "exit 3")).exitCode()).isEqualTo(3);
    }

    @Test
    void standardInputIsEmptyAndThereIsNoTerminal() throws Exception {
        Result r = run(runtime, request("sh", "-c", "cat; test -t 0 || echo no-tty-in; test -t 1 || echo no-tty-out"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("no-tty-in\nno-tty-out\n");
    }

    @Test
    void aCommandKilledBySignalExitsWith128PlusItsNumber() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                if (b == '\n') {
                    ready.countDown();
                }
            }
        };
        RunRequest req = request("sh", "-c", "echo ready; exec sleep 600").output(out, OutputStream.nullOutputStream())
                .build();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
            try (RunOutcome o = runtime.run(req)) {
                return o.exitCode();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(ready.await(60, TimeUnit.SECONDS)).isTrue();
        // a pid namespace's init cannot be killed from inside it: the signal comes from here
        runtime.kill(onlyContainerDir(runtime).getFileName().toString(), "SIGKILL");
        assertThat(code.get(60, TimeUnit.SECONDS)).isEqualTo(137);
    }

    @Test
    void outputIsStreamedWhileTheCommandRuns() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("handshake"));
        Path fifo = shared.resolve("go");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        CountDownLatch first = new CountDownLatch(1);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                seen.write(b);
                if (seen.toString(StandardCharsets.UTF_8).contains("first\n")) {
                    first.countDown();
                }
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunRequest req = request("sh", "-c", "echo first; echo to-err >&2; cat /shared/go; echo second")
                .mounts(List.of(BuildMount.of(shared, "/shared"))).output(out, err).build();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
            try (RunOutcome o = runtime.run(req)) {
                return o.exitCode();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(first.await(60, TimeUnit.SECONDS)).as("the first line arrives while the command waits").isTrue();
        assertThat(code).isNotDone();
        Files.writeString(fifo, "released\n"); // opens the pipe the command reads, which lets it finish
        assertThat(code.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(seen.toString(StandardCharsets.UTF_8)).isEqualTo("first\nreleased\nsecond\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("to-err\n");
    }

    @Test
    void environmentUserAndWorkdirComeFromTheConfigUnlessTheRequestOverridesThem() throws Exception {
        ContainerConfig config = ContainerConfig.builder().env("FOO", "from-config").env("KEEP", "kept")
                .user("app").workingDir("/home/app").build();
        String script = "echo $FOO $KEEP $BAR; echo $PATH; id -u; id -g; pwd; echo $HOME";
        Result defaults = run(runtime, RunRequest.newBuilder(busybox, config, List.of("sh", "-c", script))
                .network(BuildNetwork.NONE).env(List.of("BAR=from-request")));
        assertThat(defaults.stdout().lines().toList()).containsExactly("from-config kept from-request",
                BundleSpec.DEFAULT_PATH, "1000", "1000", "/home/app", "/home/app");
        assertThat(defaults.entries()).isEmpty();

        Result overridden = run(runtime, RunRequest.newBuilder(busybox, config, List.of("sh", "-c", script))
                .network(BuildNetwork.NONE).env(List.of("FOO=from-request")).user("daemon:audio").workdir("/new/dir"));
        assertThat(overridden.stdout().lines().toList()).containsExactly("from-request kept", BundleSpec.DEFAULT_PATH,
                "1", "29", "/new/dir", "/usr/sbin");
        assertThat(overridden.entries().keySet()).containsExactly("new/", "new/dir/");
        assertThat(overridden.entries().get("new/dir/").getLongUserId()).isEqualTo(1);

        Result relative = run(runtime, RunRequest.newBuilder(busybox, config, List.of("pwd")).network(BuildNetwork.NONE)
                .user("root").workdir("sub"));
        assertThat(relative.stdout()).isEqualTo("/home/app/sub\n");
        // creating sub copies its parents up into the writable layer, as overlayfs does
        assertThat(relative.entries().keySet()).containsExactly("home/", "home/app/", "home/app/sub/");
    }

    @Test
    void aWorkdirThatClimbsOutStaysInsideTheRootFileSystem() throws Exception {
        Result r = run(runtime, request("pwd").workdir("/../../../../escaped"));
        assertThat(r.stdout()).isEqualTo("/escaped\n");
        assertThat(r.entries().keySet()).containsExactly("escaped/");
        assertThat(runtime.root().resolve("escaped")).doesNotExist();
        assertThat(runtime.root().resolve("containers/escaped")).doesNotExist();
        assertThat(Path.of("/escaped")).doesNotExist();
    }

    @Test
    void noNetworkHasOnlyLoopbackAndTheHostNetworkHasTheHostsInterfacesAndResolver() throws Exception {
        assertThat(run(runtime, request("ls", "/sys/class/net")).stdout()).isEqualTo("lo\n");

        List<String> host;
        try (Stream<Path> nets = Files.list(Path.of("/sys/class/net"))) {
            host = nets.map(p -> p.getFileName().toString()).sorted().toList();
        }
        Result r = run(runtime, request("ls", "/sys/class/net").network(BuildNetwork.HOST));
        assertThat(r.stdout().lines().sorted().toList()).isEqualTo(host);
        if (Files.isRegularFile(Path.of("/etc/resolv.conf"))) {
            Result resolv = run(runtime, request("cat", "/etc/resolv.conf").network(BuildNetwork.HOST));
            assertThat(resolv.stdout()).isEqualTo(Files.readString(Path.of("/etc/resolv.conf")));
            assertThat(resolv.entries()).isEmpty();
        }
    }

    @Test
    void mountsAreUsableAndNeitherTheyNorTheirMountPointsAreInTheChanges() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("in.txt"), "from the host\n");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path file = Files.writeString(dir.resolve("single.conf"), "one file\n");
        Result r = run(runtime, request("sh", "-c", "cat /mnt/data/in.txt /etc/single.conf; echo cached > /var/cache/x/out;"
                + " touch /mnt/data/nope 2>/dev/null || echo read-only; echo mine > /mine")
                .mounts(List.of(BuildMount.readOnly(data, "/mnt/data"), BuildMount.of(cache, "/var/cache/x"),
                        BuildMount.readOnly(file, "/etc/single.conf"))));
        assertThat(r.stdout()).isEqualTo("from the host\none file\nread-only\n");
        assertThat(cache.resolve("out")).hasContent("cached");
        assertThat(r.entries().keySet()).containsExactly("mine");
    }

    @Test
    void twoRunsAtOnceEachSeeOnlyTheirOwnChanges() throws Exception {
        CompletableFuture<Result> a = CompletableFuture.supplyAsync(() -> runQuietly(request("sh", "-c", "echo a > /a")));
        CompletableFuture<Result> b = CompletableFuture.supplyAsync(() -> runQuietly(request("sh", "-c", "echo b > /b")));
        assertThat(a.get(120, TimeUnit.SECONDS).entries().keySet()).containsExactly("a");
        assertThat(b.get(120, TimeUnit.SECONDS).entries().keySet()).containsExactly("b");
    }

    private static Result runQuietly(RunRequest.Builder request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RunOutcome outcome = runtime.run(request.output(out, out).build())) {
            return new Result(outcome.exitCode(), entries(outcome.changes()), out.toString(StandardCharsets.UTF_8), "");
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void aCopiedRootFileSystemGivesTheSameChanges() throws Exception {
        Result r = run(copying, request("sh", "-c", "echo hi > /hello; rm /bin/true; chmod 600 /etc/group"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.entries().keySet()).contains("hello", "bin/.wh.true", "etc/group")
                .doesNotContain("etc/hosts", "etc/resolv.conf", "etc/hostname", "proc/", "sys/", "dev/", "tmp/");
        assertThat(r.entries().get("etc/group").getMode() & 07777).isEqualTo(0600);
        assertThat(RootfsMount.mountsUnder(copying.root())).isEmpty();
    }

    @Test
    void aLayerThatCannotBeUnpackedFailsWithTheTypedExceptionAndLeavesNothing() throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry e = new TarArchiveEntry("../escape");
            byte[] body = "out\n".getBytes(StandardCharsets.UTF_8);
            e.setSize(body.length);
            out.putArchiveEntry(e);
            out.write(body);
            out.closeArchiveEntry();
        }
        Path blob = Files.write(dir.resolve("hostile.tar"), tar.toByteArray());
        LayerSource hostile = LayerSource.of(blob).withDiffId(Digest.sha256(tar.toByteArray()));
        List<LayerSource> layers = new ArrayList<>(busybox);
        layers.add(hostile);
        for (OciRuntime r : new OciRuntime[] {runtime, copying}) {
            assertThatThrownBy(() -> r.run(RunRequest.newBuilder(layers, ContainerConfig.EMPTY, List.of("true")).build()))
                    .isInstanceOf(HostileLayerException.class);
            try (Stream<Path> left = Files.list(r.root().resolve("containers"))) {
                assertThat(left).isEmpty();
            }
        }
        assertThat(dir.resolve("escape")).doesNotExist();
    }

    @Test
    void aMissingProgramIsARuntimeFailureNotAnExitCode() {
        assertThatThrownBy(() -> runtime.run(request("/no/such/program").build()))
                .isInstanceOf(dev.ocikit.runtime.invoker.RuntimeCommandException.class)
                .hasMessageContaining("/no/such/program");
    }
}
