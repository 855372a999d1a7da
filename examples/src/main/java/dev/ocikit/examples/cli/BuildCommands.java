package dev.ocikit.examples.cli;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.build.BuildListener;
import dev.ocikit.image.build.BuildMount;
import dev.ocikit.image.build.BuildNetwork;
import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.image.build.RunCommand;
import dev.ocikit.image.containerfile.ContainerfileBuild;
import dev.ocikit.runtime.OciRuntime;
import dev.ocikit.runtime.WorkingContainer;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Buildah's jobs: {@code build} from a Containerfile, and working containers ({@code from},
 * {@code run-in}, {@code copy-in}, {@code config}, {@code commit}, {@code working-containers},
 * {@code rm-working}). Buildah's own names {@code run}, {@code copy} and {@code rm} are Podman's and
 * Skopeo's here, so the working-container commands say what they act on.
 */
final class BuildCommands {
    private BuildCommands() {}

    /** The image, pulled into the store first when it is not there (as {@code ocikit run} does). */
    static void ensureImage(Ocikit parent, CommandSpec spec, ImageStore store, String image) throws IOException {
        if (!image.equals("scratch") && store.find(image).isEmpty()) {
            pull(parent, spec, image, null, null, false);
        }
    }

    /** Pulls {@code image} through the CLI's own pull, with these registry flags and platform. */
    static void pull(Ocikit parent, CommandSpec spec, String image, RegistryOptions registry, Platform platform,
            boolean quiet) throws IOException {
        pull(parent, spec, image, registry, platform, quiet, null);
    }

    /** {@link #pull(Ocikit, CommandSpec, String, RegistryOptions, Platform, boolean)} with a trust policy file. */
    static void pull(Ocikit parent, CommandSpec spec, String image, RegistryOptions registry, Platform platform,
            boolean quiet, Path signaturePolicy) throws IOException {
        List<String> pull = new ArrayList<>();
        parent.root().ifPresent(r -> {
            pull.add("--root");
            pull.add(r.toString());
        });
        pull.add("pull");
        if (quiet) {
            pull.add("-q");
        }
        if (platform != null) {
            pull.add("--platform=" + platform);
        }
        if (signaturePolicy != null) {
            pull.add("--signature-policy=" + signaturePolicy);
        }
        if (registry != null) {
            if (registry.tlsVerify != null) {
                pull.add("--tls-verify=" + registry.tlsVerify);
            }
            if (registry.creds != null) {
                pull.add("--creds=" + registry.creds);
            }
            if (registry.authfile != null) {
                pull.add("--authfile=" + registry.authfile);
            }
        }
        pull.add(image);
        CommandLine pullCommand = Ocikit.commandLine();
        pullCommand.setOut(spec.commandLine().getOut());
        pullCommand.setErr(spec.commandLine().getErr());
        if (pullCommand.execute(pull.toArray(String[]::new)) != 0) {
            throw new IOException("image \"" + image + "\" is not in the local store and could not be pulled");
        }
    }

    /** A stream onto a picocli writer, for command output that arrives as bytes. */
    static OutputStream stream(PrintWriter w) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                w.write(new String(b, off, len, StandardCharsets.UTF_8));
                w.flush();
            }
        };
    }

    @Command(name = "build", aliases = "bud",
            description = "Build an image from a Containerfile or Dockerfile, as buildah build (podman build) does.",
            footer = {"", "Examples:", "  ocikit build -t localhost/app:1 .",
                    "  ocikit build -f Containerfile.prod --build-arg VERSION=2 --timestamp 0 -t app:2 ./src",
                    "  ocikit build --target builder --no-cache -t app-builder ."})
    static final class Build implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE",
                description = "the Containerfile (default: Containerfile, else Dockerfile, in the context)")
        Path file;

        @Option(names = {"-t", "--tag"}, paramLabel = "NAME", description = "name the image (repeatable)")
        List<String> tags = new ArrayList<>();

        @Option(names = "--build-arg", paramLabel = "NAME[=VALUE]",
                description = "a build argument; NAME alone takes its value from the environment")
        List<String> buildArgs = new ArrayList<>();

        @Option(names = "--format", paramLabel = "oci|docker", description = "the image format (default: oci)")
        String format;

        @Option(names = "--timestamp", paramLabel = "SECONDS",
                description = "seconds since the epoch for every time in the image, making it reproducible"
                        + " (default: $SOURCE_DATE_EPOCH when set)")
        Long timestamp;

        @Option(names = "--no-cache", description = "run every step, ignoring the layer cache")
        boolean noCache;

        @Option(names = "--target", paramLabel = "STAGE", description = "build this stage instead of the last")
        String target;

        @Option(names = "--squash", description = "fold the layers the build adds into one")
        boolean squash;

        @Option(names = "--network", paramLabel = "host|none", description = "the network RUN steps get (default: host)")
        String network;

        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "the platform to build for")
        String platform;

        @Option(names = {"-q", "--quiet"}, description = "print only the image id")
        boolean quiet;

        @Option(names = "--signature-policy", paramLabel = "FILE",
                description = "the trust policy (policy.json) pulled base images must satisfy (default: the machine's, when it has one)")
        Path signaturePolicy;

        @Mixin
        RegistryOptions registry = new RegistryOptions();

        @Parameters(paramLabel = "CONTEXT", arity = "0..1", description = "the build context directory (default: .)")
        Path context = Path.of(".");

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path containerfile = file != null ? file : defaultFile(context);
            ImageStore store = StoreCommands.open(parent);
            OciRuntime runtime = OciRuntime.builder().store(store).build();
            ContainerfileBuild build = ContainerfileBuild.of(containerfile, context).withRuntime(runtime)
                    .withCache(!noCache).withSquash(squash)
                    .withBaseImages((image, p) -> {
                        if (store.find(image).isPresent()) {
                            try {
                                return ImageBuilder.from(store, image, p);
                            } catch (dev.ocikit.image.NoMatchingPlatformException otherPlatform) {
                                // pulled for the platform asked for, as podman build --platform does
                            }
                        }
                        pull(parent, spec, image, registry, p, quiet, signaturePolicy);
                        return ImageBuilder.from(store, image, p);
                    });
            for (String a : buildArgs) {
                int eq = a.indexOf('=');
                if (eq > 0) {
                    build = build.withBuildArg(a.substring(0, eq), a.substring(eq + 1));
                } else if (System.getenv(a) != null) {
                    build = build.withBuildArg(a, System.getenv(a));
                }
            }
            if (format != null) {
                build = build.withFormat(switch (format.toLowerCase(Locale.ROOT)) {
                    case "oci" -> ManifestFormat.OCI;
                    case "docker" -> ManifestFormat.DOCKER_V2S2;
                    default -> throw new CommandLine.ParameterException(spec.commandLine(),
                            "--format must be oci or docker, not " + format);
                });
            }
            Optional<Instant> time = timestamp != null ? Optional.of(Instant.ofEpochSecond(timestamp))
                    : dev.ocikit.image.PackOptions.sourceDateEpoch(System.getenv());
            if (time.isPresent()) {
                build = build.withTimestamp(time.get());
            }
            if (target != null) {
                build = build.withTarget(target);
            }
            if (network != null) {
                build = build.withNetwork(switch (network) {
                    case "host" -> BuildNetwork.HOST;
                    case "none" -> BuildNetwork.NONE;
                    default -> throw new CommandLine.ParameterException(spec.commandLine(),
                            "--network must be host or none, not " + network);
                });
            }
            if (platform != null) {
                build = build.withPlatform(Platform.parse(platform));
            }
            if (!quiet) {
                PrintWriter err = spec.commandLine().getErr();
                build = build.withOutput(stream(out), stream(err)).withListener(new BuildListener() {
                    @Override
                    public void stepStarted(int number, int count, String createdBy) {
                        out.println("STEP " + number + "/" + count + ": " + createdBy);
                        out.flush();
                    }

                    @Override
                    public void stepCached(int number, String createdBy) {
                        out.println("--> Using cache");
                        out.flush();
                    }
                });
            }
            BuiltImage image = build.build(store, tags);
            if (!quiet) {
                if (!tags.isEmpty()) {
                    out.println("COMMIT " + tags.get(0));
                }
                out.println("--> " + image.id().shortId());
                for (String t : tags) {
                    out.println("Successfully tagged " + ImageStore.normalizeName(t));
                }
            }
            out.println(image.id().encoded());
            out.flush();
            return 0;
        }

        private static Path defaultFile(Path context) throws IOException {
            for (String name : List.of("Containerfile", "Dockerfile")) {
                Path p = context.resolve(name);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            throw new IOException("no Containerfile or Dockerfile in " + context + "; name one with -f");
        }
    }

    @Command(name = "from", description = "Make a working container from an image and print its name, as buildah from does.",
            footer = {"", "Examples:", "  ctr=$(ocikit from localhost/busybox)",
                    "  ocikit run-in $ctr -- sh -c 'echo hi > /hello'", "  ocikit commit $ctr localhost/hello:1"})
    static final class From implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = "--name", paramLabel = "NAME", description = "the working container's name (default: IMAGE-working-container)")
        String name;

        @Parameters(paramLabel = "IMAGE", description = "an image of the store (pulled when missing), or scratch")
        String image;

        @Mixin
        RegistryOptions registry = new RegistryOptions();

        @Override
        public Integer call() throws Exception {
            ImageStore store = StoreCommands.open(parent);
            if (!image.equals("scratch") && store.find(image).isEmpty()) {
                pull(parent, spec, image, registry, null, false);
            }
            OciRuntime runtime = OciRuntime.builder().store(store).build();
            WorkingContainer c = name == null ? runtime.newWorkingContainer(image) : runtime.newWorkingContainer(image, name);
            spec.commandLine().getOut().println(c.name());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "run-in", description = "Run a command in a working container, as buildah run does; what it writes"
            + " stays for the commit.",
            footer = {"", "Examples:", "  ocikit run-in busybox-working-container -- sh -c 'adduser -D app'",
                    "  ocikit run-in --network none -e MODE=test ctr -- make test"})
    static final class RunIn implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "set an environment variable for this command")
        List<String> env = new ArrayList<>();

        @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "run as this user")
        String user;

        @Option(names = {"-w", "--workingdir"}, paramLabel = "DIR", description = "run in this directory")
        String workdir;

        @Option(names = "--network", paramLabel = "host|none", description = "the network (default: host)")
        String network;

        @Option(names = {"-v", "--volume"}, paramLabel = "SRC:DST[:ro]", description = "mount a host path while it runs")
        List<String> volumes = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            OciRuntime runtime = OciRuntime.builder().store(StoreCommands.open(parent)).build();
            WorkingContainer c = runtime.openWorkingContainer(container);
            List<String> argv = command.get(0).equals("--") ? command.subList(1, command.size()) : command;
            RunCommand cmd = RunCommand.of(argv);
            for (String e : env) {
                int eq = e.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "-e needs KEY=VALUE, not " + e);
                }
                cmd = cmd.withEnv(e.substring(0, eq), e.substring(eq + 1));
            }
            if (user != null) {
                cmd = cmd.withUser(user);
            }
            if (workdir != null) {
                cmd = cmd.withWorkdir(workdir);
            }
            if (network != null) {
                cmd = cmd.withNetwork(switch (network) {
                    case "none" -> BuildNetwork.NONE;
                    case "host" -> BuildNetwork.HOST;
                    default -> throw new CommandLine.ParameterException(spec.commandLine(),
                            "--network must be host or none, not " + network);
                });
            }
            for (String v : volumes) {
                String[] p = v.split(":");
                if (p.length < 2) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "-v needs SRC:DST[:ro], not " + v);
                }
                Path src = Path.of(p[0]).toAbsolutePath();
                cmd = cmd.withMount(p.length > 2 && p[2].equals("ro") ? BuildMount.readOnly(src, p[1]) : BuildMount.of(src, p[1]));
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int code = c.run(cmd, stream(out), stream(err));
            out.flush();
            return code;
        }
    }

    @Command(name = "copy-in", description = "Copy files from the host into a working container, as buildah copy does.",
            footer = {"", "Examples:", "  ocikit copy-in ctr target/app.jar /app/app.jar",
                    "  ocikit copy-in --chown 1000:1000 --chmod 0755 ctr bin/ /usr/local/bin/"})
    static final class CopyIn implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = "--chown", paramLabel = "UID:GID", description = "record the files as owned by these ids")
        String chown;

        @Option(names = "--chmod", paramLabel = "MODE", description = "record the files with this octal mode")
        String chmod;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", arity = "2..*", paramLabel = "SRC... DST")
        List<String> paths;

        @Override
        public Integer call() throws Exception {
            OciRuntime runtime = OciRuntime.builder().store(StoreCommands.open(parent)).build();
            WorkingContainer c = runtime.openWorkingContainer(container);
            String destination = paths.get(paths.size() - 1);
            List<AddedFile> files = new ArrayList<>();
            for (String s : paths.subList(0, paths.size() - 1)) {
                // Owned by root unless --chown says otherwise, as buildah copy records files.
                AddedFile f = AddedFile.of(Path.of(s).toAbsolutePath(), destination).withOwner(0, 0);
                if (chown != null) {
                    String[] ids = chown.split(":", 2);
                    try {
                        long uid = Long.parseLong(ids[0]);
                        f = f.withOwner(uid, ids.length > 1 ? Long.parseLong(ids[1]) : uid);
                    } catch (NumberFormatException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--chown takes numeric UID[:GID], not " + chown);
                    }
                }
                if (chmod != null) {
                    try {
                        f = f.withMode(Integer.parseInt(chmod, 8));
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--chmod takes an octal mode"
                                + " such as 0755, not " + chmod);
                    }
                }
                files.add(f);
            }
            c.copy(files.toArray(AddedFile[]::new));
            return 0;
        }
    }

    @Command(name = "config", description = "Change the image config a working container will commit, as buildah config does.",
            footer = {"", "Examples:", "  ocikit config --entrypoint '[\"/app/run\"]' --cmd '' --port 8080 ctr",
                    "  ocikit config --env MODE=prod --label org.opencontainers.image.version=1 ctr"})
    static final class Config implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = "--entrypoint", paramLabel = "JSON|COMMAND",
                description = "a JSON array, or a command run with /bin/sh -c; empty removes it")
        String entrypoint;

        @Option(names = "--cmd", paramLabel = "JSON|COMMAND", description = "a JSON array, or a command split on spaces; empty removes it")
        String cmd;

        @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "set an environment variable")
        List<String> env = new ArrayList<>();

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "set a label")
        List<String> labels = new ArrayList<>();

        @Option(names = "--workingdir", paramLabel = "DIR")
        String workdir;

        @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]")
        String user;

        @Option(names = {"-p", "--port"}, paramLabel = "PORT[/PROTO]", description = "expose a port")
        List<String> ports = new ArrayList<>();

        @Option(names = {"-v", "--volume"}, paramLabel = "DIR", description = "mark a directory as a volume")
        List<String> volumes = new ArrayList<>();

        @Option(names = "--stop-signal", paramLabel = "SIGNAL")
        String stopSignal;

        @Parameters(paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() throws Exception {
            OciRuntime runtime = OciRuntime.builder().store(StoreCommands.open(parent)).build();
            WorkingContainer c = runtime.openWorkingContainer(container);
            UnaryOperator<ContainerConfig> change = config -> {
                ContainerConfig.Builder b = config.toBuilder();
                if (entrypoint != null) {
                    b.entrypoint(command(entrypoint, true));
                }
                if (cmd != null) {
                    b.cmd(command(cmd, false));
                }
                for (String e : env) {
                    int eq = e.indexOf('=');
                    b.env(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
                }
                for (String l : labels) {
                    int eq = l.indexOf('=');
                    b.label(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
                }
                if (workdir != null) {
                    b.workingDir(workdir);
                }
                if (user != null) {
                    b.user(user);
                }
                for (String p : ports) {
                    b.exposePort(p.contains("/") ? p : p + "/tcp");
                }
                volumes.forEach(b::addVolume);
                if (stopSignal != null) {
                    b.stopSignal(stopSignal);
                }
                return b.build();
            };
            c.config(change);
            return 0;
        }

        /** A JSON array as it is; other text as buildah takes it: a shell command, or words. */
        private static List<String> command(String value, boolean shell) {
            String v = value.strip();
            if (v.isEmpty()) {
                return List.of();
            }
            if (v.startsWith("[")) {
                try {
                    return List.of(Json.parse(v.getBytes(StandardCharsets.UTF_8), String[].class, "command"));
                } catch (RuntimeException e) {
                    // not JSON after all: taken as a command
                }
            }
            return shell ? List.of("/bin/sh", "-c", v) : List.of(v.split("\\s+"));
        }
    }

    @Command(name = "commit", description = "Write a working container, or a container (as podman commit does), as an image.",
            footer = {"", "Examples:", "  ocikit commit busybox-working-container localhost/hello:1",
                    "  ocikit commit web localhost/web-snapshot:1"})
    static final class Commit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = "--rm", description = "remove the working container after the commit")
        boolean rm;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1", paramLabel = "IMAGE")
        String image;

        @Override
        public Integer call() throws Exception {
            OciRuntime runtime = OciRuntime.builder().store(StoreCommands.open(parent)).build();
            Optional<WorkingContainer> working = runtime.workingContainers().stream().filter(w -> {
                try {
                    return w.id().equals(container) || w.id().startsWith(container) && container.length() >= 12
                            || w.name().equals(container);
                } catch (IOException e) {
                    return false;
                }
            }).findFirst();
            BuiltImage built;
            if (working.isPresent()) {
                built = working.get().commit(image);
                if (rm) {
                    working.get().remove();
                }
            } else {
                built = runtime.commit(container, image);
            }
            spec.commandLine().getOut().println(built.id().encoded());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "working-containers", aliases = "containers",
            description = "List the working containers, as buildah containers does.",
        footer = {"", "Examples:", "  ocikit working-containers", "  ocikit working-containers -q"})
    static final class List_ implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-q", "--quiet"}, description = "print only ids")
        boolean quiet;

        @Override
        public Integer call() throws Exception {
            OciRuntime runtime = OciRuntime.builder().store(StoreCommands.open(parent)).build();
            PrintWriter out = spec.commandLine().getOut();
            if (!quiet) {
                out.printf("%-12s  %-12s  %-32s  %s%n", "CONTAINER ID", "IMAGE ID", "IMAGE NAME", "CONTAINER NAME");
            }
            for (WorkingContainer c : runtime.workingContainers()) {
                if (quiet) {
                    out.println(c.id());
                } else {
                    String imageId = c.imageId().map(i -> i.replace("sha256:", "")).orElse("");
                    out.printf("%-12s  %-12s  %-32s  %s%n", c.id().substring(0, 12),
                            imageId.substring(0, Math.min(12, imageId.length())), c.image(), c.name());
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "rm-working", description = "Remove working containers, as buildah rm does.",
        footer = {"", "Examples:", "  ocikit rm-working busybox-working-container"})
    static final class RmWorking extends ContainerCommands.EachContainer {
        @Override
        void apply(OciRuntime runtime, String container, PrintWriter out) throws Exception {
            WorkingContainer c = runtime.openWorkingContainer(container);
            String id = c.id();
            c.remove();
            out.println(id);
        }
    }

}
