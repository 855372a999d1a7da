package dev.ocikit.spec;

import com.fasterxml.jackson.annotation.JacksonAnnotation;
import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.ocikit.spec.internal.EmptyObjectSet;
import dev.ocikit.spec.internal.OptionalUint64;
import dev.ocikit.spec.internal.Uint64;
import dev.ocikit.spec.internal.Unsigned;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The quick way for {@link Json} to read and write ocikit's record models: straight between
 * jackson-core's parser and generator and the records, following the Jackson annotations the
 * models carry. A fresh JVM spends about 400 ms of CPU building databind's {@code ObjectMapper}
 * and its reflective (de)serialisers for the few documents a command touches, more than all the
 * rest of a {@code run} or a {@code copy}; this needs neither.
 *
 * <p>It takes only what it knows exactly. Any other type, annotation, input or failure makes it
 * give up ({@link GiveUp}), and {@link Json} does the work again with databind, which so stays
 * the one definition of the rules and of every error message. A value read here is the value
 * databind reads, and bytes written here are the bytes databind writes (JsonFastPathTest
 * compares both on every model and on thousands of altered documents).
 */
final class RecordJson {
    /** This path does not know the type or the input: databind must do it. No stack: it is control flow. */
    static final class GiveUp extends Exception {
        private static final long serialVersionUID = 1L;
        static final GiveUp INSTANCE = new GiveUp();

        private GiveUp() {
            super("left to databind", null, false, false);
        }
    }

    private static final Map<Type, Codec> CODECS = new ConcurrentHashMap<>();
    /** Types found not to be handled here, so that the search is not repeated. */
    private static final Codec UNSUPPORTED = new Codec() {
        @Override
        Object readValue(JsonNode node) throws GiveUp {
            throw GiveUp.INSTANCE;
        }

        @Override
        Object nullValue() throws GiveUp {
            throw GiveUp.INSTANCE;
        }

        @Override
        void write(JsonGenerator g, Object value) throws GiveUp {
            throw GiveUp.INSTANCE;
        }
    };

    private final JsonFactory factory;

    RecordJson(JsonFactory factory) {
        this.factory = factory;
    }

    /** A tree of the document, as databind's {@code readTree} builds it with {@link Json}'s settings. */
    JsonNode tree(byte[] json) throws GiveUp {
        try (JsonParser p = factory.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw GiveUp.INSTANCE;
            }
            JsonNode root = dev.ocikit.spec.internal.JsonTrees.read(p, first);
            if (p.nextToken() != null) {
                throw GiveUp.INSTANCE; // trailing content: databind says what it is
            }
            return root;
        } catch (IOException e) {
            throw GiveUp.INSTANCE;
        }
    }

    /** The document as a {@code type}; never null. */
    <T> T read(byte[] json, Class<T> type) throws GiveUp {
        Codec codec = codec(type);
        if (codec == UNSUPPORTED) {
            throw GiveUp.INSTANCE; // before parsing: nothing to gain
        }
        return read(codec, tree(json), type);
    }

    /** The tree as a {@code type}; never null. */
    <T> T convert(JsonNode node, Class<T> type) throws GiveUp {
        return read(codec(type), node, type);
    }

    private static <T> T read(Codec codec, JsonNode node, Class<T> type) throws GiveUp {
        Object value = codec.read(node);
        if (value == null) {
            throw GiveUp.INSTANCE; // a document that is just null: databind's answer
        }
        return type.cast(value);
    }

    /** UTF-8 JSON of a model, compact or with {@code pretty}. */
    byte[] write(Object value, DefaultPrettyPrinter pretty) throws GiveUp {
        if (value == null) {
            throw GiveUp.INSTANCE;
        }
        Codec codec = codec(value.getClass());
        if (codec == UNSUPPORTED) {
            throw GiveUp.INSTANCE;
        }
        ByteArrayBuilder out = new ByteArrayBuilder(); // no pooled buffers: nothing to hand back on failure
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            if (pretty != null) {
                g.setPrettyPrinter(pretty.createInstance());
            }
            codec.write(g, value);
        } catch (IOException | RuntimeException e) {
            throw GiveUp.INSTANCE;
        }
        return out.toByteArray();
    }

    // ---- codecs ----------------------------------------------------------------------------

    /** How one Java type is read and written. */
    private abstract static class Codec {
        /** The value of {@code node}; a JSON null ({@link NullNode}) is {@link #nullValue()}. */
        final Object read(JsonNode node) throws GiveUp {
            return node.isNull() ? nullValue() : readValue(node);
        }

        /** The value of a node that is not JSON null; a node of another kind gives up. */
        abstract Object readValue(JsonNode node) throws GiveUp;

        /** What a JSON null reads as: Java null, as databind's default. */
        Object nullValue() throws GiveUp {
            return null;
        }

        /** Writes a non-null value. */
        abstract void write(JsonGenerator g, Object value) throws IOException, GiveUp;

        /** Whether databind's NON_EMPTY inclusion leaves the value out. */
        boolean isEmpty(Object value) {
            return value == null;
        }

        /** What databind passes a record's constructor for a component the JSON does not have. */
        Object absent() throws GiveUp {
            return null;
        }
    }

    private static Codec codec(Type type) {
        Codec known = CODECS.get(type);
        if (known != null) {
            return known;
        }
        Codec made;
        try {
            made = make(type);
        } catch (GiveUp | RuntimeException e) {
            made = UNSUPPORTED;
        }
        Codec raced = CODECS.putIfAbsent(type, made);
        return raced != null ? raced : made;
    }

    /** A codec whose parts are made when first used, so that recursive types do not recurse here. */
    private static Codec lazy(Type type) {
        return new Codec() {
            private volatile Codec resolved;

            private Codec get() throws GiveUp {
                Codec c = resolved;
                if (c == null) {
                    c = codec(type);
                    resolved = c;
                }
                if (c == UNSUPPORTED) {
                    throw GiveUp.INSTANCE;
                }
                return c;
            }

            @Override
            Object readValue(JsonNode node) throws GiveUp {
                return get().readValue(node);
            }

            @Override
            Object nullValue() throws GiveUp {
                return get().nullValue();
            }

            @Override
            void write(JsonGenerator g, Object value) throws IOException, GiveUp {
                get().write(g, value);
            }

            @Override
            boolean isEmpty(Object value) {
                try {
                    return get().isEmpty(value);
                } catch (GiveUp e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            Object absent() throws GiveUp {
                return get().absent();
            }
        };
    }

    private static Codec make(Type type) throws GiveUp {
        if (type instanceof ParameterizedType p) {
            Type raw = p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == Optional.class) {
                return new OptionalCodec(lazy(args[0]));
            }
            if (raw == List.class || raw == Collection.class) {
                return new CollectionCodec(lazy(args[0]), false);
            }
            if (raw == Set.class) {
                return new CollectionCodec(lazy(args[0]), true);
            }
            if (raw == Map.class && args[0] == String.class) {
                return new MapCodec(lazy(args[1]));
            }
            throw GiveUp.INSTANCE;
        }
        if (!(type instanceof Class<?> c)) {
            throw GiveUp.INSTANCE;
        }
        if (c == String.class) {
            return STRING;
        }
        if (c == Integer.class) {
            return INTEGER;
        }
        if (c == Long.class) {
            return LONG;
        }
        if (c == Boolean.class) {
            return BOOLEAN;
        }
        if (c == long.class) {
            return new Primitive(LONG);
        }
        if (c == int.class) {
            return new Primitive(INTEGER);
        }
        if (c == boolean.class) {
            return new Primitive(BOOLEAN);
        }
        if (c == JsonNode.class) {
            return TREE;
        }
        Optional<Codec> delegating = Delegating.of(c);
        if (delegating.isPresent()) {
            return delegating.get();
        }
        if (c.isRecord()) {
            return RecordCodec.of(c);
        }
        throw GiveUp.INSTANCE; // primitives, enums, arrays, beans: databind's
    }

    /** How a scalar is written. */
    private interface ScalarWriter {
        void write(JsonGenerator g, Object value) throws IOException;
    }

    /** A scalar of one JSON kind: {@code accepts} says which nodes are it, JSON null is Java null, nothing else is taken. */
    private static final class Scalar extends Codec {
        private final java.util.function.Predicate<JsonNode> accepts;
        private final java.util.function.Function<JsonNode, Object> value;
        private final ScalarWriter writer;
        private final boolean emptyWhenBlank;

        Scalar(java.util.function.Predicate<JsonNode> accepts, java.util.function.Function<JsonNode, Object> value,
                ScalarWriter writer, boolean emptyWhenBlank) {
            this.accepts = accepts;
            this.value = value;
            this.writer = writer;
            this.emptyWhenBlank = emptyWhenBlank;
        }

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            if (accepts.test(node)) {
                return value.apply(node);
            }
            throw GiveUp.INSTANCE;
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            writer.write(g, v);
        }

        @Override
        boolean isEmpty(Object v) {
            return v == null || (emptyWhenBlank && ((String) v).isEmpty()); // NON_EMPTY leaves out "" but never 0 or false
        }
    }

    private static final Codec STRING = new Scalar(JsonNode::isTextual, JsonNode::textValue,
            (g, v) -> g.writeString((String) v), true);
    private static final Codec INTEGER = new Scalar(n -> n.isIntegralNumber() && n.canConvertToInt(), JsonNode::intValue,
            (g, v) -> g.writeNumber((Integer) v), false);
    private static final Codec LONG = new Scalar(n -> n.isIntegralNumber() && n.canConvertToLong(), JsonNode::longValue,
            (g, v) -> g.writeNumber((Long) v), false);
    private static final Codec BOOLEAN = new Scalar(JsonNode::isBoolean, JsonNode::booleanValue,
            (g, v) -> g.writeBoolean((Boolean) v), false);

    /** A primitive component: as its box, but JSON null is refused (databind's FAIL_ON_NULL_FOR_PRIMITIVES). */
    private static final class Primitive extends Codec {
        private final Codec box;

        Primitive(Codec box) {
            this.box = box;
        }

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            return box.readValue(node);
        }

        @Override
        Object nullValue() throws GiveUp {
            throw GiveUp.INSTANCE;
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException, GiveUp {
            box.write(g, value);
        }
    }

    /** A {@code uint64} carried in a long's bits ({@link Uint64}). */
    private static final Codec UINT64 = new Codec() {
        private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(64);

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            if (!node.isIntegralNumber()) {
                throw GiveUp.INSTANCE;
            }
            BigInteger v = node.bigIntegerValue();
            if (v.signum() < 0 || v.compareTo(LIMIT) >= 0) {
                throw GiveUp.INSTANCE;
            }
            return v.longValue();
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            long v = (Long) value;
            if (v >= 0) {
                g.writeNumber(v);
            } else {
                g.writeNumber(new BigInteger(Long.toUnsignedString(v)));
            }
        }
    };

    /** Go's {@code map[string]struct{}} as a set of keys ({@link EmptyObjectSet}). */
    private static final Codec EMPTY_OBJECT_SET = new Codec() {
        @Override
        Object readValue(JsonNode node) throws GiveUp {
            if (!node.isObject()) {
                throw GiveUp.INSTANCE;
            }
            Set<String> out = new LinkedHashSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isObject() && !e.getValue().isNull()) {
                    throw GiveUp.INSTANCE;
                }
                out.add(e.getKey());
            }
            return out;
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            g.writeStartObject();
            for (Object key : (Set<?>) value) {
                g.writeFieldName((String) key);
                g.writeStartObject();
                g.writeEndObject();
            }
            g.writeEndObject();
        }

        @Override
        boolean isEmpty(Object value) {
            return value == null || ((Set<?>) value).isEmpty();
        }
    };

    private static final Codec TREE = new Codec() {
        @Override
        Object readValue(JsonNode node) {
            return node;
        }

        @Override
        Object nullValue() {
            return NullNode.getInstance(); // a tree keeps its nulls
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException, GiveUp {
            writeTree(g, (JsonNode) value);
        }

        @Override
        boolean isEmpty(Object value) {
            return value == null || (((JsonNode) value).isContainerNode() && ((JsonNode) value).size() == 0);
        }
    };

    /** A tree as databind's node serialisers write it. */
    static void writeTree(JsonGenerator g, JsonNode node) throws IOException, GiveUp {
        JsonNodeType type = node.getNodeType();
        switch (type) {
            case OBJECT -> {
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    g.writeFieldName(e.getKey());
                    writeTree(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : node) {
                    writeTree(g, e);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL -> g.writeNull();
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> g.writeNumber(node.intValue());
                    case LONG -> g.writeNumber(node.longValue());
                    case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
                    case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
                    default -> throw GiveUp.INSTANCE; // float and double nodes: databind's own way
                }
            }
            default -> throw GiveUp.INSTANCE;
        }
    }

    private static final class OptionalCodec extends Codec {
        private final Codec content;

        OptionalCodec(Codec content) {
            this.content = content;
        }

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            return Optional.ofNullable(content.readValue(node));
        }

        @Override
        Object nullValue() {
            return Optional.empty();
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException, GiveUp {
            Optional<?> o = (Optional<?>) value;
            if (o.isEmpty()) {
                g.writeNull();
            } else {
                content.write(g, o.get());
            }
        }

        @Override
        boolean isEmpty(Object value) {
            // databind leaves out an absent Optional; its content is judged by the content rule (always kept)
            return value == null || ((Optional<?>) value).isEmpty();
        }

        @Override
        Object absent() {
            return Optional.empty();
        }
    }

    private static final class CollectionCodec extends Codec {
        private final Codec element;
        private final boolean set;

        CollectionCodec(Codec element, boolean set) {
            this.element = element;
            this.set = set;
        }

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            if (!node.isArray()) {
                throw GiveUp.INSTANCE;
            }
            Collection<Object> out = set ? new HashSet<>() : new ArrayList<>(node.size());
            for (JsonNode e : node) {
                out.add(element.read(e));
            }
            return out;
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException, GiveUp {
            g.writeStartArray();
            for (Object e : (Collection<?>) value) {
                if (e == null) {
                    g.writeNull();
                } else {
                    element.write(g, e);
                }
            }
            g.writeEndArray();
        }

        @Override
        boolean isEmpty(Object value) {
            return value == null || ((Collection<?>) value).isEmpty();
        }
    }

    private static final class MapCodec extends Codec {
        private final Codec values;

        MapCodec(Codec values) {
            this.values = values;
        }

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            if (!node.isObject()) {
                throw GiveUp.INSTANCE;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), values.read(e.getValue()));
            }
            return out;
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException, GiveUp {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw GiveUp.INSTANCE;
                }
                g.writeFieldName(key);
                if (e.getValue() == null) {
                    g.writeNull();
                } else {
                    values.write(g, e.getValue());
                }
            }
            g.writeEndObject();
        }

        @Override
        boolean isEmpty(Object value) {
            return value == null || ((Map<?, ?>) value).isEmpty();
        }
    }

    /** A value type read from a string by a delegating creator and written by its {@link JsonValue} method (Digest). */
    private static final class Delegating extends Codec {
        private final Method creator;
        private final Method value;

        private Delegating(Method creator, Method value) {
            this.creator = creator;
            this.value = value;
        }

        static Optional<Codec> of(Class<?> c) throws GiveUp {
            Method creator = null;
            Method value = null;
            for (Method m : c.getDeclaredMethods()) {
                JsonCreator jc = m.getAnnotation(JsonCreator.class);
                if (jc != null) {
                    if (creator != null || jc.mode() != JsonCreator.Mode.DELEGATING || !Modifier.isStatic(m.getModifiers())
                            || !Arrays.equals(m.getParameterTypes(), new Class<?>[] {String.class}) || m.getReturnType() != c) {
                        throw GiveUp.INSTANCE;
                    }
                    creator = m;
                }
                if (m.isAnnotationPresent(JsonValue.class)) {
                    if (value != null || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0
                            || m.getReturnType() != String.class) {
                        throw GiveUp.INSTANCE;
                    }
                    value = m;
                }
            }
            if (creator == null && value == null) {
                return Optional.empty();
            }
            if (creator == null || value == null || !Modifier.isPublic(c.getModifiers())) {
                throw GiveUp.INSTANCE;
            }
            return Optional.of(new Delegating(creator, value));
        }

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            if (!node.isTextual()) {
                throw GiveUp.INSTANCE;
            }
            try {
                return creator.invoke(null, node.textValue());
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                throw GiveUp.INSTANCE;
            }
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException, GiveUp {
            g.writeString(text(v));
        }

        @Override
        boolean isEmpty(Object v) {
            try {
                return v == null || text(v).isEmpty();
            } catch (GiveUp e) {
                throw new IllegalStateException(e);
            }
        }

        private String text(Object v) throws GiveUp {
            try {
                return (String) value.invoke(v);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw GiveUp.INSTANCE;
            }
        }
    }

    /** How databind's inclusion rules leave a property out: its kind, and the filter of a CUSTOM rule. */
    private record Inclusion(JsonInclude.Include kind, Object filter) {
        private static final Inclusion NON_EMPTY = new Inclusion(JsonInclude.Include.NON_EMPTY, null);

        /** The rule for a property: its own annotation, else its class's, else Json's default (NON_EMPTY). */
        static Inclusion of(JsonInclude property, JsonInclude type) throws GiveUp {
            for (JsonInclude a : new JsonInclude[] {property, type}) {
                if (a == null) {
                    continue;
                }
                if (a.content() != JsonInclude.Include.ALWAYS && a.content() != JsonInclude.Include.USE_DEFAULTS) {
                    throw GiveUp.INSTANCE;
                }
                switch (a.value()) {
                    case ALWAYS, NON_NULL, NON_ABSENT, NON_EMPTY:
                        return new Inclusion(a.value(), null);
                    case CUSTOM:
                        try {
                            Constructor<?> c = a.valueFilter().getDeclaredConstructor();
                            c.setAccessible(true);
                            return new Inclusion(JsonInclude.Include.CUSTOM, c.newInstance());
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            throw GiveUp.INSTANCE;
                        }
                    case USE_DEFAULTS:
                        continue;
                    default:
                        throw GiveUp.INSTANCE;
                }
            }
            return NON_EMPTY;
        }

        boolean leavesOut(Object value, Codec codec) {
            return switch (kind) {
                case NON_NULL -> value == null;
                case NON_ABSENT -> value == null || (value instanceof Optional<?> o && o.isEmpty());
                case NON_EMPTY -> value == null || codec.isEmpty(value);
                case CUSTOM -> filter.equals(value); // as databind: the filter's equals decides, null included
                default -> false;
            };
        }
    }

    /** One record component as a JSON property. */
    private record Property(String name, Method accessor, Codec codec, Inclusion inclusion) {}

    private static final class RecordCodec extends Codec {
        private final Constructor<?> constructor;
        /** In the order of the canonical constructor's parameters. */
        private final Property[] properties;
        private final Map<String, Integer> byName;
        /** The written order: @JsonPropertyOrder's names, then the rest as declared. */
        private final Property[] writeOrder;
        /** The component that collects unknown fields, or -1 (they are then ignored, as Json's setup does). */
        private final int anySetter;

        /** Which components are primitives, which JSON must give. */
        private final boolean[] primitive;

        private RecordCodec(Constructor<?> constructor, Property[] properties, Property[] writeOrder, int anySetter) {
            this.constructor = constructor;
            this.primitive = new boolean[properties.length];
            Class<?>[] types = constructor.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                primitive[i] = types[i].isPrimitive();
            }
            this.properties = properties;
            this.writeOrder = writeOrder;
            this.anySetter = anySetter;
            this.byName = new LinkedHashMap<>();
            for (int i = 0; i < properties.length; i++) {
                if (i != anySetter) {
                    byName.put(properties[i].name(), i);
                }
            }
        }

        static Codec of(Class<?> c) throws GiveUp {
            for (Annotation a : c.getAnnotations()) {
                if (!(a instanceof JsonPropertyOrder) && !(a instanceof JsonInclude) && isJackson(a)) {
                    throw GiveUp.INSTANCE;
                }
            }
            JsonPropertyOrder order = c.getAnnotation(JsonPropertyOrder.class);
            if (order != null && order.alphabetic()) {
                throw GiveUp.INSTANCE;
            }
            JsonInclude typeInclusion = c.getAnnotation(JsonInclude.class);
            RecordComponent[] components = c.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Property[] properties = new Property[components.length];
            int anySetter = -1;
            Set<String> names = new HashSet<>();
            for (int i = 0; i < components.length; i++) {
                RecordComponent rc = components[i];
                types[i] = rc.getType();
                Field field;
                try {
                    field = c.getDeclaredField(rc.getName());
                } catch (NoSuchFieldException e) {
                    throw GiveUp.INSTANCE;
                }
                JsonProperty renamed = null;
                JsonInclude inclusion = null;
                Codec codec = null;
                for (Annotation a : field.getAnnotations()) {
                    if (a instanceof JsonProperty p) {
                        if (p.access() != JsonProperty.Access.AUTO || p.index() != JsonProperty.INDEX_UNKNOWN
                                || !p.defaultValue().isEmpty() || p.required()) {
                            throw GiveUp.INSTANCE;
                        }
                        renamed = p;
                    } else if (a instanceof JsonInclude in) {
                        inclusion = in;
                    } else if (a instanceof JsonAnySetter) {
                        if (anySetter >= 0 || !isTreeBag(rc.getGenericType())) {
                            throw GiveUp.INSTANCE;
                        }
                        anySetter = i;
                    } else if (a instanceof Uint64) {
                        if (rc.getType() != Long.class) {
                            throw GiveUp.INSTANCE;
                        }
                        codec = UINT64;
                    } else if (a instanceof OptionalUint64) {
                        if (!rc.getGenericType().getTypeName().equals("java.util.Optional<java.lang.Long>")) {
                            throw GiveUp.INSTANCE;
                        }
                        codec = new OptionalCodec(UINT64);
                    } else if (a instanceof JsonSerialize s && s.using() == EmptyObjectSet.Serializer.class) {
                        codec = EMPTY_OBJECT_SET; // its @JsonDeserialize partner is checked below
                    } else if (a instanceof JsonDeserialize d && d.using() == EmptyObjectSet.Deserializer.class) {
                        continue;
                    } else if (isJackson(a)) {
                        throw GiveUp.INSTANCE;
                    }
                }
                if (codec == EMPTY_OBJECT_SET) {
                    JsonDeserialize d = field.getAnnotation(JsonDeserialize.class);
                    if (d == null || d.using() != EmptyObjectSet.Deserializer.class
                            || !rc.getGenericType().getTypeName().equals("java.util.Set<java.lang.String>")) {
                        throw GiveUp.INSTANCE;
                    }
                } else if (field.isAnnotationPresent(JsonDeserialize.class)) {
                    throw GiveUp.INSTANCE;
                }
                Method accessor = rc.getAccessor();
                // The component's own annotations reach an implicit accessor too; anything else there is not ours.
                List<Annotation> onField = Arrays.asList(field.getAnnotations());
                for (Annotation a : accessor.getAnnotations()) {
                    if (isJackson(a) && !onField.contains(a) && !(i == anySetter && a instanceof JsonAnyGetter)) {
                        throw GiveUp.INSTANCE;
                    }
                }
                if (i == anySetter && !accessor.isAnnotationPresent(JsonAnyGetter.class)) {
                    throw GiveUp.INSTANCE;
                }
                String name = renamed != null && !renamed.value().isEmpty() ? renamed.value() : rc.getName();
                if (!names.add(name)) {
                    throw GiveUp.INSTANCE;
                }
                properties[i] = new Property(name, accessor, codec != null ? codec : lazy(rc.getGenericType()),
                        Inclusion.of(inclusion, typeInclusion));
            }
            // Other methods databind would take as properties, creators or any-getters: not ours.
            Set<Method> accessors = new HashSet<>();
            for (Property p : properties) {
                accessors.add(p.accessor());
            }
            for (Method m : c.getDeclaredMethods()) {
                if (!accessors.contains(m) && hasJackson(m)) {
                    throw GiveUp.INSTANCE;
                }
            }
            for (Method m : c.getMethods()) {
                if (!Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class && !accessors.contains(m)
                        && m.getParameterCount() == 0 && looksLikeGetter(m)) {
                    throw GiveUp.INSTANCE;
                }
            }
            Constructor<?> constructor;
            try {
                constructor = c.getDeclaredConstructor(types);
            } catch (NoSuchMethodException e) {
                throw GiveUp.INSTANCE;
            }
            for (Constructor<?> other : c.getDeclaredConstructors()) {
                if (!other.equals(constructor) && hasJackson(other)) {
                    throw GiveUp.INSTANCE;
                }
            }
            try {
                // a record of an application's own (not public, say) is read and written as databind would, by reflection
                constructor.setAccessible(true);
                for (Property p : properties) {
                    p.accessor().setAccessible(true);
                }
            } catch (RuntimeException e) { // InaccessibleObjectException: a module that does not open the package
                throw GiveUp.INSTANCE;
            }
            // Placed by index: comparing the Property records would bootstrap their generated equals at start-up.
            List<Property> ordered = new ArrayList<>();
            boolean[] placed = new boolean[properties.length];
            if (anySetter >= 0) {
                placed[anySetter] = true;
            }
            if (order != null) {
                for (String name : order.value()) {
                    for (int i = 0; i < properties.length; i++) {
                        if (!placed[i] && properties[i].name().equals(name)) {
                            placed[i] = true;
                            ordered.add(properties[i]);
                        }
                    }
                }
            }
            for (int i = 0; i < properties.length; i++) {
                if (!placed[i]) {
                    ordered.add(properties[i]);
                }
            }
            return new RecordCodec(constructor, properties, ordered.toArray(Property[]::new), anySetter);
        }

        private static boolean looksLikeGetter(Method m) {
            String n = m.getName();
            return (n.startsWith("get") && n.length() > 3) || (n.startsWith("is") && n.length() > 2
                    && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class));
        }

        private static boolean isTreeBag(Type t) {
            return t.getTypeName().equals("java.util.Map<java.lang.String, com.fasterxml.jackson.databind.JsonNode>");
        }

        @Override
        Object readValue(JsonNode node) throws GiveUp {
            if (!node.isObject()) {
                throw GiveUp.INSTANCE;
            }
            Object[] args = new Object[properties.length];
            boolean[] present = new boolean[properties.length];
            Map<String, JsonNode> unknown = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Integer i = byName.get(e.getKey());
                if (i != null) {
                    args[i] = properties[i].codec().read(e.getValue());
                    present[i] = true;
                } else if (anySetter >= 0) {
                    if (e.getKey().equals(properties[anySetter].name())) {
                        throw GiveUp.INSTANCE; // a field named like the bag itself: databind decides
                    }
                    if (unknown == null) {
                        unknown = new LinkedHashMap<>();
                    }
                    unknown.put(e.getKey(), e.getValue());
                }
            }
            if (anySetter >= 0) {
                args[anySetter] = unknown;
            }
            for (int i = 0; i < args.length; i++) {
                if (!present[i] && i != anySetter) {
                    if (primitive[i]) {
                        throw GiveUp.INSTANCE; // an absent primitive: databind's default value rules decide
                    }
                    args[i] = properties[i].codec().absent();
                }
            }
            try {
                return constructor.newInstance(args);
            } catch (InstantiationException | IllegalAccessException | InvocationTargetException | RuntimeException e) {
                throw GiveUp.INSTANCE; // the model refused it: databind words the error
            }
        }

        @Override
        void write(JsonGenerator g, Object value) throws IOException, GiveUp {
            g.writeStartObject();
            for (Property p : writeOrder) {
                Object v = get(p, value);
                if (p.inclusion().leavesOut(v, p.codec())) {
                    continue;
                }
                g.writeFieldName(p.name());
                if (v == null) {
                    g.writeNull();
                } else {
                    p.codec().write(g, v);
                }
            }
            if (anySetter >= 0) {
                Object bag = get(properties[anySetter], value);
                if (bag != null) {
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) bag).entrySet()) {
                        g.writeFieldName((String) e.getKey());
                        writeTree(g, e.getValue() == null ? NullNode.getInstance() : (JsonNode) e.getValue());
                    }
                }
            }
            g.writeEndObject();
        }

        private static Object get(Property p, Object record) throws GiveUp {
            try {
                return p.accessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw GiveUp.INSTANCE;
            }
        }
    }

    private static boolean hasJackson(java.lang.reflect.AnnotatedElement e) {
        for (Annotation a : e.getAnnotations()) {
            if (isJackson(a)) {
                return true;
            }
        }
        if (e instanceof java.lang.reflect.Executable x) {
            for (Annotation[] ps : x.getParameterAnnotations()) {
                for (Annotation a : ps) {
                    if (isJackson(a)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Jackson's own annotations and bundles of them (such as {@link Uint64}). */
    private static boolean isJackson(Annotation a) {
        Class<? extends Annotation> t = a.annotationType();
        return t.isAnnotationPresent(JacksonAnnotation.class)
                || t.isAnnotationPresent(com.fasterxml.jackson.annotation.JacksonAnnotationsInside.class)
                || t.getName().startsWith("com.fasterxml.jackson.");
    }
}
