package dev.ocikit.image.build;

import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import java.util.List;
import java.util.Objects;

/**
 * A multi-platform image that {@link ImageBuilder#commitIndex} wrote: an index and one image per
 * platform. Immutable.
 *
 * @param destination where it was written
 * @param index the index's descriptor
 * @param images the images, in the index's order, each with its platform in its descriptor
 */
public record BuiltIndex(TransportReference destination, Descriptor index, List<BuiltImage> images) {
    public BuiltIndex {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(index, "index");
        images = List.copyOf(images);
    }

    /** The index's digest. */
    public Digest digest() {
        return index.digest();
    }
}
