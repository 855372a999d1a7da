package dev.ocikit.image;

import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.signature.SigningKey;
import dev.ocikit.image.signature.SigstorePrivateKey;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Copy} does, as an immutable, thread-safe value. Build with {@link #builder()} or
 * derive with {@link #newBuilder()}; contradictory settings are refused by {@link Builder#build()}
 * (and by the constructor).
 *
 * @param platforms which images of an index to copy; default: the one for the platform this JVM
 *     runs on ({@link PlatformChoice#host()}). A source that is a single image is copied whatever
 *     this says.
 * @param preserveDigests fail rather than change any digest: no format conversion, no
 *     recompression, no index with fewer entries; default false. A destination's preferred
 *     compression is ignored in this mode.
 * @param compression the compression every layer should have at the destination; default: the
 *     destination's preference ({@link dev.ocikit.image.spi.ImageDestination#desiredLayerCompression()}),
 *     else each layer as it is
 * @param manifestFormat the manifest format to write; default: the source's if the destination
 *     stores it, else the first the destination stores
 * @param maxParallelBlobs how many blobs are copied at once at most; default 6
 * @param layerLimits bounds applied when a layer is decompressed to be recompressed; default
 *     {@link LayerLimits#DEFAULT}
 * @param policy the trust policy the source must satisfy before anything is written to the
 *     destination; default none: <b>the library enforces no policy unless given one</b> (unlike
 *     skopeo, which always reads {@code policy.json}; use
 *     {@link TrustPolicy#load()} to honour the machine's)
 * @param removeSignatures drop the source's signatures instead of copying them; default false
 *     (they are copied, and a destination that cannot store them fails the copy)
 * @param signBy add a simple signature of the manifest as written; default none
 * @param signBySigstore add a sigstore signature of the manifest as written; default none (both
 *     may be given, as with skopeo, and each adds its signature)
 */
public record CopyOptions(
        PlatformChoice platforms,
        boolean preserveDigests,
        Optional<Compression> compression,
        Optional<ManifestFormat> manifestFormat,
        int maxParallelBlobs,
        LayerLimits layerLimits,
        Optional<TrustPolicy> policy,
        boolean removeSignatures,
        Optional<Signer> signBy,
        Optional<SigstoreSigner> signBySigstore) {

    /** The default number of blobs copied at once. */
    public static final int DEFAULT_MAX_PARALLEL_BLOBS = 6;

    /** Options without policy, without signing, carrying signatures along. */
    public CopyOptions(PlatformChoice platforms, boolean preserveDigests, Optional<Compression> compression,
            Optional<ManifestFormat> manifestFormat, int maxParallelBlobs, LayerLimits layerLimits) {
        this(platforms, preserveDigests, compression, manifestFormat, maxParallelBlobs, layerLimits, Optional.empty(),
                false, Optional.empty());
    }

    /** Options without sigstore signing (the form before sigstore signing existed). */
    public CopyOptions(PlatformChoice platforms, boolean preserveDigests, Optional<Compression> compression,
            Optional<ManifestFormat> manifestFormat, int maxParallelBlobs, LayerLimits layerLimits, Optional<TrustPolicy> policy,
            boolean removeSignatures, Optional<Signer> signBy) {
        this(platforms, preserveDigests, compression, manifestFormat, maxParallelBlobs, layerLimits, policy, removeSignatures,
                signBy, Optional.empty());
    }

    public CopyOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(signBy, "signBy");
        Objects.requireNonNull(signBySigstore, "signBySigstore");
        Objects.requireNonNull(platforms, "platforms");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(manifestFormat, "manifestFormat");
        Objects.requireNonNull(layerLimits, "layerLimits");
        if (maxParallelBlobs < 1) {
            throw new IllegalArgumentException("maxParallelBlobs must be at least 1, got " + maxParallelBlobs);
        }
        if (preserveDigests && compression.isPresent()) {
            throw new IllegalArgumentException("preserveDigests cannot be combined with compression("
                    + compression.get() + "): recompressing a layer changes its digest");
        }
        if (preserveDigests && manifestFormat.isPresent()) {
            throw new IllegalArgumentException("preserveDigests cannot be combined with manifestFormat("
                    + manifestFormat.get() + "): converting a manifest changes its digest");
        }
    }

    /** The defaults described above. */
    public static CopyOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options; each setting may then be made once more. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    /**
     * A key to sign the written manifest with, as {@code skopeo copy --sign-by}, and the Docker
     * reference the signature claims ({@code --sign-identity}); empty: the destination's own
     * Docker reference, which a destination without one (such as {@code dir:}) lacks, so an
     * identity must then be given.
     */
    public record Signer(SigningKey key, Optional<String> identity) {
        public Signer {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * A sigstore private key to sign the written manifest with, as
     * {@code skopeo copy --sign-by-sigstore-private-key}, and the Docker reference the signature
     * claims ({@code --sign-identity}); empty: the destination's own, as for {@link Signer}.
     */
    public record SigstoreSigner(SigstorePrivateKey key, Optional<String> identity) {
        public SigstoreSigner {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * Which images of an index a copy takes. Immutable.
     */
    public sealed interface PlatformChoice {
        /** The image for the platform this JVM runs on. */
        static PlatformChoice host() {
            return new Single(Platform.host());
        }

        /** The image a host of {@code platform} would run (best match, as Podman chooses). */
        static PlatformChoice single(Platform platform) {
            return new Single(platform);
        }

        /** The whole index, every image in it. */
        static PlatformChoice all() {
            return new All();
        }

        /** An index with only the images for these platforms (best match for each). */
        static PlatformChoice some(List<Platform> platforms) {
            return new Some(platforms);
        }

        /** Copies one image, which becomes the destination's top-level manifest. */
        record Single(Platform platform) implements PlatformChoice {
            public Single {
                Objects.requireNonNull(platform, "platform");
            }
        }

        /** Copies the index and every image in it. */
        record All() implements PlatformChoice {}

        /** Copies an index holding the images for these platforms, in the source's order. */
        record Some(List<Platform> platforms) implements PlatformChoice {
            public Some {
                platforms = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(platforms, "platforms")));
                if (platforms.isEmpty()) {
                    throw new IllegalArgumentException("at least one platform must be chosen");
                }
            }
        }
    }

    /**
     * Builds {@link CopyOptions}. Not thread-safe. Each setting may be made once: making it again
     * is an error, at the moment it happens, so that a later line cannot silently undo an
     * earlier one.
     */
    public static final class Builder {
        private PlatformChoice platforms;
        private boolean platformsSet;
        private boolean preserveDigests;
        private boolean preserveDigestsSet;
        private Compression compression;
        private ManifestFormat manifestFormat;
        private int maxParallelBlobs = DEFAULT_MAX_PARALLEL_BLOBS;
        private boolean maxParallelSet;
        private LayerLimits layerLimits = LayerLimits.DEFAULT;
        private boolean layerLimitsSet;
        private TrustPolicy policy;
        private boolean removeSignatures;
        private boolean removeSignaturesSet;
        private Signer signBy;
        private SigstoreSigner signBySigstore;

        private Builder() {}

        private Builder(CopyOptions o) {
            platforms = o.platforms;
            preserveDigests = o.preserveDigests;
            compression = o.compression.orElse(null);
            manifestFormat = o.manifestFormat.orElse(null);
            maxParallelBlobs = o.maxParallelBlobs;
            layerLimits = o.layerLimits;
            policy = o.policy.orElse(null);
            removeSignatures = o.removeSignatures;
            signBy = o.signBy.orElse(null);
            signBySigstore = o.signBySigstore.orElse(null);
        }

        /** Refuses, before writing anything, a source that {@code value} does not accept. */
        public Builder policy(TrustPolicy value) {
            Objects.requireNonNull(value, "policy");
            if (policy != null) {
                throw new IllegalStateException("the policy was already set to " + policy.source());
            }
            policy = value;
            return this;
        }

        /** Drops the source's signatures ({@code --remove-signatures}). */
        public Builder removeSignatures() {
            if (removeSignaturesSet) {
                throw new IllegalStateException("removeSignatures was already set");
            }
            removeSignaturesSet = true;
            removeSignatures = true;
            return this;
        }

        /** Signs the written manifest ({@code --sign-by}, {@code --sign-identity}). */
        public Builder signBy(SigningKey key, Optional<String> identity) {
            if (signBy != null) {
                throw new IllegalStateException("a signing key was already set: " + signBy.key());
            }
            signBy = new Signer(key, identity);
            return this;
        }

        /** Adds a sigstore signature of the written manifest ({@code --sign-by-sigstore-private-key}). */
        public Builder signBySigstore(SigstorePrivateKey key, Optional<String> identity) {
            if (signBySigstore != null) {
                throw new IllegalStateException("a sigstore signing key was already set: " + signBySigstore.key());
            }
            signBySigstore = new SigstoreSigner(key, identity);
            return this;
        }

        /** Copies the image for {@code platform} out of an index. */
        public Builder platform(Platform platform) {
            return platforms(PlatformChoice.single(Objects.requireNonNull(platform, "platform")));
        }

        /** Copies a whole index with all its images (skopeo's {@code --all}). */
        public Builder allPlatforms() {
            return platforms(PlatformChoice.all());
        }

        /** Copies an index with only the images for these platforms. */
        public Builder platforms(List<Platform> chosen) {
            return platforms(PlatformChoice.some(chosen));
        }

        /** Copies what {@code choice} says. */
        public Builder platforms(PlatformChoice choice) {
            Objects.requireNonNull(choice, "choice");
            if (platformsSet) {
                throw new IllegalStateException("the platforms to copy were already chosen (" + platforms
                        + "); choose once");
            }
            platformsSet = true;
            platforms = choice;
            return this;
        }

        /** Fails rather than changing any digest. */
        public Builder preserveDigests() {
            return preserveDigests(true);
        }

        /** Whether to fail rather than change any digest. */
        public Builder preserveDigests(boolean value) {
            if (preserveDigestsSet) {
                throw new IllegalStateException("preserveDigests was already set");
            }
            preserveDigestsSet = true;
            preserveDigests = value;
            return this;
        }

        /** Recompresses layers to {@code value} where they are compressed otherwise. */
        public Builder compression(Compression value) {
            Objects.requireNonNull(value, "compression");
            if (compression != null) {
                throw new IllegalStateException("compression was already set to " + compression);
            }
            compression = value;
            return this;
        }

        /** Writes manifests (and the index) in {@code value}, converting where needed. */
        public Builder manifestFormat(ManifestFormat value) {
            Objects.requireNonNull(value, "manifestFormat");
            if (manifestFormat != null) {
                throw new IllegalStateException("manifestFormat was already set to " + manifestFormat);
            }
            manifestFormat = value;
            return this;
        }

        /** Copies at most {@code value} blobs at once. */
        public Builder maxParallelBlobs(int value) {
            if (maxParallelSet) {
                throw new IllegalStateException("maxParallelBlobs was already set to " + maxParallelBlobs);
            }
            maxParallelSet = true;
            maxParallelBlobs = value;
            return this;
        }

        /** Bounds for layers decompressed to be recompressed. */
        public Builder layerLimits(LayerLimits value) {
            Objects.requireNonNull(value, "layerLimits");
            if (layerLimitsSet) {
                throw new IllegalStateException("layerLimits was already set");
            }
            layerLimitsSet = true;
            layerLimits = value;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException if settings contradict each other (preserveDigests with
         *     a compression or a manifest format, a parallelism below 1)
         */
        public CopyOptions build() {
            return new CopyOptions(platforms == null ? PlatformChoice.host() : platforms, preserveDigests,
                    Optional.ofNullable(compression), Optional.ofNullable(manifestFormat), maxParallelBlobs,
                    layerLimits, Optional.ofNullable(policy), removeSignatures, Optional.ofNullable(signBy),
                    Optional.ofNullable(signBySigstore));
        }
    }
}
