package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputParsingTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listMapsRuncEntries() {
        var list = RuntimeCli.parseList("runc", b("[{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"pid\":6774,"
                + "\"status\":\"created\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":\"2026-01-01T00:00:00Z\","
                + "\"owner\":\"root\"}]"));
        assertThat(list).hasSize(1);
        ContainerSummary c = list.get(0);
        assertThat(c.id()).isEqualTo("c1");
        assertThat(c.pid()).isEqualTo(6774);
        assertThat(c.status()).isEqualTo("created");
        assertThat(c.rootfs()).contains("/b/rootfs");
        assertThat(c.owner()).contains("root");
        assertThat(c.annotations()).isEmpty();
    }

    @Test
    void emptyListIsNull() {
        assertThat(RuntimeCli.parseList("runc", b("null\n"))).isEmpty();
    }

    @Test
    void malformedListNamesTheCommand() {
        assertThatThrownBy(() -> RuntimeCli.parseList("runc", b("[{\"id\":")))
                .isInstanceOf(RuntimeOutputException.class)
                .hasMessageContaining("runc list")
                .satisfies(e -> assertThat(((RuntimeOutputException) e).command()).isEqualTo("list"));
        assertThatThrownBy(() -> RuntimeCli.parseList("runc", b("{\"id\":\"x\"}")))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("array");
        assertThatThrownBy(() -> RuntimeCli.parseList("runc", b("[{\"id\":\"x\",\"status\":\"running\"}]")))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("bundle");
        assertThatThrownBy(() -> RuntimeCli.parseList("runc",
                b("[{\"id\":\"x\",\"status\":\"running\",\"bundle\":\"/b\",\"pid\":\"7\"}]")))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("pid");
    }

    @Test
    void psParsesPids() {
        assertThat(RuntimeCli.parsePs("runc", b("[6774,6800]\n"))).containsExactly(6774L, 6800L);
        assertThatThrownBy(() -> RuntimeCli.parsePs("runc", b("[\"a\"]")))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("runc ps");
        assertThatThrownBy(() -> RuntimeCli.parsePs("runc", b("")))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("no output");
        assertThatThrownBy(() -> RuntimeCli.parsePs("runc", b("PID CMD")))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("not JSON");
    }

    @Test
    void statsEventIsTyped() {
        RuntimeEvent e = RuntimeCli.parseEvent("runc", "events --stats", "{\"type\":\"stats\",\"id\":\"c1\",\"data\":"
                + "{\"cpu\":{\"usage\":{\"total\":15487274}},\"memory\":{\"usage\":{\"limit\":100,\"usage\":42}},"
                + "\"pids\":{\"current\":1}}}");
        assertThat(e.type()).isEqualTo("stats");
        ContainerStats s = e.stats().orElseThrow();
        assertThat(s.cpuTotalNanos()).hasValue(15487274L);
        assertThat(s.memoryUsageBytes()).hasValue(42L);
        assertThat(s.memoryLimitBytes()).hasValue(100L);
        assertThat(s.pidsCurrent()).hasValue(1L);
        assertThat(s.pidsLimit()).isEmpty();
        assertThatThrownBy(() -> RuntimeCli.parseEvent("runc", "events", "[]"))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("runc events");
        assertThatThrownBy(() -> RuntimeCli.parseEvent("runc", "events", "{\"id\":\"c\"}"))
                .isInstanceOf(RuntimeOutputException.class).hasMessageContaining("type");
    }
}
