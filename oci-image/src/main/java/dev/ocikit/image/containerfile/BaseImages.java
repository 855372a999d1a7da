package dev.ocikit.image.containerfile;

import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.spec.Platform;
import java.io.IOException;

/**
 * Finds the image a {@code FROM} (or {@code COPY --from}) names when it is not a stage of the
 * Containerfile: in the local store, pulling it when missing. The CLI hands in one that resolves
 * short names through {@code registries.conf} as Podman does.
 */
@FunctionalInterface
public interface BaseImages {
    /**
     * A builder on top of the image {@code reference} names, for {@code platform}.
     *
     * @throws dev.ocikit.image.ImageUnknownException or a transport's exception when there is
     *     no such image
     */
    ImageBuilder from(String reference, Platform platform) throws IOException;
}
