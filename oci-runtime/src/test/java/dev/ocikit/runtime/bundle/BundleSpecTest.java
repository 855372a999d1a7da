package dev.ocikit.runtime.bundle;

import dev.ocikit.runtime.network.NetworkMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.runtime.testing.BusyboxRootfs;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.runtime.IdMapping;
import dev.ocikit.spec.runtime.Mount;
import dev.ocikit.spec.runtime.Namespace;
import dev.ocikit.spec.runtime.Rlimit;
import dev.ocikit.spec.runtime.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleSpecTest {
    /** A host like this one: root without CAP_SYS_RESOURCE, nofile hard limit 20000, cgroup v1. */
    static final HostFacts HOST = new HostFacts(0, 0, Optional.of("root"),
            Map.of("RLIMIT_NOFILE", 20000L, "RLIMIT_NPROC", 96365L), false, false, "buildhost");

    @TempDir
    Path tmp;
    Path rootfs;

    @BeforeEach
    void rootfs() throws IOException {
        rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    }

    static ImageConfig image(UnaryOperator<ContainerConfig.Builder> config) {
        return ImageConfig.builder().architecture("amd64").os("linux")
                .config(config.apply(ContainerConfig.builder()).build()).build();
    }

    static BundleSpec spec(UnaryOperator<ContainerConfig.Builder> config) {
        return BundleSpec.from(image(config)).host(HOST);
    }

    // ------------------------------------------------------------ command

    @Test
    void imageEntrypointAndCmdAreJoined() {
        Spec s = spec(c -> c.entrypoint("/bin/sh", "-c").cmd("echo hi")).build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("/bin/sh", "-c", "echo hi");
    }

    @Test
    void commandReplacesImageCmdButKeepsEntrypoint() {
        Spec s = spec(c -> c.entrypoint("/bin/sh", "-c").cmd("echo hi")).command("id").build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("/bin/sh", "-c", "id");
    }

    @Test
    void entrypointOverrideDropsImageCmd() {
        Spec s = spec(c -> c.entrypoint("/bin/sh").cmd("-c", "echo hi")).entrypoint("/bin/id").build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("/bin/id");
    }

    @Test
    void entrypointOverrideWithCommandUsesBoth() {
        Spec s = spec(c -> c.entrypoint("/bin/sh").cmd("x")).entrypoint("/bin/echo").command("a", "b").build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("/bin/echo", "a", "b");
    }

    @Test
    void emptyEntrypointClearsImageEntrypoint() {
        Spec s = spec(c -> c.entrypoint("/entry.sh").cmd("x")).entrypoint().command("id", "-u").build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("id", "-u");
    }

    @Test
    void emptyEntrypointWithoutCommandRunsImageCmd() {
        Spec s = spec(c -> c.entrypoint("/entry.sh").cmd("sh", "-c", "echo hi")).entrypoint().build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("sh", "-c", "echo hi");
    }

    @Test
    void imageEntrypointOfOneEmptyStringIsNoEntrypoint() {
        Spec s = spec(c -> c.entrypoint("").cmd("sh")).build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("sh");
    }

    @Test
    void nothingToRunIsRefused() {
        assertThatThrownBy(() -> spec(c -> c).build(rootfs)).isInstanceOf(NoCommandException.class)
                .hasMessageContaining("no command specified");
        assertThatThrownBy(() -> spec(c -> c.entrypoint("/entry.sh")).entrypoint().build(rootfs))
                .isInstanceOf(NoCommandException.class);
        // an override of one empty string names nothing but still hides the image's Cmd (Podman's [""])
        assertThatThrownBy(() -> spec(c -> c.cmd("sh")).entrypoint("").build(rootfs))
                .isInstanceOf(NoCommandException.class);
        assertThatThrownBy(() -> BundleSpec.scratch().host(HOST).build(rootfs)).isInstanceOf(NoCommandException.class);
    }

    @Test
    void scratchRunsTheGivenCommand() {
        Spec s = BundleSpec.scratch().host(HOST).command("sh").build(rootfs);
        assertThat(s.process().orElseThrow().args()).containsExactly("sh");
        assertThat(s.process().orElseThrow().cwd()).isEqualTo("/");
    }

    @Test
    void nonLinuxImageIsRefused() {
        ImageConfig win = ImageConfig.builder().architecture("amd64").os("windows").build();
        assertThatThrownBy(() -> BundleSpec.from(win)).isInstanceOf(InvalidContainerConfigException.class)
                .hasMessageContaining("windows");
    }

    // ------------------------------------------------------------ env

    @Test
    void environmentLayersDefaultsImageAndCaller() {
        Spec s = spec(c -> c.cmd("sh").env(List.of("PATH=/image/bin", "A=image", "B=image")))
                .env("B", "caller").env(Map.of("C", "caller")).build(rootfs);
        var p = s.process().orElseThrow();
        assertThat(p.envValue("PATH")).contains("/image/bin");
        assertThat(p.envValue("A")).contains("image");
        assertThat(p.envValue("B")).contains("caller");
        assertThat(p.envValue("C")).contains("caller");
        assertThat(p.envValue("container")).contains("ocikit");
        assertThat(p.envValue("HOSTNAME")).contains("localhost");
        assertThat(p.envValue("HOME")).contains("/root");
        assertThat(p.envValue("TERM")).isEmpty();
        assertThat(p.env().stream().filter(e -> e.startsWith("B="))).hasSize(1);
    }

    @Test
    void defaultPathIsPodmans() {
        var p = spec(c -> c.cmd("sh")).build(rootfs).process().orElseThrow();
        assertThat(p.envValue("PATH")).contains("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    @Test
    void terminalSetsTermAndHomeFollowsTheUser() {
        var p = spec(c -> c.cmd("sh")).terminal(true).user("app").hostname("box").build(rootfs).process().orElseThrow();
        assertThat(p.terminal()).contains(true);
        assertThat(p.envValue("TERM")).contains("xterm");
        assertThat(p.envValue("HOME")).contains("/home/app");
        assertThat(p.envValue("HOSTNAME")).contains("box");
    }

    @Test
    void homeFromCallerOrImageIsKept() {
        var p = spec(c -> c.cmd("sh").env(List.of("HOME=/data"))).user("app").build(rootfs).process().orElseThrow();
        assertThat(p.envValue("HOME")).contains("/data");
    }

    @Test
    void numericUserNotInPasswdGetsSlashHome() {
        var p = spec(c -> c.cmd("sh")).user("4242").build(rootfs).process().orElseThrow();
        assertThat(p.envValue("HOME")).contains("/");
    }

    @Test
    void imageEnvEntryWithoutEqualsIsIgnored() {
        var p = spec(c -> c.cmd("sh").env(List.of("NOVALUE", "X=1"))).build(rootfs).process().orElseThrow();
        assertThat(p.env()).noneMatch(e -> e.startsWith("NOVALUE"));
        assertThat(p.envValue("X")).contains("1");
    }

    @Test
    void hostileEnvIsRefusedWithTheFigure() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 10_001; i++) {
            many.add("V" + i + "=x");
        }
        assertThatThrownBy(() -> spec(c -> c.cmd("sh").env(many)).build(rootfs))
                .isInstanceOf(InvalidContainerConfigException.class).hasMessageContaining("10001 entries");
        String big = "B=" + "x".repeat(1 << 20);
        assertThatThrownBy(() -> spec(c -> c.cmd("sh").env(List.of(big))).build(rootfs))
                .isInstanceOf(InvalidContainerConfigException.class).hasMessageContaining("1048579 bytes");
        assertThatThrownBy(() -> spec(c -> c.cmd("sh").env(List.of("A=\0b"))).build(rootfs))
                .isInstanceOf(InvalidContainerConfigException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> spec(c -> c.cmd("sh").env(List.of("=b"))).build(rootfs))
                .isInstanceOf(InvalidContainerConfigException.class).hasMessageContaining("empty name");
    }

    @Test
    void badCallerEnvIsRefused() {
        assertThatThrownBy(() -> BundleSpec.scratch().env("A=B", "c")).isInstanceOf(InvalidContainerConfigException.class);
        assertThatThrownBy(() -> BundleSpec.scratch().env("", "c")).isInstanceOf(InvalidContainerConfigException.class);
        assertThatThrownBy(() -> BundleSpec.scratch().env("A", "\0")).isInstanceOf(InvalidContainerConfigException.class);
    }

    // ------------------------------------------------------------ workdir

    @Test
    void workdirCallerThenImageThenRoot() {
        assertThat(spec(c -> c.cmd("sh").workingDir("/srv")).workdir("/app").build(rootfs).process().orElseThrow().cwd())
                .isEqualTo("/app");
        assertThat(spec(c -> c.cmd("sh").workingDir("/srv")).build(rootfs).process().orElseThrow().cwd())
                .isEqualTo("/srv");
        assertThat(spec(c -> c.cmd("sh").workingDir("")).build(rootfs).process().orElseThrow().cwd()).isEqualTo("/");
    }

    @Test
    void hostileImageWorkdirIsCleanedInsideRoot() {
        assertThat(spec(c -> c.cmd("sh").workingDir("../../etc")).build(rootfs).process().orElseThrow().cwd())
                .isEqualTo("/etc");
        assertThat(spec(c -> c.cmd("sh").workingDir("/a/../../../b/./c//")).build(rootfs).process().orElseThrow().cwd())
                .isEqualTo("/b/c");
        assertThat(spec(c -> c.cmd("sh").workingDir("rel/dir")).build(rootfs).process().orElseThrow().cwd())
                .isEqualTo("/rel/dir");
    }

    @Test
    void relativeCallerWorkdirIsRefused() {
        assertThatThrownBy(() -> BundleSpec.scratch().workdir("rel")).isInstanceOf(InvalidContainerConfigException.class)
                .hasMessageContaining("not absolute");
        assertThat(BundleSpec.scratch().host(HOST).command("sh").workdir("/x/../y").build(rootfs)
                .process().orElseThrow().cwd()).isEqualTo("/y");
    }

    @Test
    void prepareRootfsCreatesTheWorkdirOwnedByTheUser() throws IOException {
        BundleSpec b = spec(c -> c.cmd("sh")).user("app").workdir("/work/deep");
        b.prepareRootfs(rootfs);
        Path made = rootfs.resolve("work/deep");
        assertThat(made).isDirectory();
        assertThat(Files.getAttribute(made, "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(made, "unix:gid")).isEqualTo(1000);
        assertThat(Files.getAttribute(rootfs.resolve("work"), "unix:uid")).isEqualTo(1000);
        // an existing directory is left alone
        assertThat(Files.getAttribute(rootfs.resolve("home"), "unix:uid")).isEqualTo(0);
        spec(c -> c.cmd("sh")).user("app").workdir("/home/app").prepareRootfs(rootfs);
    }

    @Test
    void prepareRootfsFollowsLinksInsideTheRootOnly(@TempDir Path outside) throws IOException {
        Files.createSymbolicLink(rootfs.resolve("escape"), outside);
        Files.createSymbolicLink(rootfs.resolve("up"), Path.of("../../../../../../../.." + outside));
        spec(c -> c.cmd("sh")).user("app").workdir("/escape/made").prepareRootfs(rootfs);
        spec(c -> c.cmd("sh")).user("app").workdir("/up/made2").prepareRootfs(rootfs);
        try (var list = Files.list(outside)) {
            assertThat(list).isEmpty();
        }
        assertThat(rootfs.resolve(outside.toString().substring(1)).resolve("made")).isDirectory();
        assertThat(rootfs.resolve(outside.toString().substring(1)).resolve("made2")).isDirectory();
    }

    @Test
    void prepareRootfsRefusesAFileAsWorkdir() {
        assertThatThrownBy(() -> spec(c -> c.cmd("sh")).workdir("/etc/passwd").prepareRootfs(rootfs))
                .isInstanceOf(BundleException.class).hasMessageContaining("not a directory");
    }

    // ------------------------------------------------------------ user

    @Test
    void userByNameGetsPasswdIdsAndGroupMemberships() {
        var u = spec(c -> c.cmd("sh")).user("app").build(rootfs).process().orElseThrow().user().orElseThrow();
        assertThat(u.uid()).isEqualTo(1000);
        assertThat(u.gid()).isEqualTo(1000);
        assertThat(u.additionalGids()).containsExactly(10L, 29L);
        assertThat(u.umask()).contains(18L);
    }

    @Test
    void imageUserIsUsedUnlessCallerGivesOne() {
        var img = spec(c -> c.cmd("sh").user("daemon"));
        assertThat(img.build(rootfs).process().orElseThrow().user().orElseThrow().uid()).isEqualTo(1);
        assertThat(img.user("nobody").build(rootfs).process().orElseThrow().user().orElseThrow().uid()).isEqualTo(65534);
        assertThat(spec(c -> c.cmd("sh")).build(rootfs).process().orElseThrow().user().orElseThrow().uid()).isZero();
    }

    @Test
    void explicitGroupIsPrimaryAndSuppressesMemberships() {
        var u = ContainerUsers.resolve(rootfs, "1000:10", List.of());
        assertThat(u.uid()).isEqualTo(1000);
        assertThat(u.gid()).isEqualTo(10);
        assertThat(u.additionalGids()).isEmpty();
        var v = ContainerUsers.resolve(rootfs, "app:audio", List.of());
        assertThat(v.gid()).isEqualTo(29);
        assertThat(ContainerUsers.resolve(rootfs, "4242:wheel", List.of()).gid()).isEqualTo(10);
    }

    @Test
    void numericUidInPasswdGetsItsGroups() {
        var u = ContainerUsers.resolve(rootfs, "1000", List.of());
        assertThat(u.gid()).isEqualTo(1000);
        assertThat(u.additionalGids()).containsExactly(10L, 29L);
        assertThat(u.name()).contains("app");
    }

    @Test
    void numericUserNotInPasswdWorksWithGidZero() {
        var u = ContainerUsers.resolve(rootfs, "4242", List.of());
        assertThat(u.uid()).isEqualTo(4242);
        assertThat(u.gid()).isZero();
        assertThat(u.additionalGids()).isEmpty();
        assertThat(u.home()).isEqualTo("/");
    }

    @Test
    void groupAddAppendsGroupsByNameOrId() {
        var u = ContainerUsers.resolve(rootfs, "nobody", List.of("audio", "777"));
        assertThat(u.additionalGids()).containsExactly(29L, 777L);
        var spec = spec(c -> c.cmd("sh")).user("nobody").groupAdd("wheel").build(rootfs);
        assertThat(spec.process().orElseThrow().user().orElseThrow().additionalGids()).containsExactly(10L);
    }

    @Test
    void unknownNamesAreTypedAndNameTheFile() {
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "ghost", List.of()))
                .isInstanceOfSatisfying(UnknownUserException.class, e -> {
                    assertThat(e.name()).isEqualTo("ghost");
                    assertThat(e.file()).isEqualTo("/etc/passwd");
                }).hasMessageContaining("ghost").hasMessageContaining("/etc/passwd");
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "app:ghosts", List.of()))
                .isInstanceOfSatisfying(UnknownUserException.class, e -> assertThat(e.file()).isEqualTo("/etc/group"));
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "app", List.of("ghosts")))
                .isInstanceOf(UnknownUserException.class);
    }

    @Test
    void idsOutOfRangeInEtcFilesAreRefusedNamingFileAndLine() throws IOException {
        Path passwd = rootfs.resolve("etc/passwd");
        Path group = rootfs.resolve("etc/group");
        String goodPasswd = Files.readString(passwd);
        String goodGroup = Files.readString(group);
        // (uid_t) -1 means "unchanged" to setresuid: the container would keep the runtime's uid
        Files.writeString(passwd, "root:x:0:0::/root:/bin/sh\nevil:x:4294967295:0::/:/bin/sh\n");
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "evil", List.of()))
                .isInstanceOfSatisfying(InvalidEtcFileException.class, e -> {
                    assertThat(e.file()).isEqualTo("/etc/passwd");
                    assertThat(e.line()).isEqualTo(2);
                }).hasMessageContaining("4294967295").hasMessageContaining("line 2");
        Files.writeString(passwd, "evil:x:0:99999999999::/:/bin/sh\n");
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "evil", List.of()))
                .isInstanceOfSatisfying(InvalidEtcFileException.class, e -> assertThat(e.line()).isEqualTo(1));
        Files.writeString(passwd, goodPasswd);
        Files.writeString(group, goodGroup + "minus:x:4294967295:app\n");
        int line = goodGroup.split("\n").length + 1;
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "app", List.of()))
                .isInstanceOfSatisfying(InvalidEtcFileException.class, e -> {
                    assertThat(e.file()).isEqualTo("/etc/group");
                    assertThat(e.line()).isEqualTo(line);
                });
        // the largest usable id is still accepted
        Files.writeString(group, goodGroup + "top:x:4294967294:app\n");
        assertThat(ContainerUsers.resolve(rootfs, "app", List.of()).additionalGids()).contains(4294967294L);
    }

    @Test
    void missingPasswdFailsForNamesOnly() throws IOException {
        Files.delete(rootfs.resolve("etc/passwd"));
        assertThat(ContainerUsers.resolve(rootfs, "1000", List.of()).gid()).isZero();
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "app", List.of()))
                .isInstanceOf(UnknownUserException.class).hasMessageContaining("does not exist");
    }

    @Test
    void hostileUserStringsAreRefused() {
        for (String bad : List.of("../../x", "a/b", "app\0", ":", "app:", ":10", "..", "a:b:c", "99999999999",
                "4294967295", " app")) {
            assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, bad, List.of()))
                    .as(bad).isInstanceOf(InvalidContainerConfigException.class);
        }
        assertThatThrownBy(() -> spec(c -> c.cmd("sh").user("../../etc/shadow")).build(rootfs))
                .isInstanceOfSatisfying(InvalidContainerConfigException.class,
                        e -> assertThat(e.field()).isEqualTo("User"));
        assertThatThrownBy(() -> BundleSpec.scratch().user("a/b")).isInstanceOf(InvalidContainerConfigException.class);
    }

    @Test
    void symlinkedPasswdPointingOutOfTheRootResolvesInsideIt() throws IOException {
        Path host = tmp.resolve("host");
        Files.createDirectories(host);
        Files.writeString(host.resolve("passwd"), "evil:x:0:0::/:/bin/sh\n");
        Path passwd = rootfs.resolve("etc/passwd");
        Files.delete(passwd);
        Files.createSymbolicLink(passwd, Path.of("/../../host/passwd"));
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "evil", List.of()))
                .isInstanceOf(UnknownUserException.class);
        Files.delete(passwd);
        Files.createSymbolicLink(passwd, Path.of("../../host/passwd"));
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "evil", List.of()))
                .isInstanceOf(UnknownUserException.class);
        // the same link resolves to a file inside the root when there is one
        Files.createDirectories(rootfs.resolve("host"));
        Files.writeString(rootfs.resolve("host/passwd"), "inside:x:7:8::/in:/bin/sh\n");
        assertThat(ContainerUsers.resolve(rootfs, "inside", List.of()).uid()).isEqualTo(7);
    }

    @Test
    void symlinkedEtcDirectoryResolvesInsideTheRoot() throws IOException {
        Path etc = rootfs.resolve("etc");
        Files.move(etc, rootfs.resolve("real-etc"));
        Files.createSymbolicLink(etc, Path.of("/real-etc"));
        assertThat(ContainerUsers.resolve(rootfs, "app", List.of()).uid()).isEqualTo(1000);
    }

    @Test
    void symlinkLoopIsRefused() throws IOException {
        Path passwd = rootfs.resolve("etc/passwd");
        Files.delete(passwd);
        Files.createSymbolicLink(passwd, Path.of("/etc/passwd"));
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "app", List.of()))
                .isInstanceOf(RootfsEscapeException.class).hasMessageContaining("too many symbolic links");
    }

    @Test
    void passwdThatIsNotARegularFileIsRefused() throws IOException {
        Path passwd = rootfs.resolve("etc/passwd");
        Files.delete(passwd);
        Files.createDirectory(passwd);
        assertThatThrownBy(() -> ContainerUsers.resolve(rootfs, "app", List.of()))
                .isInstanceOf(RootfsEscapeException.class).hasMessageContaining("not a regular file");
    }

    @Test
    void malformedPasswdLinesAreSkipped() throws IOException {
        Files.writeString(rootfs.resolve("etc/passwd"), "garbage\nbad:x:y:z:::\n#c\napp:x:1000:1000::/h:/bin/sh\n");
        assertThat(ContainerUsers.resolve(rootfs, "app", List.of()).home()).isEqualTo("/h");
    }

    // ------------------------------------------------------------ capabilities

    @Test
    void rootGetsPodmansDefaultCapabilities() {
        var caps = spec(c -> c.cmd("sh")).build(rootfs).process().orElseThrow().capabilities().orElseThrow();
        assertThat(caps.bounding()).containsExactlyInAnyOrderElementsOf(BundleSpec.DEFAULT_CAPABILITIES);
        assertThat(caps.effective()).containsExactlyInAnyOrderElementsOf(BundleSpec.DEFAULT_CAPABILITIES);
        assertThat(caps.permitted()).containsExactlyInAnyOrderElementsOf(BundleSpec.DEFAULT_CAPABILITIES);
        assertThat(caps.inheritable()).isEmpty();
        assertThat(caps.ambient()).isEmpty();
        assertThat(BundleSpec.DEFAULT_CAPABILITIES).hasSize(11);
    }

    @Test
    void nonRootUserKeepsOnlyAddedCapabilities() {
        var caps = spec(c -> c.cmd("sh")).user("app").capAdd("net_raw").build(rootfs).process().orElseThrow()
                .capabilities().orElseThrow();
        assertThat(caps.bounding()).contains("CAP_NET_RAW", "CAP_CHOWN");
        assertThat(caps.effective()).containsExactly("CAP_NET_RAW");
        assertThat(caps.permitted()).containsExactly("CAP_NET_RAW");
        assertThat(caps.ambient()).containsExactly("CAP_NET_RAW");
        var none = spec(c -> c.cmd("sh")).user("app").build(rootfs).process().orElseThrow().capabilities().orElseThrow();
        assertThat(none.effective()).isEmpty();
        assertThat(none.bounding()).hasSize(11);
    }

    @Test
    void capAddAndDropIncludingAll() {
        var caps = spec(c -> c.cmd("sh")).capDrop("CHOWN", "cap_kill").capAdd("SYS_ADMIN").build(rootfs)
                .process().orElseThrow().capabilities().orElseThrow();
        assertThat(caps.bounding()).contains("CAP_SYS_ADMIN").doesNotContain("CAP_CHOWN", "CAP_KILL");
        var onlyOne = spec(c -> c.cmd("sh")).capDrop("ALL").capAdd("KILL").build(rootfs).process().orElseThrow()
                .capabilities().orElseThrow();
        assertThat(onlyOne.bounding()).containsExactly("CAP_KILL");
        var all = spec(c -> c.cmd("sh")).capAdd("ALL").build(rootfs).process().orElseThrow().capabilities().orElseThrow();
        assertThat(all.bounding()).hasSize(BundleSpec.KNOWN_CAPABILITIES.size());
        assertThatThrownBy(() -> BundleSpec.scratch().capAdd("FLY")).isInstanceOf(InvalidContainerConfigException.class);
    }

    // ------------------------------------------------------------ rlimits, resources, misc

    @Test
    void defaultRlimitsAreClampedToTheHardLimit() {
        var r = spec(c -> c.cmd("sh")).build(rootfs).process().orElseThrow().rlimits();
        assertThat(r).containsExactly(Rlimit.of("RLIMIT_NOFILE", 20000, 20000), Rlimit.of("RLIMIT_NPROC", 96365, 96365));
        HostFacts privileged = new HostFacts(0, 0, Optional.empty(), Map.of("RLIMIT_NOFILE", 20000L), true, false, "h");
        var p = BundleSpec.scratch().host(privileged).command("sh").build(rootfs).process().orElseThrow().rlimits();
        assertThat(p).contains(Rlimit.of("RLIMIT_NOFILE", 1048576, 1048576));
        var rootless = BundleSpec.scratch().host(privileged).command("sh").rootless(IdMappings.single(1000, 1000))
                .build(rootfs).process().orElseThrow().rlimits();
        assertThat(rootless).contains(Rlimit.of("RLIMIT_NOFILE", 20000, 20000));
    }

    @Test
    void callerRlimitsOverrideAndAbsurdOnesAreRefused() {
        var r = spec(c -> c.cmd("sh")).rlimit("nofile", 100, 200).rlimit("RLIMIT_CORE", 0, 0).build(rootfs)
                .process().orElseThrow().rlimits();
        assertThat(r).contains(Rlimit.of("RLIMIT_NOFILE", 100, 200), Rlimit.of("RLIMIT_CORE", 0, 0));
        assertThat(r).filteredOn(x -> x.type().equals("RLIMIT_NOFILE")).hasSize(1);
        assertThatThrownBy(() -> BundleSpec.scratch().rlimit("RLIMIT_BOGUS", 1, 1))
                .isInstanceOf(InvalidContainerConfigException.class).hasMessageContaining("RLIMIT_BOGUS");
        assertThatThrownBy(() -> BundleSpec.scratch().rlimit("../x", 1, 1))
                .isInstanceOf(InvalidContainerConfigException.class);
        assertThatThrownBy(() -> BundleSpec.scratch().rlimit("nofile", 2, 1))
                .isInstanceOf(InvalidContainerConfigException.class).hasMessageContaining("soft");
        assertThat(spec(c -> c.cmd("sh")).rlimit("core", Rlimit.INFINITY, Rlimit.INFINITY).build(rootfs)
                .process().orElseThrow().rlimits()).contains(Rlimit.of("RLIMIT_CORE", -1, -1));
    }

    @Test
    void resourcesGoToLinuxResources() {
        var res = spec(c -> c.cmd("sh")).memory(64 << 20).cpuShares(512).cpuQuota(50000, 100000).pidsLimit(42)
                .build(rootfs).linux().orElseThrow().resources().orElseThrow();
        assertThat(res.memory().orElseThrow().limit()).contains(64L << 20);
        assertThat(res.cpu().orElseThrow().shares()).contains(512L);
        assertThat(res.cpu().orElseThrow().quota()).contains(50000L);
        assertThat(res.cpu().orElseThrow().period()).contains(100000L);
        assertThat(res.pids().orElseThrow().limit()).contains(42L);
        assertThat(res.devices()).hasSize(1);
        assertThatThrownBy(() -> BundleSpec.scratch().memory(1024)).isInstanceOf(InvalidContainerConfigException.class);
        assertThatThrownBy(() -> BundleSpec.scratch().pidsLimit(0)).isInstanceOf(InvalidContainerConfigException.class);
        assertThatThrownBy(() -> BundleSpec.scratch().cpuQuota(10, 100)).isInstanceOf(InvalidContainerConfigException.class);
    }

    @Test
    void noNewPrivilegesReadOnlyRootAndRootPath() {
        Spec s = spec(c -> c.cmd("sh")).noNewPrivileges(true).readOnlyRootfs(true).rootPath("/abs/root").build(rootfs);
        assertThat(s.process().orElseThrow().noNewPrivileges()).contains(true);
        assertThat(s.root().orElseThrow().path()).isEqualTo("/abs/root");
        assertThat(s.root().orElseThrow().readonly()).contains(true);
        assertThat(s.mount("/tmp").orElseThrow().type()).contains("tmpfs");
        assertThat(s.mount("/run")).isPresent();
        assertThat(s.mount("/var/tmp")).isPresent();
        Spec plain = spec(c -> c.cmd("sh")).build(rootfs);
        assertThat(plain.root().orElseThrow().path()).isEqualTo("rootfs");
        assertThat(plain.root().orElseThrow().readonly()).isEmpty();
        assertThat(plain.process().orElseThrow().noNewPrivileges()).isEmpty();
        assertThat(plain.mount("/tmp")).isEmpty();
        assertThat(spec(c -> c.cmd("sh")).readOnlyRootfs(true).readOnlyTmpfs(false).build(rootfs).mount("/tmp")).isEmpty();
    }

    @Test
    void defaultMountsMaskedAndReadonlyPaths() {
        Spec s = spec(c -> c.cmd("sh")).build(rootfs);
        assertThat(s.mounts()).extracting(Mount::destination).containsExactly("/proc", "/dev", "/dev/pts",
                "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/dev/shm");
        assertThat(s.mount("/dev/pts").orElseThrow().options()).contains("gid=5", "newinstance");
        assertThat(s.mount("/sys").orElseThrow().options()).contains("ro");
        assertThat(s.mount("/sys/fs/cgroup").orElseThrow().options()).contains("ro");
        var l = s.linux().orElseThrow();
        assertThat(l.maskedPaths()).contains("/proc/kcore", "/proc/keys", "/sys/firmware", "/proc/timer_list");
        assertThat(l.readonlyPaths()).contains("/proc/sys", "/proc/sysrq-trigger", "/proc/bus");
        assertThat(l.sysctl()).containsEntry("net.ipv4.ping_group_range", "0 0");
    }

    @Test
    void callerMountsComeAfterAndReplaceDefaults() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Spec s = spec(c -> c.cmd("sh")).bind(data, "/data", true).bind(data, "/rw/", false, "noexec")
                .tmpfs("/dev/shm", "size=1m").tmpfs("/scratch", "exec").volume(data, "/vol").build(rootfs);
        assertThat(s.mounts()).filteredOn(m -> m.destination().equals("/dev/shm")).hasSize(1);
        Mount shm = s.mount("/dev/shm").orElseThrow();
        assertThat(shm.options()).containsExactly("size=1m", "rw", "nosuid", "nodev", "noexec");
        assertThat(s.mount("/scratch").orElseThrow().options()).contains("exec").doesNotContain("noexec");
        Mount ro = s.mount("/data").orElseThrow();
        assertThat(ro.source()).contains(data.toString());
        assertThat(ro.options()).containsExactly("rbind", "ro", "rprivate");
        assertThat(s.mount("/rw").orElseThrow().options()).containsExactly("rbind", "rw", "rprivate", "noexec");
        assertThat(s.mount("/vol").orElseThrow().options()).contains("rw", "nosuid", "nodev");
        assertThat(s.mounts().get(s.mounts().size() - 1).destination()).isEqualTo("/vol");
    }

    @Test
    void badMountsAreRefused() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        assertThatThrownBy(() -> BundleSpec.scratch().bind(tmp.resolve("missing"), "/x", false))
                .isInstanceOf(InvalidContainerConfigException.class).hasMessageContaining("does not exist");
        for (String dest : List.of("relative", "/a/../b", "/", "/x\0")) {
            assertThatThrownBy(() -> BundleSpec.scratch().bind(data, dest, false)).as(dest)
                    .isInstanceOf(InvalidContainerConfigException.class);
        }
        assertThatThrownBy(() -> BundleSpec.scratch().tmpfs("/t", "size=1m,exec"))
                .isInstanceOf(InvalidContainerConfigException.class);
    }

    @Test
    void namespacesByNetworkChoice() {
        var priv = spec(c -> c.cmd("sh")).build(rootfs).linux().orElseThrow();
        assertThat(priv.namespaces()).extracting(Namespace::type)
                .containsExactlyInAnyOrder("pid", "network", "ipc", "uts", "mount");
        assertThat(priv.namespace("network").orElseThrow().path()).isEmpty();
        var host = spec(c -> c.cmd("sh")).hostNetwork().build(rootfs);
        assertThat(host.linux().orElseThrow().namespace("network")).isEmpty();
        assertThat(host.hostname()).contains("buildhost");
        assertThat(host.linux().orElseThrow().sysctl()).isEmpty();
        var joined = spec(c -> c.cmd("sh")).networkNamespace(Path.of("/proc/1/ns/net")).build(rootfs);
        assertThat(joined.linux().orElseThrow().namespace("network").orElseThrow().path()).contains("/proc/1/ns/net");
        var none = spec(c -> c.cmd("sh")).noNetwork();
        assertThat(none.networkMode()).isEqualTo(NetworkMode.NONE);
        assertThat(none.build(rootfs).linux().orElseThrow().namespace("network")).isPresent();
        HostFacts v2 = new HostFacts(0, 0, Optional.empty(), Map.of(), false, true, "h");
        assertThat(BundleSpec.scratch().host(v2).command("sh").build(rootfs).linux().orElseThrow().namespace("cgroup"))
                .isPresent();
    }

    @Test
    void hostnameAndAnnotations() {
        Spec s = spec(c -> c.cmd("sh")).hostname("web-1").annotation("org.example/a", "b").build(rootfs);
        assertThat(s.hostname()).contains("web-1");
        assertThat(s.annotations()).containsEntry("org.example/a", "b");
        for (String bad : List.of("", "-x", "a_b", "x".repeat(65), "a b")) {
            assertThatThrownBy(() -> BundleSpec.scratch().hostname(bad)).as(bad)
                    .isInstanceOf(InvalidContainerConfigException.class);
        }
    }

    @Test
    void rootlessAdjustsLikeRuncSpecRootless() {
        IdMappings ids = IdMappings.of(List.of(IdMapping.of(0, 1000, 1), IdMapping.of(1, 100000, 65536)),
                List.of(IdMapping.of(0, 1000, 1), IdMapping.of(1, 100000, 65536)));
        Spec s = spec(c -> c.cmd("sh")).memory(64 << 20).rootless(ids).build(rootfs);
        var l = s.linux().orElseThrow();
        assertThat(l.namespace("user")).isPresent();
        assertThat(l.uidMappings()).isEqualTo(ids.uidMappings());
        assertThat(l.gidMappings()).isEqualTo(ids.gidMappings());
        assertThat(l.resources()).isEmpty();
        assertThat(s.mount("/dev/pts").orElseThrow().options()).noneMatch(o -> o.startsWith("gid="));
        assertThat(s.mount("/sys").orElseThrow().type()).contains("sysfs");
        Spec host = spec(c -> c.cmd("sh")).hostNetwork().rootless(ids).build(rootfs);
        Mount sys = host.mount("/sys").orElseThrow();
        assertThat(sys.type()).contains("bind");
        assertThat(sys.options()).contains("rbind", "ro");
        HostFacts v2 = new HostFacts(1000, 1000, Optional.empty(), Map.of(), false, true, "h");
        var v2res = BundleSpec.scratch().host(v2).command("sh").pidsLimit(5).rootless(ids).build(rootfs)
                .linux().orElseThrow().resources().orElseThrow();
        assertThat(v2res.pids().orElseThrow().limit()).contains(5L);
        assertThat(v2res.devices()).isEmpty();
    }

    @Test
    void builderIsImmutable() {
        BundleSpec base = spec(c -> c.cmd("sh"));
        BundleSpec withEnv = base.env("A", "1");
        assertThat(base.build(rootfs).process().orElseThrow().envValue("A")).isEmpty();
        assertThat(withEnv.build(rootfs).process().orElseThrow().envValue("A")).contains("1");
    }

    @Test
    void specRoundTripsThroughJson() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Spec s = spec(c -> c.entrypoint("/bin/sh", "-c").cmd("id").env(List.of("A=1")).workingDir("/srv").user("app"))
                .terminal(true).hostname("rt").bind(data, "/data", true).tmpfs("/t").memory(32 << 20).pidsLimit(10)
                .capAdd("NET_RAW").rlimit("core", 0, 0).annotation("k", "v").noNewPrivileges(true)
                .rootless(IdMappings.single(1000, 1000)).readOnlyRootfs(true).build(rootfs);
        byte[] json = Json.write(s);
        Spec back = Spec.parse(json);
        assertThat(back).isEqualTo(s);
        assertThat(Json.write(back)).isEqualTo(json);
        String text = new String(json, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).contains("\"ociVersion\"", "\"cwd\":\"/srv\"", "\"uid\":1000", "\"path\":\"rootfs\"");
    }
}
