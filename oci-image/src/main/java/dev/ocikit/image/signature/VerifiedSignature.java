package dev.ocikit.image.signature;

import java.time.Instant;
import java.util.Objects;

/**
 * A simple signature that passed its cryptographic check against trusted keys: the payload is
 * what the key's owner signed. Whether it is for the manifest and the name at hand is a separate
 * question ({@link SimpleSigning#verifyFor}, or a trust policy). Immutable.
 *
 * @param payload the signed payload, parsed strictly
 * @param keyFingerprint the primary-key fingerprint of the signer, upper-case hex (what Skopeo
 *     prints and policy.json's keys are matched by)
 * @param signingKeyFingerprint the fingerprint of the key that made the signature: the primary
 *     key's, or a signing subkey's
 * @param signedAt the signature's creation time, from the OpenPGP signature
 */
public record VerifiedSignature(SimpleSigningPayload payload, String keyFingerprint, String signingKeyFingerprint,
        Instant signedAt) {
    public VerifiedSignature {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(keyFingerprint, "keyFingerprint");
        Objects.requireNonNull(signingKeyFingerprint, "signingKeyFingerprint");
        Objects.requireNonNull(signedAt, "signedAt");
    }
}
