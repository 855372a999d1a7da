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
        if (java.util.Arrays.asList(args).contains("run")) {
            // A container to start: native bindings and JSON mappings load while the arguments are read.
            dev.ocikit.runtime.OciRuntime.warmUpInBackground();
        }
        if (args.length == 1 && args[0].equals("--cds-training")) {
            cdsTraining();
            return;
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * Loads what a container run loads, without running one, for bin/ocikit to record into a
     * class-data sharing archive: the command line model, the runtime's native bindings, and the
     * JSON mappings of images, stores and runtime configs.
     */
    private static void cdsTraining() {
        CommandLine cli = commandLine();
        cli.parseArgs("run", "--rm", "-e", "A=b", "-v", "/tmp:/tmp:ro", "-p", "8080", "localhost/image", "true");
        dev.ocikit.runtime.ContainerBuilder.class.getName();
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ocikit-cds");
            try {
                dev.ocikit.image.ImageStore.open(dir.resolve("store")).list();
            } finally {
                dev.ocikit.image.internal.FileTrees.deleteRecursively(dir);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        dev.ocikit.runtime.OciRuntime.warmUpInBackground();
        dev.ocikit.runtime.bundle.BundleSpec.scratch().command("true").build(java.nio.file.Path.of("/nonexistent-rootfs"));
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
