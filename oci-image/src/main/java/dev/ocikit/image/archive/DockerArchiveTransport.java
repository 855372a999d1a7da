package dev.ocikit.image.archive;

import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code docker-archive:} transport: a tar in the format {@code docker save} writes and
 * {@code docker load} reads, named as skopeo names it,
 * {@code docker-archive:PATH[:REFERENCE|:@INDEX]}.
 *
 * <ul>
 *   <li>{@code REFERENCE} is a registry name with a tag ({@code :latest} is added when none is
 *       given; a digest is refused). Reading, it picks the image tagged so in an archive of
 *       several; writing, it is the tag the image gets.
 *   <li>{@code @INDEX} picks, reading, the image at that zero-based place in the archive's
 *       {@code manifest.json}, tagged or not.
 *   <li>With neither, reading needs an archive of exactly one image, and writing writes an
 *       untagged image.
 * </ul>
 *
 * <p>Reading understands archives from {@code docker save} (the legacy layout and Docker 25's
 * OCI-style one, through {@code manifest.json}), from skopeo and from ocikit, compressed or not.
 * The image is presented as a Docker v2 schema 2 manifest with uncompressed layers whose digests
 * are their DiffIDs, so the same archive always gives the same manifest digest.
 *
 * <p>Writing stores layers uncompressed (compressed ones are decompressed as they are written)
 * as {@code <id>/layer.tar}, the config as {@code <hex>.json}, and {@code manifest.json} and
 * {@code repositories}; the archive appears at its path, atomically, on commit. An existing
 * non-empty file is never overwritten or added to. Manifest digests are not kept by the format.
 *
 * <p>Stateless and thread-safe.
 */
public final class DockerArchiveTransport implements Transport {
    /** The transport's name. */
    public static final String NAME = "docker-archive";

    static final DockerArchiveTransport INSTANCE = new DockerArchiveTransport();

    /** For {@link java.util.ServiceLoader}; use the static factories or {@code Transports}. */
    public DockerArchiveTransport() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        String full = NAME + ":" + reference;
        if (reference.isEmpty()) {
            throw new InvalidTransportReferenceException(full, "expected docker-archive:PATH[:REFERENCE|:@INDEX]");
        }
        int colon = reference.indexOf(':');
        String path = colon < 0 ? reference : reference.substring(0, colon);
        if (path.isEmpty()) {
            throw new InvalidTransportReferenceException(full, "the archive's path is empty");
        }
        if (colon < 0) {
            return new DockerArchiveReference(Path.of(path), Optional.empty(), OptionalInt.empty());
        }
        String rest = reference.substring(colon + 1);
        if (rest.startsWith("@")) {
            int index;
            try {
                index = Integer.parseInt(rest.substring(1));
            } catch (NumberFormatException e) {
                throw new InvalidTransportReferenceException(full, "source index " + rest + " is not a number");
            }
            if (index < 0) {
                throw new InvalidTransportReferenceException(full, "source index " + rest + " must not be negative");
            }
            return new DockerArchiveReference(Path.of(path), Optional.empty(), OptionalInt.of(index));
        }
        ImageReference ref;
        try {
            ref = ImageReference.parse(rest);
        } catch (InvalidReferenceException e) {
            throw new InvalidTransportReferenceException(full, e.getMessage());
        }
        if (ref.digest().isPresent()) {
            throw new InvalidTransportReferenceException(full,
                    "docker-archive does not support digest references; name the image by tag or by @INDEX");
        }
        return new DockerArchiveReference(Path.of(path), Optional.of(ref.withDefaultTag()), OptionalInt.empty());
    }

    /**
     * The archive at {@code archive}: the image tagged {@code tag} in it, or (without a tag) its
     * only image when reading, an untagged image when writing.
     */
    public static TransportReference reference(Path archive, Optional<ImageReference> tag) {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(tag, "tag");
        tag.ifPresent(t -> {
            if (t.digest().isPresent()) {
                throw new IllegalArgumentException("docker-archive does not support digest references: " + t);
            }
        });
        return new DockerArchiveReference(archive, tag.map(ImageReference::withDefaultTag), OptionalInt.empty());
    }

    /**
     * How many images the archive holds (the entries of its {@code manifest.json}), as
     * {@code podman load} loads them all. Reads the archive's index, not its layers.
     *
     * @throws MalformedArchiveException if it is no docker-archive
     */
    public static int imageCount(Path archive) throws java.io.IOException {
        try (TarArchive tar = TarArchive.open(archive)) {
            return DockerArchiveSource.items(archive, tar).size();
        }
    }

    /** The image at {@code index} (zero-based) in the archive's {@code manifest.json}; for reading. */
    public static TransportReference reference(Path archive, int index) {
        Objects.requireNonNull(archive, "archive");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative: " + index);
        }
        return new DockerArchiveReference(archive, Optional.empty(), OptionalInt.of(index));
    }
}
