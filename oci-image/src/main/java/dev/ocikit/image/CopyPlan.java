package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Parsed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a copy will do, worked out by {@link CopyPlanner} before any blob moves: which images,
 * in which manifest format, and which layers get recompressed. Immutable.
 *
 * @param index the index to write as the top-level document, when one is copied
 * @param images the images to write, in the index's order (one when no index is copied)
 */
record CopyPlan(Optional<IndexStep> index, List<ImageStep> images) {
    CopyPlan {
        Objects.requireNonNull(index, "index");
        images = List.copyOf(images);
    }

    /** Every blob to copy, each once: the layers of all images first, then their configs. */
    List<BlobStep> blobs() {
        Map<BlobKey, BlobStep> unique = new LinkedHashMap<>();
        for (ImageStep image : images) {
            for (BlobStep layer : image.layers()) {
                unique.putIfAbsent(layer.key(), layer);
            }
        }
        for (ImageStep image : images) {
            unique.putIfAbsent(image.config().key(), image.config());
        }
        return List.copyOf(unique.values());
    }

    /** Whether anything is written differently from the source. */
    boolean rewrites() {
        return index.map(i -> !i.changes().isEmpty()).orElse(false)
                || images.stream().anyMatch(i -> !i.changes().isEmpty());
    }

    /**
     * The index to write.
     *
     * @param source the source's index
     * @param entries the entries copied, in the source's order
     * @param targetMediaType the media type of the index written
     * @param changes what is written differently, one sentence each; empty when the source's
     *     bytes are written as they are
     */
    record IndexStep(Parsed<ImageIndex> source, List<Descriptor> entries, String targetMediaType, List<String> changes) {
        IndexStep {
            entries = List.copyOf(entries);
            changes = List.copyOf(changes);
        }
    }

    /**
     * One image to write.
     *
     * @param entry the index entry the image was found by, when it came from an index
     * @param source the source's manifest
     * @param targetMediaType the media type of the manifest written
     * @param config how the config is copied
     * @param layers how each layer is copied, in the manifest's order
     * @param changes what is written differently, one sentence each; empty when the source's
     *     bytes are written as they are
     */
    record ImageStep(Optional<Descriptor> entry, Parsed<ImageManifest> source, String targetMediaType,
            BlobStep config, List<BlobStep> layers, List<String> changes) {
        ImageStep {
            layers = List.copyOf(layers);
            changes = List.copyOf(changes);
        }

        /** The source manifest's digest. */
        Digest digest() {
            return entry.map(Descriptor::digest).orElse(source.digest());
        }
    }

    /**
     * One blob to copy.
     *
     * @param source the blob's descriptor in the source manifest
     * @param targetMediaType the media type its descriptor gets in the manifest written
     * @param recompress the compression to recompress a layer to; empty to copy the bytes as they are
     * @param toOciConfig whether the blob is a Docker config to write in the OCI form instead
     */
    record BlobStep(Descriptor source, String targetMediaType, Optional<Compression> recompress, boolean toOciConfig) {
        BlobStep {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(targetMediaType, "targetMediaType");
            Objects.requireNonNull(recompress, "recompress");
        }

        BlobStep(Descriptor source, String targetMediaType, Optional<Compression> recompress) {
            this(source, targetMediaType, recompress, false);
        }

        /** Whether the blob written is not the source's bytes. */
        boolean rewritten() {
            return recompress.isPresent() || toOciConfig;
        }

        BlobKey key() {
            return new BlobKey(source.digest(), recompress, toOciConfig);
        }
    }

    /** Identifies a blob copy: the same source blob recompressed the same way is copied once. */
    record BlobKey(Digest digest, Optional<Compression> recompress, boolean toOciConfig) {
        // Written out, as Digest's are: the generated ones bootstrap method handles in every copy's start.
        @Override
        public boolean equals(Object o) {
            return o instanceof BlobKey k && digest.equals(k.digest) && recompress.equals(k.recompress)
                    && toOciConfig == k.toOciConfig;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * digest.hashCode() + recompress.hashCode()) + Boolean.hashCode(toOciConfig);
        }
    }

    /** Descriptions of all changes, for messages and tests. */
    List<String> allChanges() {
        List<String> all = new ArrayList<>();
        index.ifPresent(i -> all.addAll(i.changes()));
        images.forEach(i -> all.addAll(i.changes()));
        return all;
    }
}
