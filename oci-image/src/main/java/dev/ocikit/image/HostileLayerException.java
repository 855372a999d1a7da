package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/**
 * A layer that tried something unpacking must never do: a path outside the target, a link
 * through which a later write would escape, a whiteout of {@code ..}, a header that lies about
 * its size. The message names the entry and what it tried. Nothing was written when it is
 * thrown from {@link Unpacker#unpack}.
 */
public final class HostileLayerException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String entry;

    public HostileLayerException(String entry, String tried) {
        super("refusing layer: entry '" + printable(entry) + "' " + tried);
        this.entry = entry;
    }

    /** The tar entry's name as the layer gave it. */
    public String entry() {
        return entry;
    }

    static String printable(String s) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
