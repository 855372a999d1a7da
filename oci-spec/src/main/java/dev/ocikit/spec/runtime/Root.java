package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;
import java.util.Optional;

/**
 * {@code root}: the container's root filesystem. Immutable and thread-safe.
 *
 * @param path the root filesystem, absolute or relative to the bundle (conventionally {@code rootfs})
 * @param readonly whether the root filesystem is read-only in the container (absent means false)
 */
@JsonPropertyOrder({"path", "readonly"})
public record Root(
        @JsonInclude(JsonInclude.Include.ALWAYS) String path,
        Optional<Boolean> readonly,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Root {
        Fields.required(path, "path");
        readonly = Check.opt(readonly);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A writable root at {@code path}. */
    public static Root of(String path) {
        return new Root(path, Optional.empty(), Map.of());
    }

    /** A read-only root at {@code path}. */
    public static Root readOnly(String path) {
        return new Root(path, Optional.of(true), Map.of());
    }

    public Root withReadonly(boolean value) {
        return new Root(path, Optional.of(value), unknownFields);
    }
}
