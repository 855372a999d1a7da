package dev.ocikit.image;

import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code ocikit:} transport: an image in the local {@link ImageStore}, the role Podman's
 * {@code containers-storage:} plays. {@code ocikit:NAME} names an image of the default store
 * ({@link ImageStore#defaultRoot()}); {@code ocikit:[/store/root]NAME} one of the store at that
 * absolute path. As a source, {@code NAME} may also be an image ID (full, or a unique prefix of
 * 12 or more hex characters) or a manifest digest; as a destination it is the name the image
 * gets (a short name gets {@code localhost/}, as {@code podman tag} gives it), or empty for an
 * image without a name.
 *
 * <p>A destination keeps OCI and Docker v2 schema 2 manifests as they are, so images keep their
 * registry digests, and makes the name point at the image on commit. Stateless and thread-safe.
 */
public final class StoreTransport implements Transport {
    /** The transport's name. */
    public static final String NAME = "ocikit";

    static final List<String> MEDIA_TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    /** For {@link java.util.ServiceLoader}. */
    public StoreTransport() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        String full = NAME + ":" + reference;
        Optional<Path> root = Optional.empty();
        String spec = reference;
        if (reference.startsWith("[")) {
            int close = reference.indexOf(']');
            if (close < 0) {
                throw new InvalidTransportReferenceException(full, "the store root is not closed with ']'");
            }
            String dir = reference.substring(1, close);
            try {
                root = Optional.of(Path.of(dir));
            } catch (InvalidPathException e) {
                throw new InvalidTransportReferenceException(full, "\"" + dir + "\" is not a valid path: " + e.getReason());
            }
            if (dir.isEmpty() || !root.get().isAbsolute()) {
                throw new InvalidTransportReferenceException(full, "the store root in [...] must be an absolute path");
            }
            spec = reference.substring(close + 1);
        }
        if (!spec.isEmpty() && !ImageStore.isIdLike(spec)) {
            try {
                ImageStore.normalizeName(spec);
            } catch (InvalidReferenceException e) {
                throw new InvalidTransportReferenceException(full, e.getMessage());
            }
        }
        return new Reference(this, root, spec);
    }

    /** A reference to {@code nameOrId} (empty: no name, for a destination) in the store at {@code root}. */
    public static TransportReference reference(Path root, String nameOrId) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(nameOrId, "nameOrId");
        return new StoreTransport().parse("[" + root.toAbsolutePath() + "]" + nameOrId);
    }

    /** An {@code ocikit:} reference: an optional store root and a name, ID or nothing. */
    record Reference(StoreTransport transport, Optional<Path> root, String spec) implements TransportReference {
        @Override
        public String withinTransport() {
            return root.map(r -> "[" + r + "]").orElse("") + spec;
        }

        @Override
        public Optional<ImageReference> dockerReference() {
            if (spec.isEmpty() || ImageStore.isIdLike(spec)) {
                return Optional.empty();
            }
            return Optional.of(ImageStore.normalizeName(spec));
        }

        private ImageStore store() throws IOException {
            return root.isPresent() ? ImageStore.open(root.get()) : ImageStore.open();
        }

        @Override
        public ImageSource openSource() throws IOException {
            if (spec.isEmpty()) {
                throw new ImageUnknownException("", TransportReference.format(this) + " names no image to read");
            }
            ImageStore store = store();
            return new LayoutSource(this, store.layout(), store.resolve(spec).descriptor(), Optional.of(store.signatures()));
        }

        @Override
        public ImageDestination openDestination() throws IOException {
            Optional<String> name;
            try {
                name = spec.isEmpty() ? Optional.empty() : Optional.of(ImageStore.normalizeName(spec).toString());
            } catch (InvalidReferenceException e) {
                throw new InvalidTransportReferenceException(TransportReference.format(this),
                        "an image written into the store needs a name, not an ID: " + e.getMessage());
            }
            ImageStore store = store();
            return new LayoutDestination(this, store.layout(), MEDIA_TYPES,
                    (index, top) -> ImageLayout.withRef(index, name, top), Optional.of(store.signatures()));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reference r && r.root.equals(root) && r.spec.equals(spec);
        }

        @Override
        public int hashCode() {
            return root.hashCode() * 31 + spec.hashCode();
        }

        @Override
        public String toString() {
            return TransportReference.format(this);
        }
    }
}
