package dev.ocikit.spec.internal;

import dev.ocikit.spec.InvalidFieldException;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks and normalisations that model constructors share. Absent collections become empty
 * immutable ones, so that accessors never return null; the JSON layer omits empty collections
 * again on output (absent, null and empty mean the same in the specs ocikit models).
 */
public final class Fields {
    private Fields() {}

    /** The value, or a {@link InvalidFieldException} saying that the required field is missing. */
    public static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidFieldException(field, "required field is missing");
        }
        return value;
    }

    /** An immutable copy; null becomes empty; a null element is refused. */
    public static <T> List<T> list(List<T> value, String field) {
        if (value == null || value.isEmpty()) {
            return List.of();
        }
        for (int i = 0; i < value.size(); i++) {
            if (value.get(i) == null) {
                throw new InvalidFieldException(field + "/" + i, "null is not allowed here");
            }
        }
        return List.copyOf(value);
    }

    /** An immutable, order-preserving copy; null becomes empty; null keys or values are refused. */
    public static <K, V> Map<K, V> map(Map<K, V> value, String field) {
        if (value == null || value.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<K, V> copy = new LinkedHashMap<>(value.size() * 2);
        for (Map.Entry<K, V> e : value.entrySet()) {
            if (e.getKey() == null) {
                throw new InvalidFieldException(field, "null key is not allowed");
            }
            if (e.getValue() == null) {
                throw new InvalidFieldException(field + "/" + e.getKey(), "null is not allowed here");
            }
            copy.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(copy);
    }

    /**
     * An unknown-field bag: an immutable, order-preserving map of deep copies, so that nobody
     * holding the trees that went in can change the model.
     */
    public static Map<String, JsonNode> bag(Map<String, JsonNode> value) {
        return value == null || value.isEmpty() ? Map.of() : copyBag(value);
    }

    /** A deep copy of a bag, for accessors: JSON trees are mutable, models are not. */
    public static Map<String, JsonNode> copyBag(Map<String, JsonNode> value) {
        if (value.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, JsonNode> copy = new LinkedHashMap<>(value.size() * 2);
        value.forEach((k, v) -> copy.put(k, v == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : v.deepCopy()));
        return Collections.unmodifiableMap(copy);
    }
}
