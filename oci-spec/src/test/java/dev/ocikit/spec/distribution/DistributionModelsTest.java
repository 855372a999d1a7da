package dev.ocikit.spec.distribution;

import static dev.ocikit.spec.testing.JsonAssert.assertSemanticallyEqual;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DistributionModelsTest {

    static byte[] example(String name) {
        String resource = "/examples/distribution/" + name;
        try (InputStream in = DistributionModelsTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- error responses ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"error-manifest-unknown.json", "error-unauthorized.json", "error-mixed.json",
        "error-empty-list.json"})
    void errorResponsesRoundTrip(String name) {
        byte[] original = example(name);
        ErrorResponse parsed = ErrorResponse.parse(original);
        assertSemanticallyEqual(original, parsed);
        assertThat(ErrorResponse.parse(Json.write(parsed))).isEqualTo(parsed);
    }

    @Test
    void readsOneKnownError() {
        ErrorResponse r = ErrorResponse.parse(example("error-manifest-unknown.json"));
        assertThat(r.errors()).hasSize(1);
        RegistryError e = r.errors().get(0);
        assertThat(e.code()).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(e.errorCode()).isEqualTo(ErrorCode.MANIFEST_UNKNOWN);
        assertThat(e.message()).contains("manifest unknown");
        assertThat(e.detail()).map(d -> d.get("Tag").asText()).contains("2.4.1");
        assertThat(r.has(ErrorCode.MANIFEST_UNKNOWN)).isTrue();
        assertThat(r.has(ErrorCode.BLOB_UNKNOWN)).isFalse();
        assertThat(r.summary()).isEqualTo("MANIFEST_UNKNOWN: manifest unknown");
    }

    @Test
    void keepsUnknownCodesAndArbitraryDetail() {
        ErrorResponse r = ErrorResponse.parse(example("error-mixed.json"));
        List<RegistryError> errors = r.errors();
        assertThat(errors).extracting(RegistryError::code)
                .containsExactly("BLOB_UNKNOWN", "TAG_INVALID", "TOOMANYREQUESTS", "UNKNOWN", "DENIED");
        assertThat(errors).extracting(RegistryError::errorCode).containsExactly(ErrorCode.BLOB_UNKNOWN,
                ErrorCode.UNKNOWN, ErrorCode.TOOMANYREQUESTS, ErrorCode.UNKNOWN, ErrorCode.DENIED);

        assertThat(errors.get(0).detail()).map(JsonNode::isTextual).contains(true);
        JsonNode nested = errors.get(1).detail().orElseThrow().get("nested");
        assertThat(nested.get("level").asInt()).isEqualTo(2);
        assertThat(nested.get("flags")).hasSize(3);
        assertThat(errors.get(2).detail()).isEmpty();
        assertThat(errors.get(3).message()).isEmpty();
        assertThat(errors.get(4).detail()).map(JsonNode::asInt).contains(403);

        assertThat(r.find(ErrorCode.UNKNOWN)).map(RegistryError::code).contains("TAG_INVALID");
        assertThat(r.find(ErrorCode.NAME_UNKNOWN)).isEmpty();
        assertThat(r.summary()).isEqualTo("BLOB_UNKNOWN: blob unknown to registry; "
                + "TAG_INVALID: manifest tag did not match URI; "
                + "TOOMANYREQUESTS: You have reached your pull rate limit. Wait before retrying.; "
                + "UNKNOWN; DENIED: requested access to the resource is denied");
    }

    @Test
    void detailArrayIsKeptExactly() {
        byte[] original = example("error-unauthorized.json");
        RegistryError e = ErrorResponse.parse(original).errors().get(0);
        JsonNode expected = Json.tree(original, "expected").get("errors").get(0).get("detail");
        assertThat(e.detail()).contains(expected);
        // Empty strings inside detail are data, not absence.
        assertThat(Json.tree(Json.write(e), "written").get("detail").get(0).get("Class").asText("x")).isEmpty();
    }

    @Test
    void nullDetailAndEmptyMessageCountAsAbsent() {
        ErrorResponse r = ErrorResponse.parse(
                "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"\",\"detail\":null}]}".getBytes(StandardCharsets.UTF_8));
        RegistryError e = r.errors().get(0);
        assertThat(e.message()).isEmpty();
        assertThat(e.detail()).isEmpty();
        assertThat(new String(Json.write(r), StandardCharsets.UTF_8)).isEqualTo("{\"errors\":[{\"code\":\"DENIED\"}]}");
    }

    @Test
    void buildsResponsesForFakeRegistries() {
        ErrorResponse r = ErrorResponse.of(RegistryError.of(ErrorCode.NAME_UNKNOWN, "repository name not known to registry"));
        assertThat(new String(Json.write(r), StandardCharsets.UTF_8)).isEqualTo(
                "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}");
        assertThat(new String(Json.write(ErrorResponse.of()), StandardCharsets.UTF_8)).isEqualTo("{\"errors\":[]}");
        assertThat(ErrorResponse.of().summary()).isEqualTo("no errors listed");
    }

    @Test
    void summaryIsOneBoundedLine() {
        RegistryError hostile = new RegistryError("DENIED", Optional.of("line one\nline two\r\u0007" + "x".repeat(1000)),
                Optional.empty());
        RegistryError[] many = new RegistryError[8];
        Arrays.fill(many, hostile);
        String summary = ErrorResponse.of(many).summary();
        assertThat(summary).doesNotContain("\n", "\r", "\u0007").endsWith("; and 3 more");
        assertThat(hostile.summary()).startsWith("DENIED: line one?line two").hasSizeLessThan(320);
    }

    @Test
    void everySpecCodeIsKnown() {
        List<String> spec = List.of("BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID",
                "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN",
                "SIZE_INVALID", "UNAUTHORIZED", "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS");
        for (String code : spec) {
            ErrorCode c = ErrorCode.fromCode(code);
            assertThat(c).as(code).isNotEqualTo(ErrorCode.UNKNOWN);
            assertThat(c.code()).isEqualTo(code);
            assertThat(c.description()).isNotBlank();
        }
        assertThat(ErrorCode.values()).hasSize(spec.size() + 1);
        assertThat(ErrorCode.fromCode("manifest_unknown")).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(ErrorCode.fromCode("")).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(ErrorCode.fromCode(null)).isEqualTo(ErrorCode.UNKNOWN);
    }

    // ---- tag lists and catalogs ---------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"tag-list.json", "tag-list-empty.json", "tag-list-null-tags.json"})
    void tagListsRoundTrip(String name) {
        byte[] original = example(name);
        TagList parsed = TagList.parse(original);
        assertSemanticallyEqual(original, parsed);
        assertThat(TagList.parse(Json.write(parsed))).isEqualTo(parsed);
    }

    @Test
    void readsTags() {
        TagList t = TagList.parse(example("tag-list.json"));
        assertThat(t.name()).isEqualTo("acme/widget");
        assertThat(t.tags()).hasSize(5).startsWith("1.0.0").contains("latest");
        assertThat(TagList.parse(example("tag-list-null-tags.json")).tags()).isEmpty();
    }

    @Test
    void emptyTagListIsWrittenAsAnArray() {
        assertThat(new String(Json.write(new TagList("acme/empty", null)), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"acme/empty\",\"tags\":[]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"catalog.json", "catalog-empty.json"})
    void catalogsRoundTrip(String name) {
        byte[] original = example(name);
        Catalog parsed = Catalog.parse(original);
        assertSemanticallyEqual(original, parsed);
        assertThat(Catalog.parse(Json.write(parsed))).isEqualTo(parsed);
    }

    @Test
    void readsRepositories() {
        Catalog c = Catalog.parse(example("catalog.json"));
        assertThat(c.repositories()).containsExactly("acme/gadget", "acme/widget", "library/alpine", "tools/ci/runner");
        assertThat(new String(Json.write(new Catalog(List.of())), StandardCharsets.UTF_8)).isEqualTo("{\"repositories\":[]}");
        assertThat(Catalog.parse("{}".getBytes(StandardCharsets.UTF_8)).repositories()).isEmpty();
    }

    @Test
    void unknownFieldsAreIgnored() {
        TagList t = TagList.parse("{\"name\":\"a\",\"tags\":[\"x\"],\"extra\":{\"k\":1}}".getBytes(StandardCharsets.UTF_8));
        assertThat(t).isEqualTo(new TagList("a", List.of("x")));
    }
}
