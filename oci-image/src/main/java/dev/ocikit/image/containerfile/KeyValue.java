package dev.ocikit.image.containerfile;

import java.util.Objects;

/**
 * One {@code key=value} of an ENV or LABEL instruction. As parsed, both are raw text (quotes and
 * escapes still in place, e.g. {@code "hello world"}); after {@link Containerfile#expand} they
 * are the final strings. Immutable.
 *
 * @param key the variable or label name
 * @param value the value
 */
public record KeyValue(String key, String value) {
    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
