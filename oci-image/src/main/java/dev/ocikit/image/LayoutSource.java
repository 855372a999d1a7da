package dev.ocikit.image;

import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/** Reads one entry of an image layout ({@code oci:}, which keeps no signatures, and the image store, which does). */
final class LayoutSource implements ImageSource {
    private final TransportReference reference;
    private final ImageLayout layout;
    private final Descriptor top;
    private final Optional<StoreSignatures> signatures;

    LayoutSource(TransportReference reference, ImageLayout layout, Descriptor top) {
        this(reference, layout, top, Optional.empty());
    }

    LayoutSource(TransportReference reference, ImageLayout layout, Descriptor top, Optional<StoreSignatures> signatures) {
        this.reference = reference;
        this.layout = layout;
        this.top = top;
        this.signatures = signatures;
        ImageLayout.requireManifestType(top);
    }

    @Override
    public List<ImageSignature> signatures(Optional<Digest> instance) throws IOException {
        return signatures.isPresent() ? signatures.get().read(instance.orElse(top.digest())) : List.of();
    }

    @Override
    public TransportReference reference() {
        return reference;
    }

    @Override
    public ManifestBlob manifest(Optional<Digest> instance) throws IOException {
        if (instance.isEmpty() || instance.get().equals(top.digest())) {
            return ManifestBlob.of(layout.readBlob(top, ImageLayout.MAX_MANIFEST_SIZE), top.mediaType());
        }
        Digest digest = instance.get();
        long size = layout.blobSize(digest).orElseThrow(
                () -> new BlobUnknownException(digest, "the image layout at " + layout.root()));
        // An instance's media type is what its document says (the index entry would say the same).
        byte[] bytes = layout.readBlob(Descriptor.of(dev.ocikit.spec.image.MediaTypes.OCI_MANIFEST, digest, size),
                ImageLayout.MAX_MANIFEST_SIZE);
        return ManifestBlob.of(bytes, Parsed.manifest(bytes).mediaType());
    }

    @Override
    public InputStream blob(Descriptor blob) throws IOException {
        return layout.openBlob(blob.digest());
    }

    @Override
    public void close() {
        // holds nothing open
    }
}
