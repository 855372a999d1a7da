package dev.ocikit.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.internal.GoJson;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Docker image config turned into an OCI one as containers/image turns it when it converts a
 * Docker v2s2 manifest to OCI: read into the OCI image-spec's Go struct, which drops the fields
 * only Docker has ({@code container_config}, {@code docker_version}, {@code Hostname}...), and
 * written back by Go's encoder: the struct's field order, empty fields left out where the spec's
 * struct leaves them out, map keys sorted, {@code <>&} escaped, times in RFC 3339 with nanoseconds.
 * So a copy that converts gives the config, and so the manifest, the digests skopeo gives.
 */
final class OciConfigConversion {
    private OciConfigConversion() {}

    /** The OCI form of {@code dockerConfig}. */
    static byte[] fromDocker(byte[] dockerConfig) {
        JsonNode root = Json.tree(dockerConfig, "image config");
        if (!root.isObject()) {
            throw new MalformedDocumentException("image config", "", "is not a JSON object");
        }
        StringBuilder out = new StringBuilder("{");
        Fields f = new Fields(out);
        time(f, root, "created", "/created");
        f.string("author", text(root, "author", "/author"), true);
        f.string("architecture", text(root, "architecture", "/architecture"), false);
        f.string("variant", text(root, "variant", "/variant"), true);
        f.string("os", text(root, "os", "/os"), false);
        f.string("os.version", text(root, "os.version", "/os.version"), true);
        f.strings("os.features", strings(root, "os.features", "/os.features"), true);
        f.name("config");
        config(out, field(root, "config"));
        f.name("rootfs");
        JsonNode rootfs = field(root, "rootfs");
        out.append('{');
        Fields r = new Fields(out);
        r.string("type", text(rootfs, "type", "/rootfs/type"), false);
        r.strings("diff_ids", strings(rootfs, "diff_ids", "/rootfs/diff_ids"), false);
        out.append('}');
        JsonNode history = field(root, "history");
        if (history != null && !history.isNull()) {
            if (!history.isArray()) {
                throw new MalformedDocumentException("image config", "/history", "is not an array");
            }
            if (history.size() > 0) {
                f.name("history");
                out.append('[');
                for (int i = 0; i < history.size(); i++) {
                    JsonNode h = history.get(i);
                    String at = "/history/" + i;
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append('{');
                    Fields hf = new Fields(out);
                    time(hf, h, "created", at + "/created");
                    hf.string("created_by", text(h, "created_by", at + "/created_by"), true);
                    hf.string("author", text(h, "author", at + "/author"), true);
                    hf.string("comment", text(h, "comment", at + "/comment"), true);
                    JsonNode empty = field(h, "empty_layer");
                    if (empty != null && !empty.isNull() && !empty.isBoolean()) {
                        throw new MalformedDocumentException("image config", at + "/empty_layer", "is not a boolean");
                    }
                    if (empty != null && empty.asBoolean()) {
                        hf.name("empty_layer");
                        out.append("true");
                    }
                    out.append('}');
                }
                out.append(']');
            }
        }
        out.append('}');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void config(StringBuilder out, JsonNode c) {
        out.append('{');
        if (c != null && !c.isNull()) {
            if (!c.isObject()) {
                throw new MalformedDocumentException("image config", "/config", "is not an object");
            }
            Fields f = new Fields(out);
            f.string("User", text(c, "User", "/config/User"), true);
            f.set("ExposedPorts", keys(c, "ExposedPorts", "/config/ExposedPorts"));
            f.strings("Env", strings(c, "Env", "/config/Env"), true);
            f.strings("Entrypoint", strings(c, "Entrypoint", "/config/Entrypoint"), true);
            f.strings("Cmd", strings(c, "Cmd", "/config/Cmd"), true);
            f.set("Volumes", keys(c, "Volumes", "/config/Volumes"));
            f.string("WorkingDir", text(c, "WorkingDir", "/config/WorkingDir"), true);
            Map<String, String> labels = labels(c);
            if (!labels.isEmpty()) {
                f.name("Labels");
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, String> e : labels.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    GoJson.quote(out, e.getKey());
                    out.append(':');
                    GoJson.quote(out, e.getValue());
                }
                out.append('}');
            }
            f.string("StopSignal", text(c, "StopSignal", "/config/StopSignal"), true);
            JsonNode escaped = field(c, "ArgsEscaped");
            if (escaped != null && escaped.isBoolean() && escaped.asBoolean()) {
                f.name("ArgsEscaped");
                out.append("true");
            }
        }
        out.append('}');
    }

    /** Writes the fields of one object, commas between them. */
    private static final class Fields {
        private final StringBuilder out;
        private boolean any;

        Fields(StringBuilder out) {
            this.out = out;
        }

        void name(String name) {
            if (any) {
                out.append(',');
            }
            any = true;
            GoJson.quote(out, name);
            out.append(':');
        }

        void string(String name, String value, boolean omitEmpty) {
            if (omitEmpty && value.isEmpty()) {
                return;
            }
            name(name);
            GoJson.quote(out, value);
        }

        /** A list; null (absent) is written as null unless omitted, as Go writes a nil slice. */
        void strings(String name, List<String> values, boolean omitEmpty) {
            if (omitEmpty && (values == null || values.isEmpty())) {
                return;
            }
            name(name);
            if (values == null) {
                out.append("null");
                return;
            }
            out.append('[');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                GoJson.quote(out, values.get(i));
            }
            out.append(']');
        }

        /** A set as Go's map[string]struct{}: sorted keys, each to {}. */
        void set(String name, List<String> keys) {
            if (keys.isEmpty()) {
                return;
            }
            name(name);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                GoJson.quote(out, keys.get(i));
                out.append(":{}");
            }
            out.append('}');
        }
    }

    /** A field by its name, or, as Go's decoder matches, by the name in another case. */
    private static JsonNode field(JsonNode object, String name) {
        if (object == null || !object.isObject()) {
            return null;
        }
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String candidate = it.next();
            if (candidate.equalsIgnoreCase(name)) {
                return object.get(candidate);
            }
        }
        return null;
    }

    private static String text(JsonNode object, String name, String pointer) {
        JsonNode n = field(object, name);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw new MalformedDocumentException("image config", pointer, "is not a string");
        }
        return n.asText();
    }

    private static List<String> strings(JsonNode object, String name, String pointer) {
        JsonNode n = field(object, name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new MalformedDocumentException("image config", pointer, "is not an array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isTextual() && !item.isNull()) {
                throw new MalformedDocumentException("image config", pointer, "holds something other than strings");
            }
            out.add(item.isNull() ? "" : item.asText());
        }
        return out;
    }

    private static List<String> keys(JsonNode object, String name, String pointer) {
        JsonNode n = field(object, name);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isObject()) {
            throw new MalformedDocumentException("image config", pointer, "is not an object");
        }
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        out.sort(null);
        return out;
    }

    private static Map<String, String> labels(JsonNode config) {
        JsonNode n = field(config, "Labels");
        Map<String, String> out = new TreeMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new MalformedDocumentException("image config", "/config/Labels", "is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual() && !e.getValue().isNull()) {
                throw new MalformedDocumentException("image config", "/config/Labels/" + e.getKey(), "is not a string");
            }
            out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
        }
        return out;
    }

    /** A time as Go's time.Time reads and writes it: RFC 3339 in, RFC 3339 with trimmed nanoseconds out. */
    private static void time(Fields f, JsonNode object, String name, String pointer) {
        JsonNode n = field(object, name);
        if (n == null || n.isNull()) {
            return;
        }
        OffsetDateTime t;
        try {
            t = OffsetDateTime.parse(n.asText());
        } catch (DateTimeParseException e) {
            throw new MalformedDocumentException("image config", pointer, "is not an RFC 3339 time: " + n.asText());
        }
        StringBuilder s = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
        if (t.getNano() != 0) {
            s.append('.').append(String.format("%09d", t.getNano()).replaceAll("0+$", ""));
        }
        int offset = t.getOffset().getTotalSeconds();
        if (offset == 0) {
            s.append('Z');
        } else {
            int minutes = Math.abs(offset) / 60;
            s.append(offset < 0 ? '-' : '+').append(String.format("%02d:%02d", minutes / 60, minutes % 60));
        }
        f.string(name, s.toString(), false);
    }
}
