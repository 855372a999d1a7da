package dev.ocikit.image.spi;

import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Writes one image, or one index and its images, into a transport.
 *
 * <p>The call order is fixed: every blob ({@link #tryReuseBlob} or {@link #putBlob}), then the
 * manifests of the images, then the index if there is one ({@link #putManifest}), then the
 * signatures of what was written ({@link #putSignatures}, after the manifest they sign), then
 * {@link #commit}. Nothing is visible under the reference's name before {@code commit}, where
 * the transport allows it; {@code commit} is not required to be transactional across several
 * tags or several files. Closing without committing abandons what was written, as far as the
 * transport can.
 *
 * <p>{@link #putBlob} and {@link #tryReuseBlob} must be safe to call from several threads at once;
 * the rest is called from one thread.
 */
public interface ImageDestination extends AutoCloseable {
    /** The reference this destination was opened for. */
    TransportReference reference();

    /**
     * The manifest media types this destination can store, preferred first; empty when it takes
     * any. The copy engine converts between OCI and Docker v2 schema 2 to fit.
     */
    default List<String> supportedManifestMediaTypes() {
        return List.of();
    }

    /**
     * The manifest media types this destination stores as they are when a copy may not change
     * them (digests to preserve), though it would rather have them converted: the supported ones
     * and possibly more, as an OCI layout keeps a Docker manifest that skopeo copied there with
     * {@code --preserve-digests}.
     */
    default List<String> storableManifestMediaTypes() {
        return supportedManifestMediaTypes();
    }

    /**
     * Whether layers that arrive uncompressed are compressed (with gzip) on the way here, as
     * containers/image does for registries and OCI layouts; compressed ones stay as they are. A
     * copy that names a compression, or keeps digests, does not.
     */
    default boolean compressesUncompressedLayers() {
        return false;
    }

    /** The compression this destination wants layers in, if it has a preference. */
    default Optional<Compression> desiredLayerCompression() {
        return Optional.empty();
    }

    /**
     * Whether the destination already has the blob (or can get it without an upload, such as a
     * registry's cross-repository mount). An ordinary miss is an empty result, never an
     * exception.
     */
    default Optional<BlobInfo> tryReuseBlob(Descriptor blob) throws IOException {
        return Optional.empty();
    }

    /**
     * Stores a blob from {@code content}, which the caller closes. The destination verifies the
     * digest and size it was told (or computes them when not told) before the blob becomes
     * visible, and keeps nothing on failure.
     *
     * @return the blob's digest and size as stored
     * @throws dev.ocikit.spec.DigestMismatchException if the content is not what {@code blob} says
     */
    BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException;

    /**
     * Stores a manifest or index. {@code instance} is empty for the top-level document the
     * reference names, and the digest of an image inside an index otherwise.
     */
    void putManifest(ManifestBlob manifest, Optional<Digest> instance) throws IOException;

    /**
     * Whether {@link #putSignatures} can store signatures of this format
     * ({@link ImageSignature#SIMPLE_SIGNING} or {@link ImageSignature#SIGSTORE_JSON}); default
     * false. The copy engine asks before it writes anything, so that an image with signatures is
     * refused early rather than copied without them.
     */
    default boolean supportsSignatures(String format) {
        return false;
    }

    /**
     * Stores the signatures of the manifest written for {@code instance} (empty: the top-level
     * one), replacing any the destination held for it. Called after {@link #putManifest} of that manifest and before
     * {@link #commit}; like the manifest, they need not be visible before the commit. The default
     * accepts an empty list and refuses any signature.
     *
     * @throws SignaturesNotSupportedException if this destination cannot store signatures of
     *     one of their formats
     */
    default void putSignatures(List<ImageSignature> signatures, Optional<Digest> instance) throws IOException {
        if (!signatures.isEmpty()) {
            throw new SignaturesNotSupportedException(TransportReference.format(reference()));
        }
    }

    /** Makes the image visible under the reference's name. */
    void commit() throws IOException;

    @Override
    void close() throws IOException;
}
