package dev.ocikit.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.runtime.testing.BusyboxRootfs;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.runtime.Spec;
import dev.ocikit.spec.testing.Tools;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the generated configs with real runc and looks at the result from inside the container. */
class BundleSpecIT {
    /** CAP_CHOWN … CAP_SETFCAP, Podman's 11 default capabilities, as /proc/self/status prints them. */
    static final String DEFAULT_CAPS_MASK = "00000000800405fb";

    @TempDir
    Path tmp;
    Path runc;
    Path bundle;
    Path rootfs;

    @BeforeEach
    void setUp() throws IOException {
        runc = Tools.require("runc");
        bundle = tmp.resolve("bundle");
        rootfs = BusyboxRootfs.create(bundle.resolve("rootfs"));
    }

    static ImageConfig image() {
        return ImageConfig.builder().architecture("amd64").os("linux")
                .config(ContainerConfig.builder().entrypoint("/bin/sh", "-c").env(List.of("FROM_IMAGE=yes"))
                        .workingDir("/work/new").build())
                .build();
    }

    @Test
    void appUserSeesWhatTheSpecSays() throws Exception {
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        Files.writeString(ro.resolve("file"), "read me");
        Path rw = Files.createDirectories(tmp.resolve("rw"));
        Files.setPosixFilePermissions(rw, PosixFilePermissions.fromString("rwxrwxrwx"));
        BundleSpec b = BundleSpec.from(image()).user("app").hostname("box1").env("FOO", "bar")
                .bind(ro, "/ro", true).bind(rw, "/rw", false).tmpfs("/scratch")
                .memory(64L << 20).pidsLimit(50).addHost("db", "10.9.9.9");
        b = b.mounts(b.etcFiles().write(tmp.resolve("userdata")));
        String out = run(b.command(String.join("; ",
                "id", "echo PWD=$(pwd) OWNER=$(stat -c %u:%g .)", "env", "echo HN=$(hostname)",
                "echo ETCHOSTNAME=$(cat /etc/hostname)", "cat /etc/hosts",
                "cat /ro/file; echo", "touch /ro/x 2>/dev/null && echo RO-WRITABLE || echo RO-REFUSED",
                "touch /rw/x && echo RW-OK", "touch /scratch/x && echo TMPFS-OK",
                "grep -q ' /scratch tmpfs' /proc/mounts && echo TMPFS-MOUNTED",
                "echo MEM=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)",
                "echo PIDS=$(cat /sys/fs/cgroup/pids/pids.max)", "grep Cap /proc/self/status")));
        assertThat(out).contains("uid=1000(app) gid=1000(app)").contains("10(wheel)").contains("29(audio)");
        assertThat(out).contains("PWD=/work/new OWNER=1000:1000");
        assertThat(out).contains("FOO=bar\n", "FROM_IMAGE=yes\n", "HOME=/home/app\n", "HOSTNAME=box1\n",
                "container=ocikit\n", "PATH=" + BundleSpec.DEFAULT_PATH + "\n");
        assertThat(out).contains("HN=box1", "ETCHOSTNAME=box1", "127.0.0.1\tlocalhost", "10.9.9.9\tdb");
        assertThat(out).contains("read me", "RO-REFUSED", "RW-OK", "TMPFS-OK", "TMPFS-MOUNTED");
        assertThat(out).contains("MEM=67108864", "PIDS=50");
        assertThat(out).contains("CapEff:\t0000000000000000", "CapBnd:\t" + DEFAULT_CAPS_MASK);
        assertThat(rw.resolve("x")).exists();
    }

    @Test
    void rootGetsDefaultCapabilitiesAndAReadOnlyRoot() throws Exception {
        BundleSpec b = BundleSpec.from(image()).readOnlyRootfs(true).noNewPrivileges(true);
        String out = run(b.command(String.join("; ", "id",
                "touch /rootfile 2>&1 || echo ROOT-REFUSED", "touch /tmp/t && echo TMP-OK",
                "grep -E 'Cap|NoNewPrivs' /proc/self/status", "echo PWD=$(pwd)", "ulimit -n")));
        assertThat(out).contains("uid=0(root) gid=0(root)");
        assertThat(out).contains("Read-only file system", "ROOT-REFUSED", "TMP-OK", "PWD=/work/new");
        assertThat(out).contains("CapEff:\t" + DEFAULT_CAPS_MASK, "CapPrm:\t" + DEFAULT_CAPS_MASK,
                "CapBnd:\t" + DEFAULT_CAPS_MASK, "NoNewPrivs:\t1");
        long hard = HostFacts.detect().hardLimit("RLIMIT_NOFILE");
        long expected = Long.compareUnsigned(hard, BundleSpec.DEFAULT_RLIMIT) < 0 ? hard : BundleSpec.DEFAULT_RLIMIT;
        assertThat(out).contains("\n" + expected + "\n");
    }

    @Test
    void explicitGroupAndNumericUsers() throws Exception {
        BundleSpec b = BundleSpec.from(image());
        assertThat(run(b.user("1000:10").command("id")))
                .contains("uid=1000(app) gid=10(wheel)").doesNotContain("audio");
        assertThat(run(b.user("nobody").command("id")))
                .contains("uid=65534(nobody) gid=65534(nogroup)");
        assertThat(run(b.user("4242").command("id"))).contains("uid=4242 gid=0(root)");
    }

    @Test
    void runcCreatesAMissingWorkdirOwnedByRootWithoutPrepareRootfs() throws Exception {
        // Why prepareRootfs exists: runc 1.1 makes the cwd itself, but as root.
        BundleSpec b = BundleSpec.from(image()).user("app").workdir("/made/by/runc");
        String out = runRaw(b.command("stat -c OWNER=%u:%g ."));
        assertThat(out).contains("OWNER=0:0");
    }

    @Test
    void rootlessRunAsAnUnprivilegedUser() throws Exception {
        String out = rootless(false);
        // sysfs of the container's own network namespace: its only interface is lo
        assertThat(out).contains("uid=0(root) gid=0(root)", "PWD=/work/new", "rl", "W-OK", "NET=lo\n");
    }

    @Test
    void rootlessWithTheHostNetworkBindsSys() throws Exception {
        String out = rootless(true);
        // mounting sysfs here fails with EPERM (the netns belongs to the host); the host's /sys is bound instead
        assertThat(out).contains("uid=0(root) gid=0(root)", "W-OK", "NET=").doesNotContain("NET=lo\n");
    }

    /** Runs a rootless container as uid 65534 (via setpriv when this JVM is root); returns its output. */
    private String rootless(boolean hostNetwork) throws Exception {
        Tools.require("setpriv");
        long uid = 65534;
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ocikit-rootless-");
        String id = "ocikit-bt-rl-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> asUser = HostFacts.detect().euid() == 0
                ? List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups")
                : List.of();
        IdMappings ids = HostFacts.detect().euid() == 0 ? IdMappings.single(uid, uid) : IdMappings.forCurrentUser();
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path rb = dir.resolve("bundle");
            BusyboxRootfs.create(rb.resolve("rootfs"));
            Files.createDirectories(dir.resolve("run"));
            BundleSpec b = BundleSpec.from(image()).rootless(ids).hostname("rl").memory(64L << 20)
                    .command("id; echo PWD=$(pwd); cat /proc/self/uid_map; hostname; touch /home/app/w && echo W-OK;"
                            + " echo NET=$(ls /sys/class/net | tr '\\n' ' ')");
            if (hostNetwork) {
                b = b.hostNetwork();
            }
            b.prepareRootfs(rb.resolve("rootfs"));
            Spec spec = b.build(rb.resolve("rootfs"));
            Files.write(rb.resolve("config.json"), Json.write(spec));
            chownTree(dir, uid);
            List<String> cmd = new ArrayList<>(asUser);
            cmd.addAll(List.of(runc.toString(), "--root", dir.resolve("state").toString(), "--rootless", "true",
                    "run", "--bundle", rb.toString(), id));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(new File("/dev/null"));
            pb.environment().put("HOME", dir.toString());
            pb.environment().put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
            Result r = exec(pb);
            assertThat(r.exit).as(r.output).isZero();
            assertThat(r.output).containsPattern("\\s+0\\s+" + ids.uidMappings().get(0).hostId() + "\\s+1");
            return r.output;
        } finally {
            List<String> del = new ArrayList<>(asUser);
            del.addAll(List.of(runc.toString(), "--root", dir.resolve("state").toString(), "--rootless", "true",
                    "delete", "--force", id));
            exec(new ProcessBuilder(del).redirectErrorStream(true));
            deleteTree(dir);
        }
    }

    // ------------------------------------------------------------ helpers

    /** Prepares the rootfs, builds, runs, and returns the output; fails on a non-zero exit. */
    private String run(BundleSpec b) throws Exception {
        b.prepareRootfs(rootfs);
        Result r = runSpec(b.build(rootfs));
        assertThat(r.exit).as(r.output).isZero();
        return r.output;
    }

    private String runRaw(BundleSpec b) throws Exception {
        Result r = runSpec(b.build(rootfs));
        assertThat(r.exit).as(r.output).isZero();
        return r.output;
    }

    private Result runSpec(Spec spec) throws Exception {
        Files.write(bundle.resolve("config.json"), Json.write(spec));
        String id = "ocikit-bt-" + UUID.randomUUID().toString().substring(0, 12);
        Path state = tmp.resolve("state");
        try {
            return exec(new ProcessBuilder(runc.toString(), "--root", state.toString(), "run", "--bundle",
                    bundle.toString(), id).redirectErrorStream(true).redirectInput(new File("/dev/null")));
        } finally {
            exec(new ProcessBuilder(runc.toString(), "--root", state.toString(), "delete", "--force", id)
                    .redirectErrorStream(true));
        }
    }

    private record Result(int exit, String output) {}

    private static Result exec(ProcessBuilder pb) throws Exception {
        java.lang.Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes(); // returns when the process (and runc's children) close it
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + pb.command());
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void chownTree(Path dir, long uid) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", (int) uid, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
