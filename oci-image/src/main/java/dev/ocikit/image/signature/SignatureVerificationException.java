package dev.ocikit.image.signature;

import dev.ocikit.spec.OciException;

/**
 * A signature that must not be trusted, and why. Thrown by every verification in this package;
 * {@link #reason()} lets a caller (a trust policy, a copy that tries several signatures) tell an
 * unknown key from a forged signature without reading the message.
 */
public final class SignatureVerificationException extends OciException {
    private static final long serialVersionUID = 1L;

    /** Why a signature was refused. */
    public enum Reason {
        /**
         * Not an OpenPGP signed message at all, truncated, or not of the shape simple signing uses;
         * a sigstore signature without its signature annotation.
         */
        MALFORMED,
        /** More (or fewer) than one signature in the message. */
        SIGNATURE_COUNT,
        /** Signed by a key that is not among the trusted keys. */
        UNKNOWN_KEY,
        /** The cryptographic check failed: the content or the signature was changed, or another key made it. */
        BAD_SIGNATURE,
        /** The signing key (or the signature itself) has expired, or the signature predates the key. */
        EXPIRED,
        /** The signing key has been revoked. */
        REVOKED,
        /** The signing key may not make data signatures (its key flags, or an unbound subkey). */
        KEY_USAGE,
        /** The signed payload is not a valid simple-signing document. */
        INVALID_PAYLOAD,
        /** The signature is for another manifest. */
        DIGEST_MISMATCH,
        /** The signature is for another image name. */
        IDENTITY_MISMATCH,
        /**
         * A kind of signature ocikit recognises but cannot verify (offline): keyless sigstore
         * signatures, sigstore bundles, transparency-log requirements.
         */
        UNSUPPORTED
    }

    private final Reason reason;

    public SignatureVerificationException(Reason reason, String message) {
        super("signature refused: " + message);
        this.reason = reason;
    }

    public SignatureVerificationException(Reason reason, String message, Throwable cause) {
        super("signature refused: " + message, cause);
        this.reason = reason;
    }

    /** Why the signature was refused. */
    public Reason reason() {
        return reason;
    }
}
