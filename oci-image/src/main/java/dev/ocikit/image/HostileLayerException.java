package dev.ocikit.image;

import dev.ocikit.spec.OciException;
import java.util.Optional;

/**
 * A layer that tried something unpacking must never do: a path outside the target, a link
 * through which a later write would escape, a whiteout of {@code ..}, a header that lies about
 * its size or that tar readers would read differently. The message names the layer, the entry
 * and what it tried. When it is thrown from {@link Unpacker#unpack} nothing was written: the
 * target does not exist (or is still the empty directory it was).
 */
public final class HostileLayerException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String layer;
    private final String entry;
    private final String tried;

    /**
     * @param entry the tar entry's name as the layer gave it
     * @param tried what the entry tried, as a sentence fragment ("has '..' in its name, ...")
     */
    public HostileLayerException(String entry, String tried) {
        this("", entry, tried);
    }

    private HostileLayerException(String layer, String entry, String tried) {
        super("refusing layer" + (layer.isEmpty() ? "" : " " + printable(layer)) + ": "
                + (entry.isEmpty() ? "" : "entry '" + printable(entry) + "' ") + tried);
        this.layer = layer;
        this.entry = entry;
        this.tried = tried;
    }

    /** A problem found before the entry it belongs to is known (in a PAX or GNU metadata header). */
    static HostileLayerException header(String where, String tried) {
        return new HostileLayerException("", "", "the tar header " + where + " " + tried);
    }

    /** The same problem, naming the layer it was found in. */
    HostileLayerException inLayer(String description) {
        if (!layer.isEmpty()) {
            return this;
        }
        HostileLayerException named = new HostileLayerException(description, entry, tried);
        named.setStackTrace(getStackTrace());
        return named;
    }

    /** The layer's description, when known. */
    public Optional<String> layer() {
        return layer.isEmpty() ? Optional.empty() : Optional.of(layer);
    }

    /** The tar entry's name as the layer gave it, when the problem belongs to one entry. */
    public Optional<String> entry() {
        return entry.isEmpty() ? Optional.empty() : Optional.of(entry);
    }

    static String printable(String s) {
        return dev.ocikit.spec.internal.Text.printable(s, 200);
    }
}
