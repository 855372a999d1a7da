package dev.ocikit.image;

import dev.ocikit.image.CopyPlan.BlobStep;
import dev.ocikit.image.CopyPlan.ImageStep;
import dev.ocikit.image.CopyPlan.IndexStep;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the manifests and the index a plan calls for, once the blobs are copied. Pure. A
 * document the plan does not change is written as the source's exact bytes, so its digest is
 * kept; a changed one is written once from its model, and its new digest is that of these bytes.
 */
final class ManifestRewriter {
    private ManifestRewriter() {}

    /** Annotations that describe a compressed blob's internals, wrong once it is recompressed. */
    private static final List<String> COMPRESSION_ANNOTATION_PREFIXES = List.of(
            "io.github.containers.zstd-chunked.", "containerd.io/snapshot/stargz/");

    /**
     * The manifest of one image.
     *
     * @param recompressed the digest and size each recompressed layer got, by its blob key
     */
    static ManifestBlob image(ImageStep step, Map<CopyPlan.BlobKey, BlobInfo> recompressed) {
        if (step.changes().isEmpty()) {
            return ManifestBlob.of(step.source().bytes(), step.source().mediaType());
        }
        ImageManifest source = step.source().model();
        List<Descriptor> layers = new ArrayList<>();
        for (BlobStep layer : step.layers()) {
            layers.add(target(layer, recompressed));
        }
        ImageManifest.Builder b = source.toBuilder()
                .mediaType(step.targetMediaType())
                .config(target(step.config(), recompressed))
                .layers(layers);
        if (MediaTypes.isDocker(step.targetMediaType())) {
            // Docker v2 schema 2 manifests have no annotations.
            b.annotations(Map.of());
        }
        return ManifestBlob.of(b.build().toJson(), step.targetMediaType());
    }

    private static Descriptor target(BlobStep blob, Map<CopyPlan.BlobKey, BlobInfo> recompressed) {
        Descriptor d = blob.source();
        if (!blob.rewritten()) {
            return d.mediaType().equals(blob.targetMediaType()) ? d : d.withMediaType(blob.targetMediaType());
        }
        BlobInfo written = recompressed.get(blob.key());
        if (written == null) {
            throw new IllegalStateException("blob " + d.digest() + " was not rewritten");
        }
        Map<String, String> annotations = new LinkedHashMap<>(d.annotations());
        annotations.keySet().removeIf(k -> COMPRESSION_ANNOTATION_PREFIXES.stream().anyMatch(k::startsWith));
        return new Descriptor(blob.targetMediaType(), written.digest(), written.size(), d.urls(), annotations,
                Optional.empty(), d.artifactType(), d.platform(), d.unknownFields());
    }

    /**
     * The index.
     *
     * @param written the manifest written for each image, by the source manifest's digest
     */
    static ManifestBlob index(IndexStep step, Map<Digest, ManifestBlob> written) {
        List<Descriptor> entries = new ArrayList<>();
        boolean entriesChanged = false;
        for (Descriptor e : step.entries()) {
            ManifestBlob m = written.get(e.digest());
            if (m == null) {
                throw new IllegalStateException("index entry " + e.digest() + " was not written");
            }
            if (m.digest().equals(e.digest()) && m.mediaType().equals(e.mediaType())) {
                entries.add(e);
            } else {
                entriesChanged = true;
                entries.add(new Descriptor(m.mediaType(), m.digest(), m.size(), e.urls(), e.annotations(),
                        Optional.empty(), e.artifactType(), e.platform(), e.unknownFields()));
            }
        }
        if (step.changes().isEmpty() && !entriesChanged) {
            return ManifestBlob.of(step.source().bytes(), step.source().mediaType());
        }
        ImageIndex.Builder b = step.source().model().toBuilder()
                .mediaType(step.targetMediaType())
                .manifests(entries);
        if (MediaTypes.isDocker(step.targetMediaType())) {
            // Docker manifest lists have no annotations.
            b.annotations(Map.of());
        }
        return ManifestBlob.of(b.build().toJson(), step.targetMediaType());
    }
}
