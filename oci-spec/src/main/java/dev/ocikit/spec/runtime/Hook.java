package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A lifecycle hook: a program the runtime runs (with the container state on stdin). Immutable
 * and thread-safe.
 *
 * @param path absolute path of the program
 * @param args its argv, including argv[0]
 * @param env its environment, {@code KEY=value}
 * @param timeout seconds before the runtime aborts it; when present, at least 1
 */
@JsonPropertyOrder({"path", "args", "env", "timeout"})
public record Hook(
        @JsonInclude(JsonInclude.Include.ALWAYS) String path,
        List<String> args,
        List<String> env,
        Optional<Integer> timeout,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Hook {
        Fields.required(path, "path");
        args = Fields.list(args, "args");
        env = Fields.list(env, "env");
        timeout = Check.opt(timeout);
        if (timeout.isPresent() && timeout.get() < 1) {
            throw new InvalidFieldException("timeout", "must be greater than zero, got " + timeout.get());
        }
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** Runs {@code path} with argv {@code args} (pass argv[0] yourself, as execv expects). */
    public static Hook of(String path, String... args) {
        return new Hook(path, List.of(args), List.of(), Optional.empty(), Map.of());
    }

    public Hook withEnv(List<String> value) {
        return new Hook(path, args, value, timeout, unknownFields);
    }

    public Hook withTimeout(int seconds) {
        return new Hook(path, args, env, Optional.of(seconds), unknownFields);
    }
}
