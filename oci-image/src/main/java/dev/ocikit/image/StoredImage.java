package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import java.util.List;
import java.util.Objects;

/**
 * An image in the {@link ImageStore}: its ID, the manifest or index it is, and its names.
 * Immutable and thread-safe; a snapshot of the store when it was read.
 *
 * @param id the image ID: the digest of its config, as Podman's image IDs are; for an image
 *     index (a multi-platform image), the digest of the index
 * @param descriptor the manifest or index: media type, digest, size (without the ref name)
 * @param names the names the image has, fully qualified with a tag or digest; empty for an
 *     image whose names all moved to other images (Podman's {@code <none>})
 */
public record StoredImage(Digest id, Descriptor descriptor, List<ImageReference> names) {
    public StoredImage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(descriptor, "descriptor");
        names = List.copyOf(names);
    }

    /** The digest of the manifest or index: what a registry knows the image by. */
    public Digest digest() {
        return descriptor.digest();
    }

    /** The first 12 hex characters of the ID, as Podman shows it. */
    public String shortId() {
        return id.shortId();
    }

    /** Whether the image is an index of per-platform images rather than one image manifest. */
    public boolean isIndex() {
        return MediaTypes.isIndex(descriptor.mediaType());
    }
}
