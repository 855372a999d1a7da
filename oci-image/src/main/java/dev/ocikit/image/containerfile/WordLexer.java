package dev.ocikit.image.containerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The word processor behind every expansion: removes quotes, applies the escape character and
 * substitutes {@code $NAME} / {@code ${NAME...}} the way BuildKit's Dockerfile frontend does
 * (a small subset of POSIX shell: no command substitution, no arithmetic, no globbing).
 * One instance processes one string; not thread-safe, and never shared.
 */
final class WordLexer {
    /** Keep quote characters in the result (used to find out whether a heredoc word was quoted). */
    static final int RAW_QUOTES = 1;
    /** Keep escape characters in the result. */
    static final int RAW_ESCAPES = 2;
    /**
     * Treat quotes as ordinary characters and let the escape character escape only {@code $} and
     * itself: the rules of a heredoc body whose delimiter was not quoted.
     */
    static final int SKIP_QUOTES = 4;
    /** Leave references to unset variables as written instead of replacing them with nothing. */
    static final int SKIP_UNSET = 8;

    private static final int EOF = -1;

    /** The processed text, and the same split into words on unquoted whitespace. */
    record Result(String text, List<String> words) {}

    private final int[] cps;
    private int pos;
    private final int escape;
    private final Function<String, Optional<String>> lookup;
    private final boolean rawQuotes;
    private final boolean skipQuotes;
    private final boolean skipUnset;
    private boolean rawEscapes;

    private WordLexer(String text, Function<String, Optional<String>> lookup, char escape, int flags) {
        this.cps = text.codePoints().toArray();
        this.lookup = lookup;
        this.escape = escape;
        this.rawQuotes = (flags & RAW_QUOTES) != 0;
        this.rawEscapes = (flags & RAW_ESCAPES) != 0;
        this.skipQuotes = (flags & SKIP_QUOTES) != 0;
        this.skipUnset = (flags & SKIP_UNSET) != 0;
    }

    /**
     * Processes {@code text}.
     *
     * @throws Problem on a syntax error (unterminated quote or <code>${</code>, bad modifier) or a
     *     {@code ${NAME?message}} whose variable is unset
     */
    static Result process(String text, Function<String, Optional<String>> lookup, char escape, int flags) {
        WordLexer lexer = new WordLexer(text, lookup, escape, flags);
        try {
            return lexer.processUntil(EOF, lexer.rawEscapes);
        } catch (Problem p) {
            throw new Problem("in \"" + text + "\": " + p.getMessage());
        }
    }

    private int peek() {
        return pos < cps.length ? cps[pos] : EOF;
    }

    private int next() {
        return pos < cps.length ? cps[pos++] : EOF;
    }

    /** Accumulates the whitespace-split view of the result, with quoted text never split. */
    private static final class Words {
        final List<String> words = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean inWord;

        void addChar(int cp) {
            if (Character.isWhitespace(cp)) {
                if (inWord && word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                addRawChar(cp);
            }
        }

        void addRawChar(int cp) {
            word.appendCodePoint(cp);
            inWord = true;
        }

        void addString(String s) {
            s.codePoints().forEach(this::addChar);
        }

        void addRawString(String s) {
            word.append(s);
            inWord = true;
        }

        List<String> finish() {
            if (word.length() > 0) {
                words.add(word.toString());
                word.setLength(0);
            }
            return List.copyOf(words);
        }
    }

    private Result processUntil(int stop, boolean raw) {
        boolean saved = rawEscapes;
        rawEscapes = raw;
        try {
            StringBuilder result = new StringBuilder();
            Words words = new Words();
            while (peek() != EOF) {
                int ch = peek();
                if (stop != EOF && ch == stop) {
                    next();
                    return new Result(result.toString(), words.finish());
                }
                if (ch == '$') {
                    String value = dollar();
                    result.append(value);
                    words.addString(value);
                } else if (!skipQuotes && ch == '\'') {
                    String value = singleQuoted();
                    result.append(value);
                    words.addRawString(value);
                } else if (!skipQuotes && ch == '"') {
                    String value = doubleQuoted();
                    result.append(value);
                    words.addRawString(value);
                } else {
                    ch = next();
                    if (ch == escape && skipQuotes && peek() != '$' && peek() != escape) {
                        // a heredoc body, like sh: the escape only escapes $ and itself
                        words.addChar(ch);
                    } else if (ch == escape) {
                        if (rawEscapes) {
                            words.addRawChar(ch);
                            result.appendCodePoint(ch);
                        }
                        ch = next();
                        if (ch == EOF) {
                            break; // a lone escape at the very end is dropped
                        }
                        words.addRawChar(ch);
                    } else {
                        words.addChar(ch);
                    }
                    result.appendCodePoint(ch);
                }
            }
            if (stop != EOF) {
                throw new Problem("missing '" + Character.toString(stop) + "'");
            }
            return new Result(result.toString(), words.finish());
        } finally {
            rawEscapes = saved;
        }
    }

    private String singleQuoted() {
        StringBuilder sb = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            sb.appendCodePoint(ch);
        }
        while (true) {
            ch = next();
            if (ch == EOF) {
                throw new Problem("unterminated single quote");
            }
            if (ch == '\'') {
                if (rawQuotes) {
                    sb.appendCodePoint(ch);
                }
                return sb.toString();
            }
            sb.appendCodePoint(ch);
        }
    }

    private String doubleQuoted() {
        StringBuilder sb = new StringBuilder();
        int ch = next();
        if (rawQuotes) {
            sb.appendCodePoint(ch);
        }
        while (true) {
            int p = peek();
            if (p == EOF) {
                throw new Problem("unterminated double quote");
            }
            if (p == '"') {
                next();
                if (rawQuotes) {
                    sb.append('"');
                }
                return sb.toString();
            }
            if (p == '$') {
                sb.append(dollar());
                continue;
            }
            ch = next();
            if (ch == escape) {
                int after = peek();
                if (after == EOF) {
                    continue; // reported as unterminated on the next turn
                }
                // inside double quotes the escape only escapes ", $ and itself, as in sh
                if (after == '"' || after == '$' || after == escape) {
                    if (rawEscapes) {
                        sb.appendCodePoint(ch);
                    }
                    ch = next();
                }
            }
            sb.appendCodePoint(ch);
        }
    }

    private String dollar() {
        next(); // '$'
        if (peek() != '{') {
            String name = name();
            if (name.isEmpty()) {
                return "$";
            }
            Optional<String> value = get(name);
            if (value.isEmpty() && skipUnset) {
                return "$" + name;
            }
            return value.orElse("");
        }
        next(); // '{'
        int first = peek();
        if (first == EOF) {
            throw new Problem("missing '}' to close \"${\"");
        }
        if (first == '{' || first == '}' || first == ':') {
            throw new Problem("bad substitution: \"${\" must be followed by a variable name");
        }
        String name = name();
        int ch = next();
        if (ch == EOF) {
            throw new Problem("missing '}' to close \"${" + name + "\"");
        }
        if (ch == '}') {
            Optional<String> value = get(name);
            if (value.isEmpty() && skipUnset) {
                return "${" + name + "}";
            }
            return value.orElse("");
        }
        if (ch == '/') {
            return replace(name);
        }
        String modifier = Character.toString(ch);
        boolean colon = false;
        if (ch == ':') {
            colon = true;
            ch = next();
            modifier += ch == EOF ? "" : Character.toString(ch);
        }
        if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
            if (ch == EOF) {
                throw new Problem("missing '}' to close \"${" + name + "\"");
            }
            throw new Problem("unsupported modifier '" + modifier + "' in \"${" + name + "...}\": use one of"
                    + " :- - :+ + :? ? # ## % %% / //");
        }
        String word = wordUntilBrace(name, ch == '#' || ch == '%');
        Optional<String> value = get(name);
        if (value.isEmpty() && skipUnset) {
            return "${" + name + modifier + word + "}";
        }
        boolean unset = value.isEmpty() || (colon && value.get().isEmpty());
        switch (ch) {
            case '-':
                return unset ? word : value.get();
            case '+':
                return unset ? "" : word;
            case '?':
                if (value.isEmpty()) {
                    throw new Problem(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                }
                if (colon && value.get().isEmpty()) {
                    throw new Problem(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                }
                return value.get();
            default: {
                // # and % remove the shortest prefix/suffix matching the pattern; ## and %% the longest
                boolean longest = word.startsWith(Character.toString(ch));
                String pattern = longest ? word.substring(1) : word;
                return trim(value.orElse(""), shellPattern(pattern), ch == '#', longest);
            }
        }
    }

    private String wordUntilBrace(String name, boolean raw) {
        try {
            return processUntil('}', raw).text();
        } catch (Problem p) {
            if (peek() == EOF) {
                throw new Problem("missing '}' to close \"${" + name + "\"");
            }
            throw p;
        }
    }

    private String replace(String name) {
        boolean all = peek() == '/';
        if (all) {
            next();
        }
        String pattern;
        try {
            pattern = processUntil('/', true).text();
        } catch (Problem p) {
            if (peek() == EOF) {
                throw new Problem("missing '/' after the pattern in \"${" + name + "/...}\"");
            }
            throw p;
        }
        String replacement = wordUntilBrace(name, true);
        Optional<String> value = get(name);
        if (value.isEmpty() && skipUnset) {
            return "${" + name + (all ? "//" : "/") + pattern + "/" + replacement + "}";
        }
        String v = value.orElse("");
        Matcher m = shellPattern(pattern).matcher(v);
        String literal = Matcher.quoteReplacement(replacement);
        return all ? m.replaceAll(literal) : m.replaceFirst(literal);
    }

    private Optional<String> get(String name) {
        Optional<String> value = lookup.apply(name);
        return value == null ? Optional.empty() : value;
    }

    private String name() {
        StringBuilder sb = new StringBuilder();
        while (peek() != EOF) {
            int ch = peek();
            if (sb.length() == 0 && Character.isDigit(ch)) {
                while (peek() != EOF && Character.isDigit(peek())) {
                    sb.appendCodePoint(next());
                }
                return sb.toString(); // positional parameters: $1, $12
            }
            if (sb.length() == 0 && "@*#?-$!0".indexOf(ch) >= 0) {
                return Character.toString(next()); // special parameters: always unset here
            }
            if (!Character.isLetterOrDigit(ch) && ch != '_') {
                break;
            }
            sb.appendCodePoint(next());
        }
        return sb.toString();
    }

    /** A shell pattern ({@code *}, {@code ?}, backslash escapes) as a regular expression. */
    private static Pattern shellPattern(String pattern) {
        StringBuilder re = new StringBuilder();
        int[] p = pattern.codePoints().toArray();
        for (int i = 0; i < p.length; i++) {
            int c = p[i];
            if (c == '*') {
                re.append("(?s:.*)");
            } else if (c == '?') {
                re.append("(?s:.)");
            } else if (c == '\\' && i + 1 < p.length) {
                re.append(Pattern.quote(Character.toString(p[++i])));
            } else {
                re.append(Pattern.quote(Character.toString(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static String trim(String value, Pattern pattern, boolean prefix, boolean longest) {
        int n = value.length();
        for (int k = 0; k <= n; k++) {
            int len = longest ? n - k : k;
            String part = prefix ? value.substring(0, len) : value.substring(n - len);
            if (pattern.matcher(part).matches()) {
                return prefix ? value.substring(len) : value.substring(0, n - len);
            }
        }
        return value;
    }
}
