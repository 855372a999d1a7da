package dev.ocikit.image.archive;

import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.internal.OwnedTemp;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Annotations;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** An {@code oci-archive:} reference: the archive's path and the {@code oci:} reference inside. Immutable. */
record OciArchiveReference(OciArchiveTransport transport, Path archive, Optional<String> image)
        implements TransportReference {

    @Override
    public String withinTransport() {
        return archive + image.map(i -> ":" + i).orElse("");
    }

    @Override
    public ImageSource openSource() throws IOException {
        Transport oci = oci();
        OwnedTemp owned = scratch();
        Path layout = owned.path();
        try {
            LayoutArchive.extract(archive, layout);
            ImageSource inner = oci.parse(inside(layout)).openSource();
            return new Source(this, inner, owned);
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /**
     * The ref name of the image in the archive's index: the one asked for, or the annotation of
     * the index's sole entry. Reads only the index, without extracting the archive.
     */
    @Override
    public List<String> recordedNames() throws IOException {
        if (image.isPresent()) {
            return List.of(image.get());
        }
        ImageIndex index = OciArchiveTransport.index(archive).orElseThrow(() -> new MalformedArchiveException(archive,
                "it has no oci-layout and index.json at its top; it is not an oci-archive"));
        if (index.manifests().size() != 1) {
            return List.of();
        }
        String name = index.manifests().get(0).annotations().get(Annotations.REF_NAME);
        return name == null || name.isEmpty() ? List.of() : List.of(name);
    }

    @Override
    public ImageDestination openDestination() throws IOException {
        Transport oci = oci();
        OwnedTemp owned = scratch();
        Path layout = owned.path();
        try {
            ImageDestination inner = oci.parse(inside(layout)).openDestination();
            return new Destination(this, inner, owned);
        } catch (IOException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /** The layout's temporary directory; what killed copies left in the temporary directory goes first. */
    private static OwnedTemp scratch() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        OwnedTemp.sweep(tmp, "ocikit-oci-archive-");
        return OwnedTemp.directory(tmp, "ocikit-oci-archive-");
    }

    private String inside(Path layout) {
        return layout + image.map(i -> ":" + i).orElse("");
    }

    private Transport oci() {
        return transport.ociTransport().orElseThrow(() -> new OciException("oci-archive: needs the "
                + OciArchiveTransport.OCI + ": transport, which is not on the class path; it ships in oci-image"));
    }

    /** Equal when they name the same archive and image (however the transport was obtained). */
    @Override
    public boolean equals(Object o) {
        return o instanceof OciArchiveReference r && r.archive.equals(archive) && r.image.equals(image);
    }

    @Override
    public int hashCode() {
        return archive.hashCode() * 31 + image.hashCode();
    }

    @Override
    public String toString() {
        return TransportReference.format(this);
    }

    /** The oci: source on the extracted layout; closing deletes the layout. */
    private record Source(OciArchiveReference reference, ImageSource inner, OwnedTemp owned) implements ImageSource {
        @Override
        public ManifestBlob manifest(Optional<Digest> instance) throws IOException {
            return inner.manifest(instance);
        }

        @Override
        public InputStream blob(Descriptor blob) throws IOException {
            return inner.blob(blob);
        }

        @Override
        public void close() throws IOException {
            try {
                inner.close();
            } finally {
                owned.close();
            }
        }
    }

    /** The oci: destination on a temporary layout, archived on commit; closing deletes the layout. */
    private record Destination(OciArchiveReference reference, ImageDestination inner, OwnedTemp owned)
            implements ImageDestination {
        @Override
        public List<String> supportedManifestMediaTypes() {
            return inner.supportedManifestMediaTypes();
        }

        @Override
        public List<String> storableManifestMediaTypes() {
            return inner.storableManifestMediaTypes();
        }

        @Override
        public boolean compressesUncompressedLayers() {
            return inner.compressesUncompressedLayers();
        }

        @Override
        public Optional<Compression> desiredLayerCompression() {
            return inner.desiredLayerCompression();
        }

        @Override
        public Optional<BlobInfo> tryReuseBlob(Descriptor blob) throws IOException {
            return inner.tryReuseBlob(blob);
        }

        @Override
        public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
            return inner.putBlob(content, blob);
        }

        @Override
        public void putManifest(ManifestBlob manifest, Optional<Digest> instance) throws IOException {
            inner.putManifest(manifest, instance);
        }

        @Override
        public void commit() throws IOException {
            inner.commit();
            Archives.publish(reference.archive(), out -> LayoutArchive.write(owned.path(), out));
        }

        @Override
        public void close() throws IOException {
            try {
                inner.close();
            } finally {
                owned.close();
            }
        }
    }
}
