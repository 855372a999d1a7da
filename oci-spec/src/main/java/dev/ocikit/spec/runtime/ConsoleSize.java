package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;

/**
 * {@code process.consoleSize}: the terminal's size in characters (ignored unless
 * {@code terminal} is true). Immutable and thread-safe.
 */
@JsonPropertyOrder({"height", "width"})
public record ConsoleSize(
        Long height,
        Long width,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public ConsoleSize {
        Check.nonNegative(Fields.required(height, "height"), "height");
        Check.nonNegative(Fields.required(width, "width"), "width");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static ConsoleSize of(long height, long width) {
        return new ConsoleSize(height, width, Map.of());
    }
}
