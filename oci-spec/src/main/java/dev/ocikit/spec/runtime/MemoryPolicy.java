package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code linux.memoryPolicy} (1.3+): the NUMA policy set with {@code set_mempolicy(2)}.
 * Immutable and thread-safe.
 *
 * @param mode {@code MPOL_DEFAULT}, {@code MPOL_BIND}, {@code MPOL_INTERLEAVE},
 *     {@code MPOL_WEIGHTED_INTERLEAVE}, {@code MPOL_PREFERRED}, {@code MPOL_PREFERRED_MANY} or {@code MPOL_LOCAL}
 * @param nodes memory nodes in cpuset syntax, {@code 0-3,7}
 * @param flags {@code MPOL_F_*} mode flags
 */
@JsonPropertyOrder({"mode", "nodes", "flags"})
public record MemoryPolicy(
        @JsonInclude(JsonInclude.Include.ALWAYS) String mode,
        Optional<String> nodes,
        List<String> flags,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public MemoryPolicy {
        Fields.required(mode, "mode");
        nodes = Check.opt(nodes);
        flags = Fields.list(flags, "flags");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static MemoryPolicy of(String mode, String nodes, String... flags) {
        return new MemoryPolicy(mode, Optional.ofNullable(nodes), List.of(flags), Map.of());
    }
}
