package dev.ocikit.spec.internal;

/** Outside text made safe to quote in a one-line message. */
public final class Text {
    private Text() {}

    /** {@link #printable(String, int)} with room for a long digest or a reference. */
    public static String printable(String s) {
        return printable(s, 80);
    }

    /**
     * At most {@code max} characters (then an ellipsis), control characters replaced by
     * {@code ?}, so hostile input can neither flood a message nor break a log line.
     */
    public static String printable(String s, int max) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > max ? s.substring(0, max) + "…" : s;
        StringBuilder b = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }
}
