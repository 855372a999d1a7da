package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;

/**
 * {@code linux.personality}: the {@code personality(2)} execution domain. Immutable and
 * thread-safe.
 *
 * @param domain {@link #LINUX} or {@link #LINUX32} (which makes {@code uname} report a 32-bit machine)
 * @param flags additional flags; the spec defines none yet
 */
@JsonPropertyOrder({"domain", "flags"})
public record Personality(
        @JsonInclude(JsonInclude.Include.ALWAYS) String domain,
        List<String> flags,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public static final String LINUX = "LINUX";
    public static final String LINUX32 = "LINUX32";

    public Personality {
        Fields.required(domain, "domain");
        flags = Fields.list(flags, "flags");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static Personality of(String domain) {
        return new Personality(domain, List.of(), Map.of());
    }
}
