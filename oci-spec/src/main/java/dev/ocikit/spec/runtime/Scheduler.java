package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import dev.ocikit.spec.internal.OptionalUint64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code process.scheduler}: {@code sched_setattr(2)} attributes of the process (1.1+).
 * Immutable and thread-safe.
 *
 * @param policy {@code SCHED_OTHER}, {@code SCHED_FIFO}, {@code SCHED_RR}, {@code SCHED_BATCH},
 *     {@code SCHED_ISO}, {@code SCHED_IDLE} or {@code SCHED_DEADLINE}
 * @param nice the nice value (absent means 0)
 * @param priority the static priority for real-time policies (absent means 0)
 * @param flags {@code SCHED_FLAG_*} names
 * @param runtime SCHED_DEADLINE runtime in nanoseconds (uint64)
 * @param deadline SCHED_DEADLINE deadline in nanoseconds (uint64)
 * @param period SCHED_DEADLINE period in nanoseconds (uint64)
 */
@JsonPropertyOrder({"policy", "nice", "priority", "flags", "runtime", "deadline", "period"})
public record Scheduler(
        @JsonInclude(JsonInclude.Include.ALWAYS) String policy,
        Optional<Integer> nice,
        Optional<Integer> priority,
        List<String> flags,
        @OptionalUint64 Optional<Long> runtime,
        @OptionalUint64 Optional<Long> deadline,
        @OptionalUint64 Optional<Long> period,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Scheduler {
        Fields.required(policy, "policy");
        nice = Check.opt(nice);
        priority = Check.opt(priority);
        flags = Fields.list(flags, "flags");
        runtime = Check.opt(runtime);
        deadline = Check.opt(deadline);
        period = Check.opt(period);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** Only a policy, everything else at its default. */
    public static Scheduler of(String policy) {
        return new Scheduler(policy, null, null, null, null, null, null, null);
    }

    public Scheduler withNice(int value) {
        return new Scheduler(policy, Optional.of(value), priority, flags, runtime, deadline, period, unknownFields);
    }

    public Scheduler withPriority(int value) {
        return new Scheduler(policy, nice, Optional.of(value), flags, runtime, deadline, period, unknownFields);
    }
}
