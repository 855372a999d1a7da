package dev.ocikit.spec.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.internal.Fields;
import java.util.List;

/**
 * One page of a repository's tags, the body of {@code GET /v2/<name>/tags/list}:
 * {@code {"name": ..., "tags": [...]}}. Immutable and thread-safe.
 *
 * <p>Further pages are announced by the response's {@code Link} header, not by this body.
 * Tags are kept as the registry sent them, without checking them against the tag grammar, so that
 * one odd tag does not make a whole listing unreadable. A missing or {@code null} tag list (some
 * registries send {@code null} for a repository without tags) reads as empty. Unknown fields are
 * ignored.
 *
 * @param name the repository's name within the registry, for example {@code library/busybox}
 * @param tags the tags on this page; the spec asks registries for lexical order
 */
@JsonPropertyOrder({"name", "tags"})
public record TagList(String name, @JsonInclude(JsonInclude.Include.ALWAYS) List<String> tags) {

    public TagList {
        Fields.required(name, "name");
        tags = Fields.list(tags, "tags");
    }

    /**
     * Reads a tag list response body.
     *
     * @throws MalformedDocumentException if the bytes are not a tag list
     */
    public static TagList parse(byte[] json) {
        return Json.parse(json, TagList.class, "tag list");
    }
}
