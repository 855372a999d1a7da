package dev.ocikit.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.IOException;
import java.util.List;

/**
 * The one JSON setup every ocikit module shares, so that all documents are read and written by
 * the same rules:
 *
 * <ul>
 *   <li>Reading is strict: duplicate keys, trailing content, strings where numbers belong and
 *       fractions where integers belong are refused. Unknown fields are kept by the models that
 *       the specs require to preserve them and ignored elsewhere.
 *   <li>Writing omits absent, null and empty values (the specs give them the same meaning), keeps
 *       the spec's field order, and never escapes {@code <}, {@code >} or {@code &}, since Go's
 *       encoder does and ours need not match bytes that we never re-serialise for digests.
 *   <li>Every failure becomes a {@link MalformedDocumentException} naming the document, the
 *       field as a JSON pointer and the problem; never a Jackson exception.
 * </ul>
 *
 * <p>Thread-safe and stateless.
 */
public final class Json {
    /** Limits that keep hostile documents from costing unbounded memory or stack. */
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(200)
            .maxStringLength(16 * 1024 * 1024)
            .maxNumberLength(64)
            .maxNameLength(64 * 1024)
            .build();

    /** Indented as Go's json.MarshalIndent(v, "", "    ") does, so output looks like skopeo's and podman's. */
    private static final com.fasterxml.jackson.core.util.DefaultPrettyPrinter GO_STYLE =
            new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                    .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))
                    .withArrayIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))
                    .withSeparators(com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)
                            .withArrayEmptySeparator("").withObjectEmptySeparator(""));

    /** The quick path for records (no ObjectMapper); see {@link RecordJson}. */
    private static final RecordJson QUICK = new RecordJson(factory());

    /**
     * databind, built on first use only: what the quick path leaves to it, and every error
     * message. Building it costs a fresh JVM more than a whole container start.
     */
    private static final class Databind {
        static final ObjectMapper MAPPER = build(false);
        static final ObjectMapper PRETTY = build(true);
    }

    private Json() {}

    private static JsonFactory factory() {
        return JsonFactory.builder()
                .streamReadConstraints(LIMITS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    private static ObjectMapper build(boolean pretty) {
        JsonMapper mapper = JsonMapper.builder(factory())
                .addModule(new Jdk8Module())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                // Unknown fields are kept as trees: numbers must come back out digit for digit.
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .configure(SerializationFeature.INDENT_OUTPUT, pretty)
                // Omit empty properties, but never drop a map entry or array element for being
                // empty: an annotation "" or an unknown field {} is content.
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_EMPTY, JsonInclude.Include.ALWAYS))
                .build();
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Reads {@code json} as a {@code type}.
     *
     * @param document what the bytes are meant to be, for messages ({@code "image manifest"})
     * @throws MalformedDocumentException if the bytes are not valid JSON or not a valid {@code type}
     */
    public static <T> T parse(byte[] json, Class<T> type, String document) {
        if (json == null || json.length == 0) {
            throw new MalformedDocumentException(document, "", "empty document");
        }
        try {
            return QUICK.read(json, type);
        } catch (RecordJson.GiveUp e) {
            // databind reads it, or says what is wrong with it
        }
        return parseWithDatabind(json, type, document);
    }

    static <T> T parseWithDatabind(byte[] json, Class<T> type, String document) {
        try {
            T value = Databind.MAPPER.readValue(json, type);
            if (value == null) {
                throw new MalformedDocumentException(document, "", "expected a JSON object, found null");
            }
            return value;
        } catch (IOException e) {
            throw translate(e, document);
        }
    }

    /** Reads {@code json} as a tree, with the same strictness as {@link #parse}. */
    public static JsonNode tree(byte[] json, String document) {
        if (json == null || json.length == 0) {
            throw new MalformedDocumentException(document, "", "empty document");
        }
        try {
            return QUICK.tree(json);
        } catch (RecordJson.GiveUp e) {
            // databind reads it, or says what is wrong with it
        }
        try {
            return Databind.MAPPER.readTree(json);
        } catch (IOException e) {
            throw translate(e, document);
        }
    }

    /** Converts a tree (for example an unknown-field value) into a model, with the same rules. */
    public static <T> T convert(JsonNode node, Class<T> type, String document) {
        if (node != null) {
            try {
                return QUICK.convert(node, type);
            } catch (RecordJson.GiveUp e) {
                // databind converts it, or says what is wrong with it
            }
        }
        return convertWithDatabind(node, type, document);
    }

    static <T> T convertWithDatabind(JsonNode node, Class<T> type, String document) {
        try {
            return Databind.MAPPER.treeToValue(node, type);
        } catch (IOException | IllegalArgumentException e) {
            throw translate(e, document);
        }
    }

    /** Compact UTF-8 JSON of a model. */
    public static byte[] write(Object value) {
        try {
            return QUICK.write(value, null);
        } catch (RecordJson.GiveUp e) {
            return writeWithDatabind(value, false);
        }
    }

    static byte[] writeWithDatabind(Object value, boolean pretty) {
        try {
            return pretty ? Databind.PRETTY.writer(GO_STYLE).writeValueAsBytes(value) : Databind.MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new OciException("cannot serialise " + value.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Indented UTF-8 JSON of a model, for people. */
    public static byte[] writePretty(Object value) {
        try {
            return QUICK.write(value, GO_STYLE);
        } catch (RecordJson.GiveUp e) {
            return writeWithDatabind(value, true);
        }
    }

    /** The model as a tree, as it would be written. */
    public static JsonNode toTree(Object value) {
        return Databind.MAPPER.valueToTree(value);
    }

    private static RuntimeException translate(Exception e, String document) {
        Throwable range = e;
        while (range != null && !(range instanceof com.fasterxml.jackson.core.exc.InputCoercionException)) {
            range = range.getCause();
        }
        if (range != null) {
            String pointer = e instanceof JsonMappingException m ? pointer(m.getPath()) : "";
            return new MalformedDocumentException(document, pointer, "number out of range for this field", e);
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof JsonProcessingException syntax
                && !(m.getCause() instanceof JsonMappingException)) {
            // A syntax error met while binding a value: report it as such, at the value's place.
            return new MalformedDocumentException(document, pointer(m.getPath()),
                    "not valid JSON: " + clean(syntax.getOriginalMessage()) + location(syntax), e);
        }
        if (e instanceof JsonMappingException m) {
            String pointer = pointer(m.getPath());
            Throwable cause = m.getCause();
            if (m instanceof ValueInstantiationException || cause instanceof OciException
                    || cause instanceof IllegalArgumentException) {
                Throwable root = rootCause(m);
                if (root instanceof InvalidFieldException f) {
                    String field = f.field().isEmpty() ? pointer : pointer + "/" + f.field();
                    return new MalformedDocumentException(document, field, f.problem(), e);
                }
                if (root instanceof MalformedDocumentException inner) {
                    return inner;
                }
                if (root instanceof OciException || root instanceof IllegalArgumentException) {
                    return new MalformedDocumentException(document, pointer, root.getMessage(), e);
                }
            }
            if (m instanceof InvalidDefinitionException) {
                throw new IllegalStateException("ocikit model cannot be bound: " + m.getOriginalMessage(), e);
            }
            if (m instanceof MismatchedInputException mi) {
                return new MalformedDocumentException(document, pointer, describeMismatch(mi), e);
            }
            return new MalformedDocumentException(document, pointer, clean(m.getOriginalMessage()), e);
        }
        if (e instanceof JsonProcessingException p) {
            return new MalformedDocumentException(document, "", "not valid JSON: " + clean(p.getOriginalMessage()) + location(p), e);
        }
        if (e instanceof IllegalArgumentException && e.getCause() instanceof IOException io) {
            return translate(io, document);
        }
        return new MalformedDocumentException(document, "", "cannot be read: " + e.getMessage(), e);
    }

    private static String location(JsonProcessingException p) {
        JsonLocation at = p.getLocation();
        return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private static String describeMismatch(MismatchedInputException e) {
        String original = e.getOriginalMessage();
        if (original != null && original.startsWith("Trailing token")) {
            return "not valid JSON: more content after the end of the document";
        }
        Class<?> target = e.getTargetType();
        if (target == null) {
            return clean(e.getOriginalMessage());
        }
        return "expected " + describeType(target);
    }

    private static String describeType(Class<?> t) {
        if (t == String.class) {
            return "a string";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class
                || t == short.class || t == java.math.BigInteger.class) {
            return "an integer";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "a boolean";
        }
        if (t == double.class || t == Double.class || t == float.class) {
            return "a number";
        }
        if (List.class.isAssignableFrom(t) || t.isArray()) {
            return "an array";
        }
        if (t == Digest.class) {
            return "a digest string (algorithm:encoded)";
        }
        if (t == ImageReference.class) {
            return "an image reference string";
        }
        return "an object (" + t.getSimpleName() + ")";
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                b.append('/').append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
            } else if (r.getIndex() >= 0) {
                b.append('/').append(r.getIndex());
            }
        }
        return b.toString();
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
            if (c instanceof InvalidFieldException || c instanceof OciException) {
                return c;
            }
        }
        return c;
    }

    /** Jackson's messages can quote whole inputs; keep them short and single-line. */
    private static String clean(String message) {
        if (message == null) {
            return "unreadable";
        }
        String oneLine = message.replace('\n', ' ').replace('\r', ' ')
                .replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "")
                .replaceAll("\\s*at \\[Source:.*?\\]", "");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
