package dev.ocikit.image.containerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code --name=value} flags of one instruction, checked against what it accepts. */
final class Flags {
    enum Kind { BOOL, STRING, STRINGS }

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<String>> lists = new HashMap<>();

    private Flags() {}

    /** The flags each instruction accepts; absent means none. */
    static Map<String, Kind> accepted(String keyword) {
        Map<String, Kind> m = new LinkedHashMap<>();
        switch (keyword) {
            case "FROM":
                m.put("platform", Kind.STRING);
                break;
            case "RUN":
                m.put("mount", Kind.STRINGS);
                m.put("network", Kind.STRING);
                m.put("security", Kind.STRING);
                m.put("device", Kind.STRINGS);
                break;
            case "COPY":
                m.put("from", Kind.STRING);
                m.put("chown", Kind.STRING);
                m.put("chmod", Kind.STRING);
                m.put("link", Kind.BOOL);
                m.put("parents", Kind.BOOL);
                m.put("exclude", Kind.STRINGS);
                break;
            case "ADD":
                m.put("chown", Kind.STRING);
                m.put("chmod", Kind.STRING);
                m.put("link", Kind.BOOL);
                m.put("keep-git-dir", Kind.BOOL);
                m.put("checksum", Kind.STRING);
                m.put("unpack", Kind.BOOL);
                m.put("exclude", Kind.STRINGS);
                break;
            case "HEALTHCHECK":
                m.put("interval", Kind.STRING);
                m.put("timeout", Kind.STRING);
                m.put("start-period", Kind.STRING);
                m.put("start-interval", Kind.STRING);
                m.put("retries", Kind.STRING);
                break;
            default:
                break;
        }
        return m;
    }

    /**
     * Parses flag words (without their leading {@code --} removed yet).
     *
     * @throws Problem for an unknown flag, a repeated single flag, a missing value or a bad boolean
     */
    static Flags parse(String keyword, List<String> words) {
        Map<String, Kind> accepted = accepted(keyword);
        Flags flags = new Flags();
        for (String word : words) {
            String body = word.startsWith("--") ? word.substring(2) : word;
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            Kind kind = accepted.get(name);
            if (kind == null) {
                throw new Problem(unknown(keyword, name, accepted));
            }
            if (kind != Kind.STRINGS && (flags.values.containsKey(name))) {
                throw new Problem("flag --" + name + " is given more than once");
            }
            switch (kind) {
                case BOOL:
                    if (value == null || value.equalsIgnoreCase("true")) {
                        flags.values.put(name, "true");
                    } else if (value.equalsIgnoreCase("false")) {
                        flags.values.put(name, "false");
                    } else {
                        throw new Problem("flag --" + name + " is true or false, not '" + value + "'");
                    }
                    break;
                case STRING:
                    if (value == null) {
                        throw new Problem("flag --" + name + " needs a value: --" + name + "=VALUE");
                    }
                    flags.values.put(name, value);
                    break;
                default:
                    if (value == null) {
                        throw new Problem("flag --" + name + " needs a value: --" + name + "=VALUE");
                    }
                    flags.lists.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                    break;
            }
        }
        return flags;
    }

    private static String unknown(String keyword, String name, Map<String, Kind> accepted) {
        if (accepted.isEmpty()) {
            return "unknown flag --" + name + ": " + keyword + " takes no flags";
        }
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String candidate : accepted.keySet()) {
            int d = Suggest.distance(name, candidate);
            if (d < best) {
                best = d;
                closest = candidate;
            }
        }
        StringBuilder sb = new StringBuilder("unknown flag --").append(name);
        if (closest != null && best <= 2) {
            sb.append(" (did you mean --").append(closest).append("?)");
        }
        sb.append("; ").append(keyword).append(" accepts");
        for (String candidate : accepted.keySet()) {
            sb.append(" --").append(candidate);
        }
        return sb.toString();
    }

    Optional<String> string(String name) {
        return Optional.ofNullable(values.get(name));
    }

    boolean bool(String name) {
        return "true".equals(values.get(name));
    }

    /** Empty if the flag was not given, else its value. */
    Optional<Boolean> optionalBool(String name) {
        return Optional.ofNullable(values.get(name)).map(Boolean::valueOf);
    }

    List<String> strings(String name) {
        return List.copyOf(lists.getOrDefault(name, List.of()));
    }
}
