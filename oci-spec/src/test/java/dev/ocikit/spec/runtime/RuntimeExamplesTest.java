package dev.ocikit.spec.runtime;

import static dev.ocikit.spec.testing.JsonAssert.assertSemanticallyEqual;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Our own example documents, using every field, read and written back. */
class RuntimeExamplesTest {

    static byte[] resource(String name) {
        try (InputStream in = RuntimeExamplesTest.class.getResourceAsStream("/examples/runtime/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void fullConfigRoundTrips() {
        byte[] json = resource("config.json");
        Spec spec = Spec.parse(json);
        assertSemanticallyEqual(json, spec);
        // and once more from our own output, to be sure writing is stable
        assertSemanticallyEqual(json, Spec.parse(Json.write(spec)));
        assertThat(Spec.parse(Json.write(spec))).isEqualTo(spec);
    }

    @Test
    void fullConfigHasTypedValues() {
        Spec spec = Spec.parse(resource("config.json"));
        assertThat(spec.ociVersion()).isEqualTo("1.3.0");
        Process p = spec.process().orElseThrow();
        assertThat(p.terminal()).contains(false);
        assertThat(p.terminal().orElse(false)).isFalse();
        assertThat(p.noNewPrivileges()).contains(false);
        assertThat(p.oomScoreAdj()).contains(-999);
        assertThat(p.args()).containsExactly("/usr/local/bin/kettle", "--brew", "");
        assertThat(p.envValue("KETTLE_MODE")).contains("oolong");
        assertThat(p.envValue("EMPTY")).contains("");
        assertThat(p.envValue("MISSING")).isEmpty();
        assertThat(p.consoleSize()).contains(ConsoleSize.of(40, 132));
        User user = p.user().orElseThrow();
        assertThat(user.uid()).isEqualTo(4294967295L);
        assertThat(user.gid()).isEqualTo(4294967294L);
        assertThat(user.umask()).contains(18L);
        assertThat(user.additionalGids()).containsExactly(0L, 27L, 4294967295L);
        assertThat(user.username()).contains("builder");
        assertThat(p.capabilities().orElseThrow().ambient()).containsExactly("CAP_NET_BIND_SERVICE");
        assertThat(p.rlimits()).extracting(Rlimit::type).containsExactly("RLIMIT_NOFILE", "RLIMIT_CORE");
        assertThat(p.rlimits().get(1).hard()).isEqualTo(Rlimit.INFINITY);
        assertThat(p.rlimits().get(1).soft()).isZero();
        Scheduler scheduler = p.scheduler().orElseThrow();
        assertThat(scheduler.policy()).isEqualTo("SCHED_DEADLINE");
        assertThat(scheduler.nice()).contains(-5);
        assertThat(scheduler.priority()).contains(0);
        assertThat(Long.toUnsignedString(scheduler.period().orElseThrow())).isEqualTo("18446744073709551614");
        assertThat(p.ioPriority()).contains(IoPriority.of(IoPriority.CLASS_BE, 0));
        assertThat(p.execCpuAffinity()).contains(ExecCpuAffinity.of("3", "0-2,5"));
        assertThat(p.selinuxLabel()).contains("system_u:system_r:container_t:s0:c7,c42");
        assertThat(p.commandLine()).contains("kettle.exe --brew");

        assertThat(spec.root()).contains(Root.of("/var/lib/kettle/rootfs").withReadonly(false));
        assertThat(spec.hostname()).contains("kettle-7");
        assertThat(spec.domainname()).contains("tea.example");
        assertThat(spec.annotations()).containsEntry("dev.ocikit.example.empty", "");
        Mount leaves = spec.mount("/srv/leaves").orElseThrow();
        assertThat(leaves.options()).containsExactly("rbind", "ro", "idmap");
        assertThat(leaves.uidMappings()).containsExactly(IdMapping.of(0, 200000, 65536));

        Hooks hooks = spec.hooks().orElseThrow();
        assertThat(hooks.prestart()).extracting(Hook::path).containsExactly("/opt/hooks/legacy-net");
        assertThat(hooks.createRuntime().get(0).timeout()).contains(7);
        assertThat(hooks.createRuntime().get(0).env()).containsExactly("HOOK_DEBUG=1");
        assertThat(hooks.createContainer()).hasSize(1);
        assertThat(hooks.startContainer()).extracting(Hook::path).containsExactly("/sbin/ldconfig");
        assertThat(hooks.poststart().get(0).timeout()).contains(1);
        assertThat(hooks.poststop().get(0).args()).containsExactly("sweep", "-q");
    }

    @Test
    void fullConfigLinuxSection() {
        Linux linux = Spec.parse(resource("config.json")).linux().orElseThrow();
        assertThat(linux.uidMappings().get(0).size()).isEqualTo(4294967295L);
        assertThat(linux.gidMappings().get(1)).isEqualTo(IdMapping.of(4294967294L, 4294967295L, 1));
        assertThat(linux.sysctl()).containsEntry("kernel.domainname", "");
        assertThat(linux.cgroupsPath()).contains("kettle.slice:ocikit:kettle-7");
        assertThat(linux.namespaces()).extracting(Namespace::type)
                .containsExactly("pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time");
        assertThat(linux.namespace(Namespace.NETWORK).orElseThrow().path()).contains("/run/netns/tea");
        assertThat(linux.devices().get(0).uid()).contains(4294967295L);
        assertThat(linux.devices().get(1).type()).isEqualTo("p");
        assertThat(linux.devices().get(1).major()).isEmpty();
        assertThat(linux.netDevices()).containsEntry("eth7", NetDevice.renamedTo("tea_eth0"))
                .containsEntry("dummy3", NetDevice.KEEP_NAME);
        assertThat(linux.rootfsPropagation()).contains("rslave");
        assertThat(linux.maskedPaths()).containsExactly("/proc/kcore", "/sys/firmware");
        assertThat(linux.readonlyPaths()).containsExactly("/proc/sys");
        assertThat(linux.mountLabel()).isPresent();
        IntelRdt rdt = linux.intelRdt().orElseThrow();
        assertThat(rdt.closId()).contains("tea-group");
        assertThat(rdt.schemata()).hasSize(2);
        assertThat(rdt.enableMonitoring()).contains(true);
        assertThat(rdt.enableCmt()).contains(false);
        assertThat(rdt.enableMbm()).contains(true);
        assertThat(linux.memoryPolicy()).contains(MemoryPolicy.of("MPOL_INTERLEAVE", "0-1", "MPOL_F_STATIC_NODES"));
        assertThat(linux.personality()).contains(Personality.of(Personality.LINUX32));
        assertThat(linux.timeOffsets().get(TimeOffset.BOOTTIME)).isEqualTo(TimeOffset.of(-3600, 4294967295L));
        assertThat(linux.timeOffsets().get(TimeOffset.MONOTONIC).nanosecs()).contains(0L);

        Seccomp seccomp = linux.seccomp().orElseThrow();
        assertThat(seccomp.defaultAction()).isEqualTo(Seccomp.ACT_ERRNO);
        assertThat(seccomp.defaultErrnoRet()).contains(1L);
        assertThat(seccomp.flags()).containsExactly("SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        assertThat(seccomp.listenerPath()).contains("/run/kettle/seccomp.sock");
        assertThat(seccomp.listenerMetadata()).contains("TEA=oolong");
        assertThat(seccomp.syscalls()).hasSize(4);
        Seccomp.Arg masked = seccomp.syscalls().get(1).args().get(1);
        assertThat(masked.value()).isEqualTo(-1L);
        assertThat(masked.valueTwo()).contains(0L);
        assertThat(masked.unknownFields()).containsKey("x-ocikit-arg-extra");
        assertThat(seccomp.syscalls().get(2).errnoRet()).contains(38L);

        Resources r = linux.resources().orElseThrow();
        assertThat(r.devices().get(0)).isEqualTo(Resources.DeviceRule.denyAll());
        assertThat(r.devices().get(1)).isEqualTo(Resources.DeviceRule.allow("c", 1, 3, "rw"));
        Resources.Memory memory = r.memory().orElseThrow();
        assertThat(memory.limit()).contains(-1L);
        assertThat(memory.swap()).contains(-1L);
        assertThat(memory.kernel()).contains(0L);
        assertThat(memory.swappiness()).contains(-1L);
        assertThat(memory.disableOomKiller()).contains(false);
        assertThat(memory.useHierarchy()).contains(true);
        assertThat(memory.checkBeforeUpdate()).contains(false);
        Resources.Cpu cpu = r.cpu().orElseThrow();
        assertThat(cpu.quota()).contains(-1L);
        assertThat(cpu.burst()).contains(0L);
        assertThat(cpu.cpus()).contains("0-3,7");
        assertThat(cpu.idle()).contains(1L);
        assertThat(r.pids()).contains(Resources.Pids.of(-1));
        Resources.BlockIo io = r.blockIo().orElseThrow();
        assertThat(io.weight()).contains(65535);
        assertThat(io.leafWeight()).contains(0);
        assertThat(io.weightDevice().get(1)).isEqualTo(Resources.WeightDevice.of(259, 1, 50));
        assertThat(io.throttleWriteBpsDevice().get(0).rate()).isEqualTo(-1L);
        assertThat(io.throttleReadIopsDevice()).containsExactly(Resources.ThrottleDevice.of(259, 1, 2000));
        assertThat(io.throttleWriteIopsDevice().get(0).rate()).isZero();
        assertThat(r.hugepageLimits()).containsExactly(
                Resources.HugepageLimit.of("2MB", -1L), Resources.HugepageLimit.of("1GB", 0));
        assertThat(r.network().orElseThrow().classId()).contains(4294967295L);
        assertThat(r.network().orElseThrow().priorities()).containsExactly(Resources.InterfacePriority.of("tea0", 7));
        assertThat(r.rdma().get("mlx5_0").hcaObjects()).contains(4294967295L);
        assertThat(r.rdma().get("rxe1").hcaHandles()).isEmpty();
        assertThat(r.unified()).containsEntry("cpu.idle", "");
    }

    @Test
    void valuesAtTheEdgeOfTheirRangesAreWrittenExactly() {
        String written = new String(Json.write(Spec.parse(resource("config.json"))), StandardCharsets.UTF_8);
        assertThat(written)
                .contains("\"uid\":4294967295")
                .contains("\"limit\":-1,")
                .contains("\"swappiness\":18446744073709551615")
                .contains("\"hard\":18446744073709551615")
                .contains("\"value\":18446744073709551615")
                .contains("\"terminal\":false")
                .contains("\"oomScoreAdj\":-999")
                .contains("\"dummy3\":{}")
                .contains("\"dev.ocikit.example.empty\":\"\"")
                .contains("\"kernel.domainname\":\"\"");
    }

    @Test
    void unknownFieldsSurviveAtEveryLevel() {
        Spec spec = Spec.parse(resource("config.json"));
        assertThat(spec.unknownFields()).containsKeys("windows", "solaris");
        assertThat(spec.unknownFields().get("windows").path("layerFolders").get(0).asText()).isEqualTo("C:\\layers\\base");
        Process p = spec.process().orElseThrow();
        assertThat(p.unknownFields().get("x-ocikit-process-extra").path("nested").size()).isEqualTo(3);
        assertThat(p.capabilities().orElseThrow().unknownFields()).containsKey("x-ocikit-cap-note");
        assertThat(spec.mounts().get(1).unknownFields().get("x-ocikit-mount-extra").asBoolean()).isTrue();
        assertThat(spec.hooks().orElseThrow().poststart().get(0).unknownFields()).containsKey("x-ocikit-hook-extra");
        Linux linux = spec.linux().orElseThrow();
        assertThat(linux.unknownFields()).containsKey("x-ocikit-linux-extra");
        assertThat(linux.resources().orElseThrow().memory().orElseThrow().unknownFields())
                .containsKey("x-ocikit-memory-extra");

        JsonNode written = Json.toTree(spec);
        assertThat(written.path("windows").path("servicing").isBoolean()).isTrue();
        assertThat(written.path("solaris").path("milestone").asText()).isEqualTo("svc:/milestone/container:default");
        assertThat(written.path("linux").path("resources").path("memory").path("x-ocikit-memory-extra").asText())
                .isEqualTo("kept");
        assertThat(written.path("linux").path("seccomp").path("syscalls").get(1).path("args").get(1)
                .path("x-ocikit-arg-extra").asInt()).isEqualTo(1);
    }

    @Test
    void stateRoundTrips() {
        byte[] json = resource("state.json");
        State state = State.parse(json);
        assertSemanticallyEqual(json, state);
        assertThat(state.ociVersion()).isEqualTo("1.2.1");
        assertThat(state.id()).isEqualTo("kettle-7");
        assertThat(state.status()).isEqualTo("running");
        assertThat(state.knownStatus()).contains(State.Status.RUNNING);
        assertThat(state.is(State.Status.RUNNING)).isTrue();
        assertThat(state.pid()).contains(31337);
        assertThat(state.bundle()).isEqualTo("/var/lib/kettle/bundles/kettle-7");
        assertThat(state.annotations()).containsEntry("dev.ocikit.example.empty", "");
        assertThat(state.unknownFields()).containsKeys("rootfs", "created", "owner");
        assertThat(new String(Json.write(state), StandardCharsets.UTF_8)).contains("\"owner\":\"\"");
    }

    @Test
    void stateKeepsStatusesOnlyItsRuntimeDefines() {
        State frozen = State.parse(("{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c\",\"status\":\"frozen\","
                + "\"bundle\":\"/b\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(frozen.status()).isEqualTo("frozen");
        assertThat(frozen.knownStatus()).isEmpty();
        assertThat(Json.toTree(frozen).path("status").asText()).isEqualTo("frozen");
        State paused = State.parse(("{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"paused\",\"pid\":0,"
                + "\"bundle\":\"/b\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(paused.knownStatus()).contains(State.Status.PAUSED);
        State stopped = State.of("1.3.0", "c", State.Status.STOPPED, null, "/b");
        assertThat(stopped.pid()).isEmpty();
    }

    @Test
    void featuresRoundTrip() {
        byte[] json = resource("features.json");
        Features features = Features.parse(json);
        assertSemanticallyEqual(json, features);
        assertThat(features.ociVersionMin()).isEqualTo("1.0.0");
        assertThat(features.ociVersionMax()).isEqualTo("1.3.0");
        assertThat(features.hooks().orElseThrow()).doesNotContain("prestart").contains("createRuntime");
        assertThat(features.mountOptions().orElseThrow()).contains("idmap");
        assertThat(features.potentiallyUnsafeConfigAnnotations().orElseThrow()).contains("org.systemd.property.");
        assertThat(features.annotations().orElseThrow()).containsEntry("dev.ocikit.example.empty", "");
        Features.Linux linux = features.linux().orElseThrow();
        assertThat(linux.namespaces().orElseThrow()).contains("time");
        assertThat(linux.capabilities().orElseThrow()).contains("CAP_CHECKPOINT_RESTORE");
        Features.Cgroup cgroup = linux.cgroup().orElseThrow();
        assertThat(cgroup.v1()).contains(false);
        assertThat(cgroup.v2()).contains(true);
        assertThat(cgroup.systemdUser()).contains(false);
        assertThat(cgroup.rdma()).contains(true);
        Features.Seccomp seccomp = linux.seccomp().orElseThrow();
        assertThat(seccomp.enabled()).contains(true);
        assertThat(seccomp.operators().orElseThrow()).contains("SCMP_CMP_MASKED_EQ");
        assertThat(seccomp.archs().orElseThrow()).contains("SCMP_ARCH_RISCV64");
        assertThat(seccomp.knownFlags().orElseThrow()).hasSize(2);
        assertThat(seccomp.supportedFlags()).contains(List.of());
        assertThat(linux.apparmor().orElseThrow().enabled()).contains(false);
        assertThat(linux.selinux().orElseThrow().enabled()).contains(true);
        assertThat(linux.intelRdt().orElseThrow().schemata()).contains(false);
        assertThat(linux.intelRdt().orElseThrow().monitoring()).contains(true);
        assertThat(linux.memoryPolicy().orElseThrow().flags()).contains(List.of());
        assertThat(linux.mountExtensions().orElseThrow().idmap().orElseThrow().enabled()).contains(true);
        assertThat(linux.netDevices().orElseThrow().unknownFields()).containsKey("x-ocikit-feature-extra");
        assertThat(linux.unknownFields()).containsKey("x-ocikit-linux-feature");
        assertThat(features.unknownFields().get("x-ocikit-features-extra").asInt()).isEqualTo(42);
    }

    @Test
    void featuresKeepEmptyApartFromUnknown() {
        Features features = Features.parse(resource("features.json"));
        String written = new String(Json.write(features), StandardCharsets.UTF_8);
        // [] says "none supported", absent says "unknown": the spec forbids confusing them
        assertThat(written).contains("\"supportedFlags\":[]").contains("\"flags\":[]");
        Features sparse = Features.parse(("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.1.0\","
                + "\"hooks\":null,\"mountOptions\":[],\"annotations\":{}}").getBytes(StandardCharsets.UTF_8));
        assertThat(sparse.hooks()).isEmpty();
        assertThat(sparse.mountOptions()).contains(List.of());
        assertThat(sparse.annotations()).contains(Map.of());
        assertThat(sparse.linux()).isEmpty();
        assertThat(new String(Json.write(sparse), StandardCharsets.UTF_8)).isEqualTo(
                "{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.1.0\",\"mountOptions\":[],\"annotations\":{}}");
    }

    @Test
    void featuresAcceptConfigVersionsInTheirRange() {
        Features runc = Features.parse(("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.0.2-dev\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(runc.accepts("1.0.0")).isTrue();
        assertThat(runc.accepts("1.0.2-dev")).isTrue();
        assertThat(runc.accepts("1.0.1")).isTrue();
        assertThat(runc.accepts("1.0.2")).isFalse();
        assertThat(runc.accepts("1.3.0")).isFalse();
        assertThat(runc.accepts("0.9.9")).isFalse();
    }

    @Test
    void optionalNumbersAndBooleansKeepExplicitZeroAndFalse() {
        Resources.Memory m = Resources.Memory.EMPTY.withDisableOomKiller(false).withSwappiness(0);
        assertThat(new String(Json.write(m), StandardCharsets.UTF_8))
                .isEqualTo("{\"swappiness\":0,\"disableOOMKiller\":false}");
        assertThat(Json.write(Resources.Memory.EMPTY)).asString(StandardCharsets.UTF_8).isEqualTo("{}");
        assertThat(Optional.of(Root.readOnly("rootfs")).map(Json::write).map(b -> new String(b, StandardCharsets.UTF_8)))
                .contains("{\"path\":\"rootfs\",\"readonly\":true}");
    }
}
