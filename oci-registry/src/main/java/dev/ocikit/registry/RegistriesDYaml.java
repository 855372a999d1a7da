package dev.ocikit.registry;

import dev.ocikit.spec.internal.Text;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A small, strict reader for the part of YAML that {@code registries.d} files use: nested block
 * mappings (by indentation), plain, single-quoted and double-quoted scalars on one line, and
 * {@code #} comments (and {@code {}}, an empty mapping). Everything else YAML has (sequences, flow collections, anchors and aliases,
 * tags, block scalars, multi-line scalars, several documents, directives) is refused with a
 * {@code file:line: problem} {@link ContainersConfigException}, as are tabs in indentation and
 * duplicate keys.
 *
 * <p>Why it exists: ocikit has no YAML library, and these files need so little of YAML that a
 * dependency (and its attack surface, for files any user may write in their home) would buy
 * nothing; refusing the rest keeps the meaning of every accepted file unambiguous. Scalars keep
 * their text; what a plain scalar means ({@code null}, {@code true}) is decided by the caller,
 * which knows the type the key needs. Stateless; thread-safe.
 */
final class RegistriesDYaml {
    private RegistriesDYaml() {}

    /** A value in the document. */
    sealed interface Node permits Mapping, Scalar, Null {
        /** The line it starts on, from 1. */
        int line();
    }

    /** A block mapping, keys in file order. */
    record Mapping(int line, Map<String, Entry> entries) implements Node {
        Mapping {
            entries = Collections.unmodifiableMap(entries);
        }
    }

    /** One key of a mapping: its line, and its value. */
    record Entry(String key, int line, Node value) {}

    /** A scalar: its text (quotes and escapes resolved) and whether it was quoted. */
    record Scalar(int line, String text, boolean quoted) implements Node {
        /** A plain scalar that YAML reads as null ({@code ~}, {@code null} in any case form YAML allows). */
        boolean isNull() {
            return !quoted && (text.equals("~") || text.equals("null") || text.equals("Null") || text.equals("NULL"));
        }
    }

    /** A key with no value at all ({@code key:} and nothing nested). */
    record Null(int line) implements Node {}

    /**
     * Parses a file's bytes. An empty document (nothing but blank lines and comments) is an empty
     * optional; otherwise the top level must be a mapping.
     *
     * @param file the file's path, for messages only
     * @throws ContainersConfigException naming the file and line of the first problem
     */
    static Optional<Mapping> parse(byte[] bytes, Path file) {
        return new Parser(decode(bytes, file), file).document();
    }

    private static String decode(byte[] bytes, Path file) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new ContainersConfigException(file, null, "is not UTF-8 text");
        }
    }

    private static final class Parser {
        private final String[] lines;
        private final Path file;

        /** Open mappings, innermost first, with the column their keys start at. */
        private final Deque<Level> open = new ArrayDeque<>();
        /** A key whose value is on the following lines (or is null). */
        private PendingKey pending;
        /** The line of the last entry whose value was a scalar: a deeper line after it is an error. */
        private int lastScalarIndent = -1;

        private record Level(int indent, Map<String, RawEntry> entries, int line) {}

        /** An entry being read: its value is a finished node or a mapping still open. */
        private record RawEntry(int line, Node value, Level child) {}

        private record PendingKey(Level owner, String key, int line, int indent) {}

        Parser(String text, Path file) {
            this.lines = text.split("\n", -1);
            this.file = file;
        }

        Optional<Mapping> document() {
            boolean content = false;
            boolean emptyFlow = false;
            Level top = null;
            for (int i = 0; i < lines.length; i++) {
                int lineNo = i + 1;
                String line = lines[i];
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                checkCharacters(line, lineNo);
                int indent = 0;
                while (indent < line.length() && (line.charAt(indent) == ' ' || line.charAt(indent) == '\t')) {
                    if (line.charAt(indent) == '\t') {
                        String rest = line.substring(indent).strip();
                        if (!rest.isEmpty() && !rest.startsWith("#")) {
                            throw error(lineNo, "a tab character in indentation; YAML indents with spaces only");
                        }
                    }
                    indent++;
                }
                String rest = line.substring(indent);
                if (rest.isEmpty() || rest.startsWith("#")) {
                    continue;
                }
                if (indent == 0 && (rest.startsWith("---") && (rest.length() == 3 || isBlank(rest.charAt(3))))) {
                    if (content || !isBlankOrComment(rest.substring(3))) {
                        throw error(lineNo, "several YAML documents (or content after ---) are not supported; use one document per file");
                    }
                    continue;
                }
                if (indent == 0 && (rest.startsWith("...") && (rest.length() == 3 || isBlank(rest.charAt(3))))) {
                    throw error(lineNo, "the document end marker ... is not supported");
                }
                if (indent == 0 && rest.startsWith("%")) {
                    throw error(lineNo, "YAML directives (%) are not supported");
                }
                if (emptyFlow) {
                    throw error(lineNo, "content after the empty mapping {} of the document");
                }
                if (!content && stripComment(rest).equals("{}")) {
                    // the one flow collection accepted: an empty document written as {}
                    if (indent != 0) {
                        throw error(lineNo, "bad indentation of {}");
                    }
                    content = true;
                    emptyFlow = true;
                    continue;
                }
                content = true;
                if (pending == null && lastScalarIndent >= 0 && indent > lastScalarIndent) {
                    throw error(lineNo, "unexpected indentation: the key above has its value already"
                            + " (a value must fit on one line)");
                }
                ParsedLine p = parseLine(rest, lineNo);
                if (top == null) {
                    top = new Level(indent, new LinkedHashMap<>(), lineNo);
                    open.push(top);
                }
                place(indent, p, lineNo);
            }
            if (pending != null) {
                add(pending.owner(), pending.key(), pending.line(), new Null(pending.line()), null);
                pending = null;
            }
            if (emptyFlow) {
                return Optional.of(new Mapping(1, Map.of()));
            }
            return top == null ? Optional.empty() : Optional.of(build(top));
        }

        /** A line's text without a trailing comment (one preceded by a blank), stripped. */
        private static String stripComment(String s) {
            for (int i = 1; i < s.length(); i++) {
                if (s.charAt(i) == '#' && isBlank(s.charAt(i - 1))) {
                    return s.substring(0, i).strip();
                }
            }
            return s.strip();
        }

        /** Puts one {@code key: value} line where its indentation says. */
        private void place(int indent, ParsedLine p, int lineNo) {
            if (pending != null && indent > pending.indent()) {
                Level child = new Level(indent, new LinkedHashMap<>(), lineNo);
                add(pending.owner(), pending.key(), pending.line(), null, child);
                open.push(child);
                pending = null;
            } else {
                if (pending != null) {
                    add(pending.owner(), pending.key(), pending.line(), new Null(pending.line()), null);
                    pending = null;
                }
                while (!open.isEmpty() && open.peek().indent() > indent) {
                    open.pop();
                }
                if (open.isEmpty() || open.peek().indent() != indent) {
                    throw error(lineNo, "bad indentation: this key lines up with no mapping above it");
                }
            }
            Level owner = open.peek();
            lastScalarIndent = -1;
            checkNew(owner, p.key(), lineNo);
            if (p.value().isEmpty()) {
                pending = new PendingKey(owner, p.key(), lineNo, indent);
            } else {
                add(owner, p.key(), lineNo, p.value().get(), null);
                lastScalarIndent = indent;
            }
        }

        private void checkNew(Level owner, String key, int lineNo) {
            RawEntry first = owner.entries().get(key);
            if (first != null) {
                throw error(lineNo, "duplicate key \"" + Text.printable(key, 200) + "\" (first defined on line " + first.line() + ")");
            }
        }

        private void add(Level owner, String key, int lineNo, Node value, Level child) {
            owner.entries().put(key, new RawEntry(lineNo, value, child));
        }

        /** Turns the mutable levels into immutable mappings. */
        private Mapping build(Level level) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Map.Entry<String, RawEntry> e : level.entries().entrySet()) {
                RawEntry raw = e.getValue();
                Node v = raw.child() != null ? build(raw.child()) : raw.value();
                entries.put(e.getKey(), new Entry(e.getKey(), raw.line(), v));
            }
            return new Mapping(level.line(), entries);
        }

        private record ParsedLine(String key, Optional<Node> value) {}

        /** {@code key: value}, {@code key:} or {@code "key": value}; the line's indentation removed. */
        private ParsedLine parseLine(String s, int lineNo) {
            char c = s.charAt(0);
            if (c == '-' && (s.length() == 1 || isBlank(s.charAt(1)))) {
                throw error(lineNo, "YAML sequences (- item) are not supported here");
            }
            if (c == '?' && (s.length() == 1 || isBlank(s.charAt(1)))) {
                throw error(lineNo, "complex mapping keys (? key) are not supported");
            }
            refuseIndicator(c, lineNo);
            String key;
            int pos;
            if (c == '\'' || c == '"') {
                Quoted q = quoted(s, 0, lineNo);
                key = q.text();
                pos = skipBlanks(s, q.end());
                if (pos >= s.length() || s.charAt(pos) != ':' || (pos + 1 < s.length() && !isBlank(s.charAt(pos + 1)))) {
                    throw error(lineNo, "expected ':' after the quoted key");
                }
                pos++;
            } else {
                int colon = mappingColon(s);
                if (colon < 0) {
                    throw error(lineNo, "expected \"key: value\" (a value that goes on over several lines is not supported)");
                }
                key = s.substring(0, colon).stripTrailing();
                pos = colon + 1;
            }
            pos = skipBlanks(s, pos);
            if (pos >= s.length() || s.charAt(pos) == '#') {
                return new ParsedLine(key, Optional.empty());
            }
            return new ParsedLine(key, Optional.of(value(s, pos, lineNo)));
        }

        /** The value after {@code key:}, starting at {@code pos} (not blank). */
        private Node value(String s, int pos, int lineNo) {
            char c = s.charAt(pos);
            if (c == '\'' || c == '"') {
                Quoted q = quoted(s, pos, lineNo);
                int after = skipBlanks(s, q.end());
                if (after < s.length() && s.charAt(after) != '#') {
                    throw error(lineNo, "unexpected text after the quoted value");
                }
                if (after < s.length() && after == q.end()) {
                    throw error(lineNo, "a comment must be separated from the value by a space");
                }
                return new Scalar(lineNo, q.text(), true);
            }
            if (c == '-' && (pos + 1 == s.length() || isBlank(s.charAt(pos + 1)))) {
                throw error(lineNo, "YAML sequences (- item) are not supported here");
            }
            if ((c == '?' || c == ':') && (pos + 1 == s.length() || isBlank(s.charAt(pos + 1)))) {
                throw error(lineNo, "a value may not start with '" + c + "' followed by a space");
            }
            if (c == '|' || c == '>') {
                throw error(lineNo, "block scalars (| or >) are not supported; write the value on one line");
            }
            if (stripComment(s.substring(pos)).equals("{}")) {
                return new Mapping(lineNo, Map.of()); // an empty mapping, the one flow collection accepted
            }
            refuseIndicator(c, lineNo);
            int end = s.length();
            for (int i = pos; i < s.length(); i++) {
                if (s.charAt(i) == '#' && isBlank(s.charAt(i - 1))) {
                    end = i;
                    break;
                }
            }
            String text = s.substring(pos, end).strip();
            if (mappingColon(text) >= 0) {
                throw error(lineNo, "a mapping cannot start on the same line as its key; put each key on its own line");
            }
            return new Scalar(lineNo, text, false);
        }

        private void refuseIndicator(char c, int lineNo) {
            switch (c) {
                case '[', '{', ']', '}', ',' -> throw error(lineNo, "flow collections ([...] or {...}) are not supported; use indented block mappings");
                case '&' -> throw error(lineNo, "anchors (&name) are not supported");
                case '*' -> throw error(lineNo, "aliases (*name) are not supported");
                case '!' -> throw error(lineNo, "tags (!tag) are not supported");
                case '|', '>' -> throw error(lineNo, "block scalars (| or >) are not supported");
                case '@', '`', '%' -> throw error(lineNo, "a plain value may not start with '" + c + "'; quote it");
                default -> { }
            }
        }

        /** Where the {@code :} ending a plain key is (followed by a blank or the end), or -1; stops at a comment. */
        private static int mappingColon(String s) {
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '#' && i > 0 && isBlank(s.charAt(i - 1))) {
                    return -1;
                }
                if (ch == ':' && (i + 1 == s.length() || isBlank(s.charAt(i + 1)))) {
                    return i;
                }
            }
            return -1;
        }

        private record Quoted(String text, int end) {}

        /** A quoted scalar starting at {@code start}; {@code end} is just past its closing quote. */
        private Quoted quoted(String s, int start, int lineNo) {
            char quote = s.charAt(start);
            StringBuilder b = new StringBuilder();
            int i = start + 1;
            while (i < s.length()) {
                char ch = s.charAt(i);
                if (quote == '\'') {
                    if (ch == '\'') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                            b.append('\'');
                            i += 2;
                            continue;
                        }
                        return new Quoted(b.toString(), i + 1);
                    }
                    b.append(ch);
                    i++;
                    continue;
                }
                if (ch == '"') {
                    return new Quoted(b.toString(), i + 1);
                }
                if (ch != '\\') {
                    b.append(ch);
                    i++;
                    continue;
                }
                if (i + 1 >= s.length()) {
                    throw error(lineNo, "a double-quoted value must end on the same line (line continuations are not supported)");
                }
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                    case '0' -> b.append('\0');
                    case 'a' -> b.append('\u0007');
                    case 'b' -> b.append('\b');
                    case 't', '\t' -> b.append('\t');
                    case 'n' -> b.append('\n');
                    case 'v' -> b.append('\u000B');
                    case 'f' -> b.append('\f');
                    case 'r' -> b.append('\r');
                    case 'e' -> b.append('\u001B');
                    case ' ' -> b.append(' ');
                    case '"' -> b.append('"');
                    case '/' -> b.append('/');
                    case '\\' -> b.append('\\');
                    case 'N' -> b.append('\u0085');
                    case '_' -> b.append('\u00A0');
                    case 'L' -> b.append('\u2028');
                    case 'P' -> b.append('\u2029');
                    case 'x' -> i = hex(s, i, 2, b, lineNo);
                    case 'u' -> i = hex(s, i, 4, b, lineNo);
                    case 'U' -> i = hex(s, i, 8, b, lineNo);
                    default -> throw error(lineNo, "unknown escape \\" + Text.printable(String.valueOf(e)) + " in a double-quoted value");
                }
            }
            throw error(lineNo, "a " + (quote == '\'' ? "single" : "double") + "-quoted value must end on the same line"
                    + " (multi-line quoted values are not supported)");
        }

        private int hex(String s, int at, int digits, StringBuilder b, int lineNo) {
            if (at + digits > s.length()) {
                throw error(lineNo, "a \\x, \\u or \\U escape needs " + digits + " hexadecimal digits");
            }
            int cp;
            try {
                cp = Integer.parseUnsignedInt(s.substring(at, at + digits), 16);
            } catch (NumberFormatException e) {
                throw error(lineNo, "a \\x, \\u or \\U escape needs " + digits + " hexadecimal digits");
            }
            if (!Character.isValidCodePoint(cp) || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw error(lineNo, "escape \\" + s.substring(at - 1, at + digits) + " is not a Unicode character");
            }
            b.appendCodePoint(cp);
            return at + digits;
        }

        private void checkCharacters(String line, int lineNo) {
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if ((ch < 0x20 && ch != '\t') || ch == 0x7F || ch == '\r') {
                    throw error(lineNo, "a control character (U+" + String.format("%04X", (int) ch) + ") is not allowed");
                }
            }
        }

        private static int skipBlanks(String s, int i) {
            while (i < s.length() && isBlank(s.charAt(i))) {
                i++;
            }
            return i;
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t';
        }

        private static boolean isBlankOrComment(String s) {
            String t = s.strip();
            return t.isEmpty() || (t.startsWith("#") && (s.isEmpty() || isBlank(s.charAt(0))));
        }

        private ContainersConfigException error(int line, String problem) {
            return new ContainersConfigException(file, line, problem);
        }
    }
}
