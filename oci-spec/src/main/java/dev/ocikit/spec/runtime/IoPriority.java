package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;

/**
 * {@code process.ioPriority}: the I/O scheduling class and level of the container's processes
 * (1.1+). Immutable and thread-safe.
 *
 * @param ioClass JSON {@code class}: {@code IOPRIO_CLASS_RT}, {@code IOPRIO_CLASS_BE} or {@code IOPRIO_CLASS_IDLE}
 * @param priority 0 (highest) to 7 (lowest) within the class
 */
@JsonPropertyOrder({"class", "priority"})
public record IoPriority(
        @JsonProperty("class") @JsonInclude(JsonInclude.Include.ALWAYS) String ioClass,
        Integer priority,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public static final String CLASS_RT = "IOPRIO_CLASS_RT";
    public static final String CLASS_BE = "IOPRIO_CLASS_BE";
    public static final String CLASS_IDLE = "IOPRIO_CLASS_IDLE";

    public IoPriority {
        Fields.required(ioClass, "class");
        Fields.required(priority, "priority");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static IoPriority of(String ioClass, int priority) {
        return new IoPriority(ioClass, priority, Map.of());
    }
}
