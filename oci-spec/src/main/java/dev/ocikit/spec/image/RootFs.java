package dev.ocikit.spec.image;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;

/**
 * The layers of an image's root filesystem by their uncompressed digests (DiffIDs), base first,
 * as an image config's {@code rootfs} lists them. Immutable and thread-safe.
 *
 * @param type always {@code layers}; required
 * @param diffIds the digest of each layer's uncompressed tar, base first; required, may be empty
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
@JsonPropertyOrder({"type", "diff_ids"})
public record RootFs(
        String type,
        @JsonProperty("diff_ids") @JsonInclude(JsonInclude.Include.ALWAYS) List<Digest> diffIds,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** The only type the spec defines. */
    public static final String LAYERS = "layers";

    public RootFs {
        Fields.required(type, "type");
        if (!type.equals(LAYERS)) {
            throw new InvalidFieldException("type", "must be \"layers\", got \"" + Text.printable(type) + "\"");
        }
        diffIds = Fields.list(Fields.required(diffIds, "diff_ids"), "diff_ids");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A {@code layers} root filesystem of these DiffIDs. */
    public static RootFs of(List<Digest> diffIds) {
        return new RootFs(LAYERS, diffIds, Map.of());
    }
}
