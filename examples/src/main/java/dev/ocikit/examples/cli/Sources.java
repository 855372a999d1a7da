package dev.ocikit.examples.cli;

import dev.ocikit.image.StoreTransport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import java.nio.file.Path;
import java.util.Optional;

/** How the CLI turns an image name into a transport reference, as Skopeo reads them. */
final class Sources {
    private static final Transports TRANSPORTS = Transports.load();

    private Sources() {}

    /**
     * {@code transport:reference}; for the local store ({@code ocikit:NAME}) the global
     * {@code --root}, when given, names the store, as Podman's {@code --root} does.
     */
    static TransportReference parse(String name, Optional<Path> root) {
        if (root.isPresent() && name.startsWith(StoreTransport.NAME + ":")) {
            return StoreTransport.reference(root.get(), name.substring(StoreTransport.NAME.length() + 1));
        }
        return TRANSPORTS.parse(name);
    }

    static Transports transports() {
        return TRANSPORTS;
    }
}
