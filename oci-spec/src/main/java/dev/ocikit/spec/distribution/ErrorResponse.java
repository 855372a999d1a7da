package dev.ocikit.spec.distribution;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The JSON body a registry sends with a 4xx response: {@code {"errors": [...]}}, as the OCI
 * distribution spec defines it. Immutable and thread-safe.
 *
 * <p>A registry may also answer an error with a body in another format (HTML from a proxy, plain
 * text); {@link #parse} refuses those with {@link MalformedDocumentException}, and callers fall
 * back to the HTTP status. Unknown fields are ignored.
 *
 * @param errors the errors, in the registry's order; required, may be empty
 */
public record ErrorResponse(@JsonInclude(JsonInclude.Include.ALWAYS) List<RegistryError> errors) {

    /** Most entries {@link #summary()} lists; registries rarely send more than one. */
    private static final int SUMMARY_LIMIT = 5;

    public ErrorResponse {
        Fields.required(errors, "errors");
        errors = Fields.list(errors, "errors");
    }

    /**
     * Reads an error response body.
     *
     * @throws MalformedDocumentException if the bytes are not an error response
     */
    public static ErrorResponse parse(byte[] json) {
        return Json.parse(json, ErrorResponse.class, "registry error response");
    }

    /** An error response with these entries. */
    public static ErrorResponse of(RegistryError... errors) {
        return new ErrorResponse(List.of(errors));
    }

    /** Whether any entry has this code. */
    public boolean has(ErrorCode code) {
        return errors.stream().anyMatch(e -> e.errorCode() == code);
    }

    /** The first entry with this code. */
    public Optional<RegistryError> find(ErrorCode code) {
        return errors.stream().filter(e -> e.errorCode() == code).findFirst();
    }

    /**
     * The entries as {@code CODE: message; CODE: message}, shortened and on one line, for
     * exception messages; {@code "no errors listed"} when there are none.
     */
    public String summary() {
        if (errors.isEmpty()) {
            return "no errors listed";
        }
        String listed = errors.stream().limit(SUMMARY_LIMIT).map(RegistryError::summary)
                .collect(Collectors.joining("; "));
        int more = errors.size() - SUMMARY_LIMIT;
        return more > 0 ? listed + "; and " + more + " more" : listed;
    }
}
