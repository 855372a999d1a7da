package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An entry of {@code mounts}: a filesystem mounted into the container, in list order. Immutable
 * and thread-safe.
 *
 * @param destination where the mount appears in the container
 * @param type the filesystem type ({@code proc}, {@code tmpfs}; a dummy such as {@code none} for bind mounts)
 * @param source device, file or directory (for bind mounts, absolute or relative to the bundle)
 * @param options fstab-style options ({@code nosuid}, {@code rbind}, {@code mode=755} …)
 * @param uidMappings id-mapped mount: uid mapping from the source to the mount (1.2+)
 * @param gidMappings id-mapped mount: gid mapping from the source to the mount (1.2+)
 */
@JsonPropertyOrder({"destination", "type", "source", "options", "uidMappings", "gidMappings"})
public record Mount(
        @JsonInclude(JsonInclude.Include.ALWAYS) String destination,
        Optional<String> type,
        Optional<String> source,
        List<String> options,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Mount {
        Fields.required(destination, "destination");
        type = Check.opt(type);
        source = Check.opt(source);
        options = Fields.list(options, "options");
        uidMappings = Fields.list(uidMappings, "uidMappings");
        gidMappings = Fields.list(gidMappings, "gidMappings");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A mount of {@code source} (of filesystem {@code type}) at {@code destination}. */
    public static Mount of(String destination, String type, String source, String... options) {
        return new Mount(destination, Optional.of(type), Optional.of(source), List.of(options),
                List.of(), List.of(), Map.of());
    }

    /** A recursive bind mount of host path {@code source} at {@code destination}, plus {@code options}. */
    public static Mount bind(String source, String destination, String... options) {
        List<String> all = new java.util.ArrayList<>(options.length + 1);
        all.add("rbind");
        all.addAll(List.of(options));
        return new Mount(destination, Optional.of("bind"), Optional.of(source), all, List.of(), List.of(), Map.of());
    }

    public Mount withOptions(List<String> value) {
        return new Mount(destination, type, source, value, uidMappings, gidMappings, unknownFields);
    }

    /** An id-mapped mount: both mappings are set together, as the spec requires. */
    public Mount withIdMappings(List<IdMapping> uids, List<IdMapping> gids) {
        return new Mount(destination, type, source, options, uids, gids, unknownFields);
    }
}
