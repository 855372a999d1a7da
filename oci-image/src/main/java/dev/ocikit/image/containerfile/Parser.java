package dev.ocikit.image.containerfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Containerfile text into instructions, following BuildKit's Dockerfile frontend: parser
 * directives, line continuations, comments, heredocs, then one parser per instruction. One
 * instance parses one file; not thread-safe.
 */
final class Parser {
    static final Set<String> KEYWORDS = Set.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
            "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
            "WORKDIR");

    private static final Pattern DIRECTIVE = Pattern.compile("^#[ \\t]*([a-zA-Z][a-zA-Z0-9]*)[ \\t]*=[ \\t]*(.+?)[ \\t]*$");
    private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9\\-_.]*");
    private static final Pattern SIGNAL = Pattern.compile("[0-9]+|[A-Za-z][A-Za-z0-9+\\-]*");
    private static final Duration MIN_INTERVAL = Duration.ofMillis(1);

    private final String fileName;
    private final List<String> lines;
    private int next;
    private char escape = '\\';
    private boolean directivesDone;
    private final Set<String> directivesSeen = new java.util.HashSet<>();

    private Parser(String text, String fileName) {
        this.fileName = fileName;
        this.lines = splitLines(text);
    }

    /** The instructions of {@code text}, in order, and the file's escape character. */
    record Result(List<Instruction> instructions, char escape) {}

    static Result parse(String text, String fileName) {
        Parser p = new Parser(text, fileName);
        List<Instruction> out = p.run();
        return new Result(out, p.escape);
    }

    private static List<String> splitLines(String text) {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            int cut = end;
            while (cut > start && text.charAt(cut - 1) == '\r') {
                cut--;
            }
            out.add(text.substring(start, cut));
            start = nl < 0 ? text.length() : nl + 1;
        }
        return out;
    }

    private ContainerfileException error(int line, String instruction, String problem) {
        return new ContainerfileException(fileName, line, instruction, problem);
    }

    private List<Instruction> run() {
        List<Instruction> out = new ArrayList<>();
        while (next < lines.size()) {
            int lineNo = next + 1;
            String first = stripLeading(lines.get(next++));
            if (!directivesDone) {
                directive(first, lineNo);
            }
            if (isComment(first)) {
                continue;
            }
            int startLine = lineNo;
            Continued c = continued(first);
            if (!c.continues && c.text.isEmpty()) {
                continue;
            }
            StringBuilder logical = new StringBuilder(c.text);
            boolean continues = c.continues;
            while (continues && next < lines.size()) {
                String raw = lines.get(next++);
                // comments and blank lines inside a continuation are skipped, as BuildKit does
                if (isComment(stripLeading(raw)) || raw.isBlank()) {
                    continue;
                }
                Continued more = continued(raw);
                logical.append(more.text);
                continues = more.continues;
            }
            out.add(instruction(logical.toString(), startLine, false));
        }
        return out;
    }

    private void directive(String line, int lineNo) {
        Matcher m = DIRECTIVE.matcher(line);
        if (!m.matches()) {
            directivesDone = true;
            return;
        }
        String name = m.group(1).toLowerCase(Locale.ROOT);
        if (!name.equals("escape") && !name.equals("syntax") && !name.equals("check")) {
            directivesDone = true; // an unknown directive is a comment, and ends the directives
            return;
        }
        if (!directivesSeen.add(name)) {
            throw error(lineNo, null, "the " + name + " parser directive is given more than once");
        }
        if (name.equals("escape")) {
            String value = m.group(2);
            if (!value.equals("\\") && !value.equals("`")) {
                throw error(lineNo, null, "invalid escape directive '" + value + "': the escape character is \\ or `");
            }
            escape = value.charAt(0);
        }
        // syntax= names a frontend image and check= configures lint rules: neither applies here
    }

    private static boolean isComment(String leftStripped) {
        return leftStripped.startsWith("#");
    }

    private static String stripLeading(String s) {
        return s.stripLeading();
    }

    private record Continued(String text, boolean continues) {}

    /**
     * Removes a line-continuation escape at the end of {@code line} (trailing blanks after it
     * tolerated). An escape preceded by another escape is an escaped escape, not a continuation.
     */
    private Continued continued(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end == 0 || line.charAt(end - 1) != escape) {
            return new Continued(line, false);
        }
        if (end == 1) {
            return new Continued("", true);
        }
        if (line.charAt(end - 2) == escape) {
            return new Continued(line, false);
        }
        return new Continued(line.substring(0, end - 1), true);
    }

    // ---------------------------------------------------------------- instructions

    private Instruction instruction(String logical, int line, boolean trigger) {
        String source = logical.strip();
        String[] parts = Words.WHITESPACE.split(source, 2);
        String word = parts[0];
        String keyword = word.toUpperCase(Locale.ROOT);
        if (!KEYWORDS.contains(keyword)) {
            String hint = Suggest.closest(keyword, KEYWORDS).map(k -> " (did you mean " + k + "?)").orElse("");
            throw error(line, word, "unknown instruction" + hint);
        }
        Words.Flagged flagged = Words.flags(parts.length == 2 ? parts[1] : "");
        String rest = flagged.rest().strip();
        try {
            Flags flags = Flags.parse(keyword, flagged.flags());
            List<Heredoc> heredocs = List.of();
            if ((keyword.equals("RUN") || keyword.equals("COPY") || keyword.equals("ADD"))
                    && Words.jsonArray(rest).isEmpty() && source.contains("<<")) {
                List<Heredocs.Marker> markers = Heredocs.find(source);
                if (!markers.isEmpty() && trigger) {
                    throw new Problem("heredocs are not supported in ONBUILD triggers");
                }
                heredocs = readHeredocs(markers, line, keyword);
            }
            Instruction parsed = dispatch(keyword, line, source, flags, rest, heredocs);
            Expansions.apply(parsed, Expander.syntaxCheck(escape));
            return parsed;
        } catch (Problem p) {
            throw error(line, keyword, p.getMessage());
        }
    }

    private List<Heredoc> readHeredocs(List<Heredocs.Marker> markers, int line, String keyword) {
        List<Heredoc> out = new ArrayList<>();
        for (Heredocs.Marker m : markers) {
            StringBuilder body = new StringBuilder();
            boolean terminated = false;
            while (next < lines.size()) {
                String raw = lines.get(next++);
                String candidate = m.chomp() ? raw.replaceFirst("^\\t+", "") : raw;
                if (candidate.equals(m.name())) {
                    terminated = true;
                    break;
                }
                body.append(raw).append('\n');
            }
            if (!terminated) {
                throw error(line, keyword, "heredoc <<" + m.name() + " is not terminated: end it with a line"
                        + " holding only " + m.name());
            }
            out.add(new Heredoc(m.name(), body.toString(), m.expand(), m.chomp(), m.fd()));
        }
        return out;
    }

    private Instruction dispatch(String keyword, int line, String source, Flags flags, String rest,
            List<Heredoc> heredocs) {
        switch (keyword) {
            case "FROM":
                return from(line, source, flags, rest);
            case "RUN":
                return run(line, source, flags, rest, heredocs);
            case "COPY":
            case "ADD":
                return copyOrAdd(keyword, line, source, flags, rest, heredocs);
            case "ENV":
                return new Instruction.Env(line, source, pairs("ENV", rest));
            case "LABEL":
                return new Instruction.Label(line, source, pairs("LABEL", rest));
            case "ARG":
                return arg(line, source, rest);
            case "WORKDIR":
                return new Instruction.Workdir(line, source, single(rest, "a path: WORKDIR /path"));
            case "USER":
                return new Instruction.User(line, source, single(rest, "a user: USER name[:group] or USER uid[:gid]"));
            case "STOPSIGNAL": {
                String signal = single(rest, "a signal: STOPSIGNAL SIGTERM");
                if (!signal.contains("$") && !SIGNAL.matcher(signal).matches()) {
                    throw new Problem("'" + signal + "' is not a signal: write a name like SIGTERM or a number");
                }
                return new Instruction.StopSignal(line, source, signal);
            }
            case "MAINTAINER":
                return new Instruction.Maintainer(line, source, single(rest, "a name: MAINTAINER name"));
            case "CMD":
                return new Instruction.Cmd(line, source, command("CMD", rest));
            case "ENTRYPOINT":
                return new Instruction.Entrypoint(line, source, command("ENTRYPOINT", rest));
            case "EXPOSE": {
                List<String> ports = Words.fields(rest);
                if (ports.isEmpty()) {
                    throw new Problem("requires at least one port: EXPOSE 80 or EXPOSE 53/udp");
                }
                for (String p : ports) {
                    if (!p.contains("$")) {
                        Instruction.Expose.checkPort(p);
                    }
                }
                return new Instruction.Expose(line, source, ports);
            }
            case "VOLUME": {
                List<String> paths = Words.jsonArray(rest).orElseGet(() -> Words.fields(rest));
                if (paths.isEmpty()) {
                    throw new Problem("requires at least one path: VOLUME /data");
                }
                if (paths.stream().anyMatch(String::isBlank)) {
                    throw new Problem("a volume path is empty");
                }
                return new Instruction.Volume(line, source, paths);
            }
            case "HEALTHCHECK":
                return healthcheck(line, source, flags, rest);
            case "SHELL": {
                Optional<List<String>> shell = Words.jsonArray(rest);
                if (shell.isEmpty()) {
                    throw new Problem("must be written in JSON form, like SHELL [\"/bin/bash\", \"-c\"]");
                }
                if (shell.get().isEmpty()) {
                    throw new Problem("requires at least one argument: SHELL [\"/bin/sh\", \"-c\"]");
                }
                return new Instruction.Shell(line, source, shell.get());
            }
            case "ONBUILD":
                return onbuild(line, source, rest);
            default:
                throw new IllegalStateException(keyword);
        }
    }

    private static String single(String rest, String what) {
        if (rest.isEmpty()) {
            throw new Problem("requires " + what);
        }
        return rest;
    }

    private Instruction.From from(int line, String source, Flags flags, String rest) {
        List<String> words = Words.fields(rest);
        String name = null;
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("as")) {
            name = words.get(2).toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(name).matches()) {
                throw new Problem("invalid stage name '" + words.get(2) + "': a stage name starts with a letter and"
                        + " has only letters, digits, '-', '_' and '.'");
            }
        } else if (words.size() != 1) {
            throw new Problem(words.isEmpty() ? "requires an image: FROM image or FROM image AS name"
                    : "expects FROM image or FROM image AS name, got " + words.size() + " words: " + rest);
        }
        return new Instruction.From(line, source, words.get(0), Optional.ofNullable(name), flags.string("platform"));
    }

    private Instruction.Run run(int line, String source, Flags flags, String rest, List<Heredoc> heredocs) {
        if (rest.isEmpty()) {
            throw new Problem("requires a command: RUN command or RUN [\"executable\", \"arg\"]");
        }
        CommandLine command = Words.jsonArray(rest).map(CommandLine::exec).orElseGet(() -> CommandLine.shell(rest));
        if (command.execForm() && command.arguments().isEmpty()) {
            throw new Problem("requires a command: the JSON array is empty");
        }
        List<RunMount> mounts = new ArrayList<>();
        for (String spec : flags.strings("mount")) {
            mounts.add(RunMount.parse(spec, v -> v));
        }
        Optional<String> network = flags.string("network");
        network.filter(n -> !n.contains("$") && !Set.of("default", "none", "host").contains(n)).ifPresent(n -> {
            throw new Problem("--network is default, none or host, not '" + n + "'");
        });
        Optional<String> security = flags.string("security");
        security.filter(s -> !s.contains("$") && !Set.of("sandbox", "insecure").contains(s)).ifPresent(s -> {
            throw new Problem("--security is sandbox or insecure, not '" + s + "'");
        });
        return new Instruction.Run(line, source, command, mounts, network, security, flags.strings("device"), heredocs);
    }

    private Instruction copyOrAdd(String keyword, int line, String source, Flags flags, String rest,
            List<Heredoc> heredocs) {
        Optional<List<String>> json = Words.jsonArray(rest);
        List<String> args = json.orElseGet(() -> Words.fields(rest));
        if (args.size() < 2) {
            throw new Problem("requires at least two arguments, got " + args.size() + ": " + keyword
                    + " source... destination");
        }
        String destination = args.get(args.size() - 1);
        Map<String, Heredoc> byName = new HashMap<>();
        for (Heredoc h : heredocs) {
            byName.putIfAbsent(h.name(), h);
        }
        List<String> sources = new ArrayList<>();
        List<Heredoc> inline = new ArrayList<>();
        if (json.isEmpty() && Heredocs.marker(destination).isPresent()) {
            throw new Problem("the destination cannot be a heredoc");
        }
        for (String src : args.subList(0, args.size() - 1)) {
            Optional<Heredocs.Marker> marker = json.isEmpty() ? Heredocs.marker(src) : Optional.empty();
            if (marker.isPresent() && byName.containsKey(marker.get().name())) {
                inline.add(byName.get(marker.get().name()));
            } else {
                sources.add(src);
            }
        }
        if (keyword.equals("COPY")) {
            Optional<String> from = flags.string("from");
            if (from.isPresent() && from.get().isBlank()) {
                throw new Problem("--from needs a stage name, a stage index or an image");
            }
            return new Instruction.Copy(line, source, sources, inline, destination, from, flags.string("chown"),
                    flags.string("chmod"), flags.bool("link"), flags.bool("parents"), flags.strings("exclude"));
        }
        return new Instruction.Add(line, source, sources, inline, destination, flags.string("chown"),
                flags.string("chmod"), flags.bool("link"), flags.bool("keep-git-dir"), flags.string("checksum"),
                flags.optionalBool("unpack"), flags.strings("exclude"));
    }

    private List<KeyValue> pairs(String keyword, String rest) {
        List<String> words = Words.quotedWords(rest, escape);
        if (words.isEmpty()) {
            throw new Problem("requires at least one NAME=value: " + keyword + " NAME=value");
        }
        List<KeyValue> out = new ArrayList<>();
        if (!words.get(0).contains("=")) {
            // legacy form: the first word is the name, the rest of the line the value
            String[] kv = Words.WHITESPACE.split(rest, 2);
            if (kv.length < 2) {
                throw new Problem(keyword + " " + kv[0] + " has no value: write " + keyword + " " + kv[0] + "=value");
            }
            out.add(new KeyValue(kv[0], kv[1]));
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw new Problem("'" + w + "' has no '=': when one pair is NAME=value, all must be"
                        + " (quote or escape a value that has spaces)");
            }
            if (eq == 0) {
                throw new Problem("'" + w + "' has no name before '='");
            }
            out.add(new KeyValue(w.substring(0, eq), w.substring(eq + 1)));
        }
        return out;
    }

    private Instruction.Arg arg(int line, String source, String rest) {
        List<String> words = Words.quotedWords(rest, escape);
        if (words.isEmpty()) {
            throw new Problem("requires a name: ARG NAME or ARG NAME=default");
        }
        List<ArgDefinition> defs = new ArrayList<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (name.isEmpty()) {
                throw new Problem("'" + w + "' has no name before '='");
            }
            defs.add(new ArgDefinition(name, eq < 0 ? Optional.empty() : Optional.of(w.substring(eq + 1))));
        }
        return new Instruction.Arg(line, source, defs);
    }

    private static CommandLine command(String keyword, String rest) {
        if (rest.isEmpty()) {
            throw new Problem("requires a command: " + keyword + " [\"executable\", \"arg\"] (or " + keyword
                    + " [] for none)");
        }
        return Words.jsonArray(rest).map(CommandLine::exec).orElseGet(() -> CommandLine.shell(rest));
    }

    private Instruction.Healthcheck healthcheck(int line, String source, Flags flags, String rest) {
        if (rest.isEmpty()) {
            throw new Problem("requires NONE or CMD command");
        }
        String[] parts = Words.WHITESPACE.split(rest, 2);
        String type = parts[0].toUpperCase(Locale.ROOT);
        String after = parts.length == 2 ? parts[1].strip() : "";
        List<String> given = new ArrayList<>();
        for (String f : List.of("interval", "timeout", "start-period", "start-interval", "retries")) {
            if (flags.string(f).isPresent()) {
                given.add("--" + f);
            }
        }
        if (type.equals("NONE")) {
            if (!after.isEmpty() || !given.isEmpty()) {
                throw new Problem("HEALTHCHECK NONE takes no flags or arguments, got "
                        + String.join(" ", given) + (after.isEmpty() ? "" : (given.isEmpty() ? "" : " ") + after));
            }
            return new Instruction.Healthcheck(line, source, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
        if (!type.equals("CMD")) {
            throw new Problem("unknown type '" + parts[0] + "': use HEALTHCHECK CMD command or HEALTHCHECK NONE");
        }
        if (after.isEmpty()) {
            throw new Problem("HEALTHCHECK CMD requires a command");
        }
        CommandLine command = Words.jsonArray(after).map(CommandLine::exec).orElseGet(() -> CommandLine.shell(after));
        if (command.execForm() && command.arguments().isEmpty()) {
            throw new Problem("HEALTHCHECK CMD requires a command: the JSON array is empty");
        }
        Optional<Integer> retries = flags.string("retries").map(r -> {
            int n;
            try {
                n = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw new Problem("--retries is a whole number, not '" + r + "'");
            }
            if (n < 0) {
                throw new Problem("--retries cannot be negative, got " + n);
            }
            return n;
        });
        return new Instruction.Healthcheck(line, source, Optional.of(command), interval(flags, "interval"),
                interval(flags, "timeout"), interval(flags, "start-period"), interval(flags, "start-interval"),
                retries);
    }

    private static Optional<Duration> interval(Flags flags, String name) {
        return flags.string(name).map(text -> {
            Duration d;
            try {
                d = GoDuration.parse(text);
            } catch (Problem p) {
                throw new Problem("--" + name + ": " + p.getMessage());
            }
            if (!d.isZero() && d.compareTo(MIN_INTERVAL) < 0) {
                throw new Problem("--" + name + " must be 0 (the default) or at least 1ms, got " + text);
            }
            return d;
        });
    }

    private Instruction.Onbuild onbuild(int line, String source, String rest) {
        if (rest.isEmpty()) {
            throw new Problem("requires an instruction: ONBUILD RUN command");
        }
        String trigger = Words.WHITESPACE.split(rest, 2)[0].toUpperCase(Locale.ROOT);
        if (trigger.equals("ONBUILD")) {
            throw new Problem("ONBUILD ONBUILD is not allowed");
        }
        if (trigger.equals("FROM") || trigger.equals("MAINTAINER")) {
            throw new Problem(trigger + " is not allowed as an ONBUILD trigger");
        }
        Instruction inner;
        try {
            inner = instruction(rest, line, true);
        } catch (ContainerfileException e) {
            throw new Problem("trigger " + e.instruction().orElse(trigger) + ": " + e.problem());
        }
        return new Instruction.Onbuild(line, source, rest, inner);
    }
}
