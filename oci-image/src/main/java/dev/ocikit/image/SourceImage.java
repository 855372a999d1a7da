package dev.ocikit.image;

import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One image read from an {@link ImageSource}: its manifest and config, verified, and its layers
 * as {@link LayerSource}s that verify each blob's digest and size as it streams and carry the
 * DiffID the config promises. An index is resolved to the image for the requested platform.
 * Immutable; the layers read from the source, which must stay open while they are used.
 */
public final class SourceImage {
    /** Manifests and configs are small; a larger one is refused rather than read into memory. */
    static final int MAX_CONFIG_SIZE = 8 << 20;

    private final Digest named;
    private final Parsed<ImageManifest> manifest;
    private final Parsed<ImageConfig> config;
    private final List<LayerSource> layers;

    private SourceImage(Digest named, Parsed<ImageManifest> manifest, Parsed<ImageConfig> config,
            List<LayerSource> layers) {
        this.named = named;
        this.manifest = manifest;
        this.config = config;
        this.layers = List.copyOf(layers);
    }

    /**
     * Reads the image the source names, choosing from an index the best match for
     * {@code platform} (containerd's rules: {@code linux/arm64} matches {@code linux/arm64/v8}, an
     * {@code arm/v7} host can run {@code arm/v6}).
     *
     * @throws OciException if no image in the index matches, or anything read is not what it
     *     claims to be
     */
    public static SourceImage read(ImageSource source, Platform platform) throws IOException {
        return read(source, platform, (instance, manifest) -> { });
    }

    /**
     * A look at the image manifest chosen, before anything it refers to is read: where a trust
     * policy decides, as containers/image decides before reading anything else of an image.
     */
    @FunctionalInterface
    public interface ManifestCheck {
        /**
         * @param instance the manifest's digest when it was chosen out of an index, else empty
         * @param manifest the image manifest, its exact bytes verified
         */
        void check(Optional<Digest> instance, Parsed<ImageManifest> manifest) throws IOException;
    }

    /**
     * {@link #read(ImageSource, Platform)}, letting {@code check} see (and refuse, by throwing) the
     * chosen manifest before the image's config is fetched.
     */
    public static SourceImage read(ImageSource source, Platform platform, ManifestCheck check) throws IOException {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(check, "check");
        ManifestBlob top = source.manifest(Optional.empty());
        Parsed<Manifest> parsed = Parsed.manifest(top.bytes(), Optional.of(top.mediaType()));
        Parsed<ImageManifest> manifest;
        if (parsed.model() instanceof ImageIndex index) {
            Descriptor chosen = index.manifestFor(platform).orElseThrow(() -> new OciException(
                    "no image in " + source.reference().transport().name() + ":" + source.reference().withinTransport()
                            + " matches platform " + platform + "; it has " + platforms(index)));
            ManifestBlob instance = source.manifest(Optional.of(chosen.digest()));
            if (!instance.digest().equals(chosen.digest())) {
                throw new DigestMismatchException("manifest for " + platform + " hashes to " + instance.digest()
                        + " but the index lists " + chosen.digest(), chosen.digest(), instance.digest());
            }
            Parsed<Manifest> inner = Parsed.manifest(instance.bytes(), Optional.of(instance.mediaType()));
            if (!(inner.model() instanceof ImageManifest)) {
                throw new OciException("index entry " + chosen.digest() + " for " + platform + " is itself an index;"
                        + " nested indexes are not followed here");
            }
            manifest = cast(inner);
            check.check(Optional.of(chosen.digest()), manifest);
        } else {
            manifest = cast(parsed);
            check.check(Optional.empty(), manifest);
        }
        Descriptor configDescriptor = manifest.model().config();
        if (configDescriptor.size() > MAX_CONFIG_SIZE) {
            throw new OciException("image config " + configDescriptor.digest() + " declares " + configDescriptor.size()
                    + " bytes, more than the " + MAX_CONFIG_SIZE + " allowed");
        }
        byte[] configBytes;
        try (InputStream in = DigestingInputStream.verifying(source.blob(configDescriptor), configDescriptor.digest(),
                configDescriptor.size())) {
            configBytes = in.readAllBytes();
        }
        Parsed<ImageConfig> config = Parsed.imageConfig(configBytes, configDescriptor.mediaType());
        List<Descriptor> layerDescriptors = manifest.model().layers();
        List<Digest> diffIds = config.model().diffIds();
        if (diffIds.size() != layerDescriptors.size()) {
            throw new OciException("image " + manifest.digest() + " has " + layerDescriptors.size()
                    + " layers but its config lists " + diffIds.size() + " DiffIDs");
        }
        List<LayerSource> layers = new ArrayList<>();
        for (int i = 0; i < layerDescriptors.size(); i++) {
            Descriptor d = layerDescriptors.get(i);
            layers.add(new LayerSource(d.digest().toString(),
                    MediaTypes.layerCompression(d.mediaType()).orElseThrow(() -> new OciException(
                            "layer " + d.digest() + " has media type " + d.mediaType() + ", which is not a layer")),
                    Optional.of(diffIds.get(i)),
                    () -> DigestingInputStream.verifying(source.blob(d), d.digest(), d.size())));
        }
        return new SourceImage(top.digest(), manifest, config, layers);
    }

    @SuppressWarnings("unchecked")
    private static Parsed<ImageManifest> cast(Parsed<Manifest> p) {
        return (Parsed<ImageManifest>) (Parsed<?>) p;
    }

    private static String platforms(ImageIndex index) {
        List<String> out = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            out.add(d.platform().map(Platform::toString).orElse("(no platform)"));
        }
        return String.join(", ", out);
    }

    /**
     * The digest of what the reference names: the index's for a multi-platform image (what a
     * {@code name@digest} pull uses, and what skopeo reports), else the manifest's.
     */
    public Digest namedDigest() {
        return named;
    }

    /** The image manifest, with its exact bytes and digest. */
    public Parsed<ImageManifest> manifest() {
        return manifest;
    }

    /** The image config; its digest is the image ID. */
    public Parsed<ImageConfig> config() {
        return config;
    }

    /** The layers, bottom first, ready for {@link Unpacker#unpack}. */
    public List<LayerSource> layers() {
        return layers;
    }
}
