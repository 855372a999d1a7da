package dev.ocikit.image.build;

import dev.ocikit.image.LayerSource;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One build command for a {@link BuildRuntime}: the filesystem it runs on, the command, and how.
 * Immutable (the output streams aside, which the runtime writes and never closes).
 *
 * @param layers the root filesystem, bottom layer first; each carries its DiffID, so a runtime
 *     that keeps extracted layers finds them without reading the blob
 * @param config the image config at this step: its {@code Env}, {@code User} and
 *     {@code WorkingDir} are the command's defaults, as for a container of the image
 * @param command the program and its arguments (a shell form has been turned into
 *     {@code [shell..., "command"]} already)
 * @param env variables set for this command only, {@code NAME=value}, over the config's (build
 *     arguments, for instance)
 * @param user the user to run as instead of the config's, in any form {@code User} takes
 * @param workdir the working directory instead of the config's; created if missing
 * @param network the network the command gets
 * @param mounts host paths mounted for the command; never part of the image
 * @param stdout where the command's standard output goes
 * @param stderr where its standard error goes
 */
public record RunRequest(List<LayerSource> layers, ContainerConfig config, List<String> command, List<String> env,
        Optional<String> user, Optional<String> workdir, BuildNetwork network, List<BuildMount> mounts,
        OutputStream stdout, OutputStream stderr) {
    public RunRequest {
        layers = List.copyOf(layers);
        Objects.requireNonNull(config, "config");
        command = RunRequest.checkedCommand(command);
        env = RunRequest.checkedEnv(env);
        user = user == null ? Optional.empty() : user;
        workdir = workdir == null ? Optional.empty() : workdir;
        Objects.requireNonNull(network, "network");
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    static List<String> checkedCommand(List<String> command) {
        List<String> copy = List.copyOf(command);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a build command needs at least a program");
        }
        return copy;
    }

    static List<String> checkedEnv(List<String> env) {
        List<String> copy = List.copyOf(env);
        for (String e : copy) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("environment entry is not NAME=value: " + e);
            }
        }
        return copy;
    }

    /** A request to run {@code command} on {@code layers} with {@code config}'s defaults. */
    public static Builder newBuilder(List<LayerSource> layers, ContainerConfig config, List<String> command) {
        return new Builder(layers, config, command);
    }

    /**
     * The environment the command sees from the config and this request: the config's
     * {@code Env}, then {@link #env()}, a later entry replacing an earlier one of the same name.
     */
    public List<String> effectiveEnv() {
        ContainerConfig.Builder merged = config.toBuilder();
        for (String e : env) {
            int eq = e.indexOf('=');
            merged.env(e.substring(0, eq), e.substring(eq + 1));
        }
        return merged.build().env();
    }

    /** Builds a {@link RunRequest}. Not thread-safe. Defaults: host network, no mounts, output discarded. */
    public static final class Builder {
        private final List<LayerSource> layers;
        private final ContainerConfig config;
        private final List<String> command;
        private final List<String> env = new ArrayList<>();
        private String user;
        private String workdir;
        private BuildNetwork network = BuildNetwork.HOST;
        private final List<BuildMount> mounts = new ArrayList<>();
        private OutputStream stdout = OutputStream.nullOutputStream();
        private OutputStream stderr = OutputStream.nullOutputStream();

        private Builder(List<LayerSource> layers, ContainerConfig config, List<String> command) {
            this.layers = List.copyOf(layers);
            this.config = Objects.requireNonNull(config, "config");
            this.command = List.copyOf(command);
        }

        /** Adds variables for this command only, {@code NAME=value}. */
        public Builder env(List<String> values) {
            env.addAll(values);
            return this;
        }

        /** Runs as {@code value} instead of the config's user. */
        public Builder user(String value) {
            user = Objects.requireNonNull(value, "user");
            return this;
        }

        /** Runs in {@code value} instead of the config's working directory. */
        public Builder workdir(String value) {
            workdir = Objects.requireNonNull(value, "workdir");
            return this;
        }

        /** The network; the host's by default, as a build usually needs to download. */
        public Builder network(BuildNetwork value) {
            network = Objects.requireNonNull(value, "network");
            return this;
        }

        /** Adds mounts. */
        public Builder mounts(List<BuildMount> values) {
            mounts.addAll(values);
            return this;
        }

        /** Where standard output and standard error go. */
        public Builder output(OutputStream out, OutputStream err) {
            stdout = Objects.requireNonNull(out, "stdout");
            stderr = Objects.requireNonNull(err, "stderr");
            return this;
        }

        public RunRequest build() {
            return new RunRequest(layers, config, command, env, Optional.ofNullable(user), Optional.ofNullable(workdir),
                    network, mounts, stdout, stderr);
        }
    }
}
