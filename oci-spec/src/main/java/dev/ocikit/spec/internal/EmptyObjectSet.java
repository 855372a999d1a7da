package dev.ocikit.spec.internal;

import dev.ocikit.spec.InvalidFieldException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * JSON for Go's {@code map[string]struct{}}: a set of strings written as an object whose values
 * are all {@code {}} (an image config's {@code ExposedPorts} and {@code Volumes}). Models expose a
 * {@code Set<String>}, which is what the map means.
 */
public final class EmptyObjectSet {
    private EmptyObjectSet() {}

    /** An immutable, order-preserving copy; null becomes empty; null elements are refused. */
    public static Set<String> copy(Set<String> value, String field) {
        if (value == null || value.isEmpty()) {
            return Set.of();
        }
        for (String s : value) {
            if (s == null) {
                throw new InvalidFieldException(field, "null is not allowed here");
            }
        }
        return Collections.unmodifiableSet(new LinkedHashSet<>(value));
    }

    /** Writes each element as a key with an empty object as its value. */
    public static final class Serializer extends StdSerializer<Set<String>> {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings({"unchecked", "rawtypes"})
        public Serializer() {
            super((Class<Set<String>>) (Class) Set.class);
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Set<String> value) {
            return value == null || value.isEmpty();
        }

        @Override
        public void serialize(Set<String> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            for (String key : value) {
                gen.writeFieldName(key);
                gen.writeStartObject();
                gen.writeEndObject();
            }
            gen.writeEndObject();
        }
    }

    /** Reads an object's keys; each value must be an object (its content, always empty in practice, is dropped). */
    public static final class Deserializer extends StdDeserializer<Set<String>> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(Set.class);
        }

        @Override
        public Set<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartObjectToken()) {
                throw new InvalidFieldException("", "expected an object whose values are {}, such as {\"80/tcp\": {}}");
            }
            Set<String> out = new LinkedHashSet<>();
            for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_OBJECT) {
                    p.skipChildren();
                } else if (t != JsonToken.VALUE_NULL) {
                    // The key goes into a JSON pointer: escape it as RFC 6901 says.
                    throw new InvalidFieldException(key.replace("~", "~0").replace("/", "~1"), "expected an empty object {}");
                }
                out.add(key);
            }
            return out;
        }
    }
}
