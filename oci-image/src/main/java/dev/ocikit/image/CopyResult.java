package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Copy} wrote. Immutable.
 *
 * @param manifest the descriptor of the top-level document written: the index when an index was
 *     copied, else the image manifest
 * @param instances the index's entries as written (with their platforms), one per image; empty
 *     when a single image was copied
 * @param blobsCopied how many blobs were read from the source and written
 * @param blobsReused how many blobs the destination already had
 */
public record CopyResult(Descriptor manifest, List<Descriptor> instances, int blobsCopied, int blobsReused) {
    public CopyResult {
        Objects.requireNonNull(manifest, "manifest");
        instances = List.copyOf(instances);
    }

    /** The digest of the top-level document written, the one to pin the copy by. */
    public Digest manifestDigest() {
        return manifest.digest();
    }

    /** The digests of the images inside the index, in its order; empty for a single image. */
    public List<Digest> instanceDigests() {
        return instances.stream().map(Descriptor::digest).toList();
    }
}
