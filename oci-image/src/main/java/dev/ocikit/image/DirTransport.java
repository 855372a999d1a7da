package dev.ocikit.image;

import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code dir:} transport: skopeo's directory format, {@code dir:PATH}. One image per
 * directory: {@code manifest.json} (the top-level manifest or index, as its exact bytes), each
 * blob in a file named by its digest's hex ({@code <hex>}, no algorithm prefix), the manifests of
 * the images of an index as {@code <hex>.manifest.json}, and a {@code version} file reading
 * {@code Directory Transport Version: 1.1}; simple signatures as {@code signature-1},
 * {@code signature-2}, ... (an index's images: {@code <hex>.signature-N}), as skopeo stores them.
 *
 * <p>Writing refuses a non-empty directory that has no such {@code version} file (it is not an
 * image directory, and skopeo refuses it too), writes every file by atomic rename, verifies every
 * blob and manifest against its digest, keeps the directory's previous image readable until
 * {@code commit}, and then deletes the files that the new image does not use. One writer per
 * directory at a time. Stateless and thread-safe.
 */
public final class DirTransport implements Transport {
    /** The transport's name. */
    public static final String NAME = "dir";
    /** The content of the {@code version} file. */
    static final String VERSION = "Directory Transport Version: 1.1\n";
    static final String VERSION_FILE = "version";
    static final String MANIFEST_FILE = "manifest.json";

    /** For {@link java.util.ServiceLoader}. */
    public DirTransport() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        if (reference.isEmpty()) {
            throw new InvalidTransportReferenceException(NAME + ":", "the directory is missing (dir:PATH)");
        }
        try {
            Path.of(reference);
        } catch (InvalidPathException e) {
            throw new InvalidTransportReferenceException(NAME + ":" + reference, "not a valid path: " + e.getReason());
        }
        return new Reference(this, reference);
    }

    /** A reference to the image directory {@code dir}. */
    public static TransportReference reference(Path dir) {
        return new DirTransport().parse(Objects.requireNonNull(dir, "dir").toString());
    }

    /** The file of a blob. */
    static Path blobPath(Path dir, Digest digest) {
        return dir.resolve(digest.encoded());
    }

    /** The file of the top-level manifest (empty instance) or of an image of the index. */
    static Path manifestPath(Path dir, Optional<Digest> instance) {
        return instance.map(d -> dir.resolve(d.encoded() + ".manifest.json")).orElse(dir.resolve(MANIFEST_FILE));
    }

    /**
     * The file of the {@code n}th (from 1) simple signature of the top-level manifest
     * ({@code signature-N}) or of an image of the index ({@code <hex>.signature-N}), where
     * skopeo keeps them.
     */
    static Path signaturePath(Path dir, Optional<Digest> instance, int n) {
        return dir.resolve(instance.map(d -> d.encoded() + ".").orElse("") + "signature-" + n);
    }

    /** A {@code dir:} reference: the directory as given. */
    record Reference(DirTransport transport, String path) implements TransportReference {
        @Override
        public String withinTransport() {
            return path;
        }

        @Override
        public ImageSource openSource() throws IOException {
            return new DirSource(this, Path.of(path));
        }

        @Override
        public ImageDestination openDestination() throws IOException {
            return DirDestination.open(this, Path.of(path));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reference r && r.path.equals(path);
        }

        @Override
        public int hashCode() {
            return path.hashCode();
        }

        @Override
        public String toString() {
            return TransportReference.format(this);
        }
    }
}
