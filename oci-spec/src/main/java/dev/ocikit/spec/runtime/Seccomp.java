package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import dev.ocikit.spec.internal.OptionalUint64;
import dev.ocikit.spec.internal.Uint64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code linux.seccomp}: the process's system call filter. Actions, architectures, flags and
 * operators are libseccomp's names as strings ({@code SCMP_ACT_ERRNO}, {@code SCMP_ARCH_X86_64},
 * {@code SCMP_CMP_EQ}): libseccomp adds names, and the runtime says which it knows in
 * {@link Features.Seccomp}. Immutable and thread-safe.
 *
 * @param defaultAction the action for system calls no rule matches
 * @param defaultErrnoRet errno for the default action, when it returns one (default EPERM); uint32
 * @param architectures the architectures the filter covers
 * @param flags {@code SECCOMP_FILTER_FLAG_*} flags for {@code seccomp(2)}
 * @param listenerPath the UNIX socket that receives the notify fd for {@code SCMP_ACT_NOTIFY}
 * @param listenerMetadata opaque data sent along to the listener
 * @param syscalls the rules, in order
 */
@JsonPropertyOrder({"defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath",
    "listenerMetadata", "syscalls"})
public record Seccomp(
        @JsonInclude(JsonInclude.Include.ALWAYS) String defaultAction,
        Optional<Long> defaultErrnoRet,
        List<String> architectures,
        List<String> flags,
        Optional<String> listenerPath,
        Optional<String> listenerMetadata,
        List<Syscall> syscalls,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public static final String ACT_ALLOW = "SCMP_ACT_ALLOW";
    public static final String ACT_ERRNO = "SCMP_ACT_ERRNO";
    public static final String ACT_KILL = "SCMP_ACT_KILL";
    public static final String ACT_KILL_PROCESS = "SCMP_ACT_KILL_PROCESS";
    public static final String ACT_KILL_THREAD = "SCMP_ACT_KILL_THREAD";
    public static final String ACT_LOG = "SCMP_ACT_LOG";
    public static final String ACT_NOTIFY = "SCMP_ACT_NOTIFY";
    public static final String ACT_TRACE = "SCMP_ACT_TRACE";
    public static final String ACT_TRAP = "SCMP_ACT_TRAP";

    public Seccomp {
        Fields.required(defaultAction, "defaultAction");
        defaultErrnoRet = Check.uint32(defaultErrnoRet, "defaultErrnoRet");
        architectures = Fields.list(architectures, "architectures");
        flags = Fields.list(flags, "flags");
        listenerPath = Check.opt(listenerPath);
        listenerMetadata = Check.opt(listenerMetadata);
        syscalls = Fields.list(syscalls, "syscalls");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A filter that applies {@code defaultAction} to every system call no later rule matches. */
    public static Seccomp of(String defaultAction) {
        return new Seccomp(defaultAction, null, null, null, null, null, null, null);
    }

    public Seccomp withDefaultErrnoRet(long value) {
        return new Seccomp(defaultAction, Optional.of(value), architectures, flags, listenerPath, listenerMetadata,
                syscalls, unknownFields);
    }

    public Seccomp withArchitectures(List<String> value) {
        return new Seccomp(defaultAction, defaultErrnoRet, value, flags, listenerPath, listenerMetadata, syscalls,
                unknownFields);
    }

    public Seccomp withFlags(List<String> value) {
        return new Seccomp(defaultAction, defaultErrnoRet, architectures, value, listenerPath, listenerMetadata,
                syscalls, unknownFields);
    }

    /** Notifications for {@code SCMP_ACT_NOTIFY} go to {@code path}, with {@code metadata} (may be null). */
    public Seccomp withListener(String path, String metadata) {
        return new Seccomp(defaultAction, defaultErrnoRet, architectures, flags, Optional.ofNullable(path),
                Optional.ofNullable(metadata), syscalls, unknownFields);
    }

    public Seccomp withSyscalls(List<Syscall> value) {
        return new Seccomp(defaultAction, defaultErrnoRet, architectures, flags, listenerPath, listenerMetadata,
                value, unknownFields);
    }

    /**
     * A rule of {@code linux.seccomp.syscalls}: {@code action} for the named system calls when
     * all {@code args} conditions hold. Immutable and thread-safe.
     *
     * @param names the system calls; at least one
     * @param errnoRet errno to return, for actions that return one (default EPERM); uint32
     */
    @JsonPropertyOrder({"names", "action", "errnoRet", "args"})
    public record Syscall(
            @JsonInclude(JsonInclude.Include.ALWAYS) List<String> names,
            @JsonInclude(JsonInclude.Include.ALWAYS) String action,
            Optional<Long> errnoRet,
            List<Arg> args,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Syscall {
            names = Fields.list(Fields.required(names, "names"), "names");
            if (names.isEmpty()) {
                throw new InvalidFieldException("names", "must name at least one system call");
            }
            Fields.required(action, "action");
            errnoRet = Check.uint32(errnoRet, "errnoRet");
            args = Fields.list(args, "args");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public static Syscall of(String action, String... names) {
            return new Syscall(List.of(names), action, null, null, null);
        }

        public Syscall withErrnoRet(long value) {
            return new Syscall(names, action, Optional.of(value), args, unknownFields);
        }

        public Syscall withArgs(List<Arg> value) {
            return new Syscall(names, action, errnoRet, value, unknownFields);
        }
    }

    /**
     * A condition on a system call argument: {@code args[index] op value} (for
     * {@code SCMP_CMP_MASKED_EQ}, {@code (args[index] & value) == valueTwo}). Immutable and
     * thread-safe.
     *
     * <p>{@code value} and {@code valueTwo} are {@code uint64}s carried in a {@code long}'s bits,
     * as in {@link Rlimit}.
     *
     * @param index which argument, from 0
     * @param op {@code SCMP_CMP_NE}, {@code _LT}, {@code _LE}, {@code _EQ}, {@code _GE}, {@code _GT} or {@code _MASKED_EQ}
     */
    @JsonPropertyOrder({"index", "value", "valueTwo", "op"})
    public record Arg(
            Long index,
            @Uint64 Long value,
            @OptionalUint64 Optional<Long> valueTwo,
            @JsonInclude(JsonInclude.Include.ALWAYS) String op,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Arg {
            Check.uint32(Fields.required(index, "index"), "index");
            Fields.required(value, "value");
            valueTwo = Check.opt(valueTwo);
            Fields.required(op, "op");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public static Arg of(long index, String op, long value) {
            return new Arg(index, value, Optional.empty(), op, Map.of());
        }

        public static Arg of(long index, String op, long value, long valueTwo) {
            return new Arg(index, value, Optional.of(valueTwo), op, Map.of());
        }
    }
}
