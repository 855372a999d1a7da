package dev.ocikit.runtime.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One line of {@code events}: {@code {"type":"stats"|"oom"|…,"id":…,"data":{…}}}. Immutable.
 *
 * @param type {@code stats}, {@code oom}, {@code memoryThreshold} … as the runtime names it
 * @param id the container id
 * @param data the event's payload (a deep copy; may be a missing node)
 */
public record RuntimeEvent(String type, String id, JsonNode data) {

    public RuntimeEvent {
        data = data == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : data.deepCopy();
    }

    @Override
    public JsonNode data() {
        return data.deepCopy();
    }

    /** Whether the container hit its memory limit. */
    public boolean isOom() {
        return "oom".equals(type);
    }

    /** The typed statistics of a {@code stats} event. */
    public Optional<ContainerStats> stats() {
        return "stats".equals(type) ? Optional.of(ContainerStats.of(data)) : Optional.empty();
    }
}
