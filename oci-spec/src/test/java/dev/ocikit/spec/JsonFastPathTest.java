package dev.ocikit.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.distribution.Catalog;
import dev.ocikit.spec.distribution.ErrorResponse;
import dev.ocikit.spec.distribution.TagList;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.OciLayout;
import dev.ocikit.spec.runtime.Features;
import dev.ocikit.spec.runtime.Spec;
import dev.ocikit.spec.runtime.State;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordJson}, the quick path of {@link Json}, against databind: whatever the quick path
 * reads, databind reads to an equal value; whatever it writes, databind writes byte for byte. It
 * may give up (databind then does the work), but it must never accept what databind refuses.
 * Every example document is read as every model and then altered in thousands of ways.
 */
class JsonFastPathTest {
    private static final List<Class<?>> MODELS = List.of(ImageIndex.class, ImageManifest.class, ImageConfig.class,
            Descriptor.class, OciLayout.class, Platform.class, Spec.class, State.class, Features.class, TagList.class,
            Catalog.class, ErrorResponse.class);
    private static final List<String> EXAMPLES = List.of("image/artifact-manifest.json", "image/config.json",
            "image/descriptor.json", "image/docker-config.json", "image/docker-manifest-list.json",
            "image/docker-manifest.json", "image/index.json", "image/layout-index.json", "image/manifest.json",
            "image/oci-layout", "runtime/config.json", "runtime/features.json", "runtime/state.json",
            "distribution/catalog.json", "distribution/catalog-empty.json", "distribution/error-mixed.json",
            "distribution/tag-list.json", "distribution/tag-list-null-tags.json");
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final RecordJson QUICK = new RecordJson(com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private int quickReads;

    @Test
    void theModelsACommandTouchesAreReadAndWrittenWithoutDatabind() throws Exception {
        assertThat(QUICK.read(example("image/index.json"), ImageIndex.class)).isNotNull();
        assertThat(QUICK.read(example("image/manifest.json"), ImageManifest.class)).isNotNull();
        assertThat(QUICK.read(example("image/config.json"), ImageConfig.class)).isNotNull();
        assertThat(QUICK.read(example("image/docker-config.json"), ImageConfig.class)).isNotNull();
        assertThat(QUICK.read(example("image/oci-layout"), OciLayout.class)).isNotNull();
        Spec spec = QUICK.read(example("runtime/config.json"), Spec.class);
        assertThat(QUICK.write(spec, null)).isEqualTo(Json.writeWithDatabind(spec, false));
        assertThat(QUICK.tree(example("image/index.json"))).isEqualTo(Json.tree(example("image/index.json"), "x"));
    }

    @Test
    void everyExampleAsEveryModelAgreesWithDatabind() throws Exception {
        for (String name : EXAMPLES) {
            byte[] json = example(name);
            for (Class<?> model : MODELS) {
                agree(json, model, name);
            }
        }
        assertThat(quickReads).as("documents the quick path read itself").isGreaterThan(10);
    }

    @Test
    void alteredDocumentsAgreeWithDatabind() throws Exception {
        int cases = 0;
        for (String name : EXAMPLES) {
            byte[] json = example(name);
            JsonNode original = Json.tree(json, name);
            for (Class<?> model : MODELS) {
                if (!readsWithDatabind(json, model)) {
                    continue;
                }
                for (JsonNode altered : alterations(original)) {
                    agree(altered.toString().getBytes(StandardCharsets.UTF_8), model, name + " altered");
                    cases++;
                }
            }
        }
        assertThat(cases).isGreaterThan(1000);
        assertThat(quickReads).isGreaterThan(500);
    }

    /** Records of an application's own, shaped like the CLI's outputs: not public, primitives, class-level rules. */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"Name", "Size", "Parts"})
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_ABSENT)
    record Summary(@com.fasterxml.jackson.annotation.JsonProperty("Name") java.util.Optional<String> name,
                   @com.fasterxml.jackson.annotation.JsonProperty("Size") long size,
                   @com.fasterxml.jackson.annotation.JsonProperty("Count") int count,
                   @com.fasterxml.jackson.annotation.JsonProperty("Sealed") boolean sealed,
                   @com.fasterxml.jackson.annotation.JsonProperty("Labels")
                   @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
                   Map<String, String> labels,
                   @com.fasterxml.jackson.annotation.JsonProperty("Parts") java.util.Optional<List<Part>> parts,
                   @com.fasterxml.jackson.annotation.JsonProperty("Tags") List<String> tags) {}

    record Part(String kind, long size, Digest digest) {}

    @Test
    void applicationRecordsWithPrimitivesAgreeWithDatabind() throws Exception {
        Digest d = Digest.sha256(new byte[0]);
        List<Summary> values = List.of(
                new Summary(java.util.Optional.empty(), 0, 0, false, Map.of(), java.util.Optional.empty(), List.of()),
                new Summary(java.util.Optional.of(""), -1, 7, true, Map.of("a", ""), java.util.Optional.of(List.of()),
                        List.of("x")),
                new Summary(java.util.Optional.of("n"), Long.MAX_VALUE, Integer.MIN_VALUE, false, Map.of("k", "v"),
                        java.util.Optional.of(List.of(new Part("layer", 3, d), new Part("", 0, d))), List.of("")));
        for (Summary v : values) {
            for (boolean pretty : new boolean[] {false, true}) {
                byte[] expected = Json.writeWithDatabind(v, pretty);
                assertThat(new String(QUICK.write(v, pretty ? prettyPrinter() : null), StandardCharsets.UTF_8))
                        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            }
            byte[] json = Json.writeWithDatabind(v, false);
            agree(json, Summary.class, "summary");
            for (JsonNode altered : alterations(Json.tree(json, "summary"))) {
                agree(altered.toString().getBytes(StandardCharsets.UTF_8), Summary.class, "altered summary");
            }
        }
    }

    @Test
    void malformedInputIsLeftToDatabindWhoseErrorsJsonReports() {
        for (String bad : List.of("", " ", "{", "{\"a\":1,\"a\":2}", "{} {}", "[1,]", "nul", "{\"schemaVersion\":2}x")) {
            byte[] json = bad.getBytes(StandardCharsets.UTF_8);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> QUICK.tree(json))
                    .as("the quick path must leave '%s' to databind", bad).isInstanceOf(RecordJson.GiveUp.class);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Json.parse("{\"schemaVersion\":2,\"schemaVersion\":2}"
                .getBytes(StandardCharsets.UTF_8), ImageIndex.class, "image index"))
                .isInstanceOf(MalformedDocumentException.class).hasMessageContaining("Duplicate field");
    }

    /** Reads with both; if the quick path reads it, databind must read an equal value, and both must write the same bytes. */
    private void agree(byte[] json, Class<?> model, String what) throws IOException {
        Object quick;
        try {
            quick = QUICK.read(json, model);
        } catch (RecordJson.GiveUp e) {
            quick = null;
        }
        Object slow;
        try {
            slow = Json.parseWithDatabind(json, model, what);
        } catch (MalformedDocumentException | UnsupportedManifestException e) {
            slow = null;
            assertThat(quick).as("quick path read %s as %s, which databind refuses (%s): %s", what, model.getSimpleName(),
                    e.getMessage(), new String(json, StandardCharsets.UTF_8)).isNull();
        }
        if (quick != null) {
            quickReads++;
            assertThat(quick).as("%s as %s: %s", what, model.getSimpleName(), new String(json, StandardCharsets.UTF_8))
                    .isEqualTo(slow);
        }
        if (slow != null) {
            for (boolean pretty : new boolean[] {false, true}) {
                byte[] expected = Json.writeWithDatabind(slow, pretty);
                try {
                    byte[] written = QUICK.write(slow, pretty ? prettyPrinter() : null);
                    assertThat(new String(written, StandardCharsets.UTF_8))
                            .as("%s written as %s (pretty: %s)", what, model.getSimpleName(), pretty)
                            .isEqualTo(new String(expected, StandardCharsets.UTF_8));
                } catch (RecordJson.GiveUp e) {
                    // databind writes it
                }
            }
        }
    }

    private static com.fasterxml.jackson.core.util.DefaultPrettyPrinter prettyPrinter() {
        try {
            java.lang.reflect.Field f = Json.class.getDeclaredField("GO_STYLE");
            f.setAccessible(true);
            return (com.fasterxml.jackson.core.util.DefaultPrettyPrinter) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean readsWithDatabind(byte[] json, Class<?> model) {
        try {
            Json.parseWithDatabind(json, model, "x");
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The document with one change each: every value replaced by values of other kinds, every field removed, one added. */
    private static List<JsonNode> alterations(JsonNode original) {
        List<JsonNode> out = new ArrayList<>();
        List<JsonNode> replacements = List.of(NODES.nullNode(), NODES.textNode(""), NODES.textNode("x"),
                NODES.textNode("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                NODES.numberNode(0), NODES.numberNode(-1), NODES.numberNode(2), NODES.numberNode(new java.math.BigDecimal("1.5")),
                NODES.numberNode(new BigInteger("18446744073709551615")), NODES.numberNode(new BigInteger("18446744073709551616")),
                NODES.numberNode(4294967296L), NODES.booleanNode(true), NODES.objectNode(),
                NODES.objectNode().set("a", NODES.objectNode()), NODES.arrayNode(), NODES.arrayNode().add("a"),
                NODES.arrayNode().add(NODES.nullNode()));
        visit(original, "", (path) -> {
            for (JsonNode r : replacements) {
                out.add(replaced(original, path, r));
            }
            out.add(replaced(original, path, null));
        });
        ObjectNode extra = original.deepCopy() instanceof ObjectNode o ? o : null;
        if (extra != null) {
            extra.set("zz-unknown", NODES.objectNode().put("q", 1).put("f", new java.math.BigDecimal("1.50")));
            out.add(extra);
        }
        return out;
    }

    private static void visit(JsonNode node, String path, Consumer<String> each) {
        if (!path.isEmpty()) {
            each.accept(path);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                visit(e.getValue(), path + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), each);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                visit(node.get(i), path + "/" + i, each);
            }
        }
    }

    /** A copy with the node at {@code path} replaced, or removed when {@code with} is null. */
    private static JsonNode replaced(JsonNode original, String path, JsonNode with) {
        JsonNode copy = original.deepCopy();
        com.fasterxml.jackson.core.JsonPointer pointer = com.fasterxml.jackson.core.JsonPointer.compile(path);
        JsonNode parent = copy.at(pointer.head());
        String last = pointer.last().getMatchingProperty();
        if (parent instanceof ObjectNode o) {
            if (with == null) {
                o.remove(last);
            } else {
                o.set(last, with);
            }
        } else if (parent instanceof ArrayNode a) {
            int i = pointer.last().getMatchingIndex();
            if (with == null) {
                a.remove(i);
            } else {
                a.set(i, with);
            }
        }
        return copy;
    }

    private static byte[] example(String name) throws IOException {
        try (InputStream in = JsonFastPathTest.class.getResourceAsStream("/examples/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource examples/" + name);
            }
            return in.readAllBytes();
        }
    }
}
