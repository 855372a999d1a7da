package dev.ocikit.image.spi;

import dev.ocikit.spec.OciException;

/**
 * A reference that names no image where it points: a tag an archive or layout does not have, an
 * index past the end of an archive, several images where the reference must pick one. Thrown
 * when a source is opened or read.
 */
public final class ImageNotFoundException extends OciException {
    private static final long serialVersionUID = 1L;

    public ImageNotFoundException(String reference, String problem) {
        super(reference + ": " + problem);
    }
}
