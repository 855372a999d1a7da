package dev.ocikit.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared JSON rules, on a small model of the same shape as the spec models. */
class JsonTest {
    record Blob(Digest digest, Long size, Optional<Boolean> shared, List<String> tags,
                @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {
        Blob {
            Fields.required(digest, "digest");
            Fields.required(size, "size");
            shared = shared == null ? Optional.empty() : shared;
            tags = Fields.list(tags, "tags");
            unknownFields = Fields.bag(unknownFields);
        }
    }

    static final String D = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    static Blob parse(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8), Blob.class, "blob record");
    }

    @Test
    void keepsUnknownFieldsAndExplicitFalse() {
        Blob b = parse("{\"digest\":\"" + D + "\",\"size\":5,\"shared\":false,\"x.vendor\":{\"n\":[1,2.5,\"s\"]}}");
        assertThat(b.shared()).contains(false);
        assertThat(new String(Json.write(b), StandardCharsets.UTF_8))
                .isEqualTo("{\"digest\":\"" + D + "\",\"size\":5,\"shared\":false,\"x.vendor\":{\"n\":[1,2.5,\"s\"]}}");
    }

    @Test
    void omitsAbsentValues() {
        Blob b = new Blob(Digest.parse(D), 5L, null, null, null);
        assertThat(b.tags()).isEmpty();
        assertThat(new String(Json.write(b), StandardCharsets.UTF_8)).isEqualTo("{\"digest\":\"" + D + "\",\"size\":5}");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `{"size":5}`                                          | invalid blob record at /digest: required field is missing
            `{"digest":"DIGEST"}`                                 | invalid blob record at /size: required field is missing
            `{"digest":"DIGEST","size":"5"}`                      | invalid blob record at /size: expected an integer
            `{"digest":"DIGEST","size":5.0}`                      | invalid blob record at /size: expected an integer
            `{"digest":"DIGEST","size":5,"size":6}`               | Duplicate field 'size'
            `{"digest":"DIGEST","size":5} {}`                     | not valid JSON
            `{"digest":"DIGEST","size":5`                         | not valid JSON: Unexpected end-of-input
            `{"digest":"DIGEST","size":5,"tags":["a"`             | invalid blob record at /tags/1: not valid JSON: Unexpected end-of-input
            `{"digest":"sha256:1234","size":5}`                   | invalid blob record at /digest: invalid sha256 digest
            `{"digest":"DIGEST","size":5,"tags":[null]}`          | invalid blob record at /tags/0: null is not allowed here
            `{"digest":"DIGEST","size":5,"tags":"latest"}`        | invalid blob record at /tags: expected an array
            `{"digest":"DIGEST","size":5,"tags":[1]}`             | invalid blob record at /tags/0: expected a string
            `{"digest":"DIGEST","size":5,"shared":"yes"}`         | invalid blob record at /shared: expected a boolean
            `{"digest":42,"size":5}`                              | invalid blob record at /digest
            `[]`                                                  | invalid blob record: expected an object
            `null`                                                | expected a JSON object, found null
            `{"digest":"DIGEST","size":99999999999999999999999}`  | invalid blob record at /size
            """)
    void refusesMalformedInputNamingTheField(String json, String message) {
        assertThatThrownBy(() -> parse(json.replace("DIGEST", D)))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void syntaxErrorMessagesCarryNoParserNoise() {
        assertThatThrownBy(() -> parse("{\"digest\":\"" + D + "\",\"size\":1,\"tags\":[\"a\""))
                .hasMessageNotContaining("Source")
                .hasMessageNotContaining("REDACTED")
                .hasMessageContaining("(line 1, column");
    }

    @Test
    void refusesEmptyAndNestingBombs() {
        assertThatThrownBy(() -> Json.parse(new byte[0], Blob.class, "blob record"))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessage("invalid blob record: empty document");
        byte[] deep = ("[".repeat(10_000) + "]".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Json.tree(deep, "deep document"))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void malformedDocumentExceptionNamesDocumentAndField() {
        MalformedDocumentException e = (MalformedDocumentException) org.assertj.core.api.Assertions
                .catchThrowable(() -> parse("{\"size\":5}"));
        assertThat(e.document()).isEqualTo("blob record");
        assertThat(e.field()).isEqualTo("/digest");
        assertThat(e).isInstanceOf(OciException.class);
    }
}
