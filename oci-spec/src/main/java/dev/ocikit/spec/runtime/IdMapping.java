package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;

/**
 * A uid or gid mapping ({@code linux.uidMappings}, {@code mounts[].uidMappings} …): {@code size}
 * ids from {@code containerID} in the container map to ids from {@code hostID} on the host.
 * All three are {@code uint32} and held in {@code long}s so that 4294967295 fits. Immutable and
 * thread-safe.
 */
@JsonPropertyOrder({"containerID", "hostID", "size"})
public record IdMapping(
        @JsonProperty("containerID") Long containerId,
        @JsonProperty("hostID") Long hostId,
        Long size,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public IdMapping {
        Check.uint32(Fields.required(containerId, "containerID"), "containerID");
        Check.uint32(Fields.required(hostId, "hostID"), "hostID");
        Check.uint32(Fields.required(size, "size"), "size");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static IdMapping of(long containerId, long hostId, long size) {
        return new IdMapping(containerId, hostId, size, Map.of());
    }
}
