package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionGateTest {

    private static RuntimeVersion runc(String version, String commit) {
        return RuntimeVersion.parse("runc", "runc version " + version + "\ncommit: " + commit
                + "\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n");
    }

    @Test
    void parsesRuncVersionOutput() {
        RuntimeVersion v = runc("1.1.5+ds1", "1.1.5+ds1-1+deb12u1");
        assertThat(v.runtime()).isEqualTo("runc");
        assertThat(v.version()).isEqualTo("1.1.5+ds1");
        assertThat(v.commit()).contains("1.1.5+ds1-1+deb12u1");
        assertThat(v.specVersion()).contains("1.0.2-dev");
    }

    @Test
    void parsesCrunVersionOutput() {
        RuntimeVersion v = RuntimeVersion.parse("crun", "crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\n"
                + "rundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL\n");
        assertThat(v.runtime()).isEqualTo("crun");
        assertThat(v.version()).isEqualTo("1.8.1");
        assertThat(v.specVersion()).contains("1.0.0");
        assertThat(VersionGate.check(v)).isEmpty();
    }

    @Test
    void garbageVersionOutputIsATypedError() {
        assertThatThrownBy(() -> RuntimeVersion.parse("runc", "Segmentation fault"))
                .isInstanceOf(RuntimeOutputException.class)
                .hasMessageContaining("--version");
    }

    @Test
    void acceptsDebianBookwormBackport() {
        assertThat(VersionGate.check(runc("1.1.5+ds1", "1.1.5+ds1-1+deb12u1"))).isEmpty();
        assertThat(VersionGate.check(runc("1.1.5+ds1", "1.1.5+ds1-1+deb12u3"))).isEmpty();
    }

    @Test
    void refusesUnpatchedDebianBuildNamingCve() {
        Optional<VersionGate.Refusal> r = VersionGate.check(runc("1.1.5+ds1", "1.1.5+ds1-1"));
        assertThat(r).isPresent();
        assertThat(r.get().affected()).isTrue();
        assertThat(r.get().message()).contains("CVE-2024-21626").contains("1.1.12");
    }

    @Test
    void refusesUpstream1111AndAccepts1112() {
        assertThat(VersionGate.check(runc("1.1.11", "v1.1.11-0-g4bccb38c"))).get()
                .extracting(VersionGate.Refusal::message).asString().contains("CVE-2024-21626");
        assertThat(VersionGate.check(runc("1.1.12", "v1.1.12-0-g51d5e946"))).isEmpty();
        assertThat(VersionGate.check(runc("1.2.0-rc.1", "x"))).isEmpty();
        assertThat(VersionGate.check(runc("1.3.0", "x"))).isEmpty();
    }

    @Test
    void refusesPre5736Runc() {
        Optional<VersionGate.Refusal> r = VersionGate.check(runc("1.0.0-rc6", "x"));
        assertThat(r).get().extracting(VersionGate.Refusal::message).asString()
                .contains("CVE-2019-5736").contains("1.0.0-rc7");
        // rc7 and Debian's "~rc93" spelling sort after rc6 but before 1.1.12
        assertThat(VersionGate.check(runc("1.0.0~rc93+ds1", "1.0.0~rc93+ds1-5+deb11u2")).get().message())
                .contains("CVE-2024-21626");
    }

    @Test
    void releaseCandidatesSortBeforeTheRelease() {
        assertThat(VersionGate.Ver.parse("1.0.0-rc7").get()).isLessThan(VersionGate.Ver.parse("1.0.0").get());
        assertThat(VersionGate.Ver.parse("1.0.0-rc10").get()).isGreaterThan(VersionGate.Ver.parse("1.0.0-rc7").get());
        assertThat(VersionGate.Ver.parse("1.1.12").get()).isGreaterThan(VersionGate.Ver.parse("1.1.5+ds1").get());
        assertThat(VersionGate.Ver.parse("banana")).isEmpty();
    }

    @Test
    void unknownRuntimeIsUnverifiedNotAffected() {
        RuntimeVersion v = RuntimeVersion.parse("runsc", "runsc version release-20231009.0\nspec: 1.1.0-rc.1\n");
        Optional<VersionGate.Refusal> r = VersionGate.check(v);
        assertThat(r).isPresent();
        assertThat(r.get().affected()).isFalse();
        assertThat(r.get().message()).contains("allowUnverifiedVersion");
    }

    @Test
    void oldCrunRefused() {
        RuntimeVersion v = RuntimeVersion.parse("crun", "crun version 0.9\nspec: 1.0.0\n");
        assertThat(VersionGate.check(v)).get().extracting(VersionGate.Refusal::affected).isEqualTo(true);
    }
}
