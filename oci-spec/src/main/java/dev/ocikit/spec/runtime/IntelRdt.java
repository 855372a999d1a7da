package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code linux.intelRdt}: Intel Resource Director Technology (resctrl) settings. Immutable and
 * thread-safe.
 *
 * @param closId JSON {@code closID}: the resctrl group (Class of Service); {@code /} is the
 *     default group, absent means one named after the container
 * @param l3CacheSchema an {@code L3:} schemata line
 * @param memBwSchema an {@code MB:} schemata line
 * @param schemata whole schemata lines, written after the two above (1.3+)
 * @param enableMonitoring create a resctrl monitoring group for the container (1.3+)
 * @param enableCmt JSON {@code enableCMT}: cache monitoring, in 1.1.0 to 1.2.1 only; replaced by
 *     {@code enableMonitoring} in 1.3, kept so that older documents read and round-trip typed
 * @param enableMbm JSON {@code enableMBM}: memory bandwidth monitoring, as {@code enableCMT}
 */
@JsonPropertyOrder({"closID", "l3CacheSchema", "memBwSchema", "schemata", "enableMonitoring", "enableCMT",
    "enableMBM"})
public record IntelRdt(
        @JsonProperty("closID") Optional<String> closId,
        Optional<String> l3CacheSchema,
        Optional<String> memBwSchema,
        List<String> schemata,
        Optional<Boolean> enableMonitoring,
        @JsonProperty("enableCMT") Optional<Boolean> enableCmt,
        @JsonProperty("enableMBM") Optional<Boolean> enableMbm,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public IntelRdt {
        closId = Check.opt(closId);
        l3CacheSchema = Check.opt(l3CacheSchema);
        memBwSchema = Check.opt(memBwSchema);
        schemata = Fields.list(schemata, "schemata");
        enableMonitoring = Check.opt(enableMonitoring);
        enableCmt = Check.opt(enableCmt);
        enableMbm = Check.opt(enableMbm);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** The container in resctrl group {@code closId} with the given schemata lines. */
    public static IntelRdt of(String closId, List<String> schemata) {
        return new IntelRdt(Optional.ofNullable(closId), null, null, schemata, null, null, null, null);
    }
}
