package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;
import java.util.Optional;

/**
 * A value of {@code linux.timeOffsets}: how far a clock (the map key, {@code boottime} or
 * {@code monotonic}) in the container's time namespace is ahead of the host's. Immutable and
 * thread-safe.
 *
 * @param secs seconds (int64)
 * @param nanosecs additional nanoseconds (uint32)
 */
@JsonPropertyOrder({"secs", "nanosecs"})
public record TimeOffset(
        Optional<Long> secs,
        Optional<Long> nanosecs,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public static final String BOOTTIME = "boottime";
    public static final String MONOTONIC = "monotonic";

    public TimeOffset {
        secs = Check.opt(secs);
        nanosecs = Check.uint32(nanosecs, "nanosecs");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static TimeOffset of(long secs, long nanosecs) {
        return new TimeOffset(Optional.of(secs), Optional.of(nanosecs), Map.of());
    }
}
