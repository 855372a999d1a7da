package dev.ocikit.image.containerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds heredoc markers ({@code <<EOF}, {@code <<-"EOF"}, {@code 3<<EOF}) in an instruction line. */
final class Heredocs {
    private Heredocs() {}

    private static final Pattern MARKER = Pattern.compile("(\\d*)<<(-?)([^<]*)");

    /** A marker: the delimiter, whether the body is expanded, whether tabs are chomped, the fd. */
    record Marker(String name, boolean expand, boolean chomp, int fd) {}

    /** The heredoc markers among the words of {@code line}, in order. */
    static List<Marker> find(String line) {
        List<String> words;
        try {
            // BuildKit looks for markers with backslash escapes whatever the file's escape is
            words = WordLexer.process(line, n -> Optional.empty(), '\\',
                    WordLexer.RAW_QUOTES | WordLexer.RAW_ESCAPES | WordLexer.SKIP_UNSET).words();
        } catch (Problem p) {
            return List.of(); // not lexable as words: no heredoc there
        }
        List<Marker> out = new ArrayList<>();
        for (String w : words) {
            marker(w).ifPresent(out::add);
        }
        return out;
    }

    /** The marker a single word is, if it is one. */
    static Optional<Marker> marker(String word) {
        Matcher m = MARKER.matcher(word);
        if (!m.matches() || m.group(3).isEmpty()) {
            return Optional.empty();
        }
        String rest = m.group(3);
        List<String> plain;
        List<String> raw;
        try {
            plain = WordLexer.process(rest, n -> Optional.empty(), '\\', WordLexer.SKIP_UNSET).words();
            raw = WordLexer.process(rest, n -> Optional.empty(), '\\',
                    WordLexer.SKIP_UNSET | WordLexer.RAW_QUOTES).words();
        } catch (Problem p) {
            return Optional.empty();
        }
        if (plain.size() != 1 || raw.size() != 1) {
            return Optional.empty();
        }
        // a quoted delimiter (any part of it) turns expansion of the body off, as in sh
        boolean expand = quotes(plain.get(0)) == quotes(raw.get(0));
        int fd = m.group(1).isEmpty() ? 0 : parseFd(m.group(1));
        return Optional.of(new Marker(plain.get(0), expand, m.group(2).equals("-"), fd));
    }

    /** Whether a shell command is nothing but one heredoc marker ({@code RUN <<EOF}). */
    static boolean isOnlyHeredoc(String command) {
        try {
            List<String> words = WordLexer.process(command, n -> Optional.empty(), '\\',
                    WordLexer.RAW_QUOTES | WordLexer.RAW_ESCAPES | WordLexer.SKIP_UNSET).words();
            return words.size() == 1 && marker(words.get(0)).isPresent();
        } catch (Problem p) {
            return false;
        }
    }

    private static int parseFd(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static long quotes(String s) {
        return s.chars().filter(c -> c == '\'' || c == '"').count();
    }
}
