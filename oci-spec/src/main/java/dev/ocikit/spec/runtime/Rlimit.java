package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import dev.ocikit.spec.internal.Uint64;
import java.util.Map;

/**
 * An entry of {@code process.rlimits}: a POSIX resource limit. Immutable and thread-safe.
 *
 * <p>{@code soft} and {@code hard} are {@code uint64}s carried in a {@code long}'s bits: a value
 * above {@link Long#MAX_VALUE} reads as negative, and {@link #INFINITY} ({@code -1L}) is
 * 18446744073709551615, Linux's {@code RLIM_INFINITY}. Compare with {@link Long#compareUnsigned}
 * and print with {@link Long#toUnsignedString(long)}.
 *
 * @param type the resource, {@code RLIMIT_NOFILE} and so on; a string, as kernels add resources
 */
@JsonPropertyOrder({"type", "hard", "soft"})
public record Rlimit(
        @JsonInclude(JsonInclude.Include.ALWAYS) String type,
        @Uint64 Long soft,
        @Uint64 Long hard,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** {@code RLIM_INFINITY}, 18446744073709551615 as a uint64. */
    public static final long INFINITY = -1L;

    public Rlimit {
        Fields.required(type, "type");
        Fields.required(soft, "soft");
        Fields.required(hard, "hard");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** Limit {@code type} to {@code soft}, with ceiling {@code hard}. */
    public static Rlimit of(String type, long soft, long hard) {
        return new Rlimit(type, soft, hard, Map.of());
    }
}
