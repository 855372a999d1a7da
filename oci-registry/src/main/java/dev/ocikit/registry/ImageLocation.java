package dev.ocikit.registry;

import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.ImageReference;
import java.util.Objects;

/**
 * Where an image is read from, once {@link RegistryClient#locate} has chosen among its pull
 * sources: the image as it was asked for, the source that served its manifest (a mirror or the
 * registry), the repository there, and that manifest. Read the image's other manifests and its
 * blobs from {@link #repository()}, so that everything comes from the same place.
 * Immutable and thread-safe.
 */
public final class ImageLocation {
    private final ImageReference requested;
    private final RegistriesConf.PullSource source;
    private final RegistryRepository repository;
    private final ManifestBlob manifest;

    ImageLocation(ImageReference requested, RegistriesConf.PullSource source, RegistryRepository repository,
            ManifestBlob manifest) {
        this.requested = Objects.requireNonNull(requested, "requested");
        this.source = Objects.requireNonNull(source, "source");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.manifest = Objects.requireNonNull(manifest, "manifest");
    }

    /** The image as it was asked for (with {@code :latest} if it had neither tag nor digest). */
    public ImageReference requested() {
        return requested;
    }

    /** The pull source that served it: its name there, whether it is a mirror, whether it is insecure. */
    public RegistriesConf.PullSource source() {
        return source;
    }

    /** The image's name where it is read from (the requested name, rewritten for a mirror or location). */
    public ImageReference reference() {
        return source.reference();
    }

    /** Whether a mirror serves it, rather than the registry itself. */
    public boolean isMirror() {
        return source.mirror();
    }

    /** The repository to read the image's manifests and blobs from. */
    public RegistryRepository repository() {
        return repository;
    }

    /** The manifest or index the reference names, as the source served it (exact bytes, verified against a digest in the reference). */
    public ManifestBlob manifest() {
        return manifest;
    }

    /** The tag or digest to read {@code image} by (the digest, when it has both). */
    static String tagOrDigest(ImageReference image) {
        return image.digest().map(Object::toString).orElseGet(() -> image.tag().orElse(ImageReference.DEFAULT_TAG));
    }

    @Override
    public String toString() {
        return "ImageLocation[" + requested + " from " + source.reference() + (source.mirror() ? " (mirror)" : "") + "]";
    }
}
