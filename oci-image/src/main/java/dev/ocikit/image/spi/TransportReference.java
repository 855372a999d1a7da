package dev.ocikit.image.spi;

import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.util.List;
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

    /**
     * The names the image carries where it is kept, which Podman gives an image it pulls from
     * here: a docker-archive's {@code RepoTags}, an oci-archive's
     * {@code org.opencontainers.image.ref.name}. Reads the archive's index, not its layers; empty
     * for transports that keep no names beside the image (the default).
     */
    default List<String> recordedNames() throws IOException {
        return List.of();
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
