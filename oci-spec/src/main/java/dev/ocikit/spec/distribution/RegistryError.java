package dev.ocikit.spec.distribution;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a registry's error response: {@code {"code": ..., "message": ..., "detail": ...}}.
 * Immutable and thread-safe.
 *
 * <p>The code is kept exactly as the registry sent it, so that codes newer than this class (or a
 * registry's own) survive; {@link #errorCode()} maps it to {@link ErrorCode}.
 *
 * @param code the identifier as sent, by convention uppercase with underscores; required
 * @param message a human-readable description; an empty message counts as none
 * @param detail arbitrary JSON the registry adds to help resolve the problem (a JSON
 *     {@code null} counts as none)
 */
@JsonPropertyOrder({"code", "message", "detail"})
public record RegistryError(String code, Optional<String> message, Optional<JsonNode> detail) {

    public RegistryError {
        Fields.required(code, "code");
        message = message == null ? Optional.empty() : message.filter(m -> !m.isEmpty());
        detail = detail == null ? Optional.empty() : detail.filter(d -> !d.isNull() && !d.isMissingNode());
    }

    /** An error with a known code and a message, as a registry would send it. */
    public static RegistryError of(ErrorCode code, String message) {
        Objects.requireNonNull(code, "code");
        return new RegistryError(code.code(), Optional.ofNullable(message), Optional.empty());
    }

    /** The code as a constant; {@link ErrorCode#UNKNOWN} if the spec does not define it. */
    public ErrorCode errorCode() {
        return ErrorCode.fromCode(code);
    }

    /**
     * {@code CODE: message} (or just the code), on one line and shortened, safe to put into an
     * exception message: control characters a registry might send are replaced.
     */
    public String summary() {
        String text = message.map(m -> code + ": " + m).orElse(code);
        return Text.printable(text, 300);
    }
}
