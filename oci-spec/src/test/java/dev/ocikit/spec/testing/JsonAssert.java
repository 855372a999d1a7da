package dev.ocikit.spec.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.Json;
import java.util.Iterator;
import java.util.Map;

/**
 * Semantic JSON equality as the OCI specs define it: field order does not matter, and a field
 * that is absent, null, an empty array or an empty object means the same thing. Everything else
 * (scalars, {@code false}, {@code 0}, {@code ""} in arrays, unknown fields) must match exactly.
 */
public final class JsonAssert {
    private JsonAssert() {}

    /** Asserts that the model, written back out, says what {@code original} said. */
    public static void assertSemanticallyEqual(byte[] original, Object model) {
        JsonNode expected = normalise(Json.tree(original, "expected"));
        JsonNode actual = normalise(Json.tree(Json.write(model), "actual"));
        assertThat(actual).as("re-serialised JSON").isEqualTo(expected);
    }

    /** Asserts that two documents say the same thing. */
    public static void assertSemanticallyEqual(byte[] expected, byte[] actual) {
        assertThat(normalise(Json.tree(actual, "actual")))
                .isEqualTo(normalise(Json.tree(expected, "expected")));
    }

    /**
     * Asserts that every object the model writes lists its fields in the order {@code original}
     * does (fields only one side has are ignored): Go tools write the spec's order, and so must we.
     */
    public static void assertSameFieldOrder(byte[] original, Object model) {
        compareOrder(Json.tree(original, "expected"), Json.tree(Json.write(model), "actual"), "");
    }

    private static void compareOrder(JsonNode expected, JsonNode actual, String at) {
        if (expected.isObject() && actual.isObject()) {
            java.util.List<String> e = new java.util.ArrayList<>();
            expected.fieldNames().forEachRemaining(e::add);
            java.util.List<String> a = new java.util.ArrayList<>();
            actual.fieldNames().forEachRemaining(a::add);
            java.util.List<String> common = new java.util.ArrayList<>(e);
            common.retainAll(a);
            java.util.List<String> actualCommon = new java.util.ArrayList<>(a);
            actualCommon.retainAll(e);
            assertThat(actualCommon).as("field order at " + (at.isEmpty() ? "/" : at)).isEqualTo(common);
            for (String name : common) {
                compareOrder(expected.get(name), actual.get(name), at + "/" + name);
            }
        } else if (expected.isArray() && actual.isArray()) {
            for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
                compareOrder(expected.get(i), actual.get(i), at + "/" + i);
            }
        }
    }

    /** A copy with null, empty-array and empty-object members removed, recursively. */
    public static JsonNode normalise(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = normalise(e.getValue());
                if (!isEmpty(v)) {
                    out.set(e.getKey(), v);
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(v -> out.add(normalise(v)));
            return out;
        }
        return node;
    }

    private static boolean isEmpty(JsonNode v) {
        return v.isNull() || ((v.isArray() || v.isObject()) && v.isEmpty());
    }
}
