package dev.ocikit.spec.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.internal.Fields;
import java.util.List;

/**
 * One page of a registry's repository list, the body of {@code GET /v2/_catalog}:
 * {@code {"repositories": [...]}}. Immutable and thread-safe.
 *
 * <p>The catalog endpoint is not part of the OCI distribution spec v1.1; it comes from the
 * Docker Registry HTTP API V2, which the CNCF distribution registry and many others still serve
 * (often only to administrators). Paging works as for tags: {@code n} and {@code last} query
 * parameters, next page in the {@code Link} header. A missing list reads as empty; unknown fields
 * are ignored.
 *
 * @param repositories repository names on this page, such as {@code library/busybox}
 */
public record Catalog(@JsonInclude(JsonInclude.Include.ALWAYS) List<String> repositories) {

    public Catalog {
        repositories = Fields.list(repositories, "repositories");
    }

    /**
     * Reads a catalog response body.
     *
     * @throws MalformedDocumentException if the bytes are not a catalog
     */
    public static Catalog parse(byte[] json) {
        return Json.parse(json, Catalog.class, "repository catalog");
    }
}
