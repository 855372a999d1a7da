package dev.ocikit.spec.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One step of an image's history, as an image config's {@code history} lists them (one per
 * layer, plus steps that made no layer). Immutable and thread-safe.
 *
 * @param created when the step ran, an RFC 3339 date-time, kept as written (see
 *     {@link ImageConfig#created()})
 * @param createdBy the command that ran
 * @param author who ran it
 * @param comment a free comment
 * @param emptyLayer true when the step made no layer (and so has no entry in {@code diff_ids})
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
@JsonPropertyOrder({"created", "created_by", "author", "comment", "empty_layer"})
public record HistoryEntry(
        Optional<String> created,
        @JsonProperty("created_by") Optional<String> createdBy,
        Optional<String> author,
        Optional<String> comment,
        @JsonProperty("empty_layer") Optional<Boolean> emptyLayer,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public HistoryEntry {
        created = created == null ? Optional.empty() : created;
        createdBy = createdBy == null ? Optional.empty() : createdBy;
        author = author == null ? Optional.empty() : author;
        comment = comment == null ? Optional.empty() : comment;
        emptyLayer = emptyLayer == null ? Optional.empty() : emptyLayer;
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A step that ran {@code createdBy} at {@code created} and made a layer. */
    public static HistoryEntry of(Instant created, String createdBy) {
        return new HistoryEntry(Optional.of(ImageConfig.format(created)), Optional.ofNullable(createdBy),
                Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** {@link #created()} as an instant. */
    public Optional<Instant> createdInstant() {
        return created.map(c -> ImageConfig.parseTime(c, "history entry"));
    }

    /** Whether this step made no layer. */
    public boolean madeNoLayer() {
        return emptyLayer.orElse(false);
    }

    /** This entry marked as having made no layer (or as having made one). */
    public HistoryEntry withEmptyLayer(boolean value) {
        return new HistoryEntry(created, createdBy, author, comment, value ? Optional.of(true) : Optional.empty(),
                unknownFields);
    }

    /** This entry with another author; null removes it. */
    public HistoryEntry withAuthor(String value) {
        return new HistoryEntry(created, createdBy, Optional.ofNullable(value), comment, emptyLayer, unknownFields);
    }

    /** This entry with another comment; null removes it. */
    public HistoryEntry withComment(String value) {
        return new HistoryEntry(created, createdBy, author, Optional.ofNullable(value), emptyLayer, unknownFields);
    }
}
