package dev.ocikit.spec.internal;

/**
 * Text written as Go's encoding/json writes it, for documents whose bytes must be the ones Go
 * tools write (a simple-signing payload, a config converted as containers/image converts it).
 */
public final class GoJson {
    private GoJson() {}

    /**
     * {@code s} as a JSON string: {@code <>&} and the line and paragraph separators escaped (Go's
     * HTML-safe default), control characters as {@code \\u00xx}, a lone surrogate (not UTF-8) as
     * {@code \\ufffd}.
     */
    public static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        out.append("\\ufffd"); // Go writes invalid UTF-8 as this escape
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
