package dev.ocikit.image.signature;

import java.time.Instant;
import java.util.Objects;

/**
 * A signature that passed its cryptographic check against trusted keys: the payload is what the
 * key's owner signed. Whether it is for the manifest and the name at hand is a separate question
 * ({@link SimpleSigning#verifyFor}, {@link SigstoreSigning#verifyFor}, or a trust policy).
 * Immutable.
 *
 * @param payload the signed payload, parsed strictly
 * @param keyFingerprint who signed: for a simple signature the primary-key fingerprint,
 *     upper-case hex (what Skopeo prints and policy.json's keys are matched by); for a sigstore
 *     signature {@link SigstorePublicKey#fingerprint()} ({@code sha256:} and hex)
 * @param signingKeyFingerprint the fingerprint of the key that made the signature: the primary
 *     key's or a signing subkey's (simple); the same as {@code keyFingerprint} (sigstore)
 * @param signedAt when the signer says it signed: the OpenPGP signature's creation time (simple);
 *     the payload's {@code optional.timestamp}, or the epoch if it has none (sigstore)
 * @param format {@link ImageSignature#SIMPLE_SIGNING} or {@link ImageSignature#SIGSTORE_JSON}
 */
public record VerifiedSignature(SimpleSigningPayload payload, String keyFingerprint, String signingKeyFingerprint,
        Instant signedAt, String format) {
    public VerifiedSignature {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(keyFingerprint, "keyFingerprint");
        Objects.requireNonNull(signingKeyFingerprint, "signingKeyFingerprint");
        Objects.requireNonNull(signedAt, "signedAt");
        Objects.requireNonNull(format, "format");
    }

    /** A verified simple signature. */
    public VerifiedSignature(SimpleSigningPayload payload, String keyFingerprint, String signingKeyFingerprint,
            Instant signedAt) {
        this(payload, keyFingerprint, signingKeyFingerprint, signedAt, ImageSignature.SIMPLE_SIGNING);
    }
}
