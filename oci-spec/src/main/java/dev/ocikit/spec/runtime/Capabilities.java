package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * {@code process.capabilities}: the Linux capability sets the process keeps, by name
 * ({@code CAP_KILL}). Names are strings, not an enum: kernels add capabilities, and the runtime,
 * not this model, decides which it can grant. Immutable and thread-safe.
 */
@JsonPropertyOrder({"bounding", "effective", "inheritable", "permitted", "ambient"})
public record Capabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** No capabilities in any set. */
    public static final Capabilities NONE = new Capabilities(null, null, null, null, null, null);

    public Capabilities {
        bounding = Fields.list(bounding, "bounding");
        effective = Fields.list(effective, "effective");
        inheritable = Fields.list(inheritable, "inheritable");
        permitted = Fields.list(permitted, "permitted");
        ambient = Fields.list(ambient, "ambient");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /**
     * {@code capabilities} in the bounding, effective and permitted sets: what a process running
     * as root (uid 0 in its namespace) needs to hold them. A non-root process also needs them in
     * the ambient set; see {@link #withAmbient}.
     */
    public static Capabilities of(Collection<String> capabilities) {
        List<String> c = List.copyOf(capabilities);
        return new Capabilities(c, c, List.of(), c, List.of(), Map.of());
    }

    public Capabilities withBounding(List<String> value) {
        return new Capabilities(value, effective, inheritable, permitted, ambient, unknownFields);
    }

    public Capabilities withEffective(List<String> value) {
        return new Capabilities(bounding, value, inheritable, permitted, ambient, unknownFields);
    }

    public Capabilities withInheritable(List<String> value) {
        return new Capabilities(bounding, effective, value, permitted, ambient, unknownFields);
    }

    public Capabilities withPermitted(List<String> value) {
        return new Capabilities(bounding, effective, inheritable, value, ambient, unknownFields);
    }

    public Capabilities withAmbient(List<String> value) {
        return new Capabilities(bounding, effective, inheritable, permitted, value, unknownFields);
    }
}
