package dev.ocikit.registry;

import dev.ocikit.image.signature.SignatureVerificationException;
import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Digest;

/**
 * How many signatures, and how many bytes of them, one image's signature reads may gather from all
 * the places they are kept together (lookaside storage, the {@code .sig} tag, referrers): each
 * place is bounded on its own, and this bounds their sum, so that a hostile registry or storage
 * cannot make a copy hold more than a few tens of megabytes per image. Not thread-safe: one per
 * read of one image's signatures.
 */
final class SignatureBudget {
    /** More than any image has; as many as one place may hold. */
    static final int MAX_COUNT = Lookaside.MAX_SIGNATURES;
    /** Real signatures are a few kilobytes; this is thousands of them. */
    static final long MAX_BYTES = 32L << 20;

    private final Digest image;
    private int count;
    private long bytes;

    SignatureBudget(Digest image) {
        this.image = image;
    }

    /**
     * Counts one more signature, or a manifest fetched to find some, of {@code size} bytes.
     *
     * @throws SignatureVerificationException ({@link Reason#MALFORMED}) past either bound
     */
    void take(long size, String where) {
        count++;
        bytes += Math.max(0, size);
        if (count > MAX_COUNT || bytes > MAX_BYTES) {
            throw new SignatureVerificationException(Reason.MALFORMED, "the signatures of " + image + " (the last from "
                    + where + ") come to more than " + (count > MAX_COUNT ? MAX_COUNT + " signatures and manifests"
                    : (MAX_BYTES >> 20) + " MiB") + ", more than any image has; the registry or its signature storage"
                    + " is broken or hostile");
        }
    }
}
