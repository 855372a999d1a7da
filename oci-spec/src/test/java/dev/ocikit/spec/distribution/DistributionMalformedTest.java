package dev.ocikit.spec.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.ocikit.spec.MalformedDocumentException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed body fails with MalformedDocumentException naming the document, the field and the problem. */
class DistributionMalformedTest {

    private static final Function<byte[], Object> ERRORS = ErrorResponse::parse;
    private static final Function<byte[], Object> TAGS = TagList::parse;
    private static final Function<byte[], Object> CATALOG = Catalog::parse;

    /** parser, document name, body, JSON pointer (empty: whole document; null: not checked), problem fragment. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments(ERRORS, "registry error response", "{\"errors\":{\"code\":\"DENIED\"}}", "/errors", "expected an array"),
                arguments(ERRORS, "registry error response", "{\"errors\":\"DENIED\"}", "/errors", "expected an array"),
                arguments(ERRORS, "registry error response", "{\"errors\":[{\"code\":42}]}", "/errors/0/code", "expected a string"),
                arguments(ERRORS, "registry error response", "{\"errors\":[{\"code\":[\"DENIED\"]}]}", "/errors/0/code",
                        "expected a string"),
                arguments(ERRORS, "registry error response", "{\"errors\":[{\"message\":\"no code\"}]}", "/errors/0/code",
                        "required field is missing"),
                arguments(ERRORS, "registry error response", "{\"errors\":[{\"code\":\"DENIED\",\"message\":true}]}",
                        "/errors/0/message", "expected a string"),
                arguments(ERRORS, "registry error response", "{\"errors\":[null]}", "/errors/0", "null is not allowed"),
                arguments(ERRORS, "registry error response", "{\"errors\":[\"DENIED\"]}", "/errors/0", "expected an object"),
                arguments(ERRORS, "registry error response", "{\"message\":\"not found\"}", "/errors", "required field is missing"),
                // Syntax errors met while binding carry the pointer where the parser stopped; not checked here.
                arguments(ERRORS, "registry error response", "{\"errors\":[{\"code\":\"DENIED\"}", null, "end-of-input"),
                arguments(ERRORS, "registry error response", "{\"errors\":[],\"errors\":[]}", "", "Duplicate field 'errors'"),
                arguments(ERRORS, "registry error response", "<html>502 Bad Gateway</html>", "", "not valid JSON"),
                arguments(ERRORS, "registry error response", "", "", "empty document"),
                arguments(ERRORS, "registry error response", "null", "", "found null"),
                arguments(TAGS, "tag list", "{\"name\":\"a\",\"tags\":[\"1.0\",2]}", "/tags/1", "expected a string"),
                arguments(TAGS, "tag list", "{\"name\":\"a\",\"tags\":[\"1.0\",null]}", "/tags/1", "null is not allowed"),
                arguments(TAGS, "tag list", "{\"tags\":[\"1.0\"]}", "/name", "required field is missing"),
                arguments(TAGS, "tag list", "{\"name\":7,\"tags\":[]}", "/name", "expected a string"),
                arguments(TAGS, "tag list", "{\"name\":\"a\",\"tags\":\"latest\"}", "/tags", "expected an array"),
                arguments(TAGS, "tag list", "[\"latest\"]", "", "TagList"),
                arguments(TAGS, "tag list", "{\"name\":\"a\",\"name\":\"b\",\"tags\":[]}", "", "Duplicate field 'name'"),
                arguments(TAGS, "tag list", "{\"name\":\"a\",\"tags\":[\"1.0\"", null, "end-of-input"),
                arguments(CATALOG, "repository catalog", "{\"repositories\":[\"a\",{\"name\":\"b\"}]}", "/repositories/1",
                        "expected a string"),
                arguments(CATALOG, "repository catalog", "{\"repositories\":{}}", "/repositories", "expected an array"),
                arguments(CATALOG, "repository catalog", "{\"repositories\":[\"a\",]}", null, "Unexpected character (']'"),
                arguments(CATALOG, "repository catalog", "{\"repositories\":[\"a\"", null, "end-of-input"));
    }

    @ParameterizedTest(name = "{index}: {1} {2}")
    @MethodSource("malformed")
    void refusesMalformedBodies(Function<byte[], Object> parser, String document, String body, String pointer,
            String problem) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.apply(bytes))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageStartingWith("invalid " + document + (pointer == null || pointer.isEmpty() ? "" : " at " + pointer + ":"))
                .hasMessageContaining(problem)
                .satisfies(e -> {
                    MalformedDocumentException m = (MalformedDocumentException) e;
                    assertThat(m.document()).isEqualTo(document);
                    if (pointer != null) {
                        assertThat(m.field()).isEqualTo(pointer);
                    }
                });
    }

    @Test
    void refusesTrailingContent() {
        byte[] bytes = "{\"errors\":[]} {\"errors\":[]}".getBytes(StandardCharsets.UTF_8);
        // Json currently words this one as "expected an object"; the cause names the real problem.
        assertThatThrownBy(() -> ErrorResponse.parse(bytes))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageStartingWith("invalid registry error response")
                .rootCause().hasMessageContaining("Trailing token");
    }
}
