package dev.ocikit.image.containerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubstitutionTest {
    private static final Function<String, Optional<String>> VARS = Substitution.lookup(Map.of(
            "NAME", "world", "EMPTY", "", "PATH", "/usr/local/bin:/usr/bin:/bin", "FILE", "archive.tar.gz",
            "SPACED", "a b  c"));

    private static String x(String word) {
        return Substitution.expand(word, VARS, '\\');
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "$NAME|world",
        "${NAME}|world",
        "hello-$NAME-!|hello-world-!",
        "${NAME}s|worlds",
        "$NAMEs|~~",
        "$UNSET|~~",
        "${UNSET}x|x",
        "${UNSET:-fallback}|fallback",
        "${EMPTY:-fallback}|fallback",
        "${NAME:-fallback}|world",
        "${UNSET-fallback}|fallback",
        "${EMPTY-fallback}|~~",
        "${UNSET:+alt}|~~",
        "${EMPTY:+alt}|~~",
        "${NAME:+alt}|alt",
        "${UNSET+alt}|~~",
        "${EMPTY+alt}|alt",
        "${UNSET:-$NAME}|world",
        "${UNSET:-${ALSO:-deep}}|deep",
        "${UNSET:-a b}|a b",
        "${FILE%.*}|archive.tar",
        "${FILE%%.*}|archive",
        "${FILE#*.}|tar.gz",
        "${FILE##*.}|gz",
        "${PATH/bin/sbin}|/usr/local/sbin:/usr/bin:/bin",
        "${PATH//bin/sbin}|/usr/local/sbin:/usr/sbin:/sbin",
        "$|$",
        "a$|a$",
        "$ x|$ x",
        "$1|~~",
        "\\$NAME|$NAME",
        "\\${NAME}|${NAME}",
        "a\\ b|a b",
        "'$NAME'|$NAME",
        "\"$NAME\"|world",
        "\"a  b\"|a  b",
        "\"\\$NAME\"|$NAME",
        "\"a\\nb\"|a\\nb",
        "\"say \\\"hi\\\"\"|say \"hi\"",
        "'it''s'|its",
        "pre'$NAME'post\"$NAME\"|pre$NAMEpostworld",
        "C:\\\\dir|C:\\dir",
    })
    void expandsLikeBuildKit(String word, String expected) {
        assertThat(x(word)).isEqualTo(expected);
    }

    @Test
    void backtickEscapeLeavesBackslashesAlone() {
        assertThat(Substitution.expand("C:\\Users\\$NAME", VARS, '`')).isEqualTo("C:\\Users\\world");
        assertThat(Substitution.expand("`$NAME", VARS, '`')).isEqualTo("$NAME");
        assertThat(Substitution.expand("\"a`\"b\"", VARS, '`')).isEqualTo("a\"b");
    }

    @Test
    void wordsSplitOnUnquotedWhitespaceAfterExpansion() {
        assertThat(Substitution.expandWords("$SPACED \"x y\" z", VARS, '\\')).containsExactly("a", "b", "c", "x y", "z");
        assertThat(Substitution.expandWords("  80   443/tcp ", VARS, '\\')).containsExactly("80", "443/tcp");
        // a single word keeps its whitespace
        assertThat(x("$SPACED")).isEqualTo("a b  c");
    }

    @Test
    void requiredVariables() {
        assertThat(x("${NAME:?must be set}")).isEqualTo("world");
        assertThat(x("${EMPTY?}")).isEmpty();
        assertThatThrownBy(() -> x("${UNSET?}"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("UNSET: is not allowed to be unset");
        assertThatThrownBy(() -> x("${EMPTY:?give EMPTY a value}"))
                .isInstanceOf(ContainerfileException.class).hasMessageContaining("EMPTY: give EMPTY a value");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "${NAME|missing '}'",
        "${|missing '}'",
        "${}|bad substitution",
        "${:-x}|bad substitution",
        "${NAME:-x|missing '}'",
        "${NAME!x}|unsupported modifier '!'",
        "${NAME:=x}|unsupported modifier ':='",
        "'abc|unterminated single quote",
        "\"abc|unterminated double quote",
        "${PATH/x|missing '/'",
    })
    void syntaxErrors(String word, String message) {
        assertThatThrownBy(() -> x(word))
                .isInstanceOf(ContainerfileException.class)
                .hasMessageContaining(message)
                .hasMessageContaining(word);
    }

    @Test
    void lookupMayDistinguishUnsetFromEmpty() {
        Function<String, Optional<String>> lookup = n -> n.equals("E") ? Optional.of("") : Optional.empty();
        assertThat(Substitution.expand("[${E-d}][${U-d}]", lookup, '\\')).isEqualTo("[][d]");
    }

    @Test
    void rejectsOtherEscapeCharacters() {
        assertThatThrownBy(() -> Substitution.expand("x", VARS, '^')).isInstanceOf(IllegalArgumentException.class);
    }
}
