package dev.ocikit.image;

import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.signature.SigningKey;
import dev.ocikit.image.signature.SigstorePrivateKey;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Copies an image, or an index and its images, from any transport to any other, as
 * {@code skopeo copy} does:
 *
 * <pre>{@code
 * CopyResult r = Copy.from("docker-archive:/tmp/app.tar")
 *         .to("oci:/srv/mirror:app")
 *         .allPlatforms()
 *         .onProgress(bar)
 *         .run();
 * }</pre>
 *
 * <p><b>What a run does.</b> It reads the source's manifest (and, for an index, the manifests of
 * the images chosen), verifying each against the digest it was referred to by; asks the
 * destination what it can store; works out a plan (which images, which manifest format, which
 * layers to recompress), refusing there, before anything is written, what cannot be done; then
 * copies every blob in parallel through a verifying hash, skipping those the destination already
 * has; then writes the manifests and the index and commits. A blob whose bytes do not match its
 * digest fails the run with {@link dev.ocikit.spec.DigestMismatchException} and nothing is
 * committed.
 *
 * <p><b>Trust and signatures.</b> With a {@link #policy(TrustPolicy) policy}, the source's
 * top-level manifest and the signatures stored with it must satisfy it before the
 * destination is even opened; a {@link dev.ocikit.image.policy.PolicyRejectedException} leaves the
 * destination untouched. <b>Without one, no policy is enforced</b>: the library does not read
 * {@code policy.json} by itself (pass {@link TrustPolicy#load()} to honour the machine's, as
 * skopeo and Podman always do). The source's signatures are carried to the destination, as
 * skopeo does, unless {@link #removeSignatures()}; a destination that cannot store them fails the
 * copy before anything is written, and so does a conversion that would change a signed manifest.
 * {@link #signBy} adds a simple signature of the manifest as written, {@link #signBySigstore} a
 * sigstore one. Only transports that store
 * signatures (today {@code dir:}) return or keep any: registry lookaside storage
 * ({@code registries.d}) and sigstore attachments are not read or written yet.
 *
 * <p><b>Conversions.</b> Layers are recompressed when asked ({@link #compression}) or when the
 * destination prefers another compression (not under {@link #preserveDigests()}); manifests are
 * converted between OCI and Docker v2 schema 2 when asked ({@link #manifestFormat}) or when the
 * destination stores only the other format. Both rewrite the manifest (new digest) but never the
 * config: its bytes, and so the image ID and the DiffIDs, stay the same. (skopeo re-serialises
 * the config when converting Docker to OCI; ocikit keeps it, since the JSON is the same.) A
 * recompressed layer is checked against its DiffID on the way.
 *
 * <p><b>Values.</b> A {@code Copy} is immutable and thread-safe: each method returns a new one,
 * and one {@code Copy} can be {@link #run()} any number of times. Defaults are those of
 * {@link CopyOptions}; no listener; a thread pool of {@link CopyOptions#maxParallelBlobs()}
 * threads made for each run and shut down after it.
 */
public final class Copy {
    private final TransportReference from;
    private final TransportReference to;
    private final CopyOptions options;
    private final CopyListener listener;
    private final Optional<Executor> executor;

    private Copy(TransportReference from, TransportReference to, CopyOptions options, CopyListener listener,
            Optional<Executor> executor) {
        this.from = from;
        this.to = to;
        this.options = options;
        this.listener = listener;
        this.executor = executor;
    }

    /**
     * Starts a copy from {@code source}, a {@code transport:reference} string read with the
     * transports on the class path ({@link Transports#load()}).
     *
     * @throws dev.ocikit.image.spi.InvalidTransportReferenceException if it cannot be parsed
     */
    public static From from(String source) {
        return from(Transports.load().parse(source));
    }

    /** Starts a copy from {@code source}. */
    public static From from(TransportReference source) {
        return new From(Objects.requireNonNull(source, "source"));
    }

    /** A copy that knows its source and waits for its destination. Immutable. */
    public static final class From {
        private final TransportReference from;

        private From(TransportReference from) {
            this.from = from;
        }

        /**
         * The destination, a {@code transport:reference} string read with the transports on the
         * class path.
         *
         * @throws dev.ocikit.image.spi.InvalidTransportReferenceException if it cannot be parsed
         */
        public Copy to(String destination) {
            return to(Transports.load().parse(destination));
        }

        /** The destination. */
        public Copy to(TransportReference destination) {
            return new Copy(from, Objects.requireNonNull(destination, "destination"), CopyOptions.defaults(),
                    CopyListener.NONE, Optional.empty());
        }
    }

    /** The source. */
    public TransportReference source() {
        return from;
    }

    /** The destination. */
    public TransportReference destination() {
        return to;
    }

    /** The options in force. */
    public CopyOptions options() {
        return options;
    }

    /** This copy with these options, replacing all of them. */
    public Copy options(CopyOptions newOptions) {
        return new Copy(from, to, Objects.requireNonNull(newOptions, "options"), listener, executor);
    }

    /** Copies the whole index and every image in it (skopeo's {@code --all}). */
    public Copy allPlatforms() {
        return withPlatforms(CopyOptions.PlatformChoice.all());
    }

    /** Copies the image for {@code platform} out of an index (the default is this JVM's platform). */
    public Copy platform(Platform platform) {
        return withPlatforms(CopyOptions.PlatformChoice.single(platform));
    }

    /** Copies an index with only the images for these platforms. */
    public Copy platforms(List<Platform> platforms) {
        return withPlatforms(CopyOptions.PlatformChoice.some(platforms));
    }

    /** Copies an index with only the images for these platforms. */
    public Copy platforms(Platform... platforms) {
        return platforms(List.of(platforms));
    }

    private Copy withPlatforms(CopyOptions.PlatformChoice choice) {
        return options(new CopyOptions(choice, options.preserveDigests(), options.compression(),
                options.manifestFormat(), options.maxParallelBlobs(), options.layerLimits(), options.policy(),
                options.removeSignatures(), options.signBy(), options.signBySigstore()));
    }

    /**
     * Fails, before writing anything, rather than change any digest.
     *
     * @throws IllegalArgumentException if a compression or manifest format is set
     */
    public Copy preserveDigests() {
        return options(new CopyOptions(options.platforms(), true, options.compression(), options.manifestFormat(),
                options.maxParallelBlobs(), options.layerLimits(), options.policy(), options.removeSignatures(),
                options.signBy(), options.signBySigstore()));
    }

    /**
     * Recompresses layers that are compressed otherwise ({@code --dest-compress-format}).
     *
     * @throws IllegalArgumentException if digests are to be preserved
     */
    public Copy compression(Compression compression) {
        return options(new CopyOptions(options.platforms(), options.preserveDigests(),
                Optional.of(compression), options.manifestFormat(), options.maxParallelBlobs(), options.layerLimits(),
                options.policy(), options.removeSignatures(), options.signBy(), options.signBySigstore()));
    }

    /**
     * Writes manifests in {@code format}, converting them where needed ({@code --format}).
     *
     * @throws IllegalArgumentException if digests are to be preserved
     */
    public Copy manifestFormat(ManifestFormat format) {
        return options(new CopyOptions(options.platforms(), options.preserveDigests(), options.compression(),
                Optional.of(format), options.maxParallelBlobs(), options.layerLimits(), options.policy(),
                options.removeSignatures(), options.signBy(), options.signBySigstore()));
    }

    /**
     * Refuses the copy, before anything is written to the destination, unless {@code trust}
     * accepts the source: its top-level manifest and the signatures stored with it. Without this
     * call no policy is enforced (the library does not read {@code policy.json} by itself; pass
     * {@link TrustPolicy#load()} to honour the machine's).
     */
    public Copy policy(TrustPolicy trust) {
        return options(new CopyOptions(options.platforms(), options.preserveDigests(), options.compression(),
                options.manifestFormat(), options.maxParallelBlobs(), options.layerLimits(),
                Optional.of(Objects.requireNonNull(trust, "policy")), options.removeSignatures(), options.signBy(),
                options.signBySigstore()));
    }

    /** Drops the source's signatures instead of copying them ({@code --remove-signatures}). */
    public Copy removeSignatures() {
        return options(new CopyOptions(options.platforms(), options.preserveDigests(), options.compression(),
                options.manifestFormat(), options.maxParallelBlobs(), options.layerLimits(), options.policy(), true,
                options.signBy(), options.signBySigstore()));
    }

    /**
     * Adds a simple signature by {@code key} of the manifest as written, claiming {@code identity},
     * or the destination's Docker reference when empty ({@code --sign-by}, {@code --sign-identity}).
     * A destination without a Docker reference (such as {@code dir:}) needs an identity.
     */
    public Copy signBy(SigningKey key, Optional<String> identity) {
        return options(new CopyOptions(options.platforms(), options.preserveDigests(), options.compression(),
                options.manifestFormat(), options.maxParallelBlobs(), options.layerLimits(), options.policy(),
                options.removeSignatures(), Optional.of(new CopyOptions.Signer(key, identity)), options.signBySigstore()));
    }

    /**
     * Adds a sigstore signature by {@code key} of the manifest as written, claiming
     * {@code identity}, or the destination's Docker reference when empty
     * ({@code --sign-by-sigstore-private-key}, {@code --sign-identity}); the claimed reference
     * must have a tag or a digest. May be combined with {@link #signBy}.
     */
    public Copy signBySigstore(SigstorePrivateKey key, Optional<String> identity) {
        return options(new CopyOptions(options.platforms(), options.preserveDigests(), options.compression(),
                options.manifestFormat(), options.maxParallelBlobs(), options.layerLimits(), options.policy(),
                options.removeSignatures(), options.signBy(), Optional.of(new CopyOptions.SigstoreSigner(key, identity))));
    }

    /** Reports progress to {@code progress}; see {@link CopyListener} for its contract. */
    public Copy onProgress(CopyListener progress) {
        return new Copy(from, to, options, Objects.requireNonNull(progress, "listener"), executor);
    }

    /**
     * Copies blobs on {@code threads} instead of a pool made for each run. At most
     * {@link CopyOptions#maxParallelBlobs()} tasks are handed to it at once; the caller owns it
     * and shuts it down.
     */
    public Copy executor(Executor threads) {
        return new Copy(from, to, options, listener, Optional.of(Objects.requireNonNull(threads, "executor")));
    }

    /**
     * Runs the copy.
     *
     * @return what was written
     * @throws dev.ocikit.spec.DigestMismatchException if a manifest or blob from the source is
     *     not what its digest says; nothing is committed then
     * @throws DigestsNotPreservedException if digests are to be preserved and cannot be
     * @throws NoMatchingPlatformException if an index has no image for a platform asked for
     * @throws dev.ocikit.spec.UnsupportedManifestException if the destination cannot store the
     *     image in any format ocikit can convert it to
     * @throws dev.ocikit.image.policy.PolicyRejectedException if a policy is set and does not
     *     accept the source; the destination is not opened then
     * @throws dev.ocikit.image.spi.SignaturesNotSupportedException if the source has signatures,
     *     they are not to be removed, and the destination cannot store them
     * @throws IOException if reading or writing fails
     */
    public CopyResult run() throws IOException {
        return new CopyExecution(from, to, options, listener, executor).run();
    }

    @Override
    public String toString() {
        return "Copy[" + TransportReference.format(from) + " -> " + TransportReference.format(to) + ", " + options + "]";
    }
}
