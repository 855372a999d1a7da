package dev.ocikit.image;

import dev.ocikit.image.CopyListener.Outcome;
import dev.ocikit.image.CopyPlan.BlobKey;
import dev.ocikit.image.CopyPlan.BlobStep;
import dev.ocikit.image.CopyPlan.ImageStep;
import dev.ocikit.image.CopyPlanner.Destination;
import dev.ocikit.image.ProgressInputStream.Listeners;
import dev.ocikit.image.policy.PolicyTarget;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.SimpleSigning;
import dev.ocikit.image.signature.SigstoreSigning;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.SignaturesNotSupportedException;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one copy: reads and verifies the source's manifests, plans, copies every blob through a
 * verifying hash (in parallel, at most {@link CopyOptions#maxParallelBlobs()} at once), then
 * writes the manifests and commits. Nothing is committed unless every blob arrived intact.
 */
final class CopyExecution {
    private static final Logger LOG = LoggerFactory.getLogger(CopyExecution.class);
    /** Manifests and configs are read whole; a larger one is refused rather than buffered. */
    static final long MAX_MANIFEST_SIZE = 4L << 20;
    static final long MAX_CONFIG_SIZE = 64L << 20;

    private final TransportReference from;
    private final TransportReference to;
    private final CopyOptions options;
    private final CopyListener listener;
    private final Optional<Executor> executor;

    CopyExecution(TransportReference from, TransportReference to, CopyOptions options, CopyListener listener,
            Optional<Executor> executor) {
        this.from = from;
        this.to = to;
        this.options = options;
        this.listener = listener;
        this.executor = executor;
    }

    CopyResult run() throws IOException {
        String fromName = TransportReference.format(from);
        String toName = TransportReference.format(to);
        Optional<String> signIdentity = Optional.empty();
        if (options.signBy().isPresent()) {
            signIdentity = Optional.of(signIdentity(options.signBy().get().identity(), toName));
        }
        Optional<String> sigstoreIdentity = Optional.empty();
        if (options.signBySigstore().isPresent()) {
            String identity = signIdentity(options.signBySigstore().get().identity(), toName);
            ImageReference ref = ImageReference.parse(identity);
            if (ref.tag().isEmpty() && ref.digest().isEmpty()) {
                // containers/image refuses it too: such a signature would accept any version of the image
                throw new IllegalArgumentException("cannot sign the image copied to " + toName + " as \"" + identity
                        + "\": it has neither a tag nor a digest");
            }
            sigstoreIdentity = Optional.of(identity);
        }
        try (ImageSource source = from.openSource()) {
            ManifestBlob topBlob = source.manifest(Optional.empty());
            // As containers/image decides: a single image is judged by its manifest and signatures; from an
            // index, each image copied is judged alone, by its own (the index itself is not: its entries are
            // the images' digests, each checked).
            boolean isIndex = MediaTypes.isIndex(topBlob.mediaType());
            boolean picksOneImage = isIndex && options.platforms() instanceof CopyOptions.PlatformChoice.Single;
            PolicyTarget policyTarget = PolicyTarget.of(from);
            // Signatures are read only where a policy or the copy needs them: a copy that drops them must not
            // fail on storage it will not use (an unknown format, an unreachable lookaside).
            List<ImageSignature> topSignatures = (!options.removeSignatures() && !picksOneImage)
                    || (options.policy().isPresent() && !isIndex) ? source.signatures(Optional.empty()) : List.of();
            if (options.policy().isPresent() && !isIndex) {
                // Before anything else is read or written: a rejected image leaves no trace at the destination.
                options.policy().get().decide(policyTarget, topBlob.bytes(), topSignatures);
            }
            Parsed<Manifest> top = Parsed.manifest(topBlob.bytes(), Optional.of(topBlob.mediaType()));
            Map<Digest, Parsed<ImageManifest>> instances = new HashMap<>();
            Map<Digest, List<ImageSignature>> instanceSignatures = new HashMap<>();
            if (top.model() instanceof ImageIndex index) {
                for (Descriptor entry : CopyPlanner.select(index, options.platforms())) {
                    Parsed<ImageManifest> instance = fetchInstance(source, entry, fromName);
                    instances.put(entry.digest(), instance);
                    if (options.policy().isPresent()) {
                        List<ImageSignature> own = source.signatures(Optional.of(entry.digest()));
                        instanceSignatures.put(entry.digest(), own);
                        options.policy().get().decide(policyTarget.instance(entry.digest()), instance.bytes(), own);
                    }
                }
            }
            try (ImageDestination destination = to.openDestination()) {
                Destination capabilities = new Destination(toName, destination.supportedManifestMediaTypes(),
                        destination.storableManifestMediaTypes(), destination.desiredLayerCompression(),
                        destination.compressesUncompressedLayers());
                CopyPlan plan = CopyPlanner.plan(fromName, top, instances, options, capabilities);
                if (plan.rewrites()) {
                    LOG.debug("copying {} to {}: {}", fromName, toName, plan.allChanges());
                }
                Signatures signatures = carriedSignatures(source, top, topSignatures, instanceSignatures, plan);
                Optional<String> unsupported = signatures.formats().stream().filter(f -> !destination.supportsSignatures(f)).findFirst();
                if (unsupported.isPresent()) {
                    throw unsupported.get().equals(ImageSignature.SIMPLE_SIGNING) ? new SignaturesNotSupportedException(toName)
                            : new SignaturesNotSupportedException(toName, "Cannot copy " + unsupported.get() + " signatures to "
                                    + toName + ": destination does not support them; drop them with removeSignatures()"
                                    + " (--remove-signatures)");
                }
                if (options.signBy().isPresent() && !destination.supportsSignatures(ImageSignature.SIMPLE_SIGNING)) {
                    throw new SignaturesNotSupportedException(toName, "Cannot sign the image copied to " + toName
                            + ": destination does not support signatures; copy it to a place that keeps them (dir:)");
                }
                if (options.signBySigstore().isPresent() && !destination.supportsSignatures(ImageSignature.SIGSTORE_JSON)) {
                    throw new SignaturesNotSupportedException(toName, "Cannot sign the image copied to " + toName
                            + " with a sigstore signature: destination does not support sigstore signatures; copy it to a"
                            + " place that keeps them (dir:)");
                }
                if (signatures.any() && plan.rewrites()) {
                    throw new OciException("copying " + fromName + " to " + toName + " would change its manifest ("
                            + String.join("; ", plan.allChanges()) + "), which invalidates the signatures it has;"
                            + " drop them with removeSignatures() (--remove-signatures) or copy it unchanged");
                }
                Map<BlobKey, Set<Digest>> diffIds = new HashMap<>();
                Map<BlobKey, byte[]> configs = new HashMap<>();
                for (ImageStep image : plan.images()) {
                    readConfig(source, image, fromName, diffIds, configs);
                }
                Blobs blobs = new Blobs(source, destination, fromName, toName, diffIds, configs);
                blobs.copyAll(plan.blobs());

                Map<Digest, ManifestBlob> written = new LinkedHashMap<>();
                for (ImageStep image : plan.images()) {
                    written.put(image.digest(), ManifestRewriter.image(image, blobs.recompressed));
                }
                Descriptor manifest;
                List<Descriptor> entries = new ArrayList<>();
                if (plan.index().isPresent()) {
                    for (ManifestBlob m : written.values()) {
                        destination.putManifest(m, Optional.of(m.digest()));
                    }
                    ManifestBlob index = ManifestRewriter.index(plan.index().get(), written);
                    destination.putManifest(index, Optional.empty());
                    for (Map.Entry<Digest, List<ImageSignature>> e : signatures.instances().entrySet()) {
                        if (!e.getValue().isEmpty()) {
                            destination.putSignatures(e.getValue(), Optional.of(written.get(e.getKey()).digest()));
                        }
                    }
                    putTopSignatures(destination, signatures.top(), index, signIdentity, sigstoreIdentity);
                    manifest = Descriptor.of(index.mediaType(), index.digest(), index.size());
                    entries.addAll(Parsed.imageIndex(index.bytes()).model().manifests());
                } else {
                    ManifestBlob only = written.values().iterator().next();
                    destination.putManifest(only, Optional.empty());
                    putTopSignatures(destination, signatures.top(), only, signIdentity, sigstoreIdentity);
                    manifest = Descriptor.of(only.mediaType(), only.digest(), only.size());
                }
                destination.commit();
                LOG.debug("copied {} to {} as {}", fromName, toName, manifest.digest());
                return new CopyResult(manifest, entries, blobs.copied.get(), blobs.reused.get());
            }
        }
    }

    /** The source's signatures that go to the destination: of the top-level document, and of each image of an index. */
    private record Signatures(List<ImageSignature> top, Map<Digest, List<ImageSignature>> instances) {
        boolean any() {
            return !top.isEmpty() || instances.values().stream().anyMatch(l -> !l.isEmpty());
        }

        Set<String> formats() {
            Set<String> formats = new TreeSet<>();
            top.forEach(s -> formats.add(s.format()));
            instances.values().forEach(l -> l.forEach(s -> formats.add(s.format())));
            return formats;
        }
    }

    private Signatures carriedSignatures(ImageSource source, Parsed<Manifest> top, List<ImageSignature> topSignatures,
            Map<Digest, List<ImageSignature>> fetched, CopyPlan plan) throws IOException {
        if (options.removeSignatures()) {
            return new Signatures(List.of(), Map.of());
        }
        if (!(top.model() instanceof ImageIndex)) {
            return new Signatures(topSignatures, Map.of());
        }
        if (plan.index().isEmpty()) {
            // One image chosen out of an index becomes the top-level manifest, with its own signatures.
            return new Signatures(instanceSignatures(source, plan.images().get(0).digest(), fetched), Map.of());
        }
        Map<Digest, List<ImageSignature>> instances = new LinkedHashMap<>();
        for (ImageStep image : plan.images()) {
            instances.put(image.digest(), instanceSignatures(source, image.digest(), fetched));
        }
        return new Signatures(topSignatures, instances);
    }

    /** One image's signatures, read once: the policy may already have fetched them. */
    private static List<ImageSignature> instanceSignatures(ImageSource source, Digest image,
            Map<Digest, List<ImageSignature>> fetched) throws IOException {
        List<ImageSignature> known = fetched.get(image);
        return known != null ? known : source.signatures(Optional.of(image));
    }

    /** The identity a new signature claims: the one given, else the destination's Docker reference. */
    private String signIdentity(Optional<String> given, String toName) {
        return given.or(() -> to.dockerReference().map(Object::toString))
                .orElseThrow(() -> new IllegalArgumentException("cannot sign the image copied to " + toName
                        + ": that destination has no Docker reference for the signature to claim; give an"
                        + " identity (--sign-identity)"));
    }

    /** Stores the carried signatures of the top-level document, and new ones if asked to sign. */
    private void putTopSignatures(ImageDestination destination, List<ImageSignature> carried, ManifestBlob written,
            Optional<String> signIdentity, Optional<String> sigstoreIdentity) throws IOException {
        List<ImageSignature> all = new ArrayList<>(carried);
        if (options.signBy().isPresent()) {
            all.add(new SimpleSignature(SimpleSigning.sign(written.bytes(), signIdentity.orElseThrow(), options.signBy().get().key())));
        }
        if (options.signBySigstore().isPresent()) {
            all.add(SigstoreSigning.sign(written.bytes(), sigstoreIdentity.orElseThrow(), options.signBySigstore().get().key()));
        }
        if (!all.isEmpty()) {
            destination.putSignatures(all, Optional.empty());
        }
    }

    private static Parsed<ImageManifest> fetchInstance(ImageSource source, Descriptor entry, String fromName)
            throws IOException {
        ManifestBlob blob = source.manifest(Optional.of(entry.digest()));
        byte[] bytes = blob.bytes();
        Digest actual = Digest.compute(entry.digest().algorithm(), bytes);
        if (!actual.equals(entry.digest()) || bytes.length != entry.size()) {
            throw new DigestMismatchException("the manifest " + entry.digest() + " that " + fromName
                    + " returned hashes to " + actual + " (" + bytes.length + " bytes, the index says "
                    + entry.size() + "); nothing was copied", entry.digest(), actual);
        }
        return Parsed.imageManifest(bytes);
    }

    /** Reads and verifies an image's config, and notes the DiffIDs its recompressed layers must have. */
    private static void readConfig(ImageSource source, ImageStep image, String fromName,
            Map<BlobKey, Set<Digest>> diffIds, Map<BlobKey, byte[]> configs) throws IOException {
        Descriptor config = image.config().source();
        BlobKey key = image.config().key();
        byte[] bytes = configs.get(key);
        if (bytes == null) {
            if (config.size() > MAX_CONFIG_SIZE) {
                throw new OciException("the config " + config.digest() + " of " + fromName + " is " + config.size()
                        + " bytes, more than the " + MAX_CONFIG_SIZE + " a config may have");
            }
            try (InputStream in = DigestingInputStream.verifying(source.blob(config), config.digest(), config.size())) {
                bytes = in.readAllBytes();
            } catch (DigestMismatchException e) {
                throw sourceMismatch(e, config, fromName, "");
            }
            configs.put(key, bytes);
        }
        boolean recompressing = image.layers().stream().anyMatch(l -> l.recompress().isPresent());
        if (!recompressing || !MediaTypes.isConfig(config.mediaType())) {
            return;
        }
        List<Digest> expected = ImageConfig.parse(bytes).diffIds();
        if (expected.size() != image.layers().size()) {
            throw new MalformedDocumentException("image config", "/rootfs/diff_ids", "lists " + expected.size()
                    + " layers but manifest " + image.digest() + " has " + image.layers().size()
                    + "; the image is inconsistent, so its layers cannot be recompressed safely");
        }
        for (int i = 0; i < expected.size(); i++) {
            BlobStep layer = image.layers().get(i);
            if (layer.recompress().isPresent()) {
                diffIds.computeIfAbsent(layer.key(), k -> new LinkedHashSet<>()).add(expected.get(i));
            }
        }
    }

    private static DigestMismatchException sourceMismatch(DigestMismatchException e, Descriptor blob, String fromName,
            String toName) {
        boolean said = e.getMessage() != null && e.getMessage().contains("nothing was committed");
        return new DigestMismatchException("blob " + blob.digest() + " read from " + fromName + " is not what its"
                + " descriptor says: " + e.getMessage()
                + (toName.isEmpty() || said ? "" : "; nothing was committed to " + toName), e.expected(), e.actual().orElse(null));
    }

    /** The blob copies of one run, and their results. */
    private final class Blobs {
        private final ImageSource source;
        private final ImageDestination destination;
        private final String fromName;
        private final String toName;
        private final Map<BlobKey, Set<Digest>> diffIds;
        private final Map<BlobKey, byte[]> configs;
        final Map<BlobKey, BlobInfo> recompressed = new ConcurrentHashMap<>();
        final AtomicInteger copied = new AtomicInteger();
        final AtomicInteger reused = new AtomicInteger();

        Blobs(ImageSource source, ImageDestination destination, String fromName, String toName,
                Map<BlobKey, Set<Digest>> diffIds, Map<BlobKey, byte[]> configs) {
            this.source = source;
            this.destination = destination;
            this.fromName = fromName;
            this.toName = toName;
            this.diffIds = diffIds;
            this.configs = configs;
        }

        /**
         * Copies every blob, at most maxParallelBlobs at once, and returns only when none is
         * running any more, so that the destination is never closed under a running copy. The
         * first failure stops new copies from starting and is thrown, the others added to it as
         * suppressed.
         */
        void copyAll(List<BlobStep> steps) throws IOException {
            int max = options.maxParallelBlobs();
            ExecutorService owned = executor.isPresent() ? null : Executors.newFixedThreadPool(
                    Math.min(max, Math.max(1, steps.size())), daemonThreads());
            Executor run = executor.orElse(owned);
            Semaphore permits = new Semaphore(max);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try {
                for (BlobStep step : steps) {
                    try {
                        permits.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        record(failure, new InterruptedIOException("copy to " + toName + " interrupted"));
                        break;
                    }
                    if (failure.get() != null) {
                        permits.release();
                        break;
                    }
                    try {
                        run.execute(() -> {
                            try {
                                if (failure.get() == null) { // queued behind a failure: no point starting
                                    copy(step);
                                }
                            } catch (Throwable t) {
                                record(failure, t);
                            } finally {
                                permits.release();
                            }
                        });
                    } catch (RejectedExecutionException e) {
                        permits.release();
                        record(failure, e);
                        break;
                    }
                }
            } finally {
                permits.acquireUninterruptibly(max);
                if (owned != null) {
                    owned.shutdown();
                }
            }
            Throwable t = failure.get();
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new OciException("blob copy failed: " + t, t);
            }
        }

        private void record(AtomicReference<Throwable> failure, Throwable t) {
            if (!failure.compareAndSet(null, t)) {
                Throwable first = failure.get();
                if (first != t) {
                    synchronized (first) {
                        first.addSuppressed(t);
                    }
                }
            }
        }

        private void copy(BlobStep step) throws IOException {
            Descriptor blob = step.source();
            Listeners.call(() -> listener.blobStarted(blob));
            Outcome outcome = Outcome.FAILED;
            try {
                if (step.toOciConfig()) {
                    boolean written = convertConfig(step);
                    outcome = written ? Outcome.COPIED : Outcome.REUSED;
                    (written ? copied : reused).incrementAndGet();
                } else if (step.recompress().isPresent()) {
                    recompressed.put(step.key(), recompress(step));
                    outcome = Outcome.COPIED;
                    copied.incrementAndGet();
                } else if (copyAsIs(step)) {
                    outcome = Outcome.COPIED;
                    copied.incrementAndGet();
                } else {
                    outcome = Outcome.REUSED;
                    reused.incrementAndGet();
                }
            } catch (DigestMismatchException e) {
                throw sourceMismatch(e, blob, fromName, toName);
            } finally {
                Outcome o = outcome;
                Listeners.call(() -> listener.blobEnded(blob, o));
            }
        }

        /**
         * Writes the OCI form of a Docker config (read and verified beforehand); false if the
         * destination had it already.
         */
        private boolean convertConfig(BlobStep step) throws IOException {
            byte[] docker = configs.get(step.key());
            if (docker == null) {
                throw new IllegalStateException("the config " + step.source().digest() + " was not read");
            }
            byte[] oci = OciConfigConversion.fromDocker(docker);
            Descriptor target = Descriptor.of(step.targetMediaType(), oci);
            recompressed.put(step.key(), new BlobInfo(target.digest(), target.size()));
            if (destination.tryReuseBlob(target).isPresent()) {
                return false;
            }
            BlobInfo stored = destination.putBlob(new ByteArrayInputStream(oci),
                    BlobWrite.of(target.mediaType(), target.digest(), target.size()));
            if (!stored.digest().equals(target.digest())) {
                throw new OciException(toName + " stored blob " + target.digest() + " as " + stored.digest()
                        + "; the destination is broken");
            }
            Listeners.call(() -> listener.blobProgress(step.source(), step.source().size(), step.source().size()));
            return true;
        }

        /** Copies a blob byte for byte; false if the destination had it already. */
        private boolean copyAsIs(BlobStep step) throws IOException {
            Descriptor blob = step.source();
            Descriptor target = blob.mediaType().equals(step.targetMediaType()) ? blob
                    : blob.withMediaType(step.targetMediaType());
            if (destination.tryReuseBlob(target).isPresent()) {
                return false;
            }
            byte[] preloaded = configs.get(step.key());
            try (InputStream raw = preloaded != null ? new ByteArrayInputStream(preloaded) : source.blob(blob)) {
                DigestingInputStream verified = DigestingInputStream.verifying(
                        new ProgressInputStream(raw, listener, blob), blob.digest(), blob.size());
                BlobInfo stored = destination.putBlob(verified,
                        BlobWrite.of(step.targetMediaType(), blob.digest(), blob.size()));
                if (verified.count() > 0) {
                    // A destination may stop at the declared size; the check happens at the end.
                    drain(verified);
                }
                if (!stored.digest().equals(blob.digest())) {
                    throw new OciException(toName + " stored blob " + blob.digest() + " as " + stored.digest()
                            + "; the destination is broken");
                }
            }
            return true;
        }

        /**
         * Decompresses a layer and recompresses it on the fly, verifying the source's digest and
         * the layer's DiffID before the destination sees the end of the new blob, so that a bad
         * source never becomes a complete blob there.
         */
        private BlobInfo recompress(BlobStep step) throws IOException {
            Descriptor blob = step.source();
            Compression declared = MediaTypes.layerCompression(blob.mediaType()).orElseThrow();
            Compression wanted = step.recompress().orElseThrow();
            Set<Digest> expectedDiffIds = diffIds.getOrDefault(step.key(), Set.of());
            if (expectedDiffIds.size() > 1) {
                throw new MalformedDocumentException("image config", "/rootfs/diff_ids", "two images give layer "
                        + blob.digest() + " different DiffIDs " + expectedDiffIds + "; one of them is wrong");
            }
            try (InputStream raw = source.blob(blob)) {
                DigestingInputStream verified = DigestingInputStream.verifying(
                        new ProgressInputStream(raw, listener, blob), blob.digest(), blob.size());
                LayerInputStream layer = LayerInputStream.open(verified, declared, options.layerLimits());
                InputStream checked = new AtEnd(layer, () -> {
                    drain(verified);
                    Digest diffId = layer.diffId();
                    if (!expectedDiffIds.isEmpty() && !expectedDiffIds.contains(diffId)) {
                        Digest expected = expectedDiffIds.iterator().next();
                        throw new DigestMismatchException("layer " + blob.digest() + " of " + fromName
                                + " decompresses to " + diffId + " but the image config says its DiffID is "
                                + expected + "; nothing was committed to " + toName, expected, diffId);
                    }
                });
                try (InputStream out = wanted == Compression.NONE ? checked : new CompressingInputStream(checked, wanted)) {
                    DigestingInputStream digesting = new DigestingInputStream(out, DigestAlgorithm.SHA256);
                    BlobInfo stored;
                    try {
                        stored = destination.putBlob(digesting,
                                new BlobWrite(step.targetMediaType(), Optional.empty(), -1));
                    } catch (LayerInputStream.CorruptLayerException e) {
                        // Undecodable data is most often a blob damaged on its way: if its digest
                        // is wrong, say so, as that is the cause.
                        try {
                            drain(verified);
                        } catch (DigestMismatchException mismatch) {
                            mismatch.addSuppressed(e);
                            throw mismatch;
                        }
                        throw e;
                    }
                    drain(digesting);
                    if (!stored.digest().equals(digesting.digest()) || stored.size() != digesting.count()) {
                        throw new OciException(toName + " stored the recompressed layer as " + stored + " but it is "
                                + digesting.digest() + " (" + digesting.count() + " bytes); the destination is broken");
                    }
                    return stored;
                }
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "ocikit-copy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs a check when the stream first reaches its end, before the reader sees that end. */
    private static final class AtEnd extends FilterInputStream {
        interface Check {
            void run() throws IOException;
        }

        private final Check check;
        private boolean done;

        AtEnd(InputStream in, Check check) {
            super(in);
            this.check = check;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0 && !done) {
                done = true;
                check.run();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(8192, Math.max(1, n))];
            int r = read(buf, 0, (int) Math.min(buf.length, n));
            return Math.max(r, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
