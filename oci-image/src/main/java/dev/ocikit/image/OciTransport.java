package dev.ocikit.image;

import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code oci:} transport: an image in an OCI image layout directory, named as skopeo names
 * it, {@code oci:PATH[:REFERENCE]}.
 *
 * <p>Parsing follows containers/image on Linux exactly: the path ends at the <em>first</em>
 * colon, so the path cannot contain one, and the reference is everything after it (it may
 * contain colons: {@code oci:/srv/layout:app:1.0} is path {@code /srv/layout}, reference
 * {@code app:1.0}). A non-empty reference must match the image spec's grammar for
 * {@code org.opencontainers.image.ref.name}. Without a reference, reading takes the only image
 * of {@code index.json} (and fails if there are several), and writing lists the image without a
 * name.
 *
 * <p>Reading does not change the layout. Writing creates the layout if the directory is new or
 * empty, refuses a non-empty directory that is not a layout, stores OCI manifests and indexes
 * (as skopeo's {@code oci:} does; the copy engine converts Docker ones), and on commit moves the
 * name to the new image, as skopeo does. Stateless and thread-safe.
 */
public final class OciTransport implements Transport {
    /** The transport's name. */
    public static final String NAME = "oci";

    /** Media types an {@code oci:} destination stores. */
    static final List<String> MEDIA_TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX);

    /** For {@link java.util.ServiceLoader}. */
    public OciTransport() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        int colon = reference.indexOf(':');
        String dir = colon < 0 ? reference : reference.substring(0, colon);
        String image = colon < 0 ? "" : reference.substring(colon + 1);
        String full = NAME + ":" + reference;
        if (dir.isEmpty()) {
            throw new InvalidTransportReferenceException(full, "the layout directory is missing (oci:PATH[:REFERENCE])");
        }
        try {
            Path.of(dir);
        } catch (InvalidPathException e) {
            throw new InvalidTransportReferenceException(full, "\"" + dir + "\" is not a valid path: " + e.getReason());
        }
        if (!image.isEmpty() && !ImageLayout.isValidRefName(image)) {
            throw new InvalidTransportReferenceException(full, "invalid reference \"" + image + "\": a reference in"
                    + " an image layout is component(/component)*, each component letters and digits joined by one of"
                    + " -._:@+ or --");
        }
        return new Reference(this, dir, image.isEmpty() ? Optional.empty() : Optional.of(image));
    }

    /**
     * A reference to the image named {@code ref} (or the sole or unnamed image, when empty) in
     * the layout at {@code dir}.
     *
     * @throws InvalidTransportReferenceException if the path contains a colon (skopeo could not
     *     read it back) or the name does not match the ref name grammar
     */
    public static TransportReference reference(Path dir, Optional<String> ref) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(ref, "ref");
        String path = dir.toString();
        if (path.indexOf(':') >= 0) {
            throw new InvalidTransportReferenceException(NAME + ":" + path, "the path contains a colon, which"
                    + " oci: references cannot carry; use a path without one");
        }
        return new OciTransport().parse(path + ref.map(r -> ":" + r).orElse(""));
    }

    /** An {@code oci:} reference: a directory as given, and an optional ref name. */
    record Reference(OciTransport transport, String dir, Optional<String> image) implements TransportReference {
        @Override
        public String withinTransport() {
            // skopeo always writes the colon; both forms read back the same.
            return dir + ":" + image.orElse("");
        }

        @Override
        public ImageSource openSource() throws IOException {
            ImageLayout layout = ImageLayout.open(Path.of(dir));
            return new LayoutSource(this, layout, image.isPresent() ? layout.resolve(image.get()) : layout.soleImage());
        }

        @Override
        public ImageDestination openDestination() throws IOException {
            ImageLayout layout = ImageLayout.create(Path.of(dir));
            return new LayoutDestination(this, layout, MEDIA_TYPES,
                    (index, top) -> ImageLayout.withRef(index, image, top));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reference r && r.dir.equals(dir) && r.image.equals(image);
        }

        @Override
        public int hashCode() {
            return dir.hashCode() * 31 + image.hashCode();
        }

        @Override
        public String toString() {
            return TransportReference.format(this);
        }
    }
}
