package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.OciException;

/** A blob that was asked for by digest and is not there. */
public final class BlobUnknownException extends OciException {
    private static final long serialVersionUID = 1L;
    private final Digest digest;

    public BlobUnknownException(Digest digest, String where) {
        super("blob " + digest + " is not in " + where);
        this.digest = digest;
    }

    public Digest digest() {
        return digest;
    }
}
