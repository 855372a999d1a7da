package dev.ocikit.image.testing;

import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.BlobUnknownException;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-memory transport for tests ({@code mem:NAME}): a blob map, a manifest map and tags.
 * Destinations keep what they are given aside until {@code commit}, so a failed copy leaves the
 * store as it was. Capabilities, corrupt blobs and a hook inside {@code putBlob} are set by the
 * test. Thread-safe.
 */
public final class MemoryTransport implements Transport {
    private final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<Digest, ManifestBlob> manifests = new ConcurrentHashMap<>();
    private final Map<String, Digest> tags = new ConcurrentHashMap<>();
    private final Map<Digest, byte[]> corrupt = new ConcurrentHashMap<>();

    private volatile List<String> supported = List.of();
    private volatile Optional<Compression> desired = Optional.empty();
    private volatile Consumer<BlobWrite> putBlobHook = w -> {};

    public final AtomicInteger putBlobCalls = new AtomicInteger();
    public final AtomicInteger reuseHits = new AtomicInteger();
    public final AtomicInteger inPutBlob = new AtomicInteger();
    public final AtomicInteger maxInPutBlob = new AtomicInteger();
    public final AtomicInteger commits = new AtomicInteger();
    public final AtomicInteger openDestinations = new AtomicInteger();
    public final AtomicInteger blobReads = new AtomicInteger();

    @Override
    public String name() {
        return "mem";
    }

    @Override
    public TransportReference parse(String reference) {
        return new Ref(this, reference);
    }

    public TransportReference ref(String name) {
        return parse(name);
    }

    public MemoryTransport supportedManifestMediaTypes(List<String> types) {
        supported = List.copyOf(types);
        return this;
    }

    public MemoryTransport desiredCompression(Compression c) {
        desired = Optional.of(c);
        return this;
    }

    public MemoryTransport putBlobHook(Consumer<BlobWrite> hook) {
        putBlobHook = hook;
        return this;
    }

    /** Serves {@code bytes} instead of the blob's content, as a broken source would. */
    public MemoryTransport corrupt(Digest digest, byte[] bytes) {
        corrupt.put(digest, bytes);
        return this;
    }

    public void put(String name, TestImages.Image image) {
        blobs.putAll(image.blobs());
        manifests.put(image.manifest().digest(), image.manifest());
        tags.put(name, image.manifest().digest());
    }

    public void put(String name, TestImages.Index index) {
        for (TestImages.Image i : index.images()) {
            blobs.putAll(i.blobs());
            manifests.put(i.manifest().digest(), i.manifest());
        }
        manifests.put(index.index().digest(), index.index());
        tags.put(name, index.index().digest());
    }

    public void putBlob(byte[] content) {
        blobs.put(Digest.sha256(content), content);
    }

    public Optional<ManifestBlob> manifest(String name) {
        return Optional.ofNullable(tags.get(name)).map(manifests::get);
    }

    public ManifestBlob manifest(Digest digest) {
        return manifests.get(digest);
    }

    public byte[] blob(Digest digest) {
        return blobs.get(digest);
    }

    public Set<Digest> blobDigests() {
        return Set.copyOf(blobs.keySet());
    }

    public Set<String> tags() {
        return Set.copyOf(tags.keySet());
    }

    record Ref(MemoryTransport transport, String name) implements TransportReference {
        @Override
        public String withinTransport() {
            return name;
        }

        @Override
        public ImageSource openSource() {
            return transport.new Source(this);
        }

        @Override
        public ImageDestination openDestination() {
            transport.openDestinations.incrementAndGet();
            return transport.new Destination(this);
        }
    }

    private final class Source implements ImageSource {
        private final Ref ref;

        Source(Ref ref) {
            this.ref = ref;
        }

        @Override
        public TransportReference reference() {
            return ref;
        }

        @Override
        public ManifestBlob manifest(Optional<Digest> instance) {
            Digest d = instance.orElseGet(() -> {
                Digest tagged = tags.get(ref.name());
                if (tagged == null) {
                    throw new OciException("mem:" + ref.name() + " does not exist");
                }
                return tagged;
            });
            byte[] bad = corrupt.get(d);
            if (bad != null) {
                return ManifestBlob.of(bad, manifests.get(d).mediaType());
            }
            ManifestBlob m = manifests.get(d);
            if (m == null) {
                throw new BlobUnknownException(d, "mem:" + ref.name());
            }
            return m;
        }

        @Override
        public InputStream blob(Descriptor blob) {
            blobReads.incrementAndGet();
            byte[] bad = corrupt.get(blob.digest());
            byte[] content = bad != null ? bad : blobs.get(blob.digest());
            if (content == null) {
                throw new BlobUnknownException(blob.digest(), "mem:" + ref.name());
            }
            return new ByteArrayInputStream(content);
        }

        @Override
        public void close() {}
    }

    private final class Destination implements ImageDestination {
        private final Ref ref;
        private final Map<Digest, byte[]> pendingBlobs = new ConcurrentHashMap<>();
        private final Map<Digest, ManifestBlob> pendingManifests = new ConcurrentHashMap<>();
        private volatile Digest top;

        Destination(Ref ref) {
            this.ref = ref;
        }

        @Override
        public TransportReference reference() {
            return ref;
        }

        @Override
        public List<String> supportedManifestMediaTypes() {
            return supported;
        }

        @Override
        public Optional<Compression> desiredLayerCompression() {
            return desired;
        }

        @Override
        public Optional<BlobInfo> tryReuseBlob(Descriptor blob) {
            byte[] have = blobs.get(blob.digest());
            if (have == null) {
                return Optional.empty();
            }
            reuseHits.incrementAndGet();
            return Optional.of(new BlobInfo(blob.digest(), have.length));
        }

        @Override
        public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
            putBlobCalls.incrementAndGet();
            int now = inPutBlob.incrementAndGet();
            maxInPutBlob.accumulateAndGet(now, Math::max);
            try {
                putBlobHook.accept(blob);
                DigestingInputStream in = blob.digest().isPresent()
                        ? DigestingInputStream.verifying(content, blob.digest().get(), blob.size())
                        : new DigestingInputStream(content, DigestAlgorithm.SHA256);
                byte[] bytes = in.readAllBytes();
                pendingBlobs.put(in.digest(), bytes);
                return new BlobInfo(in.digest(), bytes.length);
            } finally {
                inPutBlob.decrementAndGet();
            }
        }

        @Override
        public void putManifest(ManifestBlob manifest, Optional<Digest> instance) {
            pendingManifests.put(manifest.digest(), manifest);
            if (instance.isEmpty()) {
                top = manifest.digest();
            }
        }

        @Override
        public void commit() {
            if (top == null) {
                throw new IllegalStateException("commit without a top-level manifest");
            }
            blobs.putAll(pendingBlobs);
            manifests.putAll(pendingManifests);
            tags.put(ref.name(), top);
            commits.incrementAndGet();
        }

        @Override
        public void close() {}
    }
}
