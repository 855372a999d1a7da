package dev.ocikit.image.containerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One {@code RUN --mount=...} specification, parsed from its comma-separated
 * {@code key=value} fields (BuildKit's syntax). Immutable.
 *
 * <p>Option names are normalised: {@code dst}/{@code destination} become {@code target},
 * {@code src} becomes {@code source}, {@code ro}/{@code readonly} and {@code rw}/{@code readwrite}
 * become {@code readonly=true|false}, a bare {@code required} becomes {@code required=true}.
 * Values are raw as parsed and final after {@link Containerfile#expand}; a value holding a
 * {@code $} is checked only once expanded.
 *
 * @param type {@code bind} (the default), {@code cache}, {@code tmpfs}, {@code secret} or {@code ssh}
 * @param options the other fields by normalised name, in the order written
 * @param spec the value of the flag as written
 */
public record RunMount(String type, Map<String, String> options, String spec) {
    /** The mount types BuildKit knows. */
    public static final Set<String> TYPES = Set.of("bind", "cache", "tmpfs", "secret", "ssh");

    private static final Set<String> KEYS = Set.of("target", "source", "from", "readonly", "id", "sharing",
            "mode", "uid", "gid", "size", "required", "env");

    public RunMount {
        Objects.requireNonNull(type, "type");
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        Objects.requireNonNull(spec, "spec");
    }

    /** The path in the container; required except for {@code secret} and {@code ssh}. */
    public Optional<String> target() {
        return option("target");
    }

    /** The path in the {@code from} image or build context ({@code bind}), or the cache's subpath. */
    public Optional<String> source() {
        return option("source");
    }

    /** A stage name or index, or an image, to mount from instead of the build context. */
    public Optional<String> from() {
        return option("from");
    }

    /** The cache or secret id. */
    public Optional<String> id() {
        return option("id");
    }

    /** Whether the command may only read the mount: given, or else true for {@code bind} only. */
    public boolean readOnly() {
        return option("readonly").map(Boolean::parseBoolean).orElse(type.equals("bind"));
    }

    /** Any option by its normalised name. */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /**
     * Parses a {@code --mount} value.
     *
     * @throws ContainerfileException (without a location) if a field is unknown or malformed
     */
    public static RunMount parse(String spec) {
        try {
            return parse(spec, UnaryOperator.identity());
        } catch (Problem p) {
            throw new ContainerfileException(null, 0, "RUN", p.getMessage());
        }
    }

    /** Parses {@code spec}, passing each value through {@code values} (expansion) first. */
    static RunMount parse(String spec, UnaryOperator<String> values) {
        List<String> fields = csv(spec);
        String type = "bind";
        for (String field : fields) {
            int eq = field.indexOf('=');
            if (eq > 0 && field.substring(0, eq).strip().equalsIgnoreCase("type")) {
                type = values.apply(field.substring(eq + 1)).toLowerCase(Locale.ROOT);
                if (!TYPES.contains(type) && !type.contains("$")) {
                    throw new Problem("--mount type '" + type + "' is not one of bind, cache, tmpfs, secret, ssh");
                }
            }
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String field : fields) {
            if (field.isEmpty()) {
                continue;
            }
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            if (eq < 0) {
                switch (key) {
                    case "readonly": case "ro":
                        options.put("readonly", "true");
                        continue;
                    case "readwrite": case "rw":
                        options.put("readonly", "false");
                        continue;
                    case "required":
                        options.put("required", "true");
                        continue;
                    default:
                        throw new Problem("--mount field '" + field + "' must be key=value");
                }
            }
            if (key.equals("type")) {
                continue;
            }
            String value = values.apply(field.substring(eq + 1));
            switch (key) {
                case "dst": case "destination":
                    key = "target";
                    break;
                case "src":
                    key = "source";
                    break;
                case "ro":
                    key = "readonly";
                    value = bool(key, value);
                    break;
                case "readonly": case "required":
                    value = bool(key, value);
                    break;
                case "rw": case "readwrite":
                    key = "readonly";
                    value = bool("rw", value);
                    if (!value.contains("$")) {
                        value = String.valueOf(!Boolean.parseBoolean(value));
                    }
                    break;
                case "sharing":
                    if (!Set.of("shared", "private", "locked").contains(value) && !value.contains("$")) {
                        throw new Problem("--mount sharing is shared, private or locked, not '" + value + "'");
                    }
                    break;
                default:
                    break;
            }
            if (!KEYS.contains(key)) {
                throw new Problem("--mount has an unknown field '" + key + "' in '" + spec + "'");
            }
            options.put(key, value);
        }
        if (!type.equals("secret") && !type.equals("ssh") && !options.containsKey("target")) {
            throw new Problem("--mount of type " + type + " needs a target: --mount=type=" + type + ",target=/path");
        }
        return new RunMount(type, options, spec);
    }

    private static String bool(String key, String value) {
        if (value.contains("$")) {
            return value; // checked once expanded
        }
        if (value.equalsIgnoreCase("true") || value.equals("1")) {
            return "true";
        }
        if (value.equalsIgnoreCase("false") || value.equals("0")) {
            return "false";
        }
        throw new Problem("--mount " + key + " is true or false, not '" + value + "'");
    }

    /** Splits on commas; a field may be double-quoted to hold commas ({@code "a,b"}). */
    private static List<String> csv(String spec) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < spec.length() && spec.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new Problem("--mount has an unterminated double quote in '" + spec + "'");
        }
        out.add(field.toString());
        return out;
    }
}
