package dev.ocikit.registry;

import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.SignaturesNotSupportedException;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code docker:} transport: an image in a registry, named as skopeo names it,
 * {@code docker://NAME[:TAG|@DIGEST]} (a short name means {@code docker.io}, and a name without
 * tag or digest means {@code :latest}).
 *
 * <p>Found through {@link java.util.ServiceLoader}, it uses a {@link RegistryClient} configured
 * from the machine's containers files, as Skopeo's is. To configure it otherwise, construct
 * it with a configured client ({@link #DockerTransport(RegistryClient)}) and hand it to
 * {@code Transports.of(...)}, or use {@link #reference(ImageReference)}.
 *
 * <p>Reading is a pull: opening a source tries the image's {@code registries.conf} pull sources
 * in order (its mirrors, then its registry; see {@link RegistryClient#locate}), and the source
 * then reads every manifest and blob from the one that served the image's manifest. A blocked
 * registry fails the opening. Writing always goes to the registry the name says, mirrors or not:
 * it puts blobs (skipping those the repository has), manifests of an index's images by digest,
 * and the top-level manifest under the tag on {@code commit}. Stateless and thread-safe.
 *
 * <p>Signatures are kept where the client's {@link RegistriesD} says, as skopeo keeps them:
 * simple signatures in lookaside storage ({@code file://} for writing; also {@code http(s)://}
 * for reading), sigstore signatures as attachments in the registry where
 * {@code use-sigstore-attachments} is on. A source reads them for the image's name at the pull
 * source that served it (a mirror's name, for a mirror), keyed by the digest of the manifest
 * (of the index, or of one of its images). A destination writes them on {@code commit}, after
 * the manifest is in the registry. A client without {@code registries.d} configuration
 * ({@link RegistriesD#none()}) reads none and refuses to write any.
 */
public final class DockerTransport implements Transport {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DockerTransport.class);

    /** The transport's name. */
    public static final String NAME = "docker";

    private final java.util.function.Supplier<RegistryClient> client;

    /**
     * For {@link java.util.ServiceLoader}: a client configured from this machine's containers
     * files ({@code registries.conf}, {@code auth.json}, credential helpers, {@code certs.d}), as
     * Skopeo's would be. The files are read on first use, so a broken file fails the
     * {@code docker://} operation that needs it, with a message naming it, not every transport.
     */
    public DockerTransport() {
        this.client = Memoized.of(() -> {
            try {
                return RegistryClient.builder().containersConfig(ContainersEnvironment.system()).build();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A transport that talks to registries through {@code client}. */
    public DockerTransport(RegistryClient client) {
        RegistryClient fixed = Objects.requireNonNull(client, "client");
        this.client = () -> fixed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        String full = NAME + ":" + reference;
        if (!reference.startsWith("//")) {
            throw new InvalidTransportReferenceException(full, "a docker reference starts with // (docker://NAME[:TAG|@DIGEST])");
        }
        try {
            return reference(ImageReference.parse(reference.substring(2)));
        } catch (InvalidReferenceException e) {
            throw new InvalidTransportReferenceException(full, e.getMessage());
        }
    }

    /** A reference to {@code image} (with {@code :latest} if it has neither tag nor digest). */
    public TransportReference reference(ImageReference image) {
        return new Reference(this, image.withDefaultTag());
    }

    record Reference(DockerTransport transport, ImageReference image) implements TransportReference {
        @Override
        public String withinTransport() {
            return "//" + image;
        }

        @Override
        public Optional<ImageReference> dockerReference() {
            return Optional.of(image);
        }

        /** Finds the image among its pull sources (mirrors first), fetching its manifest. */
        @Override
        public ImageSource openSource() throws IOException {
            RegistryClient client = transport.client.get();
            return new Source(this, client, client.locate(image));
        }

        @Override
        public ImageDestination openDestination() {
            RegistryClient client = transport.client.get();
            return new Destination(this, client, client.repository(image));
        }
    }

    /** Reads everything from the one place {@code location} chose, so that manifests and blobs agree. */
    private record Source(Reference reference, RegistryClient client, ImageLocation location) implements ImageSource {
        @Override
        public ManifestBlob manifest(Optional<Digest> instance) throws IOException {
            ManifestBlob m = instance.isEmpty()
                    ? location.manifest() // the bytes the source was chosen by, as a tag may move meanwhile
                    : location.repository().manifest(instance.get().toString());
            remember(m);
            return m;
        }

        /** The blobs an image manifest lists are in this repository: a push to another one of the registry may mount them. */
        private void remember(ManifestBlob m) {
            if (!MediaTypes.isManifest(m.mediaType())) {
                return;
            }
            try {
                if (dev.ocikit.spec.image.Parsed.manifest(m.bytes(), Optional.of(m.mediaType())).model()
                        instanceof dev.ocikit.spec.image.ImageManifest im) {
                    RegistryRepository repo = location.repository();
                    BlobLocations seen = client.blobLocations();
                    seen.record(repo.registry(), repo.path(), im.config().digest());
                    im.layers().forEach(l -> seen.record(repo.registry(), repo.path(), l.digest()));
                }
            } catch (RuntimeException malformed) {
                // the copy engine reports a malformed manifest itself; a hint is not worth a second error
            }
        }

        @Override
        public InputStream blob(Descriptor blob) throws IOException {
            // foreign-layer urls are not fetched: the registry's copy or nothing. Unverified here:
            // the ImageSource contract leaves that to the caller, which hashes the bytes anyway.
            return location.repository().openBlobUnverified(blob.digest());
        }

        /**
         * Lookaside signatures, then sigstore attachments (when configured), of the manifest with
         * that digest, for the name the image has where it was found.
         */
        @Override
        public List<ImageSignature> signatures(Optional<Digest> instance) throws IOException {
            RegistriesD config = client.registriesD();
            ImageReference physical = location.reference();
            Digest digest = instance.orElse(location.manifest().digest());
            List<ImageSignature> all = new ArrayList<>();
            SignatureBudget budget = new SignatureBudget(digest); // one bound for all the places together
            Optional<URI> storage = config.lookasideForReading(physical);
            if (storage.isPresent()) {
                all.addAll(client.lookaside().read(storage.get(), physical.path(), digest, budget));
            }
            if (config.useSigstoreAttachments(physical)) {
                all.addAll(SigstoreAttachments.read(location.repository(), digest, budget));
                // cosign's OCI 1.1 mode keeps them as referrers instead; the same signature in both places counts once
                for (ImageSignature s : SigstoreAttachments.readReferrers(location.repository(), digest, budget)) {
                    if (!all.contains(s)) {
                        all.add(s);
                    }
                }
            }
            return List.copyOf(all);
        }

        @Override
        public void close() {
            // connections belong to the shared client
        }
    }

    private static final class Destination implements ImageDestination {
        private final Reference reference;
        private final RegistryClient client;
        private final RegistryRepository repo;
        private final BlobLocations seen;
        private volatile ManifestBlob top;
        /** Signatures to write after the manifest, by instance (empty: the top-level document). */
        private final Map<Optional<Digest>, List<ImageSignature>> signatures = new LinkedHashMap<>();

        Destination(Reference reference, RegistryClient client, RegistryRepository repo) {
            this.reference = reference;
            this.client = client;
            this.repo = repo;
            this.seen = client.blobLocations();
        }

        @Override
        public TransportReference reference() {
            return reference;
        }

        /** A registry gets uncompressed layers gzipped, as skopeo pushes them (a docker-archive's, say). */
        @Override
        public boolean compressesUncompressedLayers() {
            return true;
        }

        @Override
        public Optional<BlobInfo> tryReuseBlob(Descriptor blob) throws IOException {
            OptionalLong size = repo.blobSize(blob.digest());
            if (size.isPresent()) {
                return Optional.of(new BlobInfo(blob.digest(), size.getAsLong() >= 0 ? size.getAsLong() : blob.size()));
            }
            // Another repository of this registry has it (the source of this copy, usually): mount, do not upload.
            for (String from : seen.repositories(repo.registry(), blob.digest(), repo.path())) {
                try {
                    if (repo.mountBlob(blob.digest(), from)) {
                        LOG.debug("mounted {} into {}/{} from {}", blob.digest(), repo.registry(), repo.path(), from);
                        seen.record(repo.registry(), repo.path(), blob.digest());
                        return Optional.of(new BlobInfo(blob.digest(), blob.size()));
                    }
                } catch (java.io.InterruptedIOException interrupted) {
                    throw interrupted;
                } catch (RegistryException | IOException refused) {
                    // only a shortcut: an upload does the same
                    LOG.debug("mount of {} from {} failed: {}", blob.digest(), from, refused.getMessage());
                }
            }
            return Optional.empty();
        }

        @Override
        public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
            return repo.pushBlob(content, blob.digest(), blob.size());
        }

        @Override
        public void putManifest(ManifestBlob manifest, Optional<Digest> instance) throws IOException {
            if (instance.isPresent()) {
                if (!instance.get().equals(manifest.digest())) {
                    throw new DigestMismatchException(instance.get(), manifest.digest());
                }
                repo.putManifest(manifest, List.of());
            } else {
                top = manifest; // the tag moves on commit
            }
        }

        /**
         * Simple signatures where the lookaside storage for writing is a {@code file://} one;
         * sigstore signatures where {@code use-sigstore-attachments} is on.
         */
        @Override
        public boolean supportsSignatures(String format) {
            RegistriesD config = client.registriesD();
            return switch (format) {
                case ImageSignature.SIMPLE_SIGNING -> config.lookasideForWriting(reference.image()).filter(Lookaside::writable).isPresent();
                case ImageSignature.SIGSTORE_JSON -> config.useSigstoreAttachments(reference.image());
                default -> false;
            };
        }

        /** Checks that they can be written, and keeps them for {@link #commit()}. */
        @Override
        public synchronized void putSignatures(List<ImageSignature> newSignatures, Optional<Digest> instance) {
            String name = TransportReference.format(reference);
            RegistriesD config = client.registriesD();
            for (ImageSignature s : newSignatures) {
                if (s instanceof SimpleSignature) {
                    Optional<URI> storage = config.lookasideForWriting(reference.image());
                    if (storage.isEmpty()) {
                        throw new SignaturesNotSupportedException(name, "Cannot store signatures of " + name
                                + ": no signature storage is configured (the client has no registries.d configuration)");
                    }
                    if (!Lookaside.writable(storage.get())) {
                        throw new SignaturesNotSupportedException(name, Lookaside.notWritable(storage.get()));
                    }
                } else if (!config.useSigstoreAttachments(reference.image())) {
                    throw new SignaturesNotSupportedException(name, "writing sigstore attachments is disabled by configuration"
                            + " (set use-sigstore-attachments: true for " + reference.image().repository() + " in registries.d)");
                }
            }
            signatures.put(instance, List.copyOf(newSignatures));
        }

        @Override
        public synchronized void commit() throws IOException {
            ManifestBlob m = top;
            if (m == null) {
                throw new IllegalStateException("commit before the image's manifest was put");
            }
            Optional<Digest> digest = reference.image().digest();
            if (digest.isPresent() && !digest.get().equals(m.digest())) {
                throw new DigestMismatchException("the image copied to " + reference.image() + " has digest "
                        + m.digest() + ", not the one its name asks for", digest.get(), m.digest());
            }
            repo.putManifest(m, reference.image().tag().map(List::of).orElse(List.of()));
            // signatures name the manifest's digest: only now that it is in the registry
            for (Map.Entry<Optional<Digest>, List<ImageSignature>> e : signatures.entrySet()) {
                Digest signed = e.getKey().orElse(m.digest());
                List<ImageSignature> simple = new ArrayList<>();
                List<SigstoreSignature> sigstore = new ArrayList<>();
                for (ImageSignature s : e.getValue()) {
                    if (s instanceof SigstoreSignature ss) {
                        sigstore.add(ss);
                    } else {
                        simple.add(s);
                    }
                }
                if (!sigstore.isEmpty()) {
                    SigstoreAttachments.write(repo, signed, sigstore);
                }
                if (!simple.isEmpty()) {
                    URI storage = client.registriesD().lookasideForWriting(reference.image()).orElseThrow();
                    Lookaside.write(storage, reference.image().path(), signed, simple);
                }
            }
        }

        @Override
        public void close() {
            // nothing is held; an uncommitted image leaves only untagged blobs, as registries allow
        }
    }
}
