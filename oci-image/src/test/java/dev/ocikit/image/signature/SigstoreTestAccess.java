package dev.ocikit.image.signature;

/** Lets tests in other packages sign payloads that no valid signer would make. */
public final class SigstoreTestAccess {
    private SigstoreTestAccess() {}

    public static SigstoreSignature signBytes(byte[] payload, SigstorePrivateKey key) {
        return SigstoreSigning.signBytes(payload, key);
    }

    /** The signature with a Rekor SET by {@code log} for it, as a transparency log would return it. */
    public static SigstoreSignature withRekorSet(SigstoreSignature sig, SigstorePrivateKey log, SigstorePublicKey signer) throws Exception {
        return RekorSetTest.withSet(sig, RekorSetTest.set(log, signer, sig.signature().orElseThrow(), sig.payload(), 1767225600));
    }
}
