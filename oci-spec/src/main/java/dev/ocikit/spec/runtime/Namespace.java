package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An entry of {@code linux.namespaces}: a namespace the container gets, new or joined. Immutable
 * and thread-safe.
 *
 * <p>The type is a string, not an enum, on purpose: the spec has added types before ({@code time}
 * in 1.1) and a runtime advertises what it recognises in {@link Features.Linux#namespaces()}, so
 * a config written for a newer runtime must still read, and round-trip, here. Whether a type is
 * usable is the runtime's call; {@link #hasKnownType()} says whether runtime-spec 1.3 defines it.
 *
 * @param type {@link #PID}, {@link #NETWORK}, {@link #MOUNT}, {@link #IPC}, {@link #UTS},
 *     {@link #USER}, {@link #CGROUP}, {@link #TIME}, or a newer one
 * @param path an existing namespace to join (absolute, in the runtime's mount namespace);
 *     absent creates a new one
 */
@JsonPropertyOrder({"type", "path"})
public record Namespace(
        @JsonInclude(JsonInclude.Include.ALWAYS) String type,
        Optional<String> path,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public static final String PID = "pid";
    public static final String NETWORK = "network";
    public static final String MOUNT = "mount";
    public static final String IPC = "ipc";
    public static final String UTS = "uts";
    public static final String USER = "user";
    public static final String CGROUP = "cgroup";
    public static final String TIME = "time";

    /** The namespace types runtime-spec 1.3 defines. */
    public static final Set<String> KNOWN_TYPES = Set.of(PID, NETWORK, MOUNT, IPC, UTS, USER, CGROUP, TIME);

    public Namespace {
        Fields.required(type, "type");
        path = Check.opt(path);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A new namespace of {@code type}. */
    public static Namespace of(String type) {
        return new Namespace(type, Optional.empty(), Map.of());
    }

    /** Joins the existing namespace at {@code path} (for example {@code /proc/1234/ns/net}). */
    public static Namespace join(String type, String path) {
        return new Namespace(type, Optional.of(path), Map.of());
    }

    public boolean hasKnownType() {
        return KNOWN_TYPES.contains(type);
    }
}
