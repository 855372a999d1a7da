package dev.ocikit.image.signature;

/**
 * The passphrase does not decrypt a cosign private key. (The encryption is authenticated, so a
 * damaged ciphertext looks the same; the message says so.)
 */
public final class WrongPassphraseException extends SigstoreKeyException {
    private static final long serialVersionUID = 1L;

    public WrongPassphraseException(String message) {
        super(message);
    }
}
