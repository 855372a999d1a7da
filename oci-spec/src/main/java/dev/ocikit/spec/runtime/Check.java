package dev.ocikit.spec.runtime;

import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import dev.ocikit.spec.internal.Unsigned;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Normalisations and range checks the runtime-spec records share. */
final class Check {
    private Check() {}

    static <T> Optional<T> opt(Optional<T> value) {
        return value == null ? Optional.empty() : value;
    }

    /** A present list of a Features document: {@code []} stays distinct from absent. */
    static <T> Optional<List<T>> optList(Optional<List<T>> value, String field) {
        return value == null ? Optional.empty() : value.map(l -> Fields.list(l, field));
    }

    static Long uint32(Long value, String field) {
        return Unsigned.check(value, Unsigned.UINT32_MAX, field);
    }

    static Optional<Long> uint32(Optional<Long> value, String field) {
        Optional<Long> v = opt(value);
        v.ifPresent(x -> Unsigned.check(x, Unsigned.UINT32_MAX, field));
        return v;
    }

    static Optional<Integer> uint16(Optional<Integer> value, String field) {
        Optional<Integer> v = opt(value);
        v.ifPresent(x -> Unsigned.check(x, Unsigned.UINT16_MAX, field));
        return v;
    }

    /** For Go {@code uint} fields that are not otherwise bounded: only the sign is checked. */
    static Long nonNegative(Long value, String field) {
        return Unsigned.check(value, Long.MAX_VALUE, field);
    }

    static List<Long> uint32s(List<Long> values, String field) {
        List<Long> list = Fields.list(values, field);
        for (int i = 0; i < list.size(); i++) {
            Unsigned.check(list.get(i), Unsigned.UINT32_MAX, field + "/" + i);
        }
        return list;
    }

    /** Annotations: string to string, keys never empty (the spec forbids empty keys). */
    static Map<String, String> annotations(Map<String, String> value, String field) {
        Map<String, String> map = Fields.map(value, field);
        if (map.containsKey("")) {
            throw new InvalidFieldException(field, "keys must not be empty");
        }
        return map;
    }

    static Optional<Map<String, String>> annotations(Optional<Map<String, String>> value, String field) {
        return opt(value).map(m -> annotations(m, field));
    }
}
