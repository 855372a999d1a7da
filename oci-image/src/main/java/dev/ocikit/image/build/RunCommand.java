package dev.ocikit.image.build;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A command for {@link ImageBuilder#run(RunCommand)}: the program and its arguments, and how it
 * runs (variables, user, working directory, network, mounts). Immutable; each {@code with…}
 * returns a new value.
 *
 * @param command the program and its arguments
 * @param env variables for this command only ({@code NAME=value}), over the image's
 * @param user the user to run as instead of the image's
 * @param workdir the working directory instead of the image's
 * @param network the network; the host's unless set
 * @param mounts host paths mounted while it runs, never part of the image
 * @param createdBy what the image's history says of the step; the command when empty
 */
public record RunCommand(List<String> command, List<String> env, Optional<String> user, Optional<String> workdir,
        BuildNetwork network, List<BuildMount> mounts, Optional<String> createdBy) {
    public RunCommand {
        command = RunRequest.checkedCommand(command);
        env = RunRequest.checkedEnv(env);
        user = user == null ? Optional.empty() : user;
        workdir = workdir == null ? Optional.empty() : workdir;
        Objects.requireNonNull(network, "network");
        mounts = List.copyOf(mounts);
        createdBy = createdBy == null ? Optional.empty() : createdBy;
    }

    /** Runs {@code command} (exec form: no shell unless the command is one). */
    public static RunCommand of(String... command) {
        return of(Arrays.asList(command));
    }

    /** Runs {@code command} (exec form). */
    public static RunCommand of(List<String> command) {
        return new RunCommand(command, List.of(), Optional.empty(), Optional.empty(), BuildNetwork.HOST, List.of(),
                Optional.empty());
    }

    /** Runs {@code script} with {@code /bin/sh -c}, as a Containerfile's shell form does. */
    public static RunCommand shell(String script) {
        return of("/bin/sh", "-c", script);
    }

    /** The same with one more variable. */
    public RunCommand withEnv(String name, String value) {
        List<String> more = new ArrayList<>(env);
        more.add(name + "=" + value);
        return new RunCommand(command, more, user, workdir, network, mounts, createdBy);
    }

    /** The same, run as {@code value}. */
    public RunCommand withUser(String value) {
        return new RunCommand(command, env, Optional.of(value), workdir, network, mounts, createdBy);
    }

    /** The same, run in {@code value}. */
    public RunCommand withWorkdir(String value) {
        return new RunCommand(command, env, user, Optional.of(value), network, mounts, createdBy);
    }

    /** The same with another network. */
    public RunCommand withNetwork(BuildNetwork value) {
        return new RunCommand(command, env, user, workdir, value, mounts, createdBy);
    }

    /** The same with one more mount. */
    public RunCommand withMount(BuildMount mount) {
        List<BuildMount> more = new ArrayList<>(mounts);
        more.add(Objects.requireNonNull(mount, "mount"));
        return new RunCommand(command, env, user, workdir, network, more, createdBy);
    }

    /** The same, recorded in the history as {@code value}. */
    public RunCommand withCreatedBy(String value) {
        return new RunCommand(command, env, user, workdir, network, mounts, Optional.of(value));
    }

    /** What the history records: {@link #createdBy()}, else {@code RUN} and the command. */
    String description() {
        return createdBy.orElseGet(() -> "RUN " + Steps.json(command));
    }
}
