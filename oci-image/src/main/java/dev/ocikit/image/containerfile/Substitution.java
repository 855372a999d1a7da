package dev.ocikit.image.containerfile;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Variable expansion and quote removal for Containerfile words, as BuildKit's Dockerfile frontend
 * does them. Stateless and thread-safe.
 *
 * <p>Supported: {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-word}} (word if unset or empty),
 * {@code ${NAME-word}} (word if unset), {@code ${NAME:+word}} (word if set and not empty),
 * {@code ${NAME+word}} (word if set), {@code ${NAME:?message}} / {@code ${NAME?message}} (fail
 * if unset or empty / unset), {@code ${NAME#pattern}} {@code ##} {@code %} {@code %%} (remove the
 * shortest / longest matching prefix / suffix; {@code *} and {@code ?} wildcards) and
 * {@code ${NAME/pattern/replacement}} {@code //} (replace the first / every match). The word of
 * a modifier is itself expanded. An unset variable expands to nothing. A {@code $} that is not
 * followed by a name stays a {@code $}.
 *
 * <p>Quotes are removed: text in single quotes is taken literally; in double quotes only
 * {@code $} expansion happens, and the escape character escapes only {@code "}, {@code $} and
 * itself. Outside quotes the escape character makes the next character literal
 * ({@code \$HOME} is {@code $HOME}); with {@code # escape=`} the escape character is the
 * backtick and a backslash is an ordinary character (Windows paths).
 *
 * <p>Which instructions are expanded, and with which variables, is described in the
 * {@linkplain dev.ocikit.image.containerfile package documentation}.
 */
public final class Substitution {
    private Substitution() {}

    /**
     * Expands one word: variables substituted, quotes and escapes removed; whitespace is kept as
     * it is (the result is never split).
     *
     * @param word the text as written in the Containerfile
     * @param lookup a variable's value, or empty if it is not set (empty and unset differ for
     *     {@code :-} versus {@code -})
     * @param escape the file's escape character, {@code \} or {@code `}
     *     ({@link Containerfile#escape()})
     * @throws ContainerfileException on a syntax error (unterminated quote or <code>${</code>, unknown
     *     modifier) or a {@code ${NAME?message}} whose variable is unset
     */
    public static String expand(String word, Function<String, Optional<String>> lookup, char escape) {
        return run(word, lookup, escape).text();
    }

    /**
     * Expands {@code text} like {@link #expand} and then splits it into words on whitespace that
     * was not quoted; an expanded variable's whitespace splits too ({@code EXPOSE $PORTS}).
     * Empty words are dropped.
     *
     * @throws ContainerfileException as {@link #expand} does
     */
    public static List<String> expandWords(String text, Function<String, Optional<String>> lookup, char escape) {
        return run(text, lookup, escape).words();
    }

    /** A lookup over a map of variables: a name that is not a key is unset. */
    public static Function<String, Optional<String>> lookup(Map<String, String> variables) {
        Map<String, String> copy = Map.copyOf(variables);
        return name -> Optional.ofNullable(copy.get(name));
    }

    private static WordLexer.Result run(String text, Function<String, Optional<String>> lookup, char escape) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(lookup, "lookup");
        checkEscape(escape);
        try {
            return WordLexer.process(text, lookup, escape, 0);
        } catch (Problem p) {
            throw new ContainerfileException(null, 0, null, p.getMessage());
        }
    }

    static void checkEscape(char escape) {
        if (escape != '\\' && escape != '`') {
            throw new IllegalArgumentException("the escape character is \\ or `, not " + escape);
        }
    }
}
