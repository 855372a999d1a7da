package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;
import java.util.Optional;

/**
 * The state of a container, as a runtime's {@code state} operation reports it and as hooks
 * receive it on stdin. Immutable and thread-safe.
 *
 * <p>{@code status} is kept as the runtime's string, not an enum: the spec lets runtimes define
 * further statuses (runc reports {@code paused}), a state is something ocikit reads and passes
 * on rather than writes, and an enum with an "unknown" member would lose the value. For the
 * values callers branch on, {@link #knownStatus()} maps it to {@link Status}, and {@link #is}
 * compares.
 *
 * <p>runc's {@code state} command adds fields of its own ({@code rootfs}, {@code created},
 * {@code owner}); they are kept in {@link #unknownFields()}.
 *
 * @param ociVersion the runtime-spec version of this state; 1.0.x to 1.3.x are accepted
 * @param id the container id, unique on its host
 * @param status {@code creating}, {@code created}, {@code running}, {@code stopped}, or a runtime's own
 * @param pid the container process as the runtime sees it; REQUIRED when created or running
 * @param bundle the absolute path of the bundle directory
 * @param annotations the config's annotations
 */
@JsonPropertyOrder({"ociVersion", "id", "status", "pid", "bundle", "annotations"})
public record State(
        @JsonInclude(JsonInclude.Include.ALWAYS) String ociVersion,
        @JsonInclude(JsonInclude.Include.ALWAYS) String id,
        @JsonInclude(JsonInclude.Include.ALWAYS) String status,
        Optional<Integer> pid,
        @JsonInclude(JsonInclude.Include.ALWAYS) String bundle,
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, String> annotations,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** The statuses the spec defines, plus runc's {@code paused}, which other runtimes share. */
    public enum Status {
        /** Being created (lifecycle step 2). */
        CREATING("creating"),
        /** Created; the user's program has not run yet. */
        CREATED("created"),
        /** The user's program runs. */
        RUNNING("running"),
        /** The container process has exited. */
        STOPPED("stopped"),
        /** Frozen by the runtime's {@code pause}; not in the spec, but reported by runc and crun. */
        PAUSED("paused");

        private final String value;

        Status(String value) {
            this.value = value;
        }

        /** The string runtimes write. */
        public String value() {
            return value;
        }

        /** The status {@code value} names, if it is one of these. */
        public static Optional<Status> of(String value) {
            for (Status s : values()) {
                if (s.value.equals(value)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    public State {
        OciVersion.checkSupported(Fields.required(ociVersion, "ociVersion"), "ociVersion");
        Fields.required(id, "id");
        Fields.required(status, "status");
        pid = Check.opt(pid);
        if (pid.isPresent() && pid.get() < 0) {
            throw new InvalidFieldException("pid", "must not be negative, got " + pid.get());
        }
        if (pid.isEmpty() && (Status.CREATED.value.equals(status) || Status.RUNNING.value.equals(status))) {
            throw new InvalidFieldException("pid", "required field is missing (a " + status + " container has a process)");
        }
        Fields.required(bundle, "bundle");
        annotations = Check.annotations(annotations, "annotations");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A state with no annotations. */
    public static State of(String ociVersion, String id, Status status, Integer pid, String bundle) {
        return new State(ociVersion, id, status.value(), Optional.ofNullable(pid), bundle, Map.of(), Map.of());
    }

    /**
     * Reads a state document.
     *
     * @throws MalformedDocumentException if it is not JSON, not a state, uses an ociVersion
     *     outside 1.0.x to 1.3.x, or lacks a required field (named in the message)
     */
    public static State parse(byte[] json) {
        return Json.parse(json, State.class, "container state");
    }

    /** {@link #status()} as a {@link Status}, or empty for a status only its runtime defines. */
    public Optional<Status> knownStatus() {
        return Status.of(status);
    }

    /** Whether the status is {@code expected}. */
    public boolean is(Status expected) {
        return expected.value.equals(status);
    }
}
