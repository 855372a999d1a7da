package dev.ocikit.spec.runtime;

import dev.ocikit.spec.InvalidFieldException;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code process}: the container's process. Immutable and thread-safe; build one with
 * {@link #builder()}.
 *
 * <p>Only {@code cwd} is required by the spec. {@code user} is optional at this level (a
 * FreeBSD or minimal config may omit it; runc then runs as uid 0), but a present user must carry
 * {@code uid} and {@code gid}. Optional booleans and numbers are {@link Optional}s so that an
 * explicit {@code false} or {@code 0} is written back as it was read.
 *
 * @param terminal whether a pseudo-terminal is attached (absent means false)
 * @param consoleSize the terminal size, ignored without {@code terminal}
 * @param args argv, argv[0] resolved like {@code execvp}'s file; at least one entry on POSIX
 * @param commandLine the Windows command line
 * @param env the environment, {@code KEY=value}
 * @param cwd the absolute working directory in the container
 * @param capabilities Linux capability sets
 * @param rlimits POSIX resource limits
 * @param noNewPrivileges whether the process may not gain privileges (setuid, file caps)
 * @param apparmorProfile AppArmor profile name
 * @param oomScoreAdj value written to {@code /proc/[pid]/oom_score_adj}; absent leaves it unchanged
 * @param scheduler scheduling attributes (1.1+)
 * @param selinuxLabel SELinux label of the process
 * @param ioPriority I/O priority (1.1+)
 * @param execCpuAffinity JSON {@code execCPUAffinity}, CPUs for exec'd processes (1.2.1+)
 */
@JsonPropertyOrder({"terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd", "capabilities",
    "rlimits", "noNewPrivileges", "apparmorProfile", "oomScoreAdj", "scheduler", "selinuxLabel", "ioPriority",
    "execCPUAffinity"})
public record Process(
        Optional<Boolean> terminal,
        Optional<ConsoleSize> consoleSize,
        Optional<User> user,
        List<String> args,
        Optional<String> commandLine,
        List<String> env,
        @JsonInclude(JsonInclude.Include.ALWAYS) String cwd,
        Optional<Capabilities> capabilities,
        List<Rlimit> rlimits,
        Optional<Boolean> noNewPrivileges,
        Optional<String> apparmorProfile,
        Optional<Integer> oomScoreAdj,
        Optional<Scheduler> scheduler,
        Optional<String> selinuxLabel,
        Optional<IoPriority> ioPriority,
        @JsonProperty("execCPUAffinity") Optional<ExecCpuAffinity> execCpuAffinity,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Process {
        terminal = Check.opt(terminal);
        consoleSize = Check.opt(consoleSize);
        user = Check.opt(user);
        args = Fields.list(args, "args");
        commandLine = Check.opt(commandLine);
        env = Fields.list(env, "env");
        Fields.required(cwd, "cwd");
        capabilities = Check.opt(capabilities);
        rlimits = Fields.list(rlimits, "rlimits");
        noNewPrivileges = Check.opt(noNewPrivileges);
        apparmorProfile = Check.opt(apparmorProfile);
        oomScoreAdj = Check.opt(oomScoreAdj);
        scheduler = Check.opt(scheduler);
        selinuxLabel = Check.opt(selinuxLabel);
        ioPriority = Check.opt(ioPriority);
        execCpuAffinity = Check.opt(execCpuAffinity);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A builder with {@code cwd} set to {@code /} and nothing else. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this process, unknown fields included. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.terminal = terminal;
        b.consoleSize = consoleSize;
        b.user = user;
        b.args.addAll(args);
        b.commandLine = commandLine;
        b.env.addAll(env);
        b.cwd = cwd;
        b.capabilities = capabilities;
        b.rlimits.addAll(rlimits);
        b.noNewPrivileges = noNewPrivileges;
        b.apparmorProfile = apparmorProfile;
        b.oomScoreAdj = oomScoreAdj;
        b.scheduler = scheduler;
        b.selinuxLabel = selinuxLabel;
        b.ioPriority = ioPriority;
        b.execCpuAffinity = execCpuAffinity;
        b.unknownFields.putAll(unknownFields);
        return b;
    }

    /**
     * The value of environment variable {@code name} (the last {@code name=} entry wins, as in
     * {@code execve}), if set.
     */
    public Optional<String> envValue(String name) {
        String prefix = name + "=";
        for (int i = env.size() - 1; i >= 0; i--) {
            if (env.get(i).startsWith(prefix)) {
                return Optional.of(env.get(i).substring(prefix.length()));
            }
        }
        return Optional.empty();
    }

    /**
     * Collects the fields of a {@link Process}. Setters replace; {@code add…} methods append.
     * Passing {@code null} to a setter clears that field. Not thread-safe; {@link #build()} copies.
     */
    public static final class Builder {
        private Optional<Boolean> terminal = Optional.empty();
        private Optional<ConsoleSize> consoleSize = Optional.empty();
        private Optional<User> user = Optional.empty();
        private final List<String> args = new ArrayList<>();
        private Optional<String> commandLine = Optional.empty();
        private final List<String> env = new ArrayList<>();
        private String cwd = "/";
        private Optional<Capabilities> capabilities = Optional.empty();
        private final List<Rlimit> rlimits = new ArrayList<>();
        private Optional<Boolean> noNewPrivileges = Optional.empty();
        private Optional<String> apparmorProfile = Optional.empty();
        private Optional<Integer> oomScoreAdj = Optional.empty();
        private Optional<Scheduler> scheduler = Optional.empty();
        private Optional<String> selinuxLabel = Optional.empty();
        private Optional<IoPriority> ioPriority = Optional.empty();
        private Optional<ExecCpuAffinity> execCpuAffinity = Optional.empty();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        public Builder terminal(Boolean value) {
            terminal = Optional.ofNullable(value);
            return this;
        }

        public Builder consoleSize(ConsoleSize value) {
            consoleSize = Optional.ofNullable(value);
            return this;
        }

        public Builder user(User value) {
            user = Optional.ofNullable(value);
            return this;
        }

        /** Runs as {@code uid}:{@code gid}. */
        public Builder user(long uid, long gid) {
            return user(User.of(uid, gid));
        }

        /** Replaces argv. */
        public Builder args(String... value) {
            return args(List.of(value));
        }

        /** Replaces argv. */
        public Builder args(Collection<String> value) {
            args.clear();
            if (value != null) {
                args.addAll(value);
            }
            return this;
        }

        public Builder commandLine(String value) {
            commandLine = Optional.ofNullable(value);
            return this;
        }

        /** Replaces the environment ({@code KEY=value} entries). */
        public Builder env(Collection<String> value) {
            env.clear();
            if (value != null) {
                env.addAll(value);
            }
            return this;
        }

        /** Sets {@code name} to {@code value}, replacing an earlier entry of that name. */
        public Builder env(String name, String value) {
            String prefix = name + "=";
            env.removeIf(e -> e.startsWith(prefix));
            env.add(prefix + value);
            return this;
        }

        public Builder cwd(String value) {
            cwd = value;
            return this;
        }

        public Builder capabilities(Capabilities value) {
            capabilities = Optional.ofNullable(value);
            return this;
        }

        /** Replaces the resource limits. */
        public Builder rlimits(Collection<Rlimit> value) {
            rlimits.clear();
            if (value != null) {
                rlimits.addAll(value);
            }
            return this;
        }

        /** Sets the limit of {@code limit.type()}, replacing an earlier one of that type. */
        public Builder rlimit(Rlimit limit) {
            rlimits.removeIf(r -> r.type().equals(limit.type()));
            rlimits.add(limit);
            return this;
        }

        public Builder noNewPrivileges(Boolean value) {
            noNewPrivileges = Optional.ofNullable(value);
            return this;
        }

        public Builder apparmorProfile(String value) {
            apparmorProfile = Optional.ofNullable(value);
            return this;
        }

        public Builder oomScoreAdj(Integer value) {
            oomScoreAdj = Optional.ofNullable(value);
            return this;
        }

        public Builder scheduler(Scheduler value) {
            scheduler = Optional.ofNullable(value);
            return this;
        }

        public Builder selinuxLabel(String value) {
            selinuxLabel = Optional.ofNullable(value);
            return this;
        }

        public Builder ioPriority(IoPriority value) {
            ioPriority = Optional.ofNullable(value);
            return this;
        }

        public Builder execCpuAffinity(ExecCpuAffinity value) {
            execCpuAffinity = Optional.ofNullable(value);
            return this;
        }

        /** Sets (or with {@code null}, removes) a field this model does not know. */
        public Builder unknownField(String name, JsonNode value) {
            if (value == null) {
                unknownFields.remove(name);
            } else {
                unknownFields.put(name, value);
            }
            return this;
        }

        /**
         * The process.
         *
         * @throws dev.ocikit.spec.InvalidFieldException naming a missing or invalid field
         */
        public Process build() {
            return new Process(terminal, consoleSize, user, args, commandLine, env, cwd, capabilities, rlimits,
                    noNewPrivileges, apparmorProfile, oomScoreAdj, scheduler, selinuxLabel, ioPriority,
                    execCpuAffinity, unknownFields);
        }
    }
}
