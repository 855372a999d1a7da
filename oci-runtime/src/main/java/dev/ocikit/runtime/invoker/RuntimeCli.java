package dev.ocikit.runtime.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.runtime.Features;
import dev.ocikit.spec.runtime.Process;
import dev.ocikit.spec.runtime.Resources;
import dev.ocikit.spec.runtime.State;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OCI runtime's command line ({@code runc}, {@code crun}, …): one blocking method per
 * command, typed results, typed failures. Immutable and thread-safe; the withers return new
 * instances that share the cached {@link #version()}.
 *
 * <pre>{@code
 * RuntimeCli runc = RuntimeCli.runc().root(stateRoot);
 * runc.create(id, bundle, CreateOptions.defaults().pidFile(dir.resolve("pid")));
 * runc.start(id);
 * State s = runc.state(id);
 * runc.kill(id, "TERM", false);
 * runc.delete(id, true);
 * }</pre>
 *
 * <p><b>Errors.</b> Every call passes {@code --log <per-call temp file> --log-format json}; on
 * failure the {@code error} lines of that log (else stderr) become the
 * {@link RuntimeCommandException}'s text, so errors of concurrent calls never mix. With
 * {@link #log(Path)} the per-call log is appended to that file afterwards, for post-mortems.
 * An unknown container raises {@link NoSuchContainerException}; a container process whose
 * executable is missing or may not be run (at {@code create}, {@code run}, {@code start} or
 * {@code exec}) raises {@link ExecutableNotFoundException} or {@link ExecutableNotPermittedException}.
 *
 * <p><b>Version gate.</b> The commands that start container processes ({@code create},
 * {@code run}, {@code exec}) first call {@link #requireSafeVersion()} (once per executable;
 * the verdict is cached). Commands that only inspect or tear down ({@code state}, {@code kill},
 * {@code delete} …) are not gated, so a sweep can always clean up. Every {@code create},
 * {@code run} and {@code exec} also refuses a {@code process.cwd} under a {@code /proc/…/fd}
 * directory ({@link UnsafeSpecException}).
 */
public final class RuntimeCli {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeCli.class);
    /** Built on first use: an ObjectMapper costs a fresh JVM tens of milliseconds that most commands never spend. */
    private static final class Lazy {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    private static final List<String> KNOWN = List.of("runc", "crun", "runsc", "kata-runtime", "youki");
    private static final String SBIN = "/usr/sbin:/sbin:/usr/local/sbin";
    /** The commands whose failure can be the container's executable missing or not runnable. */
    private static final Set<String> STARTS_PROCESS = Set.of("create", "run", "start", "exec");
    private static final Pattern UNKNOWN_COMMAND =
            Pattern.compile("(?i)(no help topic|unknown command|unrecognized command|invalid command|not supported)");

    /** {@code --rootless}: let the runtime decide, or force it. */
    public enum Rootless {
        /** The runtime's own detection (no flag passed). */
        AUTO,
        /** {@code --rootless=true}. */
        ON,
        /** {@code --rootless=false}. */
        OFF
    }

    /** The per-executable cache the withers share: the parsed version and the gate's verdict. */
    private static final class Shared {
        private RuntimeVersion version;
        private boolean gatePassed;
        private boolean warned;
    }

    private final String name;
    private final Path executable;
    private final Optional<Path> root;
    private final Optional<Path> log;
    private final boolean systemdCgroup;
    private final Rootless rootless;
    private final boolean allowUnverified;
    private final Shared shared;

    private RuntimeCli(String name, Path executable, Optional<Path> root, Optional<Path> log, boolean systemdCgroup,
            Rootless rootless, boolean allowUnverified, Shared shared) {
        this.name = name;
        this.executable = executable;
        this.root = root;
        this.log = log;
        this.systemdCgroup = systemdCgroup;
        this.rootless = rootless;
        this.allowUnverified = allowUnverified;
        this.shared = shared;
    }

    /** runc, found on PATH or in the sbin directories. */
    public static RuntimeCli runc() {
        return of("runc");
    }

    /**
     * A runtime by name, looked up on {@code PATH} then in {@code /usr/sbin}, {@code /sbin},
     * {@code /usr/local/sbin}; or by absolute path.
     *
     * @throws RuntimeNotFoundException if there is no such executable
     */
    public static RuntimeCli of(String nameOrPath) {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        Path exe;
        if (nameOrPath.contains("/")) {
            exe = Path.of(nameOrPath);
            if (!exe.isAbsolute() || !Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
                throw new RuntimeNotFoundException("runtime '" + nameOrPath
                        + "' is not an executable file given by absolute path; give an absolute path or a name on PATH");
            }
        } else {
            exe = find(nameOrPath).orElseThrow(() -> new RuntimeNotFoundException("OCI runtime '" + nameOrPath
                    + "' is not installed (not on PATH nor in " + SBIN + "); install it, e.g. apt-get install "
                    + nameOrPath));
        }
        return new RuntimeCli(exe.getFileName().toString(), exe, Optional.empty(), Optional.empty(), false,
                Rootless.AUTO, false, new Shared());
    }

    /** The known runtimes ({@code runc, crun, runsc, kata-runtime, youki}) installed here, in that order. */
    public static List<RuntimeCli> installed() {
        List<RuntimeCli> out = new ArrayList<>();
        for (String n : KNOWN) {
            find(n).ifPresent(p -> out.add(of(p.toString())));
        }
        return List.copyOf(out);
    }

    static Optional<Path> find(String executable) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + SBIN;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- global options

    /** {@code --root}: the directory of the runtime's container state. */
    public RuntimeCli root(Path value) {
        return new RuntimeCli(name, executable, Optional.of(value.toAbsolutePath()), log, systemdCgroup, rootless,
                allowUnverified, shared);
    }

    /** A JSON log file each call's runtime log is appended to (in addition to the per-call log errors come from). */
    public RuntimeCli log(Path value) {
        return new RuntimeCli(name, executable, root, Optional.of(value.toAbsolutePath()), systemdCgroup, rootless,
                allowUnverified, shared);
    }

    /** {@code --systemd-cgroup}: let systemd manage the cgroups ({@code linux.cgroupsPath} as slice:prefix:name). */
    public RuntimeCli systemdCgroup(boolean value) {
        return new RuntimeCli(name, executable, root, log, value, rootless, allowUnverified, shared);
    }

    /** {@code --rootless}. */
    public RuntimeCli rootless(Rootless value) {
        return new RuntimeCli(name, executable, root, log, systemdCgroup, Objects.requireNonNull(value, "rootless"),
                allowUnverified, shared);
    }

    /** {@code --rootless=true|false}; null is {@link Rootless#AUTO}. */
    public RuntimeCli rootless(Boolean value) {
        return rootless(value == null ? Rootless.AUTO : value ? Rootless.ON : Rootless.OFF);
    }

    /**
     * Accepts a runtime whose version ocikit cannot check against the CVEs (not runc or crun, or an
     * unreadable version), with a warning. A version known to be affected is still refused.
     */
    public RuntimeCli allowUnverifiedVersion() {
        return new RuntimeCli(name, executable, root, log, systemdCgroup, rootless, true, shared);
    }

    /** The executable's file name ({@code runc}). */
    public String name() {
        return name;
    }

    /** The absolute path of the executable. */
    public Path executable() {
        return executable;
    }

    /** The {@code --root} given, if any. */
    public Optional<Path> rootDirectory() {
        return root;
    }

    /** {@code --version}, parsed; run once per executable and cached. */
    public RuntimeVersion version() {
        synchronized (shared) {
            if (shared.version == null) {
                Optional<Path> cache = versionCacheFile();
                String text = cache.flatMap(RuntimeCli::readCached).orElse(null);
                if (text == null) {
                    Result r = invoke("--version", List.of("--version"), null);
                    if (r.exitCode != 0) {
                        throw new RuntimeCommandException(name, "--version", r.exitCode, r.errorText());
                    }
                    text = new String(r.stdout, StandardCharsets.UTF_8);
                    cache.ifPresent(writeCached(text));
                }
                shared.version = RuntimeVersion.parse(name, text);
            }
            return shared.version;
        }
    }

    /**
     * Where the {@code --version} output of this very executable is kept for later processes:
     * under the state root, named by the executable's path, size and modification time, so that
     * an upgraded runtime is asked again. A short-lived process (a CLI) then spawns one runtime
     * process fewer.
     */
    private Optional<Path> versionCacheFile() {
        if (root.isEmpty()) {
            return Optional.empty();
        }
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(executable,
                    java.nio.file.attribute.BasicFileAttributes.class);
            String key = executable + "\0" + a.size() + "\0" + a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
            return Optional.of(root.get().resolve(".version-" + dev.ocikit.spec.Digest.sha256(
                    key.getBytes(StandardCharsets.UTF_8)).encoded().substring(0, 16)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> readCached(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static java.util.function.Consumer<Path> writeCached(String text) {
        return file -> {
            try {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), ".version-", ".tmp");
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                LOG.debug("cannot keep the runtime's version in {}: {}", file, e.toString());
            }
        };
    }

    /**
     * Refuses a runtime older than the fixes of CVE-2019-5736 and CVE-2024-21626 (see the class
     * comment); called by {@code create}, {@code run} and {@code exec} on first use.
     *
     * @return this
     * @throws UnsafeRuntimeVersionException naming the CVE and the minimum version
     */
    public RuntimeCli requireSafeVersion() {
        RuntimeVersion v = version();
        synchronized (shared) {
            if (shared.gatePassed) {
                return this;
            }
        }
        Optional<VersionGate.Refusal> refusal = VersionGate.check(v);
        if (refusal.isPresent()) {
            if (refusal.get().affected() || !allowUnverified) {
                throw new UnsafeRuntimeVersionException(executable + ": " + refusal.get().message());
            }
            synchronized (shared) {
                if (!shared.warned) {
                    shared.warned = true;
                    LOG.warn("{}: {} (accepted: allowUnverifiedVersion())", executable, refusal.get().message());
                }
            }
            return this;
        }
        synchronized (shared) {
            shared.gatePassed = true;
        }
        return this;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * {@code create}: sets up the container from {@code bundle} and leaves its init waiting for
     * {@link #start}. Returns when the runtime exits (the init keeps running, re-parented to a
     * subreaper: see {@link ChildReaper}).
     */
    public void create(String id, Path bundle, CreateOptions options) {
        createContainer("create", id, bundle, options);
    }

    /**
     * {@code run --detach}: creates and starts the container in one runtime process, with the
     * same options as {@link #create}; the runtime exits once the container runs, and the
     * container's first process is re-parented (to the JVM, with {@link ChildReaper}).
     */
    public void createAndStart(String id, Path bundle, CreateOptions options) {
        createContainer("run", id, bundle, options);
    }

    private void createContainer(String command, String id, Path bundle, CreateOptions options) {
        requireId(id);
        requireSafeVersion();
        SpecSafety.checkBundle(bundle);
        Stdio stdio = options.stdio();
        stdio.refusePipes(command);
        List<String> args = new ArrayList<>(List.of(command));
        if (command.equals("run")) {
            args.add("--detach");
        }
        args.addAll(List.of("--bundle", bundle.toAbsolutePath().toString()));
        options.pidFile().ifPresent(p -> args.addAll(List.of("--pid-file", p.toAbsolutePath().toString())));
        options.consoleSocket().ifPresent(p -> args.addAll(List.of("--console-socket", p.toAbsolutePath().toString())));
        if (options.noPivot()) {
            args.add("--no-pivot");
        }
        if (options.noNewKeyring()) {
            args.add("--no-new-keyring");
        }
        if (options.preserveFds() > 0) {
            args.add("--preserve-fds=" + options.preserveFds());
        }
        args.add(id);
        check(invoke(command, args, stdio), command, null);
    }

    /** {@code start}: runs the user's program in a created container. */
    public void start(String id) {
        simple("start", id, List.of("start", requireId(id)));
    }

    /**
     * {@code run} in the foreground: create, start, wait, delete. Returns the container
     * process's exit code (128+n if killed by signal n).
     *
     * @throws RuntimeCommandException if the runtime itself failed (an error in its JSON log),
     *     e.g. the program does not exist; distinguishes that from the program exiting non-zero
     */
    public int run(String id, Path bundle, RunOptions options) {
        requireId(id);
        requireSafeVersion();
        SpecSafety.checkBundle(bundle);
        Stdio stdio = options.stdio();
        stdio.refusePipes("run");
        List<String> args = new ArrayList<>(List.of("run", "--bundle", bundle.toAbsolutePath().toString()));
        options.pidFile().ifPresent(p -> args.addAll(List.of("--pid-file", p.toAbsolutePath().toString())));
        if (options.noPivot()) {
            args.add("--no-pivot");
        }
        if (options.noNewKeyring()) {
            args.add("--no-new-keyring");
        }
        if (options.preserveFds() > 0) {
            args.add("--preserve-fds=" + options.preserveFds());
        }
        args.add(id);
        return exitCodeOrFailure(invoke("run", args, stdio), "run", null);
    }

    /** {@code state}: the container's runtime-spec state. */
    public State state(String id) {
        Result r = simple("state", id, List.of("state", requireId(id)));
        try {
            return State.parse(r.stdout);
        } catch (MalformedDocumentException e) {
            throw new RuntimeOutputException(name, "state", e.getMessage(), e);
        }
    }

    /** {@code list --format json}: the containers under this {@code --root}. */
    public List<ContainerSummary> list() {
        Result r = invoke("list", List.of("list", "--format", "json"), null);
        check(r, "list", null);
        return parseList(name, r.stdout);
    }

    /**
     * {@code kill}: sends {@code signal} ({@code TERM}, {@code SIGKILL}, {@code 9} …) to the init,
     * or with {@code all} to every process of the container.
     */
    public void kill(String id, String signal, boolean all) {
        Objects.requireNonNull(signal, "signal");
        List<String> args = new ArrayList<>(List.of("kill"));
        if (all) {
            args.add("--all");
        }
        args.add(requireId(id));
        args.add(signal);
        simple("kill", id, args);
    }

    /**
     * {@code delete}: removes a stopped container; {@code force} kills a running one first. runc
     * reports success for a forced delete of an unknown container; without force it raises
     * {@link NoSuchContainerException}.
     */
    public void delete(String id, boolean force) {
        simple("delete", id, force ? List.of("delete", "--force", requireId(id)) : List.of("delete", requireId(id)));
    }

    /** {@code pause}: freezes every process of the container. */
    public void pause(String id) {
        simple("pause", id, List.of("pause", requireId(id)));
    }

    /** {@code resume}: thaws a paused container. */
    public void resume(String id) {
        simple("resume", id, List.of("resume", requireId(id)));
    }

    /** {@code ps --format json}: the host pids of the container's processes. */
    public List<Long> ps(String id) {
        Result r = simple("ps", id, List.of("ps", "--format", "json", requireId(id)));
        return parsePs(name, r.stdout);
    }

    /** {@code update --resources <file>}: changes the container's cgroup limits. */
    public void update(String id, Resources resources) {
        requireId(id);
        Path file = tempFile("resources", ".json");
        try {
            Files.write(file, Json.write(resources));
            simple("update", id, List.of("update", "--resources", file.toString(), id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(file);
        }
    }

    /**
     * {@code features}: what the runtime was built to support.
     *
     * @throws UnsupportedRuntimeCommandException if this runtime version has no {@code features}
     */
    public Features features() {
        Result r = invoke("features", List.of("features"), null);
        if (r.exitCode != 0 && UNKNOWN_COMMAND.matcher(r.errorText()).find()) {
            throw new UnsupportedRuntimeCommandException(name, "features", r.exitCode, r.errorText(),
                    version().version());
        }
        check(r, "features", null);
        try {
            return Features.parse(r.stdout);
        } catch (MalformedDocumentException e) {
            throw new RuntimeOutputException(name, "features", e.getMessage(), e);
        }
    }

    /** {@code events --stats}: one snapshot of the container's statistics. */
    public ContainerStats stats(String id) {
        Result r = simple("events --stats", id, List.of("events", "--stats", requireId(id)));
        String text = new String(r.stdout, StandardCharsets.UTF_8).strip();
        RuntimeEvent e = parseEvent(name, "events --stats", text.lines().findFirst().orElse(""));
        return e.stats().orElseThrow(() -> new RuntimeOutputException(name, "events --stats",
                "expected a 'stats' event, got '" + e.type() + "'", null));
    }

    /**
     * {@code events --interval}: a live stream of the container's events (stats every
     * {@code interval}, OOM notices) until it stops or the stream is closed. Close it.
     */
    public EventStream events(String id, Duration interval) {
        requireId(id);
        long ms = Math.max(1, interval.toMillis());
        List<String> args = List.of("events", "--interval", ms + "ms", id);
        Path logFile = tempFile("log", ".json");
        ProcessBuilder pb = new ProcessBuilder(commandLine(logFile, args))
                .redirectInput(Stdio.DEV_NULL_IN)
                .redirectError(Redirect.DISCARD);
        java.lang.Process p = startProcess(pb, "events");
        return new EventStream(this, id, p, logFile);
    }

    // ---------------------------------------------------------------- exec

    /**
     * {@code exec --process <file>}: runs {@code process} in the container. In the foreground it
     * returns the process's exit code; detached, 0 once it started (its pid in
     * {@code options.pidFile()}).
     *
     * @throws RuntimeCommandException if the runtime failed (e.g. the program does not exist)
     */
    public int exec(String id, Process process, ExecOptions options) {
        requireId(id);
        requireSafeVersion();
        options.stdio().refusePipes("exec");
        Path processFile = writeProcess(process, options);
        try {
            return exitCodeOrFailure(invoke("exec", execArgs(id, processFile, options), options.stdio()),
                    "exec", id);
        } finally {
            deleteQuietly(processFile);
        }
    }

    /**
     * Starts {@code exec} in the foreground with its stdio as pipes, for streaming: the caller
     * writes {@link StartedExec#stdin()} and reads {@link StartedExec#stdout()} /
     * {@link StartedExec#stderr()} concurrently, then {@link StartedExec#waitFor()}. The redirects
     * of {@code options} are ignored.
     */
    public StartedExec startExec(String id, Process process, ExecOptions options) {
        requireId(id);
        requireSafeVersion();
        if (options.detach() || options.tty()) {
            throw new IllegalArgumentException("startExec streams a foreground process through pipes; for a detached"
                    + " or tty process use exec(...) with ExecOptions.detach/tty and ChildReaper.exitOf(pid)");
        }
        Path processFile = writeProcess(process, options);
        Path logFile = tempFile("log", ".json");
        ProcessBuilder pb = new ProcessBuilder(commandLine(logFile, execArgs(id, processFile, options)));
        java.lang.Process p;
        try {
            p = startProcess(pb, "exec");
        } catch (RuntimeException e) {
            deleteQuietly(processFile);
            deleteQuietly(logFile);
            throw e;
        }
        return new StartedExec(this, id, p, logFile, processFile);
    }

    private Path writeProcess(Process process, ExecOptions options) {
        SpecSafety.checkProcess(process, "exec process");
        Process effective = options.tty() ? process.toBuilder().terminal(true).build() : process;
        if (effective.terminal().orElse(false) && options.consoleSocket().isEmpty()) {
            throw new IllegalArgumentException("a process with terminal:true needs a console socket:"
                    + " ExecOptions.tty(socketPath)");
        }
        Path file = tempFile("process", ".json");
        try {
            Files.write(file, Json.write(effective));
        } catch (IOException e) {
            deleteQuietly(file);
            throw new UncheckedIOException("cannot write the exec process file " + file, e);
        }
        return file;
    }

    private static List<String> execArgs(String id, Path processFile, ExecOptions options) {
        List<String> args = new ArrayList<>(List.of("exec", "--process", processFile.toString()));
        if (options.detach()) {
            args.add("--detach");
        }
        options.consoleSocket().ifPresent(p -> args.addAll(List.of("--console-socket", p.toAbsolutePath().toString())));
        options.pidFile().ifPresent(p -> args.addAll(List.of("--pid-file", p.toAbsolutePath().toString())));
        if (options.preserveFds() > 0) {
            args.add("--preserve-fds=" + options.preserveFds());
        }
        args.add(id);
        return args;
    }

    /** Reads a {@code --pid-file} the runtime wrote. */
    public static long readPidFile(Path pidFile) {
        try {
            String text = Files.readString(pidFile).strip();
            return Long.parseLong(text);
        } catch (IOException e) {
            throw new OciException("cannot read the pid file " + pidFile + ": " + e.getMessage()
                    + "; did the runtime's create succeed?", e);
        } catch (NumberFormatException e) {
            throw new OciException("the pid file " + pidFile + " does not hold a pid", e);
        }
    }

    // ---------------------------------------------------------------- running the runtime

    /** One finished runtime invocation. */
    static final class Result {
        final int exitCode;
        final byte[] stdout;
        final byte[] log;
        final byte[] stderr;

        Result(int exitCode, byte[] stdout, byte[] log, byte[] stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.log = log;
            this.stderr = stderr;
        }

        String errorText() {
            return RuntimeLog.errorText(log, stderr);
        }
    }

    private Result simple(String command, String id, List<String> args) {
        Result r = invoke(command, args, null);
        check(r, command, id);
        return r;
    }

    /** Throws the typed failure if the runtime exited non-zero. */
    void check(Result r, String command, String containerId) {
        if (r.exitCode == 0) {
            return;
        }
        throw failure(command, containerId, r.exitCode, r.errorText());
    }

    RuntimeCommandException failure(String command, String containerId, int exitCode, String error) {
        if (containerId != null && RuntimeLog.isNoSuchContainer(error)) {
            return new NoSuchContainerException(name, command, exitCode, error, containerId);
        }
        // Only the commands that start a process can fail to exec one (runc at create, crun at start).
        if (STARTS_PROCESS.contains(command)) {
            if (RuntimeLog.isExecutableNotFound(error)) {
                return new ExecutableNotFoundException(name, command, exitCode, error);
            }
            if (RuntimeLog.isExecutableNotPermitted(error)) {
                return new ExecutableNotPermittedException(name, command, exitCode, error);
            }
        }
        return new RuntimeCommandException(name, command, exitCode, error);
    }

    /** For run/exec: an error in the runtime's log is the runtime failing; otherwise the exit code is the program's. */
    private int exitCodeOrFailure(Result r, String command, String containerId) {
        List<String> errors = RuntimeLog.errors(r.log);
        if (!errors.isEmpty()) {
            throw failure(command, containerId, r.exitCode, String.join("; ", errors));
        }
        return r.exitCode;
    }

    /**
     * Runs the runtime and waits. With {@code stdio} null, stdin is /dev/null, stdout is captured
     * and stderr goes to a temp file; otherwise the caller's redirects pass through.
     */
    private Result invoke(String command, List<String> args, Stdio stdio) {
        boolean bare = args.size() == 1 && args.get(0).equals("--version");
        Path logFile = bare ? null : tempFile("log", ".json");
        Path errFile = stdio == null ? tempFile("stderr", ".txt") : null;
        try {
            List<String> cmd = bare ? List.of(executable.toString(), "--version") : commandLine(logFile, args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (stdio == null) {
                pb.redirectInput(Stdio.DEV_NULL_IN).redirectOutput(Redirect.PIPE).redirectError(errFile.toFile());
            } else {
                pb.redirectInput(stdio.in()).redirectOutput(stdio.out()).redirectError(stdio.err());
            }
            java.lang.Process p = startProcess(pb, command);
            byte[] out = new byte[0];
            if (stdio == null) {
                try (InputStream in = p.getInputStream()) {
                    out = in.readAllBytes();
                } catch (IOException e) {
                    p.destroyForcibly();
                    throw new RuntimeCommandException(name, command, -1, "",
                            "reading " + name + " " + command + "'s output failed: " + e.getMessage(), e);
                }
            }
            int code = waitFor(p, command);
            byte[] logBytes = logFile == null ? new byte[0] : readAndForward(logFile);
            byte[] errBytes = errFile == null ? new byte[0] : readQuietly(errFile);
            return new Result(code, out, logBytes, errBytes);
        } finally {
            if (logFile != null) {
                deleteQuietly(logFile);
            }
            if (errFile != null) {
                deleteQuietly(errFile);
            }
        }
    }

    List<String> commandLine(Path logFile, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable.toString());
        root.ifPresent(r -> cmd.addAll(List.of("--root", r.toString())));
        cmd.addAll(List.of("--log", logFile.toString(), "--log-format", "json"));
        if (systemdCgroup) {
            cmd.add("--systemd-cgroup");
        }
        if (rootless != Rootless.AUTO) {
            cmd.add("--rootless=" + (rootless == Rootless.ON));
        }
        cmd.addAll(args);
        return cmd;
    }

    java.lang.Process startProcess(ProcessBuilder pb, String command) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("running {}", String.join(" ", pb.command()));
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw new RuntimeCommandException(name, command, -1, "",
                    "cannot start " + executable + " for '" + command + "': " + e.getMessage(), e);
        }
    }

    int waitFor(java.lang.Process p, String command) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            // The caller gave up: do not leave the runtime running unobserved.
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RuntimeCommandException(name, command, -1, "",
                    name + " " + command + " was interrupted; the runtime process was killed", e);
        }
    }

    /** The per-call log's bytes, appended to the configured {@link #log(Path)} first if there is one. */
    byte[] readAndForward(Path logFile) {
        byte[] bytes = readQuietly(logFile);
        if (log.isPresent() && bytes.length > 0) {
            try {
                Files.write(log.get(), bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                LOG.warn("cannot append {}'s log to {}: {}", name, log.get(), e.toString());
            }
        }
        return bytes;
    }

    private static byte[] readQuietly(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0]; // the runtime never wrote it: nothing to report from it
        }
    }

    /**
     * Each call's log and stderr are short-lived files; in memory (/dev/shm, a tmpfs on Linux)
     * they cost nothing, where a disk file system spends about a millisecond creating and
     * removing each. createTempFile makes them 0600 with an unguessable name, so the shared
     * directory is safe.
     */
    private static final Optional<Path> MEMORY_TEMP = Optional.of(Path.of("/dev/shm"))
            .filter(p -> Files.isDirectory(p) && Files.isWritable(p));

    Path tempFile(String what, String suffix) {
        try {
            String prefix = "ocikit-" + name + "-" + what + "-";
            if (MEMORY_TEMP.isPresent()) {
                try {
                    return Files.createTempFile(MEMORY_TEMP.get(), prefix, suffix);
                } catch (IOException e) {
                    LOG.debug("cannot use {} for temporary files: {}", MEMORY_TEMP.get(), e.toString());
                }
            }
            return Files.createTempFile(prefix, suffix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary " + what + " file for " + name, e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("cannot delete temporary file {}: {}", file, e.toString());
        }
    }

    private static String requireId(String id) {
        if (id == null || id.isEmpty() || id.startsWith("-") || id.contains("/") || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("invalid container id '" + id
                    + "': must be non-empty, not start with '-', and contain no '/'");
        }
        return id;
    }

    // ---------------------------------------------------------------- output parsing

    static List<ContainerSummary> parseList(String runtime, byte[] stdout) {
        JsonNode root = tree(runtime, "list", stdout);
        if (root.isNull()) {
            return List.of(); // runc prints "null" for no containers
        }
        if (!root.isArray()) {
            throw new RuntimeOutputException(runtime, "list", "expected a JSON array, got " + root.getNodeType(), null);
        }
        List<ContainerSummary> out = new ArrayList<>();
        for (JsonNode n : root) {
            if (!n.isObject()) {
                throw new RuntimeOutputException(runtime, "list", "an entry is not an object: " + n, null);
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            JsonNode a = n.path("annotations");
            if (a.isObject()) {
                for (Map.Entry<String, JsonNode> e : a.properties()) {
                    annotations.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode pid = n.path("pid");
            if (!pid.isMissingNode() && !pid.isNull() && !pid.isIntegralNumber()) {
                throw new RuntimeOutputException(runtime, "list", "'pid' is not a number in " + n, null);
            }
            out.add(new ContainerSummary(text(runtime, "list", n, "id"), pid.asLong(0), text(runtime, "list", n, "status"),
                    text(runtime, "list", n, "bundle"), optText(n, "rootfs"), optText(n, "created"), optText(n, "owner"),
                    annotations));
        }
        return List.copyOf(out);
    }

    static List<Long> parsePs(String runtime, byte[] stdout) {
        JsonNode root = tree(runtime, "ps", stdout);
        if (root.isNull()) {
            return List.of();
        }
        if (!root.isArray()) {
            throw new RuntimeOutputException(runtime, "ps", "expected a JSON array of pids, got " + root.getNodeType(),
                    null);
        }
        List<Long> pids = new ArrayList<>();
        for (JsonNode n : root) {
            if (!n.isIntegralNumber()) {
                throw new RuntimeOutputException(runtime, "ps", "not a pid: " + n, null);
            }
            pids.add(n.asLong());
        }
        return List.copyOf(pids);
    }

    static RuntimeEvent parseEvent(String runtime, String command, String line) {
        JsonNode n = tree(runtime, command, line.getBytes(StandardCharsets.UTF_8));
        if (!n.isObject()) {
            throw new RuntimeOutputException(runtime, command, "an event is not a JSON object: "
                    + RuntimeVersion.abbreviate(line), null);
        }
        return new RuntimeEvent(text(runtime, command, n, "type"), n.path("id").asText(""), n.path("data"));
    }

    private static JsonNode tree(String runtime, String command, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new RuntimeOutputException(runtime, command, "no output", null);
        }
        try {
            return Lazy.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new RuntimeOutputException(runtime, command, "not JSON: " + RuntimeVersion.abbreviate(text), e);
        }
    }

    private static String text(String runtime, String command, JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new RuntimeOutputException(runtime, command, "field '" + field + "' is missing or not a string in "
                    + RuntimeVersion.abbreviate(n.toString()), null);
        }
        return v.asText();
    }

    private static Optional<String> optText(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
    }

    @Override
    public String toString() {
        return "RuntimeCli[" + executable + root.map(r -> " --root " + r).orElse("") + "]";
    }
}
