package dev.ocikit.image.containerfile;

import java.util.Objects;
import java.util.Optional;

/**
 * One build argument declared by an ARG instruction: {@code NAME} or {@code NAME=default}. The
 * name is never expanded; the default is raw text as parsed and the final string after
 * {@link Containerfile#expand}. Immutable.
 *
 * @param name the argument's name
 * @param defaultValue the default, if one was written ({@code ARG A=} has the empty default)
 */
public record ArgDefinition(String name, Optional<String> defaultValue) {
    public ArgDefinition {
        Objects.requireNonNull(name, "name");
        defaultValue = defaultValue == null ? Optional.empty() : defaultValue;
    }
}
