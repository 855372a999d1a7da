package dev.ocikit.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The part of Go's text/template that {@code skopeo inspect --format} scripts use, over the JSON
 * that {@code inspect} prints: fields ({@code {{.Digest}}}, {@code {{.Labels.version}}}),
 * {@code index}, {@code len}, {@code range} and {@code if} with {@code else}, string literals and
 * the {@code {{-}} / {@code -}}} trim markers. Values print as Go's {@code fmt} prints them:
 * lists as {@code [a b]}, maps as {@code map[k:v]}, {@code Created} as a Go time. Immutable.
 */
final class GoTemplate {
    /** A template that cannot be parsed or run, with Go's wording where it has one. */
    static final class TemplateException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TemplateException(String message) {
            super("template: " + message);
        }
    }

    private sealed interface Node permits Text, Print, Block {}

    private record Text(String text) implements Node {}

    private record Print(List<String> command) implements Node {}

    /** {@code range} or {@code if}: a body, and what {@code else} holds. */
    private record Block(String keyword, List<String> command, List<Node> body, List<Node> otherwise) implements Node {}

    /** Objects reached through these fields are maps (a missing key is no value); others are structs. */
    private static final Set<String> MAPS = Set.of("Labels", "Annotations");

    private final List<Node> nodes;
    private final Set<String> structFields;

    private GoTemplate(List<Node> nodes, Set<String> structFields) {
        this.nodes = nodes;
        this.structFields = structFields;
    }

    /**
     * Parses {@code template}; {@code structFields} are the top-level fields of the struct the
     * template runs on, printed as empty when the JSON leaves them out, as Go prints a zero value.
     */
    @SuppressWarnings("unchecked") // an action's words, as tokens() made them
    static GoTemplate parse(String template, Set<String> structFields) {
        List<Object> tokens = tokens(template);
        int[] at = {0};
        List<Node> nodes = parseNodes(tokens, at, Set.of());
        if (at[0] < tokens.size()) {
            throw new TemplateException("unexpected {{" + String.join(" ", (List<String>) tokens.get(at[0])) + "}}");
        }
        return new GoTemplate(nodes, structFields);
    }

    /** The output for {@code data}, and a newline after it, as skopeo adds one (even after its own). */
    String render(JsonNode data) {
        StringBuilder out = new StringBuilder();
        run(nodes, data, data, true, out);
        return out.append('\n').toString();
    }

    // ---- parsing ----

    /** Text as strings, actions as their words; trim markers applied to the text around them. */
    private static List<Object> tokens(String template) {
        List<Object> out = new ArrayList<>();
        int i = 0;
        boolean trimNext = false;
        while (i < template.length()) {
            int open = template.indexOf("{{", i);
            String text = template.substring(i, open < 0 ? template.length() : open);
            if (trimNext) {
                text = text.stripLeading();
            }
            if (open < 0) {
                out.add(text);
                break;
            }
            int close = closing(template, open + 2);
            String action = template.substring(open + 2, close);
            if (action.startsWith("-") && (action.length() == 1 || Character.isWhitespace(action.charAt(1)))) {
                text = text.stripTrailing();
                action = action.substring(1);
            }
            trimNext = action.endsWith("-") && (action.length() == 1 || Character.isWhitespace(action.charAt(action.length() - 2)));
            if (trimNext) {
                action = action.substring(0, action.length() - 1);
            }
            if (!text.isEmpty()) {
                out.add(text);
            }
            out.add(words(action.strip()));
            i = close + 2;
        }
        return out;
    }

    /** Where the action opened before {@code from} closes, skipping string literals. */
    private static int closing(String template, int from) {
        boolean quoted = false;
        for (int i = from; i < template.length(); i++) {
            char c = template.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (template.startsWith("}}", i)) {
                return i;
            }
        }
        throw new TemplateException(quoted ? "unterminated quoted string" : "unclosed action");
    }

    /** An action's words: fields, names, and string literals (kept with their quotes). */
    private static List<String> words(String action) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < action.length()) {
            char c = action.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int end = i + 1;
                while (action.charAt(end) != '"') {
                    end += action.charAt(end) == '\\' ? 2 : 1;
                }
                out.add(action.substring(i, end + 1));
                i = end + 1;
            } else {
                int end = i;
                while (end < action.length() && !Character.isWhitespace(action.charAt(end))) {
                    end++;
                }
                String word = action.substring(i, end);
                if (word.startsWith("$") || word.contains(":=") || word.equals("|") || word.startsWith("(")) {
                    throw new TemplateException("\"" + word + "\": variables, pipelines and parentheses are not supported");
                }
                out.add(word);
                i = end;
            }
        }
        if (out.isEmpty()) {
            throw new TemplateException("missing value for command");
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Node> parseNodes(List<Object> tokens, int[] at, Set<String> stops) {
        List<Node> out = new ArrayList<>();
        while (at[0] < tokens.size()) {
            Object t = tokens.get(at[0]);
            if (t instanceof String text) {
                out.add(new Text(text));
                at[0]++;
                continue;
            }
            List<String> words = (List<String>) t;
            String first = words.get(0);
            if (stops.contains(first)) {
                return out;
            }
            at[0]++;
            if (first.equals("range") || first.equals("if")) {
                if (words.size() < 2) {
                    throw new TemplateException("missing value for " + first);
                }
                List<Node> body = parseNodes(tokens, at, Set.of("else", "end"));
                List<Node> otherwise = List.of();
                if (at[0] < tokens.size() && ((List<String>) tokens.get(at[0])).get(0).equals("else")) {
                    at[0]++;
                    otherwise = parseNodes(tokens, at, Set.of("end"));
                }
                if (at[0] >= tokens.size()) {
                    throw new TemplateException("unexpected EOF: {{" + first + "}} has no {{end}}");
                }
                at[0]++; // end
                out.add(new Block(first, words.subList(1, words.size()), body, otherwise));
            } else if (first.equals("end") || first.equals("else")) {
                throw new TemplateException("unexpected {{" + first + "}}");
            } else if (Set.of("with", "define", "template", "block").contains(first)) {
                throw new TemplateException("{{" + first + "}} is not supported");
            } else {
                out.add(new Print(words));
            }
        }
        return out;
    }

    // ---- running ----

    private void run(List<Node> body, JsonNode dot, JsonNode root, boolean atRoot, StringBuilder out) {
        for (Node n : body) {
            if (n instanceof Text t) {
                out.append(t.text());
            } else if (n instanceof Print p) {
                Value v = evaluate(p.command(), dot, atRoot);
                out.append(v.printed());
            } else if (n instanceof Block b && b.keyword().equals("if")) {
                run(truthy(evaluate(b.command(), dot, atRoot).node()) ? b.body() : b.otherwise(), dot, root, atRoot, out);
            } else if (n instanceof Block b) {
                JsonNode over = evaluate(b.command(), dot, atRoot).node();
                List<JsonNode> items = new ArrayList<>();
                if (over != null && over.isArray()) {
                    over.forEach(items::add);
                } else if (over != null && over.isObject()) {
                    new TreeMap<>(fields(over)).values().forEach(items::add);
                } else if (over != null && !over.isNull()) {
                    throw new TemplateException("range can't iterate over " + Value.of(over, "").printed());
                }
                if (items.isEmpty()) {
                    run(b.otherwise(), dot, root, atRoot, out);
                }
                for (JsonNode item : items) {
                    run(b.body(), item, root, false, out);
                }
            }
        }
    }

    /** A value, and the field it came from (a time prints differently). */
    private record Value(JsonNode node, String field) {
        static Value of(JsonNode node, String field) {
            return new Value(node, field);
        }

        String printed() {
            return print(node, field);
        }
    }

    private Value evaluate(List<String> command, JsonNode dot, boolean atRoot) {
        String first = command.get(0);
        switch (first) {
            case "index" -> {
                if (command.size() < 3) {
                    throw new TemplateException("wrong number of args for index: want at least 2 got " + (command.size() - 1));
                }
                Value v = term(command.get(1), dot, atRoot);
                for (String key : command.subList(2, command.size())) {
                    JsonNode k = term(key, dot, atRoot).node();
                    JsonNode n = v.node();
                    if (n != null && n.isArray() && k != null && k.isIntegralNumber()) {
                        if (k.asInt() < 0 || k.asInt() >= n.size()) {
                            throw new TemplateException("error calling index: index out of range: " + k.asInt());
                        }
                        v = Value.of(n.get(k.asInt()), "");
                    } else if (n != null && n.isObject() && k != null && k.isTextual()) {
                        v = Value.of(n.get(k.asText()), "");
                    } else {
                        throw new TemplateException("error calling index: cannot index " + print(n, "") + " with " + key);
                    }
                }
                return v;
            }
            case "len" -> {
                if (command.size() != 2) {
                    throw new TemplateException("wrong number of args for len: want 1 got " + (command.size() - 1));
                }
                JsonNode n = term(command.get(1), dot, atRoot).node();
                int size = n == null || n.isNull() ? 0 : n.isTextual() ? n.asText().length() : n.size();
                return Value.of(com.fasterxml.jackson.databind.node.IntNode.valueOf(size), "");
            }
            default -> {
                if (command.size() != 1) {
                    throw new TemplateException(first.startsWith(".") || first.startsWith("\"")
                            ? "can't give argument to non-function " + first : "function \"" + first + "\" not defined");
                }
                return term(first, dot, atRoot);
            }
        }
    }

    private Value term(String word, JsonNode dot, boolean atRoot) {
        if (word.startsWith("\"")) {
            return Value.of(com.fasterxml.jackson.databind.node.TextNode.valueOf(unquote(word)), "");
        }
        if (word.matches("-?[0-9]+")) {
            return Value.of(com.fasterxml.jackson.databind.node.LongNode.valueOf(Long.parseLong(word)), "");
        }
        if (word.equals("true") || word.equals("false")) {
            return Value.of(com.fasterxml.jackson.databind.node.BooleanNode.valueOf(word.equals("true")), "");
        }
        if (!word.startsWith(".")) {
            throw new TemplateException("function \"" + word + "\" not defined");
        }
        if (word.equals(".")) {
            return Value.of(dot, "");
        }
        JsonNode n = dot;
        String field = "";
        boolean struct = true;
        boolean top = atRoot;
        for (String name : word.substring(1).split("\\.", -1)) {
            if (name.isEmpty()) {
                throw new TemplateException("bad field name in \"" + word + "\"");
            }
            if (n == null || n.isNull()) {
                throw new TemplateException("executing at <" + word + ">: nil pointer evaluating ." + name);
            }
            if (!n.isObject()) {
                throw new TemplateException("executing at <" + word + ">: can't evaluate field " + name + " in "
                        + print(n, field));
            }
            JsonNode next = n.get(name);
            if (next == null && struct && !(top && structFields.contains(name))) {
                throw new TemplateException("executing at <" + word + ">: can't evaluate field " + name);
            }
            struct = !MAPS.contains(name);
            top = false;
            field = name;
            n = next;
        }
        return Value.of(n, field);
    }

    private static String unquote(String literal) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = literal.charAt(++i);
            out.append(switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case '"', '\\' -> e;
                default -> throw new TemplateException("unknown escape sequence \\" + e);
            });
        }
        return out.toString();
    }

    private static boolean truthy(JsonNode n) {
        if (n == null || n.isNull()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isNumber()) {
            return n.asDouble() != 0;
        }
        if (n.isTextual()) {
            return !n.asText().isEmpty();
        }
        return n.size() > 0;
    }

    private static Map<String, JsonNode> fields(JsonNode object) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** As Go's fmt prints the value with %v. */
    static String print(JsonNode n, String field) {
        if (n == null) {
            return field.equals("Created") ? "<nil>" : "";
        }
        if (n.isNull()) {
            return "<nil>";
        }
        if (n.isTextual()) {
            return field.equals("Created") ? goTime(n.asText()) : n.asText();
        }
        if (n.isArray()) {
            List<String> items = new ArrayList<>();
            n.forEach(i -> items.add(print(i, "")));
            return "[" + String.join(" ", items) + "]";
        }
        if (n.isObject()) {
            List<String> items = new ArrayList<>();
            fields(n).forEach((k, v) -> items.add(k + ":" + print(v, "")));
            return "map[" + String.join(" ", items) + "]";
        }
        return n.asText();
    }

    /** An RFC 3339 time as Go's time.Time prints itself: {@code 2024-05-01 10:00:00.5 +0000 UTC}. */
    static String goTime(String rfc3339) {
        OffsetDateTime t;
        try {
            t = OffsetDateTime.parse(rfc3339);
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
        StringBuilder out = new StringBuilder(t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
        if (t.getNano() != 0) {
            out.append('.').append(String.format("%09d", t.getNano()).replaceAll("0+$", ""));
        }
        String offset = t.format(DateTimeFormatter.ofPattern("xx"));
        out.append(' ').append(offset).append(' ').append(t.getOffset().getTotalSeconds() == 0 ? "UTC" : offset);
        return out.toString();
    }
}
