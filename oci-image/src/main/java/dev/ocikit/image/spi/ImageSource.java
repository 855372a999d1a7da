package dev.ocikit.image.spi;

import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Reads one image, or one index and its images, from a transport. Not required to be
 * thread-safe except for {@link #blob}, which the copy engine calls from several threads at once.
 * Closing it releases what it holds (files, connections, temporary directories).
 *
 * <p>A source does not verify what it returns: callers check every manifest and blob against the
 * digest they expected.
 */
public interface ImageSource extends AutoCloseable {
    /** The reference this source was opened from. */
    TransportReference reference();

    /**
     * The top-level manifest or index the reference names, when {@code instance} is empty; else
     * the manifest with that digest, one of the index's entries.
     *
     * @throws dev.ocikit.image.BlobUnknownException or a transport-specific
     *     {@link dev.ocikit.spec.OciException} if it is not there
     */
    ManifestBlob manifest(Optional<Digest> instance) throws IOException;

    /** Opens a blob the manifests refer to. The caller closes the stream and verifies its content. */
    InputStream blob(Descriptor blob) throws IOException;

    /**
     * The signatures (simple and sigstore ones) stored with the top-level manifest
     * ({@code instance} empty) or with one image of the index, in their stored order; an empty
     * list when there are none or the transport keeps none (the default). Nothing is verified
     * here: that is the trust policy's job.
     *
     * @throws dev.ocikit.image.signature.SignatureVerificationException if a stored signature is
     *     not in any format ocikit reads
     */
    default List<ImageSignature> signatures(Optional<Digest> instance) throws IOException {
        return List.of();
    }

    @Override
    void close() throws IOException;
}
