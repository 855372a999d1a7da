package dev.ocikit.image.containerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Expansion with one lookup and one escape character; throws {@link Problem}s. A checking
 * expander only lexes each word to find syntax errors (unterminated quotes or <code>${</code>) and
 * returns it unchanged: the parser runs one over every instruction, so that such errors are
 * reported when the file is parsed, not in the middle of a build.
 */
final class Expander {
    private final Function<String, Optional<String>> lookup;
    private final char escape;
    private final boolean checking;

    private Expander(Function<String, Optional<String>> lookup, char escape, boolean checking) {
        this.lookup = lookup;
        this.escape = escape;
        this.checking = checking;
    }

    static Expander of(Function<String, Optional<String>> lookup, char escape) {
        return new Expander(lookup, escape, false);
    }

    static Expander syntaxCheck(char escape) {
        return new Expander(name -> Optional.empty(), escape, true);
    }

    /** Whether this expander only checks syntax (values are returned raw). */
    boolean checking() {
        return checking;
    }

    String word(String word) {
        if (checking) {
            WordLexer.process(word, lookup, escape, WordLexer.SKIP_UNSET);
            return word;
        }
        return WordLexer.process(word, lookup, escape, 0).text();
    }

    Optional<String> word(Optional<String> word) {
        return word.map(this::word);
    }

    List<String> each(List<String> words) {
        List<String> out = new ArrayList<>(words.size());
        for (String w : words) {
            out.add(word(w));
        }
        return List.copyOf(out);
    }

    List<String> split(String text) {
        if (checking) {
            WordLexer.process(text, lookup, escape, WordLexer.SKIP_UNSET);
            return List.of(text);
        }
        return WordLexer.process(text, lookup, escape, 0).words();
    }

    String heredoc(String content) {
        if (checking) {
            WordLexer.process(content, lookup, escape, WordLexer.SKIP_QUOTES | WordLexer.SKIP_UNSET);
            return content;
        }
        return WordLexer.process(content, lookup, escape, WordLexer.SKIP_QUOTES).text();
    }
}
