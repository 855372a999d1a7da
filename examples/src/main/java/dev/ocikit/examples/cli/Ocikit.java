package dev.ocikit.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ocikit} command: Skopeo's, Podman's and Buildah's jobs from one jar, no daemon. */
@Command(
        name = "ocikit",
        mixinStandardHelpOptions = true,
        versionProvider = Ocikit.Version.class,
        description = "Inspect, copy, run and build OCI images without a daemon.",
        subcommands = {ReferenceCommand.class, ValidateCommand.class, CommandLine.HelpCommand.class})
public final class Ocikit implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Ocikit());
        // As Podman does: "Error: <what went wrong>" and exit 125 for ocikit's own errors, no stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("Error: " + e.getMessage());
            return e instanceof dev.ocikit.spec.OciException || e instanceof java.io.IOException ? 125 : 1;
        });
        return cli;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Ocikit.class.getPackage().getImplementationVersion();
            return new String[] {"ocikit " + (v == null ? "development build" : v)};
        }
    }
}
