package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hooks}: programs the runtime runs at points of the container lifecycle, each list in
 * order. Immutable and thread-safe.
 *
 * @param prestart deprecated by the spec in favour of the three hooks that follow
 * @param createRuntime after the runtime environment exists, before pivot_root; runtime namespace
 * @param createContainer after createRuntime, before pivot_root; container namespace
 * @param startContainer at start, before the user's program runs; container namespace
 * @param poststart after the user's program started, before start returns
 * @param poststop after the container is deleted, before delete returns
 */
@JsonPropertyOrder({"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"})
public record Hooks(
        List<Hook> prestart,
        List<Hook> createRuntime,
        List<Hook> createContainer,
        List<Hook> startContainer,
        List<Hook> poststart,
        List<Hook> poststop,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Hooks {
        prestart = Fields.list(prestart, "prestart");
        createRuntime = Fields.list(createRuntime, "createRuntime");
        createContainer = Fields.list(createContainer, "createContainer");
        startContainer = Fields.list(startContainer, "startContainer");
        poststart = Fields.list(poststart, "poststart");
        poststop = Fields.list(poststop, "poststop");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.prestart.addAll(prestart);
        b.createRuntime.addAll(createRuntime);
        b.createContainer.addAll(createContainer);
        b.startContainer.addAll(startContainer);
        b.poststart.addAll(poststart);
        b.poststop.addAll(poststop);
        b.unknownFields.putAll(unknownFields);
        return b;
    }

    /** Whether any hook is configured. */
    public boolean hasAny() {
        return !(prestart.isEmpty() && createRuntime.isEmpty() && createContainer.isEmpty()
                && startContainer.isEmpty() && poststart.isEmpty() && poststop.isEmpty());
    }

    /** Collects hooks; each method appends to its list. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final List<Hook> prestart = new ArrayList<>();
        private final List<Hook> createRuntime = new ArrayList<>();
        private final List<Hook> createContainer = new ArrayList<>();
        private final List<Hook> startContainer = new ArrayList<>();
        private final List<Hook> poststart = new ArrayList<>();
        private final List<Hook> poststop = new ArrayList<>();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        /** Deprecated by the spec; prefer {@link #createRuntime}. */
        public Builder prestart(Hook hook) {
            prestart.add(hook);
            return this;
        }

        public Builder createRuntime(Hook hook) {
            createRuntime.add(hook);
            return this;
        }

        public Builder createContainer(Hook hook) {
            createContainer.add(hook);
            return this;
        }

        public Builder startContainer(Hook hook) {
            startContainer.add(hook);
            return this;
        }

        public Builder poststart(Hook hook) {
            poststart.add(hook);
            return this;
        }

        public Builder poststop(Hook hook) {
            poststop.add(hook);
            return this;
        }

        public Hooks build() {
            return new Hooks(prestart, createRuntime, createContainer, startContainer, poststart, poststop,
                    unknownFields);
        }
    }
}
