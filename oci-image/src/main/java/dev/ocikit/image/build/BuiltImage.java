package dev.ocikit.image.build;

import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import java.util.Objects;

/**
 * An image that {@link ImageBuilder#commit} wrote. Immutable.
 *
 * @param destination where it was written
 * @param manifest the manifest's descriptor (its digest is what a {@code name@digest} pull uses)
 * @param configDigest the config's digest: the image ID Podman and Buildah print
 * @param config the image config as written
 * @param steps how many steps ran (commands run, layers packed)
 * @param cachedSteps how many of them were found in the build cache instead of running
 */
public record BuiltImage(TransportReference destination, Descriptor manifest, Digest configDigest, ImageConfig config,
        int steps, int cachedSteps) {
    public BuiltImage {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(configDigest, "configDigest");
        Objects.requireNonNull(config, "config");
    }

    /** The manifest's digest. */
    public Digest digest() {
        return manifest.digest();
    }

    /** The image ID: the config's digest. */
    public Digest id() {
        return configDigest;
    }
}
