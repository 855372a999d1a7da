package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.registry.RegistriesDYaml.Mapping;
import dev.ocikit.registry.RegistriesDYaml.Node;
import dev.ocikit.registry.RegistriesDYaml.Null;
import dev.ocikit.registry.RegistriesDYaml.Scalar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The YAML subset reader of registries.d: what it accepts (and means), and every refusal with its line. */
class RegistriesDYamlTest {
    private static final Path FILE = Path.of("/etc/containers/registries.d/test.yaml");

    private static Optional<Mapping> parse(String yaml) {
        return RegistriesDYaml.parse(yaml.getBytes(StandardCharsets.UTF_8), FILE);
    }

    /** The document as plain maps and strings (null for a missing value), for easy comparison. */
    private static Object plain(Node n) {
        if (n instanceof Mapping m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries().forEach((k, e) -> out.put(k, plain(e.value())));
            return out;
        }
        if (n instanceof Scalar s) {
            return s.text();
        }
        return null;
    }

    private static Object doc(String yaml) {
        return parse(yaml).map(RegistriesDYamlTest::plain).orElse(null);
    }

    private static void refused(String yaml, int line, String problem) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ContainersConfigException.class)
                .hasMessageStartingWith(FILE + ":" + line + ": ").hasMessageContaining(problem)
                .satisfies(e -> assertThat(((ContainersConfigException) e).line()).hasValue(line));
    }

    @Test
    void theManPagesFirstExample() {
        String yaml = """
                docker:
                    registry.database-supplier.com:
                        lookaside: https://lookaside.database-supplier.com
                    distribution.great-middleware.org:
                        lookaside: https://security-team.great-middleware.org/lookaside
                    docker.io/web-framework:
                        lookaside: https://lookaside.web-framework.io:8080
                """;
        assertThat(doc(yaml)).isEqualTo(Map.of("docker", Map.of(
                "registry.database-supplier.com", Map.of("lookaside", "https://lookaside.database-supplier.com"),
                "distribution.great-middleware.org", Map.of("lookaside", "https://security-team.great-middleware.org/lookaside"),
                "docker.io/web-framework", Map.of("lookaside", "https://lookaside.web-framework.io:8080"))));
    }

    @Test
    void theManPagesStagingExampleWithAColonInAKey() {
        String yaml = """
                docker:
                    registry.example.com:
                        lookaside: https://registry-lookaside.example.com
                    registry.example.com/mydepartment:
                        lookaside: https://lookaside.mydepartment.example.com
                        lookaside-staging: file:///mnt/mydepartment/lookaside-staging
                    registry.example.com/mydepartment/myproject:mybranch:
                        lookaside: http://localhost:4242/lookaside
                        lookaside-staging: file:///home/useraccount/webroot/lookaside
                """;
        @SuppressWarnings("unchecked")
        Map<String, Object> docker = (Map<String, Object>) ((Map<String, Object>) doc(yaml)).get("docker");
        assertThat(docker).containsOnlyKeys("registry.example.com", "registry.example.com/mydepartment",
                "registry.example.com/mydepartment/myproject:mybranch");
        assertThat(docker.get("registry.example.com/mydepartment/myproject:mybranch")).isEqualTo(Map.of(
                "lookaside", "http://localhost:4242/lookaside",
                "lookaside-staging", "file:///home/useraccount/webroot/lookaside"));
        // file order is kept
        assertThat(docker.keySet()).first().isEqualTo("registry.example.com");
    }

    @Test
    void theManPagesGlobalDefault() {
        assertThat(doc("default-docker:\n    lookaside-staging: file:///mnt/company/common-lookaside-staging\n"))
                .isEqualTo(Map.of("default-docker", Map.of("lookaside-staging", "file:///mnt/company/common-lookaside-staging")));
    }

    @Test
    void fedorasDefaultFileWithEverythingCommentedOut() {
        String yaml = """
                # This is a default registries.d configuration file.
                #
                #   lookaside:  {schema}://location
                default-docker:
                #  lookaside: https://…
                #  lookaside-staging: file:///…

                # docker:
                #
                #   privateregistry.com:
                #    lookaside: https://privateregistry.com/sigstore/
                """;
        Mapping m = parse(yaml).orElseThrow();
        assertThat(m.entries()).containsOnlyKeys("default-docker");
        assertThat(m.entries().get("default-docker").value()).isInstanceOf(Null.class);
        assertThat(m.entries().get("default-docker").line()).isEqualTo(4);
    }

    @Test
    void emptyDocuments() {
        assertThat(parse("")).isEmpty();
        assertThat(parse("\n\n   \n")).isEmpty();
        assertThat(parse("# only a comment\n  # and another\n")).isEmpty();
        assertThat(parse("---\n# nothing\n")).isEmpty();
        assertThat(parse("{}\n")).hasValueSatisfying(m -> assertThat(m.entries()).isEmpty());
        assertThat(parse("{}   # empty\n")).hasValueSatisfying(m -> assertThat(m.entries()).isEmpty());
        assertThat(doc("docker: {}\n")).isEqualTo(Map.of("docker", Map.of()));
    }

    @Test
    void scalarsPlainAndQuoted() {
        String yaml = """
                a: plain value with spaces   # and a comment
                b: 'single ''quoted'' # not a comment'
                c: "double \\"quoted\\" \\t\\u00e9\\x41\\U0001F600 \\\\ \\/"
                d: http://host:5000/path#fragment-not-a-comment
                'quoted key': x
                "double key": y
                e: ~
                f: ""
                g:
                """;
        Mapping m = parse(yaml).orElseThrow();
        assertThat(plain(m)).isEqualTo(new LinkedHashMap<>() {
            {
                put("a", "plain value with spaces");
                put("b", "single 'quoted' # not a comment");
                put("c", "double \"quoted\" \téA\uD83D\uDE00 \\ /");
                put("d", "http://host:5000/path#fragment-not-a-comment");
                put("quoted key", "x");
                put("double key", "y");
                put("e", "~");
                put("f", "");
                put("g", null);
            }
        });
        assertThat(((Scalar) m.entries().get("e").value()).isNull()).isTrue();
        assertThat(((Scalar) m.entries().get("f").value()).quoted()).isTrue();
        assertThat(((Scalar) m.entries().get("a").value()).quoted()).isFalse();
        assertThat(m.entries().get("c").line()).isEqualTo(3);
    }

    @Test
    void indentationMayBeAnyConsistentWidthAndTheTopLevelMayBeIndented() {
        assertThat(doc("  docker:\n   x.io:\n         lookaside: a\n   y.io:\n     lookaside: b\n  default-docker:\n      lookaside: c\n"))
                .isEqualTo(Map.of("docker", Map.of("x.io", Map.of("lookaside", "a"), "y.io", Map.of("lookaside", "b")),
                        "default-docker", Map.of("lookaside", "c")));
    }

    @Test
    void windowsLineEndingsAByteOrderMarkAndTrailingBlanks() {
        assertThat(doc("\uFEFFdocker:\r\n  x.io:   \r\n    lookaside: a  \r\n")).isEqualTo(
                Map.of("docker", Map.of("x.io", Map.of("lookaside", "a"))));
    }

    @Test
    void aTabAfterTheColonIsASeparatorNotIndentation() {
        assertThat(doc("a:\tb\n")).isEqualTo(Map.of("a", "b"));
        assertThat(doc("a: b\n\t# a tab-indented comment is harmless\n")).isEqualTo(Map.of("a", "b"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            tab indentation              | docker:\\n\\tx.io: a                      | 2 | tab character in indentation
            flow sequence                | docker: [a, b]                            | 1 | flow collections
            flow mapping                 | docker: {x.io: a}                         | 1 | flow collections
            flow at the top              | {docker: a}                               | 1 | flow collections
            anchor                       | a: &anchor b                              | 1 | anchors
            alias                        | a: *anchor                                | 1 | aliases
            tag                          | a: !!str b                                | 1 | tags
            literal block scalar         | a: \\u007c\\n  text                       | 1 | block scalars
            folded block scalar          | a: >-\\n  text                            | 1 | block scalars
            second document              | a: b\\n---\\nc: d                         | 2 | several YAML documents
            document end                 | a: b\\n...                                | 2 | document end marker
            directive                    | %YAML 1.2\\n---\\na: b                    | 1 | directives
            sequence                     | docker:\\n  - a                           | 2 | sequences
            sequence value               | a: - b                                    | 1 | sequences
            complex key                  | ? a\\n: b                                 | 1 | complex mapping keys
            duplicate key                | a: 1\\nb: 2\\na: 3                        | 3 | duplicate key "a" (first defined on line 1)
            duplicate nested key         | d:\\n  x: 1\\n  x:\\n    y: 2             | 3 | duplicate key "x"
            duplicate mapping key        | d:\\n  x: 1\\nd:\\n  y: 2                 | 3 | duplicate key "d"
            unterminated single          | a: 'b                                     | 1 | must end on the same line
            unterminated double          | a: "b                                     | 1 | must end on the same line
            line continuation            | a: "b\\\\                                 | 1 | must end on the same line
            unknown escape               | a: "\\\\q"                                | 1 | unknown escape
            short unicode escape         | a: "\\\\u12"                              | 1 | 4 hexadecimal digits
            surrogate escape             | a: "\\\\ud800"                            | 1 | not a Unicode character
            text after quotes            | a: 'b' c                                  | 1 | unexpected text after the quoted value
            comment glued to quotes      | a: 'b'#c                                  | 1 | separated from the value
            misaligned key               | d:\\n    x: 1\\n  y: 2                    | 3 | bad indentation
            deeper after a value         | a: b\\n  c: d                             | 2 | unexpected indentation
            multi-line plain scalar      | a: b\\n  continued                        | 2 | unexpected indentation
            not a mapping line           | just text                                 | 1 | expected "key: value"
            mapping on one line          | a: b: c                                   | 1 | on the same line as its key
            quoted key without colon     | 'a' b                                     | 1 | expected ':' after the quoted key
            at sign                      | a: @b                                     | 1 | may not start with '@'
            backtick                     | a: `b`                                    | 1 | may not start with '`'
            control character            | a: b\\u0001c                              | 1 | control character (U+0001)
            content after empty mapping  | {}\\na: b                                 | 2 | content after the empty mapping
            """)
    void refusals(String name, String yaml, int line, String problem) {
        refused(unescape(yaml), line, problem);
    }

    @Test
    void aFileThatIsNotUtf8() {
        assertThatThrownBy(() -> RegistriesDYaml.parse(new byte[] {'a', ':', ' ', (byte) 0xff, '\n'}, FILE))
                .isInstanceOf(ContainersConfigException.class).hasMessage(FILE + ": is not UTF-8 text");
    }

    /** The CSV cells use \\n, \\t, \\uXXXX and \\\\ so that each case fits on one line. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case '\\' -> b.append('\\');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> b.append('\\').append(n);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
