package dev.ocikit.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.runtime.IdMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdMappingsTest {
    @TempDir
    Path tmp;

    @Test
    void subordinateRangesFollowTheOwnId() throws IOException {
        Path subuid = Files.writeString(tmp.resolve("subuid"), "other:200000:65536\nalice:100000:65536\n# c\n1000:300000:10\n");
        Path subgid = Files.writeString(tmp.resolve("subgid"), "alice:100000:65536\n");
        IdMappings m = IdMappings.forUser("alice", 1000, 1001, subuid, subgid);
        assertThat(m.uidMappings()).containsExactly(IdMapping.of(0, 1000, 1), IdMapping.of(1, 100000, 65536),
                IdMapping.of(65537, 300000, 10));
        assertThat(m.gidMappings()).containsExactly(IdMapping.of(0, 1001, 1), IdMapping.of(1, 100000, 65536));
        assertThat(m.hostUid(0)).contains(1000L);
        assertThat(m.hostUid(1000)).contains(100999L);
        assertThat(m.hostUid(70000)).isEmpty();
        assertThat(m.hostGid(1)).contains(100000L);
    }

    @Test
    void withoutRangesTheOwnIdIsRoot() {
        IdMappings m = IdMappings.forUser("bob", 1234, 1234, tmp.resolve("none"), tmp.resolve("none2"));
        assertThat(m).isEqualTo(IdMappings.single(1234, 1234));
        assertThat(m.uidMappings()).containsExactly(IdMapping.of(0, 1234, 1));
    }

    @Test
    void malformedLinesAreTypedErrorsWithTheLine() throws IOException {
        for (Map.Entry<String, String> bad : Map.of("alice:x:10\n", "start", "alice:1\n", "expected",
                "ok:1:1\nalice:1:0\n", ":2:", ":1:99999999999\n", "count").entrySet()) {
            Path f = Files.writeString(tmp.resolve("bad"), bad.getKey());
            assertThatThrownBy(() -> IdMappings.forUser("alice", 1, 1, f, f)).as(bad.getKey())
                    .isInstanceOf(IdMappingException.class).hasMessageContaining(bad.getValue())
                    .hasMessageContaining(f.toString());
        }
    }

    @Test
    void overlappingOrEmptyMappingsAreRefused() {
        assertThatThrownBy(() -> IdMappings.of(List.of(), List.of(IdMapping.of(0, 1, 1))))
                .isInstanceOf(IdMappingException.class);
        assertThatThrownBy(() -> IdMappings.of(List.of(IdMapping.of(0, 1000, 10), IdMapping.of(5, 5000, 10)),
                List.of(IdMapping.of(0, 1, 1)))).isInstanceOf(IdMappingException.class).hasMessageContaining("overlap");
        assertThatThrownBy(() -> IdMappings.of(List.of(IdMapping.of(0, 1000, 1), IdMapping.of(1, 1000, 10)),
                List.of(IdMapping.of(0, 1, 1)))).isInstanceOf(IdMappingException.class);
    }

    @Test
    void currentUserIsMappedToRoot() {
        IdMappings m = IdMappings.forCurrentUser();
        assertThat(m.uidMappings().get(0).containerId()).isZero();
        assertThat(m.uidMappings().get(0).hostId()).isEqualTo(HostFacts.detect().euid());
    }

    @Test
    void procLimitsAreParsed() {
        String text = "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max processes             96365                96365                processes \n"
                + "Max open files            1024                 20000                files     \n"
                + "Max file size             unlimited            unlimited            bytes     \n"
                + "Max file locks            unlimited            5                    locks     \n";
        assertThat(HostFacts.parseLimits(text)).containsEntry("RLIMIT_NOFILE", 20000L)
                .containsEntry("RLIMIT_NPROC", 96365L).containsEntry("RLIMIT_FSIZE", -1L)
                .containsEntry("RLIMIT_LOCKS", 5L);
        assertThat(HostFacts.detect().hardLimit("RLIMIT_NOFILE")).isPositive();
    }
}
