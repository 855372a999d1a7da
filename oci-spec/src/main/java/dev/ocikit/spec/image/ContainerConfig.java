package dev.ocikit.spec.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.ocikit.spec.internal.EmptyObjectSet;
import dev.ocikit.spec.internal.Fields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The defaults for running a container from an image: the {@code config} object of an image
 * config, with Docker's field names (which the OCI spec adopted). Docker writes many more fields
 * here ({@code Hostname}, {@code AttachStdin}, {@code OnBuild}, {@code Shell} …); they are kept in
 * {@link #unknownFields()} and written back unchanged. Docker writes {@code "User": ""} and
 * {@code "WorkingDir": ""}; an empty string set here is written back too (only an absent value is
 * left out), and so are labels with empty values. Immutable and thread-safe.
 *
 * @param user the user (and group) to run as: {@code name}, {@code uid}, {@code name:group} …
 * @param exposedPorts ports to expose, as {@code 80/tcp}, {@code 53/udp} or {@code 8080} (tcp)
 * @param env environment variables, {@code NAME=value}
 * @param entrypoint the program to run, with its first arguments
 * @param cmd the default arguments (or the program, when there is no entrypoint)
 * @param volumes directories that should be volumes
 * @param workingDir the working directory
 * @param labels arbitrary metadata
 * @param stopSignal the signal that stops the container, as {@code SIGTERM} or {@code 15}
 * @param argsEscaped Windows only: the command line is already escaped (deprecated)
 * @param healthcheck Docker's health check
 * @param unknownFields fields ocikit does not model, kept for round trips
 */
@JsonPropertyOrder({"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels",
        "StopSignal", "ArgsEscaped", "Healthcheck"})
public record ContainerConfig(
        @JsonProperty("User") @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> user,
        @JsonProperty("ExposedPorts")
        @JsonSerialize(using = EmptyObjectSet.Serializer.class)
        @JsonDeserialize(using = EmptyObjectSet.Deserializer.class)
        Set<String> exposedPorts,
        @JsonProperty("Env") List<String> env,
        @JsonProperty("Entrypoint") List<String> entrypoint,
        @JsonProperty("Cmd") List<String> cmd,
        @JsonProperty("Volumes")
        @JsonSerialize(using = EmptyObjectSet.Serializer.class)
        @JsonDeserialize(using = EmptyObjectSet.Deserializer.class)
        Set<String> volumes,
        @JsonProperty("WorkingDir") @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> workingDir,
        @JsonProperty("Labels")
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, String> labels,
        @JsonProperty("StopSignal") @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> stopSignal,
        @JsonProperty("ArgsEscaped") Optional<Boolean> argsEscaped,
        @JsonProperty("Healthcheck") Optional<Healthcheck> healthcheck,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** No defaults at all. */
    public static final ContainerConfig EMPTY = builder().build();

    /** Jackson's filter that leaves an empty {@code config} out, as an absent one was read. */
    static final class OmitWhenEmpty {
        @Override
        public boolean equals(Object other) {
            return other == null || EMPTY.equals(other);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    public ContainerConfig {
        user = user == null ? Optional.empty() : user;
        exposedPorts = EmptyObjectSet.copy(exposedPorts, "ExposedPorts");
        env = Fields.list(env, "Env");
        entrypoint = Fields.list(entrypoint, "Entrypoint");
        cmd = Fields.list(cmd, "Cmd");
        volumes = EmptyObjectSet.copy(volumes, "Volumes");
        workingDir = workingDir == null ? Optional.empty() : workingDir;
        labels = Fields.map(labels, "Labels");
        stopSignal = stopSignal == null ? Optional.empty() : stopSignal;
        argsEscaped = argsEscaped == null ? Optional.empty() : argsEscaped;
        healthcheck = healthcheck == null ? Optional.empty() : healthcheck;
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A builder with no defaults set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * {@link #env()} as a map, in order; for a variable listed twice the last value wins, and an
     * entry without {@code =} has an empty value.
     */
    public Map<String, String> envMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String e : env) {
            int eq = e.indexOf('=');
            out.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
        return out;
    }

    /** The value of one environment variable, as {@link #envMap()} resolves it. */
    public Optional<String> envValue(String name) {
        return Optional.ofNullable(envMap().get(name));
    }

    /**
     * Builds a {@link ContainerConfig}. Not thread-safe. Unknown (Docker-only) fields of a config
     * it was made from with {@link ContainerConfig#toBuilder()} are kept.
     */
    public static final class Builder {
        private String user;
        private final Set<String> exposedPorts = new LinkedHashSet<>();
        private final List<String> env = new ArrayList<>();
        private List<String> entrypoint = List.of();
        private List<String> cmd = List.of();
        private final Set<String> volumes = new LinkedHashSet<>();
        private String workingDir;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private String stopSignal;
        private Boolean argsEscaped;
        private Healthcheck healthcheck;
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        private Builder(ContainerConfig c) {
            user = c.user.orElse(null);
            exposedPorts.addAll(c.exposedPorts);
            env.addAll(c.env);
            entrypoint = c.entrypoint;
            cmd = c.cmd;
            volumes.addAll(c.volumes);
            workingDir = c.workingDir.orElse(null);
            labels.putAll(c.labels);
            stopSignal = c.stopSignal.orElse(null);
            argsEscaped = c.argsEscaped.orElse(null);
            healthcheck = c.healthcheck.orElse(null);
            unknownFields.putAll(c.unknownFields);
        }

        /** The user; null removes it. */
        public Builder user(String value) {
            this.user = value;
            return this;
        }

        /** Replaces the exposed ports. */
        public Builder exposedPorts(Set<String> values) {
            exposedPorts.clear();
            exposedPorts.addAll(values);
            return this;
        }

        /** Adds an exposed port, {@code 80/tcp}. */
        public Builder exposePort(String port) {
            exposedPorts.add(Objects.requireNonNull(port, "port"));
            return this;
        }

        /** Replaces the environment ({@code NAME=value} entries). */
        public Builder env(List<String> values) {
            env.clear();
            env.addAll(values);
            return this;
        }

        /** Sets one environment variable, replacing an entry of the same name in place. */
        public Builder env(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            String entry = name + "=" + value;
            for (int i = 0; i < env.size(); i++) {
                String e = env.get(i);
                if (e.equals(name) || e.startsWith(name + "=")) {
                    env.set(i, entry);
                    env.subList(i + 1, env.size()).removeIf(x -> x.equals(name) || x.startsWith(name + "="));
                    return this;
                }
            }
            env.add(entry);
            return this;
        }

        /** The entrypoint; empty removes it. */
        public Builder entrypoint(List<String> values) {
            entrypoint = List.copyOf(values);
            return this;
        }

        /** The entrypoint; none removes it. */
        public Builder entrypoint(String... values) {
            return entrypoint(Arrays.asList(values));
        }

        /** The default command; empty removes it. */
        public Builder cmd(List<String> values) {
            cmd = List.copyOf(values);
            return this;
        }

        /** The default command; none removes it. */
        public Builder cmd(String... values) {
            return cmd(Arrays.asList(values));
        }

        /** Replaces the volumes. */
        public Builder volumes(Set<String> values) {
            volumes.clear();
            volumes.addAll(values);
            return this;
        }

        /** Adds a volume directory. */
        public Builder addVolume(String path) {
            volumes.add(Objects.requireNonNull(path, "path"));
            return this;
        }

        /** The working directory; null removes it. */
        public Builder workingDir(String value) {
            this.workingDir = value;
            return this;
        }

        /** Replaces the labels. */
        public Builder labels(Map<String, String> values) {
            labels.clear();
            labels.putAll(values);
            return this;
        }

        /** Adds or replaces one label. */
        public Builder label(String key, String value) {
            labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The stop signal; null removes it. */
        public Builder stopSignal(String value) {
            this.stopSignal = value;
            return this;
        }

        /** Windows' ArgsEscaped; null removes it. */
        public Builder argsEscaped(Boolean value) {
            this.argsEscaped = value;
            return this;
        }

        /** The health check; null removes it. */
        public Builder healthcheck(Healthcheck value) {
            this.healthcheck = value;
            return this;
        }

        /** Replaces the fields ocikit does not model. */
        public Builder unknownFields(Map<String, JsonNode> values) {
            unknownFields.clear();
            unknownFields.putAll(values);
            return this;
        }

        /** The config. */
        public ContainerConfig build() {
            return new ContainerConfig(Optional.ofNullable(user), exposedPorts, env, entrypoint, cmd, volumes,
                    Optional.ofNullable(workingDir), labels, Optional.ofNullable(stopSignal),
                    Optional.ofNullable(argsEscaped), Optional.ofNullable(healthcheck), unknownFields);
        }
    }
}
