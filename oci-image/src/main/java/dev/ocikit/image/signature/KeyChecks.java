package dev.ocikit.image.signature;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Whether a key may make a data signature at a time, as GnuPG decides it: not revoked, not
 * expired (then or now), created before the signature, allowed to sign by its key flags, and, for
 * a subkey, bound to its primary key by a valid binding signature carrying a valid back
 * signature. Revocations and bindings are checked cryptographically, so an unverifiable one
 * counts as absent.
 */
final class KeyChecks {
    private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();

    private KeyChecks() {}

    /**
     * Refuses the key for a signature made at {@code signedAt}, checked at {@code now}.
     *
     * @throws SignatureVerificationException with REVOKED, EXPIRED or KEY_USAGE
     */
    static void requireUsable(PGPPublicKey primary, PGPPublicKey key, Instant signedAt, Instant now) {
        String name = PublicKeyring.fingerprint(key);
        if (isRevoked(primary, primary)) {
            throw new SignatureVerificationException(Reason.REVOKED, "key " + PublicKeyring.fingerprint(primary) + " has been revoked");
        }
        Optional<Instant> primaryExpiry = expiry(primary, primary.getValidSeconds());
        Instant created = key.getCreationTime().toInstant();
        if (signedAt.isBefore(created)) {
            throw new SignatureVerificationException(Reason.EXPIRED, "the signature (made " + signedAt
                    + ") predates key " + name + " (created " + created + ")");
        }
        if (key.isMasterKey()) {
            requireNotExpired(name, primaryExpiry, signedAt, now);
            Optional<PGPSignature> self = latestSelfSignature(primary);
            if (self.isPresent() && self.get().getHashedSubPackets() != null
                    && self.get().getHashedSubPackets().hasSubpacket(org.bouncycastle.bcpg.SignatureSubpacketTags.KEY_FLAGS)
                    && (self.get().getHashedSubPackets().getKeyFlags() & KeyFlags.SIGN_DATA) == 0) {
                throw new SignatureVerificationException(Reason.KEY_USAGE, "key " + name + " is not allowed to sign data (its key flags)");
            }
            return;
        }
        if (isRevoked(primary, key)) {
            throw new SignatureVerificationException(Reason.REVOKED, "subkey " + name + " of key "
                    + PublicKeyring.fingerprint(primary) + " has been revoked");
        }
        PGPSignature binding = validBinding(primary, key).orElseThrow(() -> new SignatureVerificationException(Reason.KEY_USAGE,
                "subkey " + name + " is not bound to key " + PublicKeyring.fingerprint(primary)
                        + " for signing (no valid binding and back signature)"));
        requireNotExpired(PublicKeyring.fingerprint(primary), primaryExpiry, signedAt, now);
        long subkeyValidity = binding.getHashedSubPackets() == null ? 0 : binding.getHashedSubPackets().getKeyExpirationTime();
        requireNotExpired(name, expiry(key, subkeyValidity), signedAt, now);
    }

    /** Whether a secret key's public half may sign now (for choosing the key to sign with). */
    static boolean canSign(PGPPublicKey primary, PGPPublicKey key, Instant now) {
        try {
            requireUsable(primary, key, now, now);
            return key.isMasterKey() || validBinding(primary, key).isPresent();
        } catch (SignatureVerificationException e) {
            return false;
        }
    }

    private static void requireNotExpired(String name, Optional<Instant> expiry, Instant signedAt, Instant now) {
        if (expiry.isEmpty()) {
            return;
        }
        if (!signedAt.isBefore(expiry.get())) {
            throw new SignatureVerificationException(Reason.EXPIRED, "key " + name + " had expired (" + expiry.get()
                    + ") when the signature was made (" + signedAt + ")");
        }
        // As GnuPG (and so containers/image) does: a key that has expired since signs nothing valid.
        if (!now.isBefore(expiry.get())) {
            throw new SignatureVerificationException(Reason.EXPIRED, "key " + name + " expired on " + expiry.get());
        }
    }

    private static Optional<Instant> expiry(PGPPublicKey key, long validSeconds) {
        return validSeconds <= 0 ? Optional.empty()
                : Optional.of(key.getCreationTime().toInstant().plusSeconds(validSeconds));
    }

    private static boolean isRevoked(PGPPublicKey primary, PGPPublicKey key) {
        int type = key.isMasterKey() ? PGPSignature.KEY_REVOCATION : PGPSignature.SUBKEY_REVOCATION;
        for (Iterator<PGPSignature> it = key.getSignaturesOfType(type); it.hasNext(); ) {
            PGPSignature sig = it.next();
            if (sig.getKeyID() != primary.getKeyID()) {
                continue; // a designated revoker's revocation would need that key: not supported, ignored
            }
            try {
                sig.init(VERIFIERS, primary);
                if (key.isMasterKey() ? sig.verifyCertification(key) : sig.verifyCertification(primary, key)) {
                    return true;
                }
            } catch (PGPException | RuntimeException e) {
                // an unverifiable revocation revokes nothing
            }
        }
        return false;
    }

    /** The newest subkey binding by the primary that verifies, allows signing and carries a valid back signature. */
    private static Optional<PGPSignature> validBinding(PGPPublicKey primary, PGPPublicKey subkey) {
        PGPSignature best = null;
        for (Iterator<PGPSignature> it = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); it.hasNext(); ) {
            PGPSignature sig = it.next();
            try {
                sig.init(VERIFIERS, primary);
                if (sig.getHashedSubPackets() == null || !sig.verifyCertification(primary, subkey)
                        || (sig.getHashedSubPackets().getKeyFlags() & KeyFlags.SIGN_DATA) == 0 || !hasBackSignature(sig, primary, subkey)) {
                    continue;
                }
                if (best == null || sig.getCreationTime().after(best.getCreationTime())) {
                    best = sig;
                }
            } catch (PGPException | RuntimeException e) {
                // not a valid binding
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean hasBackSignature(PGPSignature binding, PGPPublicKey primary, PGPPublicKey subkey) throws PGPException {
        // A signing subkey must sign its primary back, or anyone could claim someone else's subkey.
        PGPSignatureList embedded = binding.getHashedSubPackets().getEmbeddedSignatures();
        PGPSignatureList unhashed = binding.getUnhashedSubPackets() == null ? null : binding.getUnhashedSubPackets().getEmbeddedSignatures();
        for (PGPSignatureList list : new PGPSignatureList[] {embedded, unhashed}) {
            if (list == null) {
                continue;
            }
            for (PGPSignature back : list) {
                if (back.getSignatureType() != PGPSignature.PRIMARYKEY_BINDING) {
                    continue;
                }
                back.init(VERIFIERS, subkey);
                if (back.verifyCertification(primary, subkey)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The newest self-certification of a user ID, or direct-key signature, that verifies. */
    private static Optional<PGPSignature> latestSelfSignature(PGPPublicKey primary) {
        PGPSignature best = null;
        for (Iterator<byte[]> ids = primary.getRawUserIDs(); ids.hasNext(); ) {
            byte[] id = ids.next();
            for (Iterator<PGPSignature> it = primary.getSignaturesForID(id); it.hasNext(); ) {
                PGPSignature sig = it.next();
                if (sig.getKeyID() != primary.getKeyID() || !sig.isCertification()) {
                    continue;
                }
                try {
                    sig.init(VERIFIERS, primary);
                    if (sig.verifyCertification(id, primary) && (best == null || sig.getCreationTime().after(best.getCreationTime()))) {
                        best = sig;
                    }
                } catch (PGPException | RuntimeException e) {
                    // not a self signature
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
