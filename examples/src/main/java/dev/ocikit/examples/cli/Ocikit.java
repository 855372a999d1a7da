package dev.ocikit.examples.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ocikit} command: Skopeo's, Podman's and Buildah's jobs from one jar, no daemon. */
@Command(
        name = "ocikit",
        mixinStandardHelpOptions = true,
        versionProvider = Ocikit.Version.class,
        description = "Inspect, copy, run and build OCI images without a daemon.",
        footer = {"", "Examples:", "  ocikit pull busybox && ocikit run --rm busybox echo hi", "  ocikit build -t localhost/app:1 .", "  ocikit copy docker://busybox oci:/tmp/layout:busybox"})
public final class Ocikit implements Callable<Integer> {
    /** Every subcommand, in the order help lists them. */
    /**
     * Every subcommand by the names its {@code @Command} gives it, aliases too (SubcommandNamesTest
     * holds the two to each other), in the order help lists them: finding the one a command line names then reads
     * no annotations, which for all of them cost a start about 30 ms.
     */
    static final Map<String, Class<?>> SUBCOMMANDS_BY_NAME = inOrder(
            Map.entry("copy", CopyCommand.class),
            Map.entry("inspect", InspectCommand.class),
            Map.entry("unpack", UnpackCommand.class),
            Map.entry("pack-layer", PackLayerCommand.class),
            Map.entry("images", StoreCommands.Images.class),
            Map.entry("tag", StoreCommands.Tag.class),
            Map.entry("rmi", StoreCommands.Rmi.class),
            Map.entry("save", ArchiveCommands.Save.class),
            Map.entry("load", ArchiveCommands.Load.class),
            Map.entry("list-tags", RegistryCommands.ListTags.class),
            Map.entry("login", RegistryCommands.Login.class),
            Map.entry("logout", RegistryCommands.Logout.class),
            Map.entry("pull", PullPushCommands.Pull.class),
            Map.entry("push", PullPushCommands.Push.class),
            Map.entry("delete", PullPushCommands.Delete.class),
            Map.entry("sync", SyncCommand.class),
            Map.entry("reference", ReferenceCommand.class),
            Map.entry("run", ContainerCommands.Run.class),
            Map.entry("create", ContainerCommands.Create.class),
            Map.entry("start", ContainerCommands.Start.class),
            Map.entry("ps", ContainerCommands.Ps.class),
            Map.entry("logs", ContainerCommands.Logs.class),
            Map.entry("exec", ContainerCommands.Exec.class),
            Map.entry("stop", ContainerCommands.Stop.class),
            Map.entry("kill", ContainerCommands.Kill.class),
            Map.entry("rm", ContainerCommands.Rm.class),
            Map.entry("wait", ContainerCommands.Wait.class),
            Map.entry("build", BuildCommands.Build.class),
            Map.entry("bud", BuildCommands.Build.class),
            Map.entry("from", BuildCommands.From.class),
            Map.entry("run-in", BuildCommands.RunIn.class),
            Map.entry("copy-in", BuildCommands.CopyIn.class),
            Map.entry("config", BuildCommands.Config.class),
            Map.entry("commit", BuildCommands.Commit.class),
            Map.entry("working-containers", BuildCommands.List_.class),
            Map.entry("containers", BuildCommands.List_.class),
            Map.entry("rm-working", BuildCommands.RmWorking.class),
            Map.entry("validate", ValidateCommand.class),
            Map.entry("standalone-sign", SignatureCommands.StandaloneSign.class),
            Map.entry("standalone-verify", SignatureCommands.StandaloneVerify.class),
            Map.entry("generate-sigstore-key", SigstoreKeyCommand.class),
            Map.entry("help", CommandLine.HelpCommand.class));
    static final List<Class<?>> SUBCOMMANDS = List.copyOf(new java.util.LinkedHashSet<>(SUBCOMMANDS_BY_NAME.values()));

    @SafeVarargs
    private static Map<String, Class<?>> inOrder(Map.Entry<String, Class<?>>... entries) {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        for (Map.Entry<String, Class<?>> e : entries) {
            m.put(e.getKey(), e.getValue());
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--root", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "the local image store used by ocikit: names (default: $XDG_DATA_HOME/ocikit, as root /var/lib/ocikit)")
    java.nio.file.Path root;

    /** The store root the user named, if any. */
    java.util.Optional<java.nio.file.Path> root() {
        return java.util.Optional.ofNullable(root);
    }

    // skopeo's global option: before the command (ocikit --registries.d DIR copy ...), as skopeo takes it
    @CommandLine.Option(names = "--registries.d", paramLabel = "DIR",
            description = "use registry configuration files in DIR (where signatures are kept) instead of"
                    + " $HOME/.config/containers/registries.d or /etc/containers/registries.d; for copy, inspect, sync, pull and push")
    java.nio.file.Path registriesD;

    /** The registries.d directory the user named, if any. */
    java.util.Optional<java.nio.file.Path> registriesD() {
        return java.util.Optional.ofNullable(registriesD);
    }

    // skopeo's global platform overrides, before the command: which image of an index copy, inspect and unpack take
    @CommandLine.Option(names = "--override-os", paramLabel = "OS",
            description = "use OS instead of the running OS for choosing images")
    String overrideOs;

    @CommandLine.Option(names = "--override-arch", paramLabel = "ARCH",
            description = "use ARCH instead of the architecture of the machine for choosing images")
    String overrideArch;

    @CommandLine.Option(names = "--override-variant", paramLabel = "VARIANT",
            description = "use VARIANT instead of the running architecture variant for choosing images")
    String overrideVariant;

    /**
     * The platform to choose out of an index: the one named with {@code --platform}, else this
     * machine's as the global overrides change it (a new architecture drops the machine's variant).
     */
    dev.ocikit.spec.Platform platform(String named) {
        if (named != null) {
            return dev.ocikit.spec.Platform.parse(named);
        }
        dev.ocikit.spec.Platform host = dev.ocikit.spec.Platform.host();
        if (overrideOs == null && overrideArch == null && overrideVariant == null) {
            return host;
        }
        String os = overrideOs != null ? overrideOs : host.os();
        String arch = overrideArch != null ? overrideArch : host.architecture();
        String variant = overrideVariant != null ? overrideVariant
                : overrideArch != null ? null : host.variant().orElse(null);
        return dev.ocikit.spec.Platform.parse(os + "/" + arch + (variant != null ? "/" + variant : ""));
    }

    /** Commands that hash whole images or layers, as blobs stream in or out or layers are packed. */
    private static final java.util.Set<String> HASHING_COMMANDS = java.util.Set.of("copy", "pull", "push", "sync",
            "unpack", "pack-layer", "build", "bud", "commit", "save", "load");

    public static void main(String[] args) {
        // Warnings (a mislabelled layer, a skipped device node) to stderr, one line each.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("ocikit.log", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        // The backend this application ships, named: SLF4J otherwise searches the whole jar for one (15 ms a start).
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN"); // not a line about it on every command
            }
        }
        // HttpClient reads bodies in buffers of this size (16 KiB by default); 128 KiB moves image layers
        // with a fifth less time. A JVM-wide setting, so the application sets it, never the library.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(128 << 10));
        }
        String command = commandName(args).orElse("");
        if (HASHING_COMMANDS.contains(command)) {
            DigestWarmUp.start();
        }
        if (command.equals("run")) {
            // A container to start: native bindings and JSON mappings load while the arguments are read.
            dev.ocikit.runtime.OciRuntime.warmUpInBackground();
        }
        if (args.length == 1 && args[0].equals("--cds-training")) {
            cdsTraining();
            return;
        }
        CommandLine cli = commandLine(args);
        int exitCode = cli.execute(args);
        QuickExit.afterCommand(cli, exitCode);
        System.exit(exitCode);
    }

    /**
     * Loads what a container run loads, for bin/ocikit to record into a class-data sharing
     * archive: the command line model, an image packed and copied into a store in a temporary
     * directory, pushed to and pulled from a registry in this process, and, where this process may run containers (root, runc and a static busybox
     * present), one run of {@code true} in it, torn down again. Whatever fails on the way only
     * makes the archive smaller.
     */
    private static void cdsTraining() {
        String jnaDir = System.getProperty("ocikit.jna.dir");
        if (jnaDir != null) {
            // JNA's native stub, unpacked once: otherwise JNA unpacks it from the jar at every start
            String resource = "/com/sun/jna/" + com.sun.jna.Platform.RESOURCE_PREFIX + "/libjnidispatch.so";
            try (java.io.InputStream in = Ocikit.class.getResourceAsStream(resource)) {
                if (in != null) {
                    java.nio.file.Path target = java.nio.file.Files.createDirectories(java.nio.file.Path.of(jnaDir));
                    java.nio.file.Path tmp = java.nio.file.Files.createTempFile(target, "libjnidispatch", ".tmp");
                    java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    java.nio.file.Files.move(tmp, target.resolve("libjnidispatch.so"),
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (java.io.IOException e) {
                // JNA unpacks it itself then
            }
        }
        commandLine().parseArgs("run", "--rm", "-e", "A=b", "-v", "/tmp:/tmp:ro", "-p", "8080", "localhost/image", "true");
        java.nio.file.Path dir = null;
        try {
            dir = java.nio.file.Files.createTempDirectory("ocikit-cds");
            java.nio.file.Path rootfs = java.nio.file.Files.createDirectories(dir.resolve("rootfs/bin"));
            java.nio.file.Files.createDirectories(dir.resolve("rootfs/etc"));
            java.nio.file.Files.writeString(dir.resolve("rootfs/etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            java.nio.file.Path busybox = java.nio.file.Path.of("/bin/busybox");
            if (java.nio.file.Files.isExecutable(busybox)) {
                java.nio.file.Files.copy(busybox, rootfs.resolve("true"));
            }
            dev.ocikit.examples.ImageFromDirectory.main(new String[] {dir.resolve("rootfs").toString(),
                    dir.resolve("layout").toString(), "training", "/bin/true"});
            java.nio.file.Path store = dir.resolve("store");
            commandLine().execute("--root", store.toString(), "copy", "-q", "oci:" + dir.resolve("layout") + ":training",
                    "ocikit:localhost/training:1");
            // a push and a pull, for the HTTP client and the registry code
            try (TrainingRegistry registry = TrainingRegistry.start()) {
                String remote = "docker://" + registry.address() + "/training/image:1";
                java.nio.file.Path noConfig = java.nio.file.Files.createDirectories(dir.resolve("registries.d"));
                commandLine().execute("--registries.d", noConfig.toString(), "copy", "-q", "--dest-tls-verify=false",
                        "oci:" + dir.resolve("layout") + ":training", remote);
                commandLine().execute("--registries.d", noConfig.toString(), "copy", "-q", "--src-tls-verify=false", remote,
                        "oci:" + dir.resolve("pulled") + ":training");
            }
            dev.ocikit.runtime.OciRuntime runtime = dev.ocikit.runtime.OciRuntime.builder()
                    .store(dev.ocikit.image.ImageStore.open(store)).root(dir.resolve("runtime"))
                    .stateRoot(dir.resolve("state")).build();
            try (dev.ocikit.runtime.Container c = runtime.container("localhost/training:1")
                    .onStdout(line -> { }).start()) {
                c.waitFor();
            }
        } catch (Exception | LinkageError e) {
            // a smaller archive: nothing to report
        } finally {
            if (dir != null) {
                try {
                    dev.ocikit.image.internal.FileTrees.deleteRecursively(dir);
                } catch (java.io.IOException e) {
                    // a temporary directory left behind
                }
            }
        }
    }

    /** The configured command line with every subcommand, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return configure(SUBCOMMANDS);
    }

    /**
     * The command line for these arguments: when they name a subcommand, only that one is built.
     * picocli reads every subcommand's annotations when it is added, which is most of a short
     * command's start-up; {@code ocikit run} need not pay for the other twenty-four.
     */
    static CommandLine commandLine(String[] args) {
        Class<?> named = commandName(args).map(SUBCOMMANDS_BY_NAME::get).orElse(null);
        // --help, --version, help, or something to complain about: with the full list
        return named == null || named == CommandLine.HelpCommand.class ? commandLine() : configure(List.of(named));
    }

    /**
     * The subcommand the arguments name: the first that is neither a global option nor its value.
     * Empty when another option comes first (--help, --version), which only the full command line knows.
     */
    /** The global options that take a value, each before the command. */
    private static final List<String> GLOBAL_OPTIONS = List.of("--root", "--registries.d", "--override-os",
            "--override-arch", "--override-variant");

    static java.util.Optional<String> commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (GLOBAL_OPTIONS.contains(a)) {
                i++; // its value
            } else if (!a.startsWith("-")) {
                return java.util.Optional.of(a);
            } else if (GLOBAL_OPTIONS.stream().noneMatch(o -> a.startsWith(o + "="))) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.empty();
    }

    private static CommandLine configure(List<Class<?>> subcommands) {
        CommandLine cli = new CommandLine(new Ocikit());
        for (Class<?> c : subcommands) {
            cli.addSubcommand(c);
        }
        // "--root run" is a store named run, as main's walk over the arguments above reads it, not --root
        // without a value followed by the run command.
        cli.setAllowSubcommandsAsOptionParameters(true);
        // As podman: everything after the image (run, create) or the container (exec) is the command, options included.
        for (String name : List.of("run", "create", "exec", "run-in")) {
            if (cli.getSubcommands().containsKey(name)) {
                cli.getSubcommands().get(name).setStopAtPositional(true);
            }
        }
        // As Podman does: "Error: <what went wrong>" and exit 125 for ocikit's own errors, no stack trace;
        // skopeo's commands exit 1, as skopeo does.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("Error: " + e.getMessage());
            int code = exitCode(e);
            return code == 125 && skopeosCommand(parseResult) ? 1 : code;
        });
        return cli;
    }

    /** Commands in skopeo's role, which exits 1 on an error where podman exits 125. */
    private static final java.util.Set<String> SKOPEO_COMMANDS = java.util.Set.of("copy", "delete", "list-tags", "sync",
            "standalone-sign", "standalone-verify", "generate-sigstore-key");

    /** Whether the command that failed is one of skopeo's: {@code inspect} is, of an image named with a transport. */
    static boolean skopeosCommand(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult sub = parseResult.subcommand();
        if (sub == null) {
            return false;
        }
        String name = sub.commandSpec().name();
        if (name.equals("inspect")) {
            return sub.matchedPositionals().stream().flatMap(p -> p.stringValues().stream()).anyMatch(Sources::hasTransport);
        }
        return SKOPEO_COMMANDS.contains(name);
    }

    /**
     * The exit code for a failed command, as Podman's: 127 when the container's executable does not
     * exist, 126 when it cannot be run, 125 for ocikit's own errors, 1 for anything unforeseen.
     */
    static int exitCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.ocikit.runtime.invoker.ExecutableNotFoundException) {
                return 127;
            }
            if (t instanceof dev.ocikit.runtime.invoker.ExecutableNotPermittedException) {
                return 126;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return e instanceof dev.ocikit.spec.OciException || e instanceof java.io.IOException
                || e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException ? 125 : 1;
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
