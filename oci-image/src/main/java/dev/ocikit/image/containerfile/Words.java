package dev.ocikit.image.containerfile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The line-level splitters of the Dockerfile syntax; each keeps its input raw unless it says so. */
final class Words {
    private Words() {}

    /** Whitespace inside a logical line, as BuildKit splits on it (no newlines remain there). */
    static final Pattern WHITESPACE = Pattern.compile("[\\t\\u000B\\f\\r ]+");

    /** Built on first use: an ObjectMapper costs a fresh JVM tens of milliseconds that most commands never spend. */
    private static final class Lazy {
        static final ObjectMapper JSON = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Splits on runs of whitespace, nothing else (COPY/ADD sources, EXPOSE, FROM, VOLUME). */
    static List<String> fields(String rest) {
        String trimmed = rest.strip();
        if (trimmed.isEmpty()) {
            return List.of();
        }
        return List.of(WHITESPACE.split(trimmed));
    }

    /**
     * The JSON form of an argument list: present if {@code rest} is a JSON array of strings,
     * empty if it is not JSON at all (the caller then takes the shell form, as Docker does).
     *
     * @throws Problem if it is a JSON array but holds something other than strings
     */
    static Optional<List<String>> jsonArray(String rest) {
        String trimmed = rest.strip();
        if (!trimmed.startsWith("[")) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = Lazy.JSON.readTree(trimmed);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (node == null || !node.isArray()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw new Problem("a JSON array here must hold only strings, found " + element
                        + " (write every argument in double quotes)");
            }
            out.add(element.textValue());
        }
        return Optional.of(List.copyOf(out));
    }

    /**
     * Splits ENV, LABEL and ARG arguments into words on unquoted whitespace, keeping quotes and
     * escapes in the words: they are removed later, when the words are expanded.
     */
    static List<String> quotedWords(String rest, char escape) {
        List<String> words = new ArrayList<>();
        int[] cps = rest.codePoints().toArray();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean keepBlank = false;
        int quote = 0;
        for (int i = 0; i < cps.length; i++) {
            int ch = cps[i];
            if (quote == 0) {
                if (Character.isWhitespace(ch)) {
                    if (inWord && (keepBlank || word.length() > 0)) {
                        words.add(word.toString());
                    }
                    word.setLength(0);
                    inWord = false;
                    keepBlank = false;
                    continue;
                }
                inWord = true;
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    keepBlank = true;
                } else if (ch == escape) {
                    if (i + 1 == cps.length) {
                        continue; // an escape ending the line is dropped
                    }
                    word.appendCodePoint(ch);
                    ch = cps[++i];
                }
                word.appendCodePoint(ch);
            } else {
                if (ch == quote) {
                    quote = 0;
                } else if (ch == escape && quote != '\'') {
                    if (i + 1 == cps.length) {
                        continue;
                    }
                    word.appendCodePoint(ch);
                    ch = cps[++i];
                }
                word.appendCodePoint(ch);
            }
        }
        if (inWord && (keepBlank || word.length() > 0)) {
            words.add(word.toString());
        }
        return words;
    }

    /** The leading {@code --flag[=value]} words of an instruction, and what follows them. */
    record Flagged(List<String> flags, String rest) {}

    /**
     * Takes the leading words that start with {@code --} off an instruction's arguments; a word
     * {@code --} alone ends them. Quotes in a flag word group characters and are removed, and a
     * backslash escapes the next character.
     */
    static Flagged flags(String args) {
        List<String> flags = new ArrayList<>();
        int n = args.length();
        int pos = 0;
        while (true) {
            while (pos < n && Character.isWhitespace(args.charAt(pos))) {
                pos++;
            }
            if (pos >= n || !args.startsWith("--", pos)) {
                return new Flagged(List.copyOf(flags), args.substring(Math.min(pos, n)));
            }
            StringBuilder word = new StringBuilder();
            boolean keepBlank = false;
            char quote = 0;
            while (pos < n) {
                char ch = args.charAt(pos);
                if (quote == 0 && Character.isWhitespace(ch)) {
                    break;
                }
                pos++;
                if (quote == 0 && (ch == '\'' || ch == '"')) {
                    quote = ch;
                    keepBlank = true;
                    continue;
                }
                if (quote != 0 && ch == quote) {
                    quote = 0;
                    continue;
                }
                if (ch == '\\') {
                    if (pos >= n) {
                        continue;
                    }
                    ch = args.charAt(pos++);
                }
                word.append(ch);
            }
            String w = word.toString();
            if (w.equals("--")) {
                return new Flagged(List.copyOf(flags), args.substring(pos));
            }
            if (keepBlank || !w.isEmpty()) {
                flags.add(w);
            }
        }
    }
}
