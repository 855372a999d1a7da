package dev.ocikit.spec.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ocikit.spec.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builders and with-methods a spec generator will use. */
class RuntimeBuildersTest {

    @Test
    void buildsAMinimalRunnableConfig() {
        Spec spec = Spec.builder()
                .root("rootfs")
                .hostname("tea")
                .process(Process.builder()
                        .args("sh", "-c", "echo hi")
                        .env("PATH", "/usr/bin:/bin")
                        .user(1000, 1000)
                        .rlimit(Rlimit.of("RLIMIT_NOFILE", 1024, 1024))
                        .noNewPrivileges(true)
                        .build())
                .addMount(Mount.of("/proc", "proc", "proc"))
                .addMount(Mount.of("/dev", "tmpfs", "tmpfs", "nosuid", "mode=755"))
                .linux(Linux.builder()
                        .namespaces(Namespace.PID, Namespace.MOUNT, Namespace.IPC, Namespace.UTS)
                        .resources(Resources.builder()
                                .addDevice(Resources.DeviceRule.denyAll())
                                .memory(Resources.Memory.limit(256L << 20).withSwap(-1))
                                .pidsLimit(-1)
                                .build())
                        .maskedPaths(List.of("/proc/kcore"))
                        .build())
                .build();

        assertThat(spec.ociVersion()).isEqualTo(Spec.VERSION).isEqualTo("1.3.0");
        assertThat(new String(Json.write(spec), StandardCharsets.UTF_8)).isEqualTo("{\"ociVersion\":\"1.3.0\","
                + "\"process\":{\"user\":{\"uid\":1000,\"gid\":1000},\"args\":[\"sh\",\"-c\",\"echo hi\"],"
                + "\"env\":[\"PATH=/usr/bin:/bin\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
                + "\"hard\":1024,\"soft\":1024}],\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\"},"
                + "\"hostname\":\"tea\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                + "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
                + "\"mode=755\"]}],\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
                + "\"memory\":{\"limit\":268435456,\"swap\":-1},\"pids\":{\"limit\":-1}},\"namespaces\":["
                + "{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"}],"
                + "\"maskedPaths\":[\"/proc/kcore\"]}}");
        assertThat(Spec.parse(Json.write(spec))).isEqualTo(spec);
    }

    @Test
    void toBuilderKeepsEverythingIncludingUnknownFields() {
        Spec original = Spec.parse(RuntimeExamplesTest.resource("config.json"));

        assertThat(original.toBuilder().build()).isEqualTo(original);
        Process p = original.process().orElseThrow();
        assertThat(p.toBuilder().build()).isEqualTo(p);
        Linux l = original.linux().orElseThrow();
        assertThat(l.toBuilder().build()).isEqualTo(l);
        Resources r = l.resources().orElseThrow();
        assertThat(r.toBuilder().build()).isEqualTo(r);
        Hooks h = original.hooks().orElseThrow();
        assertThat(h.toBuilder().build()).isEqualTo(h);

        Spec changed = original.toBuilder().hostname("other").annotation("dev.ocikit.example.flavour", null).build();
        assertThat(changed.hostname()).contains("other");
        assertThat(changed.annotations()).doesNotContainKey("dev.ocikit.example.flavour");
        assertThat(changed.unknownFields()).containsKeys("windows", "solaris");
        assertThat(changed.process()).isEqualTo(original.process());
    }

    @Test
    void processBuilderReplacesEnvAndRlimitsByName() {
        Process p = Process.builder()
                .env("A", "1").env("B", "2").env("A", "3")
                .rlimit(Rlimit.of("RLIMIT_NOFILE", 1, 1)).rlimit(Rlimit.of("RLIMIT_NOFILE", 2, 2))
                .terminal(false)
                .build();
        assertThat(p.env()).containsExactly("B=2", "A=3");
        assertThat(p.envValue("A")).contains("3");
        assertThat(p.rlimits()).containsExactly(Rlimit.of("RLIMIT_NOFILE", 2, 2));
        assertThat(p.terminal()).contains(false);
        assertThat(p.toBuilder().terminal(null).build().terminal()).isEmpty();
    }

    @Test
    void linuxBuilderKeepsOneNamespacePerType() {
        Linux linux = Linux.builder()
                .namespaces(Namespace.PID, Namespace.NETWORK)
                .namespace(Namespace.join(Namespace.NETWORK, "/run/netns/x"))
                .removeNamespace(Namespace.PID)
                .mapIds(100000, 100000, 65536)
                .sysctl("net.ipv4.ip_forward", "1")
                .netDevice("eth1", NetDevice.KEEP_NAME)
                .timeOffset(TimeOffset.MONOTONIC, TimeOffset.of(10, 0))
                .unknownField("x-extra", JsonNodeFactory.instance.textNode("kept"))
                .build();
        assertThat(linux.namespaces()).containsExactly(Namespace.join(Namespace.NETWORK, "/run/netns/x"));
        assertThat(linux.uidMappings()).containsExactly(IdMapping.of(0, 100000, 65536));
        assertThat(linux.gidMappings()).containsExactly(IdMapping.of(0, 100000, 65536));
        assertThat(new String(Json.write(linux), StandardCharsets.UTF_8)).contains("\"netDevices\":{\"eth1\":{}}")
                .contains("\"x-extra\":\"kept\"");
    }

    @Test
    void smallRecordsHaveFactoriesAndWithMethods() {
        assertThat(Mount.bind("/host/data", "/data", "ro").options()).containsExactly("rbind", "ro");
        assertThat(Hook.of("/bin/hook", "hook", "-v").withTimeout(5).withEnv(List.of("A=1")).timeout()).contains(5);
        assertThat(Capabilities.of(List.of("CAP_KILL")).withAmbient(List.of("CAP_KILL")))
                .isEqualTo(new Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), List.of(), List.of("CAP_KILL"),
                        List.of("CAP_KILL"), null));
        assertThat(User.of(5, 6).withUmask(18).withAdditionalGids(List.of(7L)).additionalGids()).containsExactly(7L);
        Seccomp seccomp = Seccomp.of(Seccomp.ACT_ERRNO).withDefaultErrnoRet(1)
                .withSyscalls(List.of(Seccomp.Syscall.of(Seccomp.ACT_ALLOW, "read", "write")
                        .withArgs(List.of(Seccomp.Arg.of(0, "SCMP_CMP_MASKED_EQ", -1L, 0)))));
        assertThat(new String(Json.write(seccomp), StandardCharsets.UTF_8)).isEqualTo("{\"defaultAction\":"
                + "\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":"
                + "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":18446744073709551615,\"valueTwo\":0,"
                + "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}");
        assertThat(Device.charDevice("/dev/null", 1, 3).withMode(0666, 0, 0).fileMode()).contains(438L);
        assertThat(Resources.Cpu.EMPTY.withQuota(50000, 100000).withCpus("0-1").quota()).contains(50000L);
        assertThat(Hooks.builder().build().hasAny()).isFalse();
        assertThat(Hooks.builder().poststop(Hook.of("/bin/true")).build().hasAny()).isTrue();
    }
}
