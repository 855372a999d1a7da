package dev.ocikit.image;

import dev.ocikit.spec.OciException;
import java.util.List;

/**
 * A copy asked to preserve digests ({@link CopyOptions#preserveDigests()}) that could only be
 * done by changing one: converting a manifest to another format, recompressing a layer, or
 * writing an index with fewer entries. Thrown while planning, before anything is written.
 */
public final class DigestsNotPreservedException extends OciException {
    private static final long serialVersionUID = 1L;
    private final List<String> changes;

    public DigestsNotPreservedException(String image, List<String> changes) {
        super("cannot copy " + image + " with its digests preserved: the copy would need to "
                + String.join("; ", changes)
                + ". Drop preserveDigests to allow it, or choose a destination or options that need no change");
        this.changes = List.copyOf(changes);
    }

    /** What the copy would have had to change, one sentence each. */
    public List<String> changes() {
        return changes;
    }
}
