package dev.ocikit.image;

import dev.ocikit.image.CopyOptions.PlatformChoice;
import dev.ocikit.image.CopyPlan.BlobStep;
import dev.ocikit.image.CopyPlan.ImageStep;
import dev.ocikit.image.CopyPlan.IndexStep;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.UnsupportedManifestException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Works out a {@link CopyPlan} from the source's manifests, the options and what the destination
 * can store. Pure: no I/O, no clock, the same inputs always give the same plan or the same
 * exception. Every refusal (no image for the platform, a format the destination cannot store,
 * a digest that preserveDigests forbids changing) happens here, before anything is written.
 */
final class CopyPlanner {
    private CopyPlanner() {}

    /**
     * What the destination says about itself.
     *
     * @param name the destination, for messages ({@code docker-archive:/tmp/a.tar})
     * @param manifestMediaTypes the manifest and index types it stores, preferred first; empty for any
     * @param desiredCompression the layer compression it prefers, if any
     */
    record Destination(String name, List<String> manifestMediaTypes, List<String> storableMediaTypes,
            Optional<Compression> desiredCompression, boolean compressesUncompressed) {
        Destination {
            Objects.requireNonNull(name, "name");
            manifestMediaTypes = manifestMediaTypes.stream().map(MediaTypes::essence).toList();
            storableMediaTypes = storableMediaTypes.stream().map(MediaTypes::essence).toList();
            Objects.requireNonNull(desiredCompression, "desiredCompression");
        }

        /** A destination that stores as they are only the types it prefers, and layers as they come. */
        Destination(String name, List<String> manifestMediaTypes, Optional<Compression> desiredCompression) {
            this(name, manifestMediaTypes, manifestMediaTypes, desiredCompression, false);
        }

        boolean stores(String mediaType) {
            return manifestMediaTypes.isEmpty() || manifestMediaTypes.contains(MediaTypes.essence(mediaType));
        }

        /** Whether a document of this type, which must not change, can be stored as it is. */
        boolean storesUnchanged(String mediaType) {
            return stores(mediaType) || storableMediaTypes.contains(MediaTypes.essence(mediaType));
        }
    }

    /**
     * The index entries to fetch and copy, in the index's order, as {@code choice} selects them.
     *
     * @throws NoMatchingPlatformException if a platform asked for has no image
     * @throws UnsupportedManifestException if a selected entry is not an image manifest (nested
     *     indexes are not copied yet)
     */
    static List<Descriptor> select(ImageIndex index, PlatformChoice choice) {
        List<Descriptor> chosen;
        if (choice instanceof PlatformChoice.All) {
            chosen = index.manifests();
        } else if (choice instanceof PlatformChoice.Single single) {
            chosen = List.of(best(index, single.platform()));
        } else {
            Set<Descriptor> picked = new LinkedHashSet<>();
            for (Platform p : ((PlatformChoice.Some) choice).platforms()) {
                picked.add(best(index, p));
            }
            // The index's order, not the order the platforms were asked in.
            chosen = index.manifests().stream().filter(picked::contains).toList();
        }
        for (Descriptor d : chosen) {
            if (!MediaTypes.isManifest(d.mediaType())) {
                throw new UnsupportedManifestException(d.mediaType(), "index entry " + d.digest() + " is of type "
                        + d.mediaType() + (MediaTypes.isIndex(d.mediaType())
                                ? ", an index inside the index, which ocikit does not copy yet"
                                : ", which is not an image manifest"));
            }
        }
        return chosen;
    }

    private static Descriptor best(ImageIndex index, Platform platform) {
        Optional<Descriptor> match = index.manifestFor(platform);
        if (match.isPresent()) {
            return match.get();
        }
        List<Descriptor> images = index.manifests().stream().filter(d -> MediaTypes.isManifest(d.mediaType())).toList();
        if (images.size() == 1 && images.get(0).platform().isEmpty()) {
            // An index of one image that does not say its platform, as some layouts have.
            return images.get(0);
        }
        throw new NoMatchingPlatformException(platform,
                index.manifests().stream().flatMap(d -> d.platform().stream()).toList());
    }

    /**
     * The plan.
     *
     * @param name the source, for messages
     * @param top the source's top-level manifest or index
     * @param instances the manifests of the index entries {@link #select} chose, by their digest;
     *     unused when {@code top} is an image manifest
     */
    static CopyPlan plan(String name, Parsed<Manifest> top, Map<Digest, Parsed<ImageManifest>> instances,
            CopyOptions options, Destination destination) {
        Optional<Compression> compression = options.compression()
                .or(() -> options.preserveDigests() ? Optional.empty() : destination.desiredCompression());
        // As containers/image compresses for a registry or an OCI layout: only what arrives uncompressed
        Optional<Compression> forUncompressed = compression.isEmpty() && !options.preserveDigests()
                && destination.compressesUncompressed() ? Optional.of(Compression.GZIP) : Optional.empty();
        List<String> preserveViolations = new ArrayList<>();
        CopyPlan plan;
        if (top.model() instanceof ImageManifest) {
            Parsed<ImageManifest> image = top.as(ImageManifest.class).orElseThrow();
            ManifestFormat format = imageFormat(image.model(), options, destination, compression);
            plan = new CopyPlan(Optional.empty(),
                    List.of(image(Optional.empty(), image, Optional.of(format), compression, forUncompressed)));
        } else {
            Parsed<ImageIndex> index = top.as(ImageIndex.class).orElseThrow();
            List<Descriptor> entries = select(index.model(), options.platforms());
            if (options.platforms() instanceof PlatformChoice.Single) {
                Descriptor entry = entries.get(0);
                Parsed<ImageManifest> image = instance(instances, entry);
                ManifestFormat format = imageFormat(image.model(), options, destination, compression);
                plan = new CopyPlan(Optional.empty(),
                        List.of(image(Optional.of(entry), image, Optional.of(format), compression, forUncompressed)));
            } else {
                List<Parsed<ImageManifest>> images = entries.stream().map(e -> instance(instances, e)).toList();
                Optional<ManifestFormat> format = indexFormat(index.model(), images, options, destination, compression);
                List<ImageStep> steps = new ArrayList<>();
                for (int i = 0; i < entries.size(); i++) {
                    steps.add(image(Optional.of(entries.get(i)), images.get(i), format, compression, forUncompressed));
                }
                plan = new CopyPlan(Optional.of(indexStep(index, entries, format, steps)), steps);
            }
        }
        if (options.preserveDigests()) {
            preserveViolations.addAll(plan.allChanges());
            if (!preserveViolations.isEmpty()) {
                throw new DigestsNotPreservedException(name, preserveViolations);
            }
        }
        return plan;
    }

    private static Parsed<ImageManifest> instance(Map<Digest, Parsed<ImageManifest>> instances, Descriptor entry) {
        Parsed<ImageManifest> image = instances.get(entry.digest());
        if (image == null) {
            throw new IllegalArgumentException("the manifest of index entry " + entry.digest() + " was not fetched");
        }
        return image;
    }

    /** The format to write one image in. */
    private static ManifestFormat imageFormat(ImageManifest manifest, CopyOptions options, Destination destination,
            Optional<Compression> compression) {
        ManifestFormat source = formatOf(manifest);
        if (options.manifestFormat().isPresent()) {
            ManifestFormat wanted = options.manifestFormat().get();
            if (!destination.stores(wanted.manifestMediaType())) {
                throw new UnsupportedManifestException(wanted.manifestMediaType(), destination.name()
                        + " does not store " + wanted + " manifests; it stores " + destination.manifestMediaTypes());
            }
            return wanted;
        }
        if (destination.stores(manifest.mediaTypeOrDefault())
                || (options.preserveDigests() && destination.storesUnchanged(manifest.mediaTypeOrDefault()))) {
            if (zstdIntoDocker(source, List.of(manifest), compression) && destination.stores(MediaTypes.OCI_MANIFEST)) {
                return ManifestFormat.OCI; // as containers/image falls back to OCI for zstd layers
            }
            return source;
        }
        for (String type : destination.manifestMediaTypes()) {
            for (ManifestFormat f : ManifestFormat.values()) {
                if (f.manifestMediaType().equals(type)) {
                    return f;
                }
            }
        }
        throw new UnsupportedManifestException(manifest.mediaTypeOrDefault(), destination.name() + " stores only "
                + destination.manifestMediaTypes() + ", none of which ocikit can convert a "
                + manifest.mediaTypeOrDefault() + " manifest to");
    }

    /** The format to write an index and its images in; empty to keep each document's own. */
    private static Optional<ManifestFormat> indexFormat(ImageIndex index, List<Parsed<ImageManifest>> images,
            CopyOptions options, Destination destination, Optional<Compression> compression) {
        if (options.manifestFormat().isPresent()) {
            ManifestFormat wanted = options.manifestFormat().get();
            if (!destination.stores(wanted.indexMediaType()) || !destination.stores(wanted.manifestMediaType())) {
                throw new UnsupportedManifestException(wanted.indexMediaType(), destination.name()
                        + " does not store " + wanted + " indexes and manifests; it stores "
                        + destination.manifestMediaTypes() + cannotStoreIndexHint(destination));
            }
            return Optional.of(wanted);
        }
        boolean storesAsIs = destination.stores(index.mediaTypeOrDefault())
                && images.stream().allMatch(i -> destination.stores(i.model().mediaTypeOrDefault()));
        boolean storesUnchanged = options.preserveDigests() && destination.storesUnchanged(index.mediaTypeOrDefault())
                && images.stream().allMatch(i -> destination.storesUnchanged(i.model().mediaTypeOrDefault()));
        List<ImageManifest> models = images.stream().map(Parsed::model).toList();
        if ((storesAsIs || storesUnchanged) && MediaTypes.DOCKER_MANIFEST_LIST.equals(index.mediaTypeOrDefault())
                && zstdIntoDocker(ManifestFormat.DOCKER_V2S2, models, compression)
                && destination.stores(MediaTypes.OCI_INDEX) && destination.stores(MediaTypes.OCI_MANIFEST)) {
            return Optional.of(ManifestFormat.OCI);
        }
        if (storesAsIs || storesUnchanged) {
            return Optional.empty();
        }
        for (String type : destination.manifestMediaTypes()) {
            for (ManifestFormat f : ManifestFormat.values()) {
                boolean named = f.indexMediaType().equals(type) || f.manifestMediaType().equals(type);
                if (named && destination.stores(f.indexMediaType()) && destination.stores(f.manifestMediaType())) {
                    return Optional.of(f);
                }
            }
        }
        throw new UnsupportedManifestException(index.mediaTypeOrDefault(), destination.name()
                + " cannot store this image index: it stores " + destination.manifestMediaTypes()
                + cannotStoreIndexHint(destination));
    }

    private static String cannotStoreIndexHint(Destination destination) {
        boolean anyIndex = destination.manifestMediaTypes().stream().anyMatch(MediaTypes::isIndex);
        return anyIndex ? "" : "; copy a single platform instead of several";
    }

    private static IndexStep indexStep(Parsed<ImageIndex> index, List<Descriptor> entries,
            Optional<ManifestFormat> format, List<ImageStep> images) {
        ImageIndex model = index.model();
        String sourceType = model.mediaTypeOrDefault();
        String targetType = format.map(ManifestFormat::indexMediaType).orElse(sourceType);
        List<String> changes = new ArrayList<>();
        if (entries.size() < model.manifests().size()) {
            changes.add("write an index with " + entries.size() + " of the source index's "
                    + model.manifests().size() + " entries");
        }
        if (!MediaTypes.essence(targetType).equals(MediaTypes.essence(sourceType))) {
            changes.add("convert the index from " + sourceType + " to " + targetType);
            if (format.get() == ManifestFormat.DOCKER_V2S2
                    && (model.subject().isPresent() || model.artifactType().isPresent())) {
                throw new UnsupportedManifestException(sourceType, "the index has an artifactType or a subject,"
                        + " which a Docker manifest list cannot carry; keep it in the OCI format");
            }
        }
        if (images.stream().anyMatch(i -> !i.changes().isEmpty()) && changes.isEmpty()) {
            changes.add("rewrite the index to name the rewritten manifests");
        }
        return new IndexStep(index, entries, targetType, changes);
    }

    private static ImageStep image(Optional<Descriptor> entry, Parsed<ImageManifest> parsed,
            Optional<ManifestFormat> format, Optional<Compression> compression, Optional<Compression> forUncompressed) {
        ImageManifest manifest = parsed.model();
        ManifestFormat source = formatOf(manifest);
        ManifestFormat target = format.orElse(source);
        boolean converting = target != source;
        String what = "manifest " + entry.map(Descriptor::digest).orElse(parsed.digest());
        List<String> changes = new ArrayList<>();
        if (converting) {
            changes.add("convert " + what + " from " + manifest.mediaTypeOrDefault() + " to "
                    + target.manifestMediaType());
            if (target == ManifestFormat.DOCKER_V2S2
                    && (manifest.artifactType().isPresent() || manifest.subject().isPresent())) {
                throw new UnsupportedManifestException(manifest.mediaTypeOrDefault(), what + " has an artifactType"
                        + " or a subject, which a Docker v2 schema 2 manifest cannot carry; keep it in the OCI format");
            }
        }
        Descriptor config = manifest.config();
        String configType = config.mediaType();
        boolean toOciConfig = false;
        if (converting) {
            if (!MediaTypes.isConfig(configType)) {
                throw new UnsupportedManifestException(manifest.mediaTypeOrDefault(), what + " has a config of type "
                        + configType + ", which has no " + target + " equivalent; keep the manifest's format");
            }
            // As containers/image converts: the Docker config rewritten in the OCI form (Docker's own
            // fields dropped); an OCI config is one Docker reads as it is.
            toOciConfig = target == ManifestFormat.OCI && MediaTypes.DOCKER_CONFIG.equals(MediaTypes.essence(configType));
            if (toOciConfig) {
                changes.add("convert the config " + config.digest() + " to the OCI format");
            }
            configType = target.configMediaType();
        }
        BlobStep configStep = new BlobStep(config, configType, Optional.empty(), toOciConfig);

        List<BlobStep> layers = new ArrayList<>();
        for (Descriptor layer : manifest.layers()) {
            Optional<Compression> has = MediaTypes.layerCompression(layer.mediaType());
            boolean movable = has.isPresent() && !MediaTypes.isNondistributable(layer.mediaType());
            Optional<Compression> recompress = movable && compression.isPresent() && compression.get() != has.get()
                    ? compression : Optional.empty();
            if (recompress.isEmpty() && movable && has.get() == Compression.NONE) {
                recompress = forUncompressed;
            }
            String type;
            if (recompress.isPresent()) {
                type = target.layerMediaType(recompress.get());
                changes.add("recompress layer " + layer.digest() + " from " + name(has.get()) + " to "
                        + name(recompress.get()));
            } else if (converting) {
                type = convertLayerType(layer, target, what);
            } else {
                type = layer.mediaType();
            }
            if (target == ManifestFormat.DOCKER_V2S2 && (converting || recompress.isPresent())
                    && MediaTypes.layerCompression(type).equals(Optional.of(Compression.ZSTD))) {
                // As containers/image refuses it: Docker's own tools read no zstd layer type in a v2s2 manifest.
                throw new UnsupportedManifestException(type, what + ": zstd compression is not supported for Docker"
                        + " v2 schema 2 images (layer " + layer.digest() + "); keep the OCI format, or compress"
                        + " with gzip");
            }
            layers.add(new BlobStep(layer, type, recompress));
        }
        String targetType = converting ? target.manifestMediaType() : manifest.mediaTypeOrDefault();
        return new ImageStep(entry, parsed, targetType, configStep, layers, changes);
    }

    /** Whether Docker v2s2 manifests would have to describe layers recompressed with zstd, which they cannot. */
    private static boolean zstdIntoDocker(ManifestFormat format, List<ImageManifest> images,
            Optional<Compression> compression) {
        return format == ManifestFormat.DOCKER_V2S2 && compression.equals(Optional.of(Compression.ZSTD))
                && images.stream().anyMatch(m -> formatOf(m) == ManifestFormat.DOCKER_V2S2
                        && m.layers().stream().anyMatch(l -> MediaTypes.layerCompression(l.mediaType()).isPresent()
                                && !MediaTypes.isNondistributable(l.mediaType())));
    }

    /** The layer's media type in the other format, same compression and distributability. */
    static String convertLayerType(Descriptor layer, ManifestFormat target, String what) {
        String type = layer.mediaType();
        Optional<Compression> compression = MediaTypes.layerCompression(type);
        if (compression.isEmpty()) {
            throw new UnsupportedManifestException(type, what + " has a layer of type " + type
                    + ", which has no " + target + " equivalent; keep the manifest's format");
        }
        if (!MediaTypes.isNondistributable(type)) {
            return target.layerMediaType(compression.get());
        }
        switch (compression.get()) {
            case NONE:
                return target == ManifestFormat.OCI ? MediaTypes.OCI_NONDISTRIBUTABLE_LAYER_TAR
                        : MediaTypes.DOCKER_FOREIGN_LAYER_TAR;
            case GZIP:
                return target == ManifestFormat.OCI ? MediaTypes.OCI_NONDISTRIBUTABLE_LAYER_TAR_GZIP
                        : MediaTypes.DOCKER_FOREIGN_LAYER_TAR_GZIP;
            default:
                if (target == ManifestFormat.OCI) {
                    return MediaTypes.OCI_NONDISTRIBUTABLE_LAYER_TAR_ZSTD;
                }
                throw new UnsupportedManifestException(type, what + " has a non-distributable zstd layer, which"
                        + " Docker v2 schema 2 cannot describe; keep the manifest's format");
        }
    }

    private static ManifestFormat formatOf(ImageManifest manifest) {
        return ManifestFormat.of(manifest.mediaTypeOrDefault()).orElse(ManifestFormat.OCI);
    }

    static String name(Compression c) {
        return c == Compression.NONE ? "uncompressed" : c.name().toLowerCase(Locale.ROOT);
    }
}
