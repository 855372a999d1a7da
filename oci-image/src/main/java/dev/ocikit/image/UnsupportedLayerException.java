package dev.ocikit.image;

import dev.ocikit.spec.OciException;

/**
 * A layer that is not hostile but holds something ocikit cannot reproduce faithfully, so it
 * refuses rather than unpack something else: a file name that is not UTF-8 (or that this JVM's
 * file-name encoding cannot express, as with the {@code C}/{@code POSIX} locale), a multi-volume
 * continuation entry, or, in snapshot mode, a hard link to a file of a lower layer. The message
 * says what and, where there is one, the way out. Nothing was written when it is thrown.
 */
public final class UnsupportedLayerException extends OciException {
    private static final long serialVersionUID = 1L;

    public UnsupportedLayerException(String message) {
        super(message);
    }
}
