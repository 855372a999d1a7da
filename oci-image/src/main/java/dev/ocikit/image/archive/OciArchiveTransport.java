package dev.ocikit.image.archive;

import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.OciException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code oci-archive:} transport: an OCI image layout in a tar file, named as skopeo names
 * it, {@code oci-archive:PATH[:REFERENCE]}, where {@code REFERENCE} means what it means to the
 * {@code oci:} transport (a tag in the layout's {@code index.json}, and so on).
 *
 * <p>It is the {@code oci:} transport around a tar: reading extracts the archive (safely, see
 * below; compressed archives too) into a temporary directory and reads the layout there with
 * the {@code oci:} transport found on the class path; writing has the {@code oci:} transport write
 * a layout into a temporary directory, and on commit archives it and renames the archive into
 * place atomically, replacing any archive that was there (as skopeo does). Temporary directories
 * are deleted when the source or destination is closed.
 *
 * <p>Extraction writes only regular files and directories under normalised names; members named
 * with {@code ..} are refused and links are read through within the archive, so an archive can
 * write nothing outside the temporary directory.
 *
 * <p>Stateless and thread-safe.
 */
public final class OciArchiveTransport implements Transport {
    /** The transport's name. */
    public static final String NAME = "oci-archive";

    /** The transport this one wraps. */
    static final String OCI = "oci";

    static final OciArchiveTransport INSTANCE = new OciArchiveTransport();

    private final Supplier<Optional<Transport>> oci;

    /** For {@link java.util.ServiceLoader}; use {@link #reference} or {@code Transports}. */
    public OciArchiveTransport() {
        this(OciArchiveTransport::serviceLoaded);
    }

    /** Wraps the {@code oci:} transport {@code oci} finds (tests hand in their own). */
    OciArchiveTransport(Supplier<Optional<Transport>> oci) {
        this.oci = oci;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        String full = NAME + ":" + reference;
        int colon = reference.indexOf(':');
        String path = colon < 0 ? reference : reference.substring(0, colon);
        if (path.isEmpty()) {
            throw new InvalidTransportReferenceException(full, "expected oci-archive:PATH[:REFERENCE], the path is empty");
        }
        Optional<String> image = colon < 0 ? Optional.empty() : Optional.of(reference.substring(colon + 1));
        // The reference is the oci: transport's to judge; check it now if that transport is here.
        ociTransport().ifPresent(oci -> {
            try {
                oci.parse("/ocikit-oci-archive-check" + image.map(i -> ":" + i).orElse(""));
            } catch (OciException e) {
                throw new InvalidTransportReferenceException(full, e.getMessage());
            }
        });
        return new OciArchiveReference(this, Path.of(path), image);
    }

    /** The layout archived at {@code archive}, and the image {@code reference} names in it. */
    public static TransportReference reference(Path archive, Optional<String> reference) {
        return new OciArchiveReference(INSTANCE, Objects.requireNonNull(archive, "archive"),
                Objects.requireNonNull(reference, "reference"));
    }

    /** The {@code oci:} transport this one wraps, if there is one. */
    Optional<Transport> ociTransport() {
        return oci.get();
    }

    private static Optional<Transport> serviceLoaded() {
        return Transports.load(OciArchiveTransport.class.getClassLoader()).get(OCI);
    }

    /**
     * The ref names ({@code org.opencontainers.image.ref.name}) of the images an OCI archive's
     * index lists, in its order; empty when {@code archive} is no OCI archive (it has no
     * {@code oci-layout} or {@code index.json}). Reads the index, not the blobs.
     */
    public static java.util.Optional<java.util.List<String>> refNames(Path archive) throws java.io.IOException {
        return index(archive).map(index -> index.manifests().stream()
                .flatMap(d -> d.refName().filter(r -> !r.isEmpty()).stream()).toList());
    }

    /** The archive's {@code index.json}; empty when it is no OCI archive. */
    static java.util.Optional<dev.ocikit.spec.image.ImageIndex> index(Path archive) throws java.io.IOException {
        try (TarArchive tar = TarArchive.open(archive)) {
            if (!tar.has(dev.ocikit.spec.image.OciLayout.FILE_NAME) || !tar.has("index.json")) {
                return java.util.Optional.empty();
            }
            try {
                return java.util.Optional.of(dev.ocikit.spec.image.ImageIndex.parse(tar.readAll("index.json",
                        dev.ocikit.image.ImageLayout.MAX_INDEX_SIZE, "the index")));
            } catch (dev.ocikit.spec.MalformedDocumentException e) {
                throw new MalformedArchiveException(archive, "its index.json is invalid: " + e.getMessage(), e);
            }
        }
    }
}
