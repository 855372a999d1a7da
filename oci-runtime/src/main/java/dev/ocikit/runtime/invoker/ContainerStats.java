package dev.ocikit.runtime.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * The figures of a {@code stats} event that callers usually want, each absent when the runtime
 * (or the cgroup version) does not report it; everything else is in {@link #raw()}. Immutable.
 *
 * @param cpuTotalNanos CPU time used, nanoseconds ({@code cpu.usage.total})
 * @param memoryUsageBytes memory in use ({@code memory.usage.usage})
 * @param memoryLimitBytes the memory limit ({@code memory.usage.limit})
 * @param pidsCurrent the number of tasks ({@code pids.current})
 * @param pidsLimit the task limit, 0 for none ({@code pids.limit})
 * @param raw the event's {@code data} (a deep copy)
 */
public record ContainerStats(OptionalLong cpuTotalNanos, OptionalLong memoryUsageBytes, OptionalLong memoryLimitBytes,
        OptionalLong pidsCurrent, OptionalLong pidsLimit, JsonNode raw) {

    public ContainerStats {
        raw = raw == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : raw.deepCopy();
    }

    @Override
    public JsonNode raw() {
        return raw.deepCopy();
    }

    static ContainerStats of(JsonNode data) {
        return new ContainerStats(num(data.at("/cpu/usage/total")), num(data.at("/memory/usage/usage")),
                num(data.at("/memory/usage/limit")), num(data.at("/pids/current")), num(data.at("/pids/limit")), data);
    }

    private static OptionalLong num(JsonNode n) {
        return n.isIntegralNumber() ? OptionalLong.of(n.asLong()) : OptionalLong.empty();
    }
}
