package dev.ocikit.image.signature;

import dev.ocikit.spec.OciException;

/**
 * A sigstore (cosign) key that cannot be used: a file that is not PEM, a PEM block of another
 * type, an encrypted private key whose JSON or parameters are wrong, a key algorithm or size
 * cosign does not accept either. The message names the source and what is wrong.
 * {@link WrongPassphraseException} is the one case a user fixes by typing again.
 */
public class SigstoreKeyException extends OciException {
    private static final long serialVersionUID = 1L;

    public SigstoreKeyException(String message) {
        super(message);
    }

    public SigstoreKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
