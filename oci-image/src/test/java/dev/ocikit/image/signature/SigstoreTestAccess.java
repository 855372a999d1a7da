package dev.ocikit.image.signature;

/** Lets tests in other packages sign payloads that no valid signer would make. */
public final class SigstoreTestAccess {
    private SigstoreTestAccess() {}

    public static SigstoreSignature signBytes(byte[] payload, SigstorePrivateKey key) {
        return SigstoreSigning.signBytes(payload, key);
    }
}
