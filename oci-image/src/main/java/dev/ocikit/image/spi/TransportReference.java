package dev.ocikit.image.spi;

import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.util.Optional;

/**
 * An immutable name of one image (or image index) in one transport. Naming does no I/O; opening
 * does. Implementations are values: {@code equals} compares what they name.
 */
public interface TransportReference {
    /** The transport this reference belongs to. */
    Transport transport();

    /**
     * The reference without the transport prefix, exactly as {@link Transport#parse} reads it
     * back.
     */
    String withinTransport();

    /** The registry name this image has, where the transport has one ({@code docker:} and archives). */
    default Optional<ImageReference> dockerReference() {
        return Optional.empty();
    }

    /** Opens the image for reading. The caller closes the source. */
    ImageSource openSource() throws IOException;

    /** Opens the place for writing the image. The caller closes the destination. */
    ImageDestination openDestination() throws IOException;

    /** {@code transport:reference}, as {@link Transports#parse} reads it back. */
    static String format(TransportReference reference) {
        return reference.transport().name() + ":" + reference.withinTransport();
    }
}
