package dev.ocikit.image.signature;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.ImageReference;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sigstore (cosign) signatures made and checked with a key, offline, as containers/image does
 * them ({@code skopeo copy --sign-by-sigstore-private-key}, policy.json's
 * {@code sigstoreSigned} with {@code keyPath}): the payload is a {@link SimpleSigningPayload}
 * whose {@code critical.type} is {@value #PAYLOAD_TYPE}, of media type
 * {@value SigstoreSignature#PAYLOAD_MEDIA_TYPE}; its signature, base64 in the
 * {@value SigstoreSignature#SIGNATURE_ANNOTATION} annotation, is ECDSA (ASN.1 DER) or RSA
 * PKCS #1 v1.5 over the SHA-256 of the payload bytes, or Ed25519 over the bytes. Stateless and
 * thread-safe.
 *
 * <p>Verification checks the signature before any of the payload's JSON is read, then parses it
 * as strictly as containers/image. Refusals are {@link SignatureVerificationException}s: not an
 * image signature, or no signature annotation (MALFORMED), no trusted keys (UNKNOWN_KEY), a
 * signature that no trusted key verifies (BAD_SIGNATURE: another key made it, or the payload or
 * signature was changed; sigstore signatures do not name their key, so the two cannot be told
 * apart), a payload that is not a valid one (INVALID_PAYLOAD); {@link #verifyFor} adds
 * DIGEST_MISMATCH and IDENTITY_MISMATCH.
 *
 * <p>A Rekor signed entry timestamp is checked when asked for (offline, with the log's public
 * key). Keyless signatures (a Fulcio certificate in the annotations) are not verified; see
 * {@link SigstoreReferrers} for the OCI 1.1 forms that are recognised.
 */
public final class SigstoreSigning {
    /** The {@code critical.type} of a sigstore image signature payload. */
    public static final String PAYLOAD_TYPE = "cosign container image signature";

    private SigstoreSigning() {}

    /**
     * Signs a manifest as {@code dockerReference}, as containers/image does: the payload names
     * the SHA-256 digest of the manifest bytes, the reference as given, ocikit as the creator and
     * the current time.
     *
     * @param dockerReference the name to sign the image as; must be a valid reference with a tag
     *     or a digest (containers/image refuses to sign a bare repository name)
     * @throws IllegalArgumentException if the reference has neither tag nor digest
     */
    public static SigstoreSignature sign(byte[] manifest, String dockerReference, SigstorePrivateKey key) {
        ImageReference ref = ImageReference.parse(dockerReference);
        if (ref.tag().isEmpty() && ref.digest().isEmpty()) {
            throw new IllegalArgumentException("cannot sign as \"" + dockerReference
                    + "\": it has neither a tag nor a digest, so the signature would accept any version of the image");
        }
        return sign(SimpleSigningPayload.of(SimpleSigning.manifestDigest(manifest), dockerReference, creator(), Instant.now()), key);
    }

    /** Signs a payload the caller built; see {@link #sign(byte[], String, SigstorePrivateKey)}. */
    public static SigstoreSignature sign(SimpleSigningPayload payload, SigstorePrivateKey key) {
        Objects.requireNonNull(payload, "payload");
        return signBytes(payload.toJson(SimpleSigningPayload.SIGSTORE), key);
    }

    /** Any payload bytes (tests sign payloads no valid signer would make). */
    static SigstoreSignature signBytes(byte[] payload, SigstorePrivateKey key) {
        Objects.requireNonNull(key, "key");
        String signature = Base64.getEncoder().encodeToString(key.sign(payload));
        return new SigstoreSignature(SigstoreSignature.PAYLOAD_MEDIA_TYPE, payload,
                Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, signature));
    }

    /**
     * Verifies a signature against trusted keys (any one of them may have made it) and returns
     * what it signs. Does not say whether it is for any particular image: see {@link #verifyFor}.
     *
     * @throws SignatureVerificationException naming why the signature is refused
     */
    public static VerifiedSignature verify(SigstoreSignature signature, Collection<SigstorePublicKey> trustedKeys) {
        return verify(signature, trustedKeys, List.of());
    }

    /**
     * {@link #verify(SigstoreSignature, Collection)}, and, unless {@code rekorKeys} is empty, the
     * signature must also carry a Rekor signed entry timestamp ({@value
     * SigstoreSignature#BUNDLE_ANNOTATION}) by one of these transparency-log keys (ECDSA) for
     * this very signature, key and payload, as policy.json's {@code rekorPublicKeyPath} asks.
     * Checked offline; the log's own inclusion proof is not part of the format.
     *
     * @throws SignatureVerificationException naming why the signature is refused (a missing or
     *     malformed SET is MALFORMED, one that does not match BAD_SIGNATURE)
     */
    public static VerifiedSignature verify(SigstoreSignature signature, Collection<SigstorePublicKey> trustedKeys,
            Collection<SigstorePublicKey> rekorKeys) {
        Objects.requireNonNull(signature, "signature");
        List<SigstorePublicKey> rekor = List.copyOf(Objects.requireNonNull(rekorKeys, "rekorKeys"));
        List<SigstorePublicKey> keys = List.copyOf(Objects.requireNonNull(trustedKeys, "trustedKeys"));
        if (!signature.mimeType().equals(SigstoreSignature.PAYLOAD_MEDIA_TYPE)) {
            throw new SignatureVerificationException(Reason.MALFORMED, "not an image signature: its payload is of media type \""
                    + signature.mimeType() + "\", not " + SigstoreSignature.PAYLOAD_MEDIA_TYPE);
        }
        String base64 = signature.signature().orElseThrow(() -> new SignatureVerificationException(Reason.MALFORMED,
                "the sigstore signature has no " + SigstoreSignature.SIGNATURE_ANNOTATION + " annotation"));
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new SignatureVerificationException(Reason.MALFORMED, "the " + SigstoreSignature.SIGNATURE_ANNOTATION
                    + " annotation is not base64: " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new SignatureVerificationException(Reason.UNKNOWN_KEY, "no trusted sigstore public keys to check the signature with");
        }
        byte[] payload = signature.payload();
        for (SigstorePublicKey key : keys) {
            if (key.verifies(payload, raw)) {
                if (!rekor.isEmpty()) {
                    String set = signature.annotations().get(SigstoreSignature.BUNDLE_ANNOTATION);
                    if (set == null) {
                        throw new SignatureVerificationException(Reason.MALFORMED, "a Rekor transparency-log entry is required,"
                                + " but the signature has no " + SigstoreSignature.BUNDLE_ANNOTATION + " annotation");
                    }
                    RekorSet.verify(rekor, set, key, raw, payload);
                }
                // Only now, with the signature verified, is any of the JSON read.
                SimpleSigningPayload parsed = SimpleSigningPayload.parse(payload, SimpleSigningPayload.SIGSTORE);
                return new VerifiedSignature(parsed, key.fingerprint(), key.fingerprint(),
                        parsed.signedAt().orElse(Instant.EPOCH), ImageSignature.SIGSTORE_JSON);
            }
        }
        throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "the sigstore signature does not verify with "
                + (keys.size() == 1 ? "the trusted key " : "any of the trusted keys ")
                + String.join(", ", keys.stream().map(SigstorePublicKey::fingerprint).toList())
                + ": another key made it, or its payload or signature was changed");
    }

    /**
     * Verifies a signature for a manifest and a name: {@link #verify}, then the signed digest must
     * be that of {@code manifest}'s bytes, and the signed name must be
     * {@code expectedDockerReference} (compared as {@link SimpleSigning#verifyFor} compares them).
     *
     * @throws SignatureVerificationException naming why the signature is refused
     */
    public static VerifiedSignature verifyFor(SigstoreSignature signature, byte[] manifest, String expectedDockerReference,
            Collection<SigstorePublicKey> trustedKeys) {
        ImageReference expected = ImageReference.parse(expectedDockerReference);
        return SimpleSigning.requireFor(verify(signature, trustedKeys), manifest, expected, expectedDockerReference);
    }

    private static String creator() {
        String version = SigstoreSigning.class.getPackage().getImplementationVersion();
        return version == null ? "ocikit" : "ocikit " + version;
    }
}
