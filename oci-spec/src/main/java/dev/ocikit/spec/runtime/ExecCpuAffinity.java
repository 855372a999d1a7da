package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;
import java.util.Optional;

/**
 * {@code process.execCPUAffinity}: the CPUs an exec'd process (not the init process) runs on
 * (1.2.1+). CPU lists use the cpuset syntax, {@code 0-3,7}. Immutable and thread-safe.
 *
 * @param initialCpus JSON {@code initial}: CPUs before the process joins the container's cgroup
 * @param finalCpus JSON {@code final}: CPUs after it joined; absent lets the kernel decide
 */
@JsonPropertyOrder({"initial", "final"})
public record ExecCpuAffinity(
        @JsonProperty("initial") Optional<String> initialCpus,
        @JsonProperty("final") Optional<String> finalCpus,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public ExecCpuAffinity {
        initialCpus = Check.opt(initialCpus);
        finalCpus = Check.opt(finalCpus);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static ExecCpuAffinity of(String initialCpus, String finalCpus) {
        return new ExecCpuAffinity(Optional.ofNullable(initialCpus), Optional.ofNullable(finalCpus), Map.of());
    }
}
