package dev.ocikit.image.containerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The command of a RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD, in one of its two forms. The exec
 * form ({@code ["executable", "arg"]}, a JSON array of strings) is run as is; the shell form
 * ({@code executable arg}, anything else) is handed to the stage's shell as one string.
 * Neither form is expanded by the builder: the shell expands the shell form when it runs.
 * Immutable.
 *
 * @param execForm whether it was written as a JSON array
 * @param arguments the exec form's arguments; for the shell form, exactly one element, the
 *     command text as written (continuations joined)
 */
public record CommandLine(boolean execForm, List<String> arguments) {
    public CommandLine {
        arguments = List.copyOf(arguments);
        if (!execForm && arguments.size() != 1) {
            throw new IllegalArgumentException("a shell-form command is exactly one string, got " + arguments);
        }
    }

    /** A shell-form command. */
    public static CommandLine shell(String command) {
        return new CommandLine(false, List.of(Objects.requireNonNull(command, "command")));
    }

    /** An exec-form command (may be empty: {@code CMD []}). */
    public static CommandLine exec(List<String> arguments) {
        return new CommandLine(true, arguments);
    }

    /** The command text of the shell form; empty for the exec form. */
    public Optional<String> shellCommand() {
        return execForm ? Optional.empty() : Optional.of(arguments.get(0));
    }

    /**
     * The program and its arguments to run: the exec form's arguments, or {@code shell} followed
     * by the command text for the shell form.
     *
     * @param shell the stage's shell, {@code ["/bin/sh", "-c"]} unless a SHELL instruction changed it
     */
    public List<String> argv(List<String> shell) {
        if (execForm) {
            return arguments;
        }
        List<String> argv = new ArrayList<>(shell);
        argv.add(arguments.get(0));
        return List.copyOf(argv);
    }
}
