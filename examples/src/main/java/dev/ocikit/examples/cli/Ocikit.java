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
        subcommands = {CopyCommand.class, InspectCommand.class, UnpackCommand.class, PackLayerCommand.class,
                StoreCommands.Images.class, StoreCommands.Tag.class, StoreCommands.Rmi.class,
                RegistryCommands.ListTags.class, RegistryCommands.Login.class, RegistryCommands.Logout.class,
                PullPushCommands.Pull.class, PullPushCommands.Push.class, PullPushCommands.Delete.class, SyncCommand.class, ReferenceCommand.class,
                ContainerCommands.Run.class, ContainerCommands.Ps.class, ContainerCommands.Logs.class,
                ContainerCommands.Exec.class, ContainerCommands.Stop.class, ContainerCommands.Kill.class,
                ContainerCommands.Rm.class, ContainerCommands.Wait.class, ValidateCommand.class, CommandLine.HelpCommand.class})
public final class Ocikit implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--root", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "the local image store used by ocikit: names (default: $XDG_DATA_HOME/ocikit, as root /var/lib/ocikit)")
    java.nio.file.Path root;

    /** The store root the user named, if any. */
    java.util.Optional<java.nio.file.Path> root() {
        return java.util.Optional.ofNullable(root);
    }

    public static void main(String[] args) {
        // Warnings (a mislabelled layer, a skipped device node) to stderr, one line each.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("ocikit.log", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Ocikit());
        // As podman: everything after the image (run) or the container (exec) is the command, options included.
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.getSubcommands().get("exec").setStopAtPositional(true);
        // As Podman does: "Error: <what went wrong>" and exit 125 for ocikit's own errors, no stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("Error: " + e.getMessage());
            return e instanceof dev.ocikit.spec.OciException || e instanceof java.io.IOException
                    || e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException ? 125 : 1;
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
