package dev.ocikit.examples.cli;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.ContainerBuilder;
import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.ContainerLogs;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.runtime.OciRuntime;
import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.runtime.network.PortMapping;
import dev.ocikit.spec.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Podman's container commands: run, ps, logs, exec, stop, kill, wait, rm. */
final class ContainerCommands {
    private ContainerCommands() {}

    static OciRuntime runtime(Ocikit parent) throws IOException {
        return OciRuntime.builder().store(StoreCommands.open(parent)).build();
    }

    @Command(name = "run", description = "Run a command in a new container, as podman run does.",
            footer = {"", "Examples:", "  ocikit run --rm localhost/busybox echo hi",
                    "  ocikit run -d --name web -p 8080:80 localhost/web",
                    "  ocikit run --rm -it -v $PWD:/src:ro localhost/busybox sh"})
    static class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = "--rm", description = "remove the container when it exits")
        boolean rm;

        @Option(names = {"-d", "--detach"}, description = "run in the background and print the container id")
        boolean detach;

        @Option(names = "--supervised", hidden = true, description = "internal: this process supervises a detached container")
        boolean supervised;

        @Option(names = "--create-only", hidden = true, description = "internal: create, then start when ocikit start asks")
        boolean createOnly;

        @Option(names = {"-i", "--interactive"}, description = "keep standard input open")
        boolean interactive;

        @Option(names = {"-t", "--tty"}, description = "allocate a terminal")
        boolean tty;

        @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "set an environment variable")
        List<String> env = new ArrayList<>();

        @Option(names = {"-v", "--volume"}, paramLabel = "SRC:DST[:ro]",
                description = "bind-mount a host path (absolute or ./relative) or a named volume")
        List<String> volumes = new ArrayList<>();

        @Option(names = "--tmpfs", paramLabel = "DST", description = "mount a tmpfs")
        List<String> tmpfs = new ArrayList<>();

        @Option(names = {"-w", "--workdir"}, paramLabel = "DIR")
        String workdir;

        @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]")
        String user;

        @Option(names = "--entrypoint", paramLabel = "CMD", description = "override the image's entrypoint (\"\" clears it)")
        String entrypoint;

        @Option(names = "--network", paramLabel = "none|host|private", description = "default: none, or private with -p")
        String network;

        @Option(names = {"-p", "--publish"}, paramLabel = "[[IP:]HOSTPORT:]PORT[/PROTO]", description = "publish a port on the host")
        List<String> publish = new ArrayList<>();

        @Option(names = "--read-only", description = "mount the root file system read-only")
        boolean readOnly;

        @Option(names = {"-m", "--memory"}, paramLabel = "N[k|m|g]")
        String memory;

        @Option(names = "--pids-limit", paramLabel = "N")
        Long pidsLimit;

        @Option(names = "--name", paramLabel = "NAME")
        String name;

        @Option(names = "--hostname", paramLabel = "NAME")
        String hostname;

        @Parameters(index = "0", paramLabel = "IMAGE")
        String image;

        @Parameters(index = "1..*", paramLabel = "CMD")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (detach && !supervised) {
                return Supervisor.spawn(spec);
            }
            OciRuntime runtime = runtime(parent);
            ContainerBuilder c = define(runtime);
            if (supervised) {
                return createOnly ? superviseCreated(runtime, c) : superviseDetached(c);
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!tty) {
                c.onStdout(line -> {
                    out.println(line);
                    out.flush();
                }).onStderr(line -> {
                    err.println(line);
                    err.flush();
                });
            }
            Container container = c.start();
            Thread terminalOutput = null;
            if (tty) {
                var terminal = container.terminal().orElseThrow();
                copyInBackground(System.in, terminal.input(), false);
                terminalOutput = copyInBackground(terminal.output(), System.out, true);
            } else if (interactive) {
                copyInBackground(System.in, container.stdin(), false);
            }
            int code = container.waitFor();
            if (terminalOutput != null) {
                // What the container wrote last may still sit in the pty: closing the container
                // closes the terminal, and exiting ends the daemon copier, so let it reach the end
                // (EIO once the container's side is closed) first. Bounded: a reader of our stdout
                // that stops reading must not keep this process forever.
                terminalOutput.join(TERMINAL_DRAIN.toMillis());
            }
            if (rm) {
                container.close();
            } else {
                container.keep();
            }
            return code;
        }

        /** Starts the container for a detached run, reports its id on stdout, then waits for it. */
        private int superviseDetached(ContainerBuilder c) throws Exception {
            Container container = c.start();
            System.out.println(container.id());
            System.out.flush();
            System.out.close();
            System.err.close();
            int code = container.waitFor();
            if (rm) {
                container.close();
            } else {
                container.keep();
            }
            return code;
        }

        /**
         * For {@code ocikit create}: creates the container, reports its id, then waits on the
         * container's control pipe for {@code ocikit start} (or {@code ocikit rm}) and answers on
         * the reply pipe; once started, supervises it as a detached run.
         */
        private int superviseCreated(OciRuntime runtime, ContainerBuilder c) throws Exception {
            Container container = c.create();
            ControlPipes pipes = ControlPipes.of(runtime, container.id());
            pipes.make();
            System.out.println(container.id());
            System.out.flush();
            System.out.close();
            System.err.close();
            try (ControlPipes.Requests requests = pipes.listen()) {
                // Stopped, killed or removed by another process before any start: its exit
                // wakes the wait for a request, so this process does not wait forever.
                container.onExit().whenComplete((code, failure) -> requests.wake(EXITED));
                while (true) {
                    String request = requests.next();
                    if (EXITED.equals(request) || request == null) {
                        break;
                    }
                    // The reply pipe is opened before anything is done: removing the container
                    // removes its directory, pipes included, and an open pipe outlives its name.
                    try (java.io.Writer reply = pipes.openReply()) {
                        if ("start".equals(request)) {
                            try {
                                container.start();
                            } catch (RuntimeException e) {
                                container.close();
                                reply.write("error: " + e.getMessage() + "\n");
                                return 125;
                            }
                            reply.write("ok\n");
                            break;
                        }
                        if ("rm".equals(request)) {
                            container.close();
                            reply.write("ok\n");
                            return 0;
                        }
                        reply.write("error: unknown request " + request + "\n");
                    }
                }
            }
            int code = container.waitFor();
            if (rm) {
                container.close();
            } else {
                container.keep();
            }
            return code;
        }

        ContainerBuilder define(OciRuntime runtime) throws Exception {
            ImageStore store = runtime.store();
            Optional<dev.ocikit.image.StoredImage> stored = store.find(image);
            if (stored.isEmpty()) {
                BuildCommands.ensureImage(parent, spec, store, image);
            }
            // the image found above, not looked up again (as podman, ps then shows its full name)
            ContainerBuilder c = stored.isPresent() ? runtime.container(stored.get()) : runtime.container(image);
            if (!command.isEmpty()) {
                c.command(command);
            }
            if (entrypoint != null) {
                if (entrypoint.isEmpty()) {
                    c.entrypoint();
                } else {
                    c.entrypoint(entrypoint);
                }
            }
            for (String kv : env) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    String value = System.getenv(kv); // as podman: -e NAME takes the caller's value
                    if (value != null) {
                        c.env(kv, value);
                    }
                } else {
                    c.env(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            for (String v : volumes) {
                String[] parts = v.split(":");
                if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].matches("ro|rw"))) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "invalid volume \"" + v + "\": expected SRC:DST or SRC:DST:ro");
                }
                boolean ro = parts.length == 3 && parts[2].equals("ro");
                if (parts[0].startsWith("/") || parts[0].startsWith(".")) {
                    c.bind(Path.of(parts[0]), parts[1], ro);
                } else {
                    c.volume(parts[0], parts[1], ro);
                }
            }
            tmpfs.forEach(t -> c.tmpfs(t));
            if (workdir != null) {
                c.workdir(workdir);
            }
            if (user != null) {
                c.user(user);
            }
            if (network != null) {
                c.network(NetworkMode.parse(network));
            }
            for (String p : publish) {
                c.publish(PortMapping.parse(p));
            }
            c.readOnlyRootfs(readOnly);
            if (memory != null) {
                c.memory(parseSize(memory));
            }
            if (pidsLimit != null) {
                c.pidsLimit(pidsLimit);
            }
            if (name != null) {
                c.name(name);
            }
            if (hostname != null) {
                c.hostname(hostname);
            }
            c.stdin(interactive);
            c.tty(tty);
            return c;
        }
    }

    static long parseSize(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        if (last == 'b') {
            t = t.substring(0, t.length() - 1);
            last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        }
        switch (last) {
            case 'k' -> unit = 1024L;
            case 'm' -> unit = 1024L * 1024;
            case 'g' -> unit = 1024L * 1024 * 1024;
            default -> unit = 1;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid size \"" + text + "\": expected a number with an optional k, m or g");
        }
    }

    /** How long a finished {@code run -t} waits for the container's last terminal output to be copied. */
    static final Duration TERMINAL_DRAIN = Duration.ofSeconds(10);

    private static Thread copyInBackground(InputStream from, OutputStream to, boolean flushEach) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (from) {
                int n;
                while ((n = from.read(buffer)) > 0) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
                if (!flushEach) {
                    to.close(); // end of our input is end of the container's
                }
            } catch (IOException e) {
                // the container or the terminal went away; the exit code tells the rest
            }
        }, "ocikit-copy");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Command(name = "ps", description = "List containers, as podman ps does (running ones unless -a).",
        footer = {"", "Examples:", "  ocikit ps", "  ocikit ps -a"})
    static final class Ps implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-a", "--all"}, description = "also exited containers")
        boolean all;

        @Option(names = {"-q", "--quiet"}, description = "print container ids only")
        boolean quiet;

        @Option(names = "--no-trunc", description = "print whole ids")
        boolean noTrunc;

        @Option(names = "--format", paramLabel = "json", description = "json: podman's JSON array of containers")
        String format;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            OciRuntime runtime = runtime(parent);
            if (format != null) {
                if (!format.equals("json")) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--format takes json, not " + format);
                }
                List<Map<String, Object>> list = new ArrayList<>();
                for (ContainerInfo c : runtime.list()) {
                    boolean running = c.status().equals("running") || c.status().equals("paused");
                    if (!all && !running) {
                        continue;
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("Id", c.id());
                    m.put("Names", List.of(c.name()));
                    m.put("Image", c.image());
                    c.imageId().ifPresent(i -> m.put("ImageID", i));
                    m.put("Command", commandOf(runtime, c));
                    m.put("Created", c.created().getEpochSecond());
                    m.put("CreatedAt", c.created().toString());
                    m.put("State", c.status());
                    m.put("Exited", c.status().equals("exited"));
                    c.exitCode().ifPresent(code -> m.put("ExitCode", code));
                    list.add(m);
                }
                out.println(new String(Json.write(list), StandardCharsets.UTF_8));
                out.flush();
                return 0;
            }
            if (!quiet) {
                out.printf("%-14s %-30s %-24s %-22s %-20s %s%n", "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES");
            }
            for (ContainerInfo c : runtime.list()) {
                boolean running = c.status().equals("running") || c.status().equals("paused");
                if (!all && !running) {
                    continue;
                }
                String id = noTrunc ? c.id() : c.shortId();
                if (quiet) {
                    out.println(id);
                    continue;
                }
                String status = c.status().equals("exited") && c.exitCode().isPresent()
                        ? "Exited (" + c.exitCode().getAsInt() + ")" : capitalise(c.status());
                out.printf("%-14s %-30s %-24s %-22s %-20s %s%n", id, truncate(c.image(), 30),
                        truncate(commandOf(runtime, c), 24), StoreCommands.ago(c.created()), status, c.name());
            }
            return 0;
        }
    }

    static String commandOf(OciRuntime runtime, ContainerInfo c) {
        try {
            Path config = runtime.root().resolve("containers").resolve(c.id()).resolve("bundle/config.json");
            dev.ocikit.spec.runtime.Spec s = dev.ocikit.spec.runtime.Spec.parse(Files.readAllBytes(config));
            return String.join(" ", s.process().map(p -> p.args()).orElse(List.of()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Command(name = "logs", description = "Print what a container wrote, as podman logs does.",
        footer = {"", "Examples:", "  ocikit logs web"})
    static final class Logs implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Parameters(paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() throws IOException {
            ContainerLogs logs = runtime(parent).logs(container);
            spec.commandLine().getOut().print(logs.stdout());
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().print(logs.stderr());
            spec.commandLine().getErr().flush();
            return 0;
        }
    }

    @Command(name = "exec", description = "Run a command in a running container, as podman exec does.",
        footer = {"", "Examples:", "  ocikit exec web cat /etc/hostname", "  ocikit exec web sh -c 'ls /www'"})
    static final class Exec implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            ExecResult r = runtime(parent).exec(container, command);
            spec.commandLine().getOut().print(r.stdout());
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().print(r.stderr());
            spec.commandLine().getErr().flush();
            return r.exitCode();
        }
    }

    @Command(name = "stop", description = "Stop containers: their stop signal, then SIGKILL after the timeout, as podman stop does.",
        footer = {"", "Examples:", "  ocikit stop web", "  ocikit stop -t 2 web worker"})
    static final class Stop extends EachContainer {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "grace period (default: 10)")
        long seconds = 10;

        @Override
        void apply(OciRuntime runtime, String container, PrintWriter out) throws Exception {
            runtime.stop(container, Duration.ofSeconds(seconds));
            out.println(container);
        }
    }

    @Command(name = "kill", description = "Send a signal to containers, as podman kill does.",
        footer = {"", "Examples:", "  ocikit kill web", "  ocikit kill -s HUP web"})
    static final class Kill extends EachContainer {
        @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "default: SIGKILL")
        String signal = "SIGKILL";

        @Override
        void apply(OciRuntime runtime, String container, PrintWriter out) throws Exception {
            runtime.kill(container, signal);
            out.println(container);
        }
    }

    @Command(name = "rm", description = "Remove containers, as podman rm does.",
        footer = {"", "Examples:", "  ocikit rm web", "  ocikit rm -f web"})
    static final class Rm extends EachContainer {
        @Option(names = {"-f", "--force"}, description = "kill running containers first")
        boolean force;

        @Override
        void apply(OciRuntime runtime, String container, PrintWriter out) throws Exception {
            ContainerInfo info = runtime.inspect(container);
            ControlPipes pipes = ControlPipes.of(runtime, info.id());
            if (pipes.awaitingStart(info)) {
                pipes.request("rm"); // a created container's supervising process removes it and exits
            } else {
                runtime.remove(container, force);
            }
            out.println(info.id());
        }
    }

    @Command(name = "wait", description = "Wait for containers to exit and print their exit codes, as podman wait does.",
        footer = {"", "Examples:", "  ocikit wait job"})
    static final class Wait extends EachContainer {
        @Override
        void apply(OciRuntime runtime, String container, PrintWriter out) throws Exception {
            OptionalInt code = runtime.awaitExit(container, Duration.ofDays(365));
            out.println(code.isPresent() ? code.getAsInt() : -1);
        }
    }

    /** A command applied to each container named, in order, as podman's container commands take several. */
    abstract static class EachContainer implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        @Override
        public Integer call() throws Exception {
            OciRuntime runtime = runtime(parent);
            PrintWriter out = spec.commandLine().getOut();
            for (String container : containers) {
                apply(runtime, container, out);
            }
            out.flush();
            return 0;
        }

        abstract void apply(OciRuntime runtime, String container, PrintWriter out) throws Exception;
    }

    /** The JSON {@code inspect} prints for a container, as podman's fields are named. */
    static Map<String, Object> inspectJson(OciRuntime runtime, ContainerInfo c) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Name", c.name());
        m.put("Created", c.created().toString());
        m.put("ImageName", c.image());
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", c.status());
        state.put("Running", c.status().equals("running"));
        state.put("Pid", c.pid().isPresent() ? c.pid().getAsInt() : 0);
        state.put("ExitCode", c.exitCode().isPresent() ? c.exitCode().getAsInt() : 0);
        m.put("State", state);
        Path bundle = runtime.root().resolve("containers").resolve(c.id()).resolve("bundle");
        m.put("Bundle", bundle.toString());
        if (Files.exists(bundle.resolve("config.json"))) {
            m.put("Spec", Json.tree(Files.readAllBytes(bundle.resolve("config.json")), "container config"));
        }
        return m;
    }

    /** Runs {@code ocikit run --supervised ...} in a new session, and reports the id it prints. */
    static final class Supervisor {
        private Supervisor() {}

        static int spawn(CommandSpec spec) throws IOException, InterruptedException {
            List<String> original = spec.root().commandLine().getParseResult().originalArgs();
            List<String> args = new ArrayList<>(original);
            int run = subcommandIndex(spec, args);
            args.set(run, "run");
            args.add(run + 1, "--supervised");
            if (spec.name().equals("create")) {
                args.add(run + 2, "--create-only");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add("setsid");
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xss512k"));
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Ocikit.class.getName());
            cmd.addAll(args);
            Process child = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter ours = spec.commandLine().getOut();
            String line;
            // Lines before the id are a pull's progress ("Trying to pull ..."): passed on as they come.
            while ((line = out.readLine()) != null) {
                if (line.matches("[0-9a-f]{64}")) {
                    ours.println(line);
                    ours.flush();
                    return 0;
                }
                ours.println(line);
                ours.flush();
            }
            String error = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            PrintWriter err = spec.commandLine().getErr();
            err.print(error);
            err.flush(); // print() does not flush, and main exits right after
            return child.waitFor() == 0 ? 125 : child.exitValue();
        }

        /**
         * Where the subcommand's name is among the original arguments: after the root command's
         * own options and their values, walked as picocli parsed them. Not the first token equal
         * to the name: in {@code ocikit --root run run -d IMAGE} that is {@code --root}'s value.
         */
        static int subcommandIndex(CommandSpec sub, List<String> args) {
            CommandSpec root = sub.root();
            List<String> names = new ArrayList<>(List.of(sub.aliases()));
            names.add(sub.name());
            int i = 0;
            while (i < args.size()) {
                String a = args.get(i);
                if (names.contains(a)) {
                    return i;
                }
                if (!a.startsWith("-")) {
                    break;
                }
                int eq = a.indexOf('=');
                CommandLine.Model.OptionSpec option = root.findOption(eq > 0 ? a.substring(0, eq) : a);
                if (option == null) {
                    break;
                }
                // --opt=value is one token; --opt value takes as many more as the option needs
                i += eq > 0 || option.arity().max() == 0 ? 1 : 1 + option.arity().min();
            }
            throw new dev.ocikit.runtime.ContainerException("cannot find the " + sub.name() + " command among the"
                    + " arguments " + args + "; put the global options (--root) before it");
        }
    }

    @Command(name = "create", description = "Create a container without starting it, as podman create does;"
            + " ocikit start starts it.", footer = {"", "Examples:", "  ocikit create --name job localhost/busybox echo hi",
                    "  ocikit start job && ocikit wait job && ocikit logs job"})
    static final class Create extends Run {
        @Override
        public Integer call() throws Exception {
            if (tty || interactive) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "ocikit create cannot attach a terminal or stdin yet; use ocikit run -it");
            }
            detach = true; // a created container waits in a supervising process of its own
            return super.call();
        }
    }

    /** What a created container's supervisor tells itself when the container exits before it was started. */
    static final String EXITED = "exited";

    @Command(name = "start", description = "Start containers made by ocikit create, as podman start does.",
        footer = {"", "Examples:", "  ocikit create --name job localhost/busybox echo hi && ocikit start job"})
    static final class Start extends EachContainer {
        @Override
        void apply(OciRuntime runtime, String container, PrintWriter out) throws Exception {
            ContainerInfo info = runtime.inspect(container);
            ControlPipes pipes = ControlPipes.of(runtime, info.id());
            if (info.status().equals("running")) {
                out.println(container); // as podman: starting a running container is a no-op
                return;
            }
            if (!pipes.awaitingStart(info)) {
                throw new dev.ocikit.runtime.ContainerException("container " + info.name() + " is " + info.status()
                        + ": ocikit start starts containers made by ocikit create; run a new one instead");
            }
            String answer = pipes.request("start");
            if (!answer.equals("ok")) {
                throw new dev.ocikit.runtime.ContainerException("container " + info.name() + " did not start: "
                        + answer.replaceFirst("^error: ", ""));
            }
            out.println(container);
        }
    }

    /**
     * The two named pipes through which a created container's supervising process takes requests
     * ({@code start}, {@code rm}) and answers them: a blocking handshake, no polling.
     */
    record ControlPipes(Path control, Path reply) {
        static ControlPipes of(OciRuntime runtime, String id) {
            Path dir = runtime.root().resolve("containers").resolve(id);
            return new ControlPipes(dir.resolve("control"), dir.resolve("control-reply"));
        }

        boolean exist() {
            return Files.exists(control) && Files.exists(reply);
        }

        /** Whether the container was made by ocikit create and its supervising process still waits for start. */
        boolean awaitingStart(ContainerInfo info) {
            return info.status().equals("created") && exist()
                    && ProcessHandle.of(info.ownerPid()).map(ProcessHandle::isAlive).orElse(false);
        }

        void make() throws IOException, InterruptedException {
            Process p = new ProcessBuilder("mkfifo", "-m", "600", control.toString(), reply.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("cannot make the control pipes of the container: " + out.trim());
            }
        }

        /**
         * Supervisor side: the control pipe opened for reading and writing. Opening a FIFO that
         * way never waits for a client, and the supervisor's own end lets {@link Requests#wake}
         * end a wait for a request without one.
         */
        Requests listen() throws IOException {
            return new Requests(new java.io.RandomAccessFile(control.toFile(), "rw"));
        }

        /** The requests arriving on the control pipe, one a line. */
        static final class Requests implements AutoCloseable {
            private final java.io.RandomAccessFile pipe;
            private final BufferedReader in;
            private final java.io.FileOutputStream out;

            Requests(java.io.RandomAccessFile pipe) throws IOException {
                this.pipe = pipe;
                this.in = new BufferedReader(new InputStreamReader(new java.io.FileInputStream(pipe.getFD()),
                        StandardCharsets.UTF_8));
                this.out = new java.io.FileOutputStream(pipe.getFD());
            }

            /** Waits for the next request; null if the pipe was closed. */
            String next() throws IOException {
                String line = in.readLine();
                return line == null ? null : line.trim();
            }

            /** Hands {@code request} to {@link #next()} from this process; a line fits the pipe without blocking. */
            void wake(String request) {
                try {
                    synchronized (out) {
                        out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // closed: nobody waits for requests any more
                }
            }

            @Override
            public void close() throws IOException {
                pipe.close();
            }
        }

        /** Supervisor side: opens the answer to the request just received (waits for the client to listen). */
        java.io.Writer openReply() throws IOException {
            return Files.newBufferedWriter(reply, StandardCharsets.UTF_8);
        }

        /** Client side: sends a request and waits for the answer. */
        String request(String request) throws IOException {
            Files.writeString(control, request + "\n", StandardCharsets.UTF_8);
            try (BufferedReader in = Files.newBufferedReader(reply, StandardCharsets.UTF_8)) {
                String line = in.readLine();
                return line == null ? "error: the supervising process went away" : line.trim();
            }
        }
    }

    static Optional<ContainerInfo> findContainer(OciRuntime runtime, String idOrName) {
        try {
            return Optional.of(runtime.inspect(idOrName));
        } catch (RuntimeException | IOException e) {
            return Optional.empty();
        }
    }
}
