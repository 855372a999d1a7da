package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;
import java.util.Optional;

/**
 * A value of {@code linux.netDevices} (1.3+): a host network interface, named by the map key,
 * moved into the container's network namespace. Immutable and thread-safe.
 *
 * @param name its name in the container; absent keeps the host name (a trailing {@code %d} lets
 *     the kernel pick a free number)
 */
@JsonPropertyOrder({"name"})
public record NetDevice(
        Optional<String> name,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** Moved under its host name. */
    public static final NetDevice KEEP_NAME = new NetDevice(null, null);

    public NetDevice {
        name = Check.opt(name);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** Moved and renamed to {@code name}. */
    public static NetDevice renamedTo(String name) {
        return new NetDevice(Optional.of(name), Map.of());
    }
}
