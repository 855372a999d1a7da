package dev.ocikit.image.containerfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One instruction of a Containerfile, as parsed. Every instruction knows the line it starts on
 * and its {@link #source()} text; its arguments are kept raw (variables not expanded, quotes of
 * ENV/LABEL/ARG values still in place) until {@link Containerfile#expand} is applied, which
 * returns a copy of the same type holding final values. All implementations are immutable
 * records; the set is closed, so a {@code switch} over {@code instanceof} tests is exhaustive.
 *
 * <p>Which instructions {@link Containerfile#expand} changes: ADD, COPY, ENV, EXPOSE, FROM,
 * LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR (as Docker documents), plus ARG defaults and the
 * values of {@code RUN --mount}. RUN, CMD, ENTRYPOINT, HEALTHCHECK and SHELL are left alone
 * (the shell expands shell-form commands when it runs them); MAINTAINER and ONBUILD too.
 */
public sealed interface Instruction {

    /** The 1-based line the instruction starts on. */
    int line();

    /**
     * The instruction as written: continuation lines joined (escape character and line break
     * removed, as Docker does), comments inside continuations dropped, surrounding whitespace
     * stripped; heredoc bodies are not part of it. Fit for history {@code created_by} and
     * cache keys.
     */
    String source();

    /** The instruction's keyword in upper case: {@code RUN}, {@code COPY}, ... */
    String keyword();

    /**
     * {@code FROM [--platform=P] image [AS name]}: starts a build stage. Usually reached through
     * {@link Stage}, which holds it.
     *
     * @param image the base image, a previous stage's name, or {@code scratch}; raw
     * @param stageName the name after {@code AS}, lower-cased
     * @param platform the {@code --platform} value, raw
     */
    record From(int line, String source, String image, Optional<String> stageName, Optional<String> platform)
            implements Instruction {
        public From {
            Objects.requireNonNull(image, "image");
            stageName = opt(stageName);
            platform = opt(platform);
        }

        @Override
        public String keyword() {
            return "FROM";
        }

        From expand(Expander x) {
            return new From(line, source, x.word(image), stageName, x.word(platform));
        }
    }

    /**
     * {@code RUN [--mount=...] [--network=...] [--security=...] command}.
     *
     * @param command the command; never expanded by the builder
     * @param mounts the {@code --mount} flags, in order
     * @param network {@code default}, {@code none} or {@code host}, if given
     * @param security {@code sandbox} or {@code insecure}, if given
     * @param devices the {@code --device} flags
     * @param heredocs the heredocs of a shell-form command, in order
     */
    record Run(int line, String source, CommandLine command, List<RunMount> mounts, Optional<String> network,
            Optional<String> security, List<String> devices, List<Heredoc> heredocs) implements Instruction {
        public Run {
            Objects.requireNonNull(command, "command");
            mounts = List.copyOf(mounts);
            network = opt(network);
            security = opt(security);
            devices = List.copyOf(devices);
            heredocs = List.copyOf(heredocs);
        }

        @Override
        public String keyword() {
            return "RUN";
        }

        /**
         * What to hand to the shell (after the shell's own arguments, e.g. {@code sh -c SCRIPT})
         * for a shell-form RUN; empty for the exec form. Without heredocs it is the command
         * text. When the command is a heredoc and nothing else ({@code RUN <<EOF}), it is the
         * heredoc's {@linkplain Heredoc#text() text}: BuildKit runs that as the script (and, if it
         * starts with {@code #!}, writes it to a file and executes that file instead of using the
         * shell). Otherwise it is the command line followed by each heredoc body and its
         * delimiter line, so the shell reads the heredocs itself, with its own quoting and
         * expansion rules.
         */
        public Optional<String> script() {
            Optional<String> text = command.shellCommand();
            if (text.isEmpty() || heredocs.isEmpty()) {
                return text;
            }
            if (heredocs.size() == 1 && Heredocs.isOnlyHeredoc(text.get())) {
                return Optional.of(heredocs.get(0).text());
            }
            StringBuilder sb = new StringBuilder(text.get()).append('\n');
            for (Heredoc h : heredocs) {
                sb.append(h.content()).append(h.name()).append('\n');
            }
            return Optional.of(sb.toString());
        }

        Run expand(Expander x) {
            List<RunMount> expanded = new ArrayList<>();
            for (RunMount m : mounts) {
                expanded.add(RunMount.parse(m.spec(), x::word));
            }
            return new Run(line, source, command, expanded, network, security, devices, heredocs);
        }
    }

    /**
     * {@code COPY [--from=..] [--chown=..] [--chmod=..] [--link] [--parents] [--exclude=..] src... dest},
     * also in JSON form {@code COPY ["src", "dest"]}.
     *
     * @param sources the source paths (or, with {@code --from}, paths in that stage or image)
     * @param heredocs sources written as heredocs ({@code COPY <<EOF /dst}): files named after
     *     the delimiter holding the heredoc's text
     * @param destination the destination path; a trailing {@code /} means a directory
     * @param from the {@code --from} stage name, stage index or image reference
     * @param chown the {@code --chown} user[:group]
     * @param chmod the {@code --chmod} mode
     * @param link whether {@code --link} was given
     * @param parents whether {@code --parents} was given
     * @param excludes the {@code --exclude} patterns
     */
    record Copy(int line, String source, List<String> sources, List<Heredoc> heredocs, String destination,
            Optional<String> from, Optional<String> chown, Optional<String> chmod, boolean link, boolean parents,
            List<String> excludes) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            Objects.requireNonNull(destination, "destination");
            from = opt(from);
            chown = opt(chown);
            chmod = opt(chmod);
            excludes = List.copyOf(excludes);
        }

        @Override
        public String keyword() {
            return "COPY";
        }

        Copy expand(Expander x) {
            return new Copy(line, source, x.each(sources), expandHeredocs(heredocs, x), x.word(destination),
                    x.word(from), x.word(chown), x.word(chmod), link, parents, x.each(excludes));
        }
    }

    /**
     * {@code ADD [--chown=..] [--chmod=..] [--link] [--checksum=..] [--keep-git-dir] [--unpack]
     * [--exclude=..] src... dest}, also in JSON form. Sources may be URLs ({@link #isRemote}),
     * which the builder downloads (or refuses); local tar archives are unpacked unless
     * {@code --unpack=false}.
     *
     * @param sources the source paths or URLs
     * @param heredocs sources written as heredocs
     * @param destination the destination path
     * @param chown the {@code --chown} user[:group]
     * @param chmod the {@code --chmod} mode
     * @param link whether {@code --link} was given
     * @param keepGitDir whether {@code --keep-git-dir} was given
     * @param checksum the {@code --checksum} a remote source must have
     * @param unpack the {@code --unpack} value, if given
     * @param excludes the {@code --exclude} patterns
     */
    record Add(int line, String source, List<String> sources, List<Heredoc> heredocs, String destination,
            Optional<String> chown, Optional<String> chmod, boolean link, boolean keepGitDir,
            Optional<String> checksum, Optional<Boolean> unpack, List<String> excludes) implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            Objects.requireNonNull(destination, "destination");
            chown = opt(chown);
            chmod = opt(chmod);
            checksum = opt(checksum);
            unpack = opt(unpack);
            excludes = List.copyOf(excludes);
        }

        @Override
        public String keyword() {
            return "ADD";
        }

        /**
         * Whether an ADD source names something remote rather than a path in the context:
         * {@code http://}, {@code https://}, {@code git://} and {@code ssh://} URLs and
         * {@code git@host:repo} addresses.
         */
        public static boolean isRemote(String source) {
            String s = source.toLowerCase(Locale.ROOT);
            return s.startsWith("http://") || s.startsWith("https://") || s.startsWith("git://")
                    || s.startsWith("ssh://") || s.startsWith("git@");
        }

        /** The sources that are {@linkplain #isRemote remote}. */
        public List<String> remoteSources() {
            return sources.stream().filter(Add::isRemote).toList();
        }

        Add expand(Expander x) {
            return new Add(line, source, x.each(sources), expandHeredocs(heredocs, x), x.word(destination),
                    x.word(chown), x.word(chmod), link, keepGitDir, x.word(checksum), unpack, x.each(excludes));
        }
    }

    /**
     * {@code ENV K=V [K2=V2 ...]} or the legacy {@code ENV K V...} (the value is the rest of the
     * line). All pairs of one instruction are expanded with the variables as they were before it
     * ({@code ENV A=1 B=$A} sets B to the old A).
     *
     * @param pairs the variables, in order; raw (quotes in place) until expanded
     */
    record Env(int line, String source, List<KeyValue> pairs) implements Instruction {
        public Env {
            pairs = List.copyOf(pairs);
        }

        @Override
        public String keyword() {
            return "ENV";
        }

        Env expand(Expander x) {
            return new Env(line, source, expandPairs(pairs, x));
        }
    }

    /**
     * {@code ARG NAME[=default] [NAME2[=default] ...]}.
     *
     * @param definitions the declared arguments, in order
     */
    record Arg(int line, String source, List<ArgDefinition> definitions) implements Instruction {
        public Arg {
            definitions = List.copyOf(definitions);
        }

        @Override
        public String keyword() {
            return "ARG";
        }

        Arg expand(Expander x) {
            List<ArgDefinition> out = new ArrayList<>();
            for (ArgDefinition d : definitions) {
                out.add(new ArgDefinition(d.name(), x.word(d.defaultValue())));
            }
            return new Arg(line, source, out);
        }
    }

    /** {@code WORKDIR path}; relative paths are relative to the previous working directory. */
    record Workdir(int line, String source, String path) implements Instruction {
        public Workdir {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String keyword() {
            return "WORKDIR";
        }

        Workdir expand(Expander x) {
            return new Workdir(line, source, x.word(path));
        }
    }

    /** {@code USER user[:group]} (names or ids). */
    record User(int line, String source, String user) implements Instruction {
        public User {
            Objects.requireNonNull(user, "user");
        }

        @Override
        public String keyword() {
            return "USER";
        }

        User expand(Expander x) {
            return new User(line, source, x.word(user));
        }
    }

    /** {@code ENTRYPOINT ["exec", "form"]} or {@code ENTRYPOINT shell form}; never expanded. */
    record Entrypoint(int line, String source, CommandLine command) implements Instruction {
        public Entrypoint {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public String keyword() {
            return "ENTRYPOINT";
        }
    }

    /** {@code CMD ["exec", "form"]} or {@code CMD shell form}; never expanded. */
    record Cmd(int line, String source, CommandLine command) implements Instruction {
        public Cmd {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public String keyword() {
            return "CMD";
        }
    }

    /**
     * {@code LABEL k=v [k2=v2 ...]} (or the legacy {@code LABEL k v}).
     *
     * @param pairs the labels, in order; raw until expanded
     */
    record Label(int line, String source, List<KeyValue> pairs) implements Instruction {
        public Label {
            pairs = List.copyOf(pairs);
        }

        @Override
        public String keyword() {
            return "LABEL";
        }

        Label expand(Expander x) {
            return new Label(line, source, expandPairs(pairs, x));
        }
    }

    /**
     * {@code EXPOSE port[/proto] ...}: {@code 80}, {@code 80/tcp}, {@code 53/udp},
     * {@code 8000-8010/tcp}. Expansion may split a word into several ({@code EXPOSE $PORTS}).
     *
     * @param ports the port specifications as written (raw until expanded)
     */
    record Expose(int line, String source, List<String> ports) implements Instruction {
        private static final Pattern PORT = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/([A-Za-z]+))?");

        public Expose {
            ports = List.copyOf(ports);
        }

        @Override
        public String keyword() {
            return "EXPOSE";
        }

        Expose expand(Expander x) {
            List<String> out = new ArrayList<>();
            for (String p : ports) {
                for (String w : x.split(p)) {
                    if (!x.checking()) {
                        checkPort(w);
                    }
                    out.add(w);
                }
            }
            return new Expose(line, source, out);
        }

        static void checkPort(String spec) {
            Matcher m = PORT.matcher(spec);
            if (!m.matches()) {
                String hint = spec.contains(":") ? " (EXPOSE does not publish: drop the host part)" : "";
                throw new Problem("'" + spec + "' is not a port: expected PORT[/PROTOCOL] or FIRST-LAST[/PROTOCOL]" + hint);
            }
            long first = Long.parseLong(m.group(1).length() > 6 ? "999999" : m.group(1));
            long last = m.group(2) == null ? first : Long.parseLong(m.group(2).length() > 6 ? "999999" : m.group(2));
            if (first > 65535 || last > 65535 || last < first) {
                throw new Problem("'" + spec + "' is not a port: ports run from 0 to 65535, a range from low to high");
            }
            String proto = m.group(3);
            if (proto != null && !List.of("tcp", "udp", "sctp").contains(proto.toLowerCase(Locale.ROOT))) {
                throw new Problem("'" + spec + "' has protocol '" + proto + "': expected tcp, udp or sctp");
            }
        }
    }

    /**
     * {@code VOLUME ["/a", "/b"]} or {@code VOLUME /a /b}.
     *
     * @param paths the mount points; raw until expanded
     */
    record Volume(int line, String source, List<String> paths) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }

        @Override
        public String keyword() {
            return "VOLUME";
        }

        Volume expand(Expander x) {
            List<String> out = x.each(paths);
            for (String p : out) {
                if (!x.checking() && p.isBlank()) {
                    throw new Problem("a volume path is empty after expansion");
                }
            }
            return new Volume(line, source, out);
        }
    }

    /** {@code STOPSIGNAL signal}: a name ({@code SIGTERM}) or a number. */
    record StopSignal(int line, String source, String signal) implements Instruction {
        public StopSignal {
            Objects.requireNonNull(signal, "signal");
        }

        @Override
        public String keyword() {
            return "STOPSIGNAL";
        }

        StopSignal expand(Expander x) {
            return new StopSignal(line, source, x.word(signal));
        }
    }

    /**
     * {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [--interval=D] [--timeout=D]
     * [--start-period=D] [--start-interval=D] [--retries=N] CMD command}. Durations use Go's
     * syntax ({@code 30s}, {@code 1m30s}, {@code 500ms}); a zero duration means "inherit the
     * default", as in the image config.
     *
     * @param command the check command; empty for {@code NONE}, which disables an inherited check
     * @param interval time between checks
     * @param timeout time a check may take
     * @param startPeriod grace period after start during which failures do not count
     * @param startInterval time between checks during the start period
     * @param retries consecutive failures that make the container unhealthy
     */
    record Healthcheck(int line, String source, Optional<CommandLine> command, Optional<Duration> interval,
            Optional<Duration> timeout, Optional<Duration> startPeriod, Optional<Duration> startInterval,
            Optional<Integer> retries) implements Instruction {
        public Healthcheck {
            command = opt(command);
            interval = opt(interval);
            timeout = opt(timeout);
            startPeriod = opt(startPeriod);
            startInterval = opt(startInterval);
            retries = opt(retries);
        }

        @Override
        public String keyword() {
            return "HEALTHCHECK";
        }

        /** Whether this is {@code HEALTHCHECK NONE}. */
        public boolean disabled() {
            return command.isEmpty();
        }

        /**
         * The image config's {@code Healthcheck.Test}: {@code ["NONE"]},
         * {@code ["CMD", args...]} for the exec form or {@code ["CMD-SHELL", command]}.
         */
        public List<String> test() {
            if (command.isEmpty()) {
                return List.of("NONE");
            }
            List<String> t = new ArrayList<>();
            t.add(command.get().execForm() ? "CMD" : "CMD-SHELL");
            t.addAll(command.get().arguments());
            return List.copyOf(t);
        }
    }

    /** {@code SHELL ["executable", "parameters"]}: the shell for later shell-form commands. */
    record Shell(int line, String source, List<String> shell) implements Instruction {
        public Shell {
            shell = List.copyOf(shell);
        }

        @Override
        public String keyword() {
            return "SHELL";
        }
    }

    /** {@code MAINTAINER name} (deprecated): sets the image's {@code author}. */
    record Maintainer(int line, String source, String name) implements Instruction {
        public Maintainer {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String keyword() {
            return "MAINTAINER";
        }
    }

    /**
     * {@code ONBUILD instruction}: a trigger stored in the image config, run by builds that use
     * the image as their base. Never expanded here.
     *
     * @param trigger the instruction text after {@code ONBUILD}, as the config's {@code OnBuild}
     *     entry stores it
     * @param instruction the trigger, parsed (and so checked) like any instruction
     */
    record Onbuild(int line, String source, String trigger, Instruction instruction) implements Instruction {
        public Onbuild {
            Objects.requireNonNull(trigger, "trigger");
            Objects.requireNonNull(instruction, "instruction");
        }

        @Override
        public String keyword() {
            return "ONBUILD";
        }
    }

    private static <T> Optional<T> opt(Optional<T> o) {
        return o == null ? Optional.empty() : o;
    }

    private static List<KeyValue> expandPairs(List<KeyValue> pairs, Expander x) {
        List<KeyValue> out = new ArrayList<>();
        for (KeyValue kv : pairs) {
            out.add(new KeyValue(x.word(kv.key()), x.word(kv.value())));
        }
        return out;
    }

    private static List<Heredoc> expandHeredocs(List<Heredoc> heredocs, Expander x) {
        List<Heredoc> out = new ArrayList<>();
        for (Heredoc h : heredocs) {
            // the chomped text is what becomes the file; expanded once, it is final
            out.add(h.expand() ? new Heredoc(h.name(), x.heredoc(h.text()), false, false, h.fileDescriptor()) : h);
        }
        return out;
    }
}
