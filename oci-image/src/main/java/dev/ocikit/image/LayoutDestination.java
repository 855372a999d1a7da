package dev.ocikit.image;

import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.UnsupportedManifestException;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an image into an image layout ({@code oci:} and the image store). Blobs go straight into
 * the layout's blob store, verified, and are pinned against garbage collection until this
 * destination is closed; {@link #commit()} checks that the image is complete and then lists it
 * in {@code index.json} under the index lock, in one atomic replacement.
 */
final class LayoutDestination implements ImageDestination {
    private static final Logger LOG = LoggerFactory.getLogger(LayoutDestination.class);

    /** How the committed image enters {@code index.json}; runs under the index lock. */
    interface Publisher {
        ImageIndex publish(ImageIndex current, Descriptor top) throws IOException;
    }

    private final TransportReference reference;
    private final ImageLayout layout;
    private final List<String> mediaTypes;
    private final List<String> storable;
    /** Whether layers arriving uncompressed are compressed: an {@code oci:} layout's, not the image store's. */
    private final boolean compressesUncompressed;
    private final Publisher publisher;
    private final Optional<StoreSignatures> signatureStore;
    private final Map<Optional<Digest>, List<ImageSignature>> signatures = new LinkedHashMap<>();
    private BlobPins.Pin pin;
    private Descriptor top;
    private boolean committed;
    private boolean closed;

    /** An {@code oci:} layout's: layers that arrive uncompressed are gzipped, as skopeo's {@code oci:} does. */
    LayoutDestination(TransportReference reference, ImageLayout layout, List<String> mediaTypes, Publisher publisher)
            throws IOException {
        this(reference, layout, mediaTypes, publisher, Optional.empty(), true);
    }

    /** The image store's: layers are kept as they come. */
    LayoutDestination(TransportReference reference, ImageLayout layout, List<String> mediaTypes, Publisher publisher,
            Optional<StoreSignatures> signatureStore) throws IOException {
        this(reference, layout, mediaTypes, publisher, signatureStore, false);
    }

    private LayoutDestination(TransportReference reference, ImageLayout layout, List<String> mediaTypes,
            Publisher publisher, Optional<StoreSignatures> signatureStore, boolean compressesUncompressed)
            throws IOException {
        this.compressesUncompressed = compressesUncompressed;
        // A copy killed midway left partial blobs behind; with no write running they can go now.
        layout.blobStore().sweepLeftovers();
        this.reference = reference;
        this.layout = layout;
        this.mediaTypes = List.copyOf(mediaTypes);
        LinkedHashSet<String> storable = new LinkedHashSet<>(mediaTypes);
        if (!storable.isEmpty()) {
            storable.addAll(List.of(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST));
        }
        this.storable = List.copyOf(storable);
        this.publisher = publisher;
        this.signatureStore = signatureStore;
    }

    /** The image store keeps both formats; an {@code oci:} layout has no place for signatures. */
    @Override
    public boolean supportsSignatures(String format) {
        return signatureStore.isPresent()
                && (format.equals(ImageSignature.SIMPLE_SIGNING) || format.equals(ImageSignature.SIGSTORE_JSON));
    }

    /** Kept for {@link #commit()}, which stores them before the image becomes visible. */
    @Override
    public synchronized void putSignatures(List<ImageSignature> newSignatures, Optional<Digest> instance) throws IOException {
        if (signatureStore.isEmpty()) {
            ImageDestination.super.putSignatures(newSignatures, instance);
            return;
        }
        signatures.put(instance, List.copyOf(newSignatures));
    }

    @Override
    public TransportReference reference() {
        return reference;
    }

    @Override
    public List<String> supportedManifestMediaTypes() {
        return mediaTypes;
    }

    @Override
    public boolean compressesUncompressedLayers() {
        return compressesUncompressed;
    }

    /** An OCI layout holds Docker manifests too, as skopeo leaves them there when digests must be kept. */
    @Override
    public List<String> storableManifestMediaTypes() {
        return storable;
    }

    private synchronized BlobPins.Pin pin() throws IOException {
        if (closed) {
            throw new IllegalStateException("destination " + TransportReference.format(reference) + " is closed");
        }
        if (pin == null) {
            pin = BlobPins.open(layout.blobStore().root());
        }
        return pin;
    }

    @Override
    public Optional<BlobInfo> tryReuseBlob(Descriptor blob) throws IOException {
        BlobPins.Pin p = pin();
        // Under the shared lock no collection runs, so a blob seen here is pinned before one can.
        try (StoreLock.Held held = layout.blobLock().shared()) {
            Optional<Long> size = layout.blobSize(blob.digest());
            if (size.isEmpty() || !size.get().equals(blob.size())) {
                return Optional.empty();
            }
            p.add(blob.digest());
            return Optional.of(new BlobInfo(blob.digest(), size.get()));
        }
    }

    @Override
    public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
        BlobPins.Pin p = pin();
        BlobStore store = layout.blobStore();
        try (StoreLock.Held held = layout.blobLock().shared()) {
            BlobInfo info = blob.digest().isPresent()
                    ? store.put(content, blob.digest().get(), blob.size())
                    : store.put(blob.size() < 0 ? content : new SizeChecking(content, blob.size()));
            p.add(info.digest());
            return info;
        }
    }

    @Override
    public void putManifest(ManifestBlob manifest, Optional<Digest> instance) throws IOException {
        if (!storable.isEmpty() && !storable.contains(manifest.mediaType())) {
            throw new UnsupportedManifestException(manifest.mediaType(), TransportReference.format(reference)
                    + " stores manifests of types " + storable + ", not " + manifest.mediaType()
                    + "; convert the manifest first");
        }
        byte[] bytes = manifest.bytes();
        Parsed<Manifest> parsed = Parsed.manifest(bytes, Optional.of(manifest.mediaType()));
        if (instance.isPresent() && !instance.get().equals(manifest.digest())) {
            throw new DigestMismatchException("manifest given for instance " + instance.get() + " hashes to "
                    + manifest.digest(), instance.get(), manifest.digest());
        }
        putBlob(new ByteArrayInputStream(bytes), BlobWrite.of(manifest.mediaType(), manifest.digest(), bytes.length));
        if (instance.isEmpty()) {
            synchronized (this) {
                top = parsed.descriptor();
            }
        }
    }

    @Override
    public void commit() throws IOException {
        Descriptor image;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("destination " + TransportReference.format(reference) + " is closed");
            }
            if (top == null) {
                throw new IllegalStateException("commit() before putManifest() of the top-level manifest");
            }
            image = top;
        }
        Map<Optional<Digest>, List<ImageSignature>> toWrite;
        synchronized (this) {
            toWrite = new LinkedHashMap<>(signatures);
        }
        layout.update(current -> {
            layout.checkComplete(image);
            // Under the index lock, once the image is known complete and just before it becomes visible:
            // a commit that fails its check leaves the signatures as they were, and two writers take turns.
            if (signatureStore.isPresent()) {
                for (Map.Entry<Optional<Digest>, List<ImageSignature>> e : toWrite.entrySet()) {
                    signatureStore.get().write(e.getKey().orElse(image.digest()), e.getValue());
                }
            }
            return publisher.publish(current, image);
        });
        synchronized (this) {
            committed = true;
        }
        LOG.debug("committed {} as {}", image.digest(), TransportReference.format(reference));
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed && top != null) {
            LOG.debug("{} closed without commit; its blobs stay until garbage collection",
                    TransportReference.format(reference));
        }
        if (pin != null) {
            pin.close();
        }
    }

    /** Fails the read (so that nothing is published) when the content is not the declared length. */
    private static final class SizeChecking extends java.io.FilterInputStream {
        private final long expected;
        private long count;

        SizeChecking(InputStream in, long expected) {
            super(in);
            this.expected = expected;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            check(b < 0 ? 0 : 1, b < 0);
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            check(Math.max(n, 0), n < 0);
            return n;
        }

        private void check(int n, boolean eof) throws IOException {
            count += n;
            if (count > expected || (eof && count != expected)) {
                throw new IOException("blob content is " + (eof ? "" : "more than ") + count + " bytes long, but "
                        + expected + " were declared; nothing was stored");
            }
        }
    }
}
