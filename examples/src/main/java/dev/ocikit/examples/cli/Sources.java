package dev.ocikit.examples.cli;

import dev.ocikit.image.CopyListener;
import dev.ocikit.image.StoreTransport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.registry.DockerTransport;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** How every CLI command turns an image name into a transport reference, as Skopeo reads them. */
final class Sources {
    private static final Transports TRANSPORTS = Transports.load();

    private Sources() {}

    /**
     * {@code transport:reference}. A {@code docker://} name gets a client built from the
     * machine's containers files plus the registry flags given; for the local store
     * ({@code ocikit:NAME}) the global {@code --root}, when given, names the store, as Podman's
     * {@code --root} does.
     */
    static TransportReference parse(String name, Optional<Path> root, Boolean tlsVerify, String creds, Path authfile)
            throws IOException {
        return parse(name, root, Optional.empty(), tlsVerify, creds, authfile);
    }

    /** {@link #parse} with the global {@code --registries.d}, when given, for where a registry's signatures are. */
    static TransportReference parse(String name, Optional<Path> root, Optional<Path> registriesD, Boolean tlsVerify,
            String creds, Path authfile) throws IOException {
        if (name.startsWith(DockerTransport.NAME + "://")) {
            ImageReference ref = ImageReference.parse(name.substring(DockerTransport.NAME.length() + 3));
            return new DockerTransport(RegistryOptions.client(ref.domain(), tlsVerify, creds, authfile, registriesD)).reference(ref);
        }
        if (root.isPresent() && name.startsWith(StoreTransport.NAME + ":")) {
            return StoreTransport.reference(root.get(), name.substring(StoreTransport.NAME.length() + 1));
        }
        return TRANSPORTS.parse(name);
    }

    /** {@link #parse} with the registry flags of one side of a command. */
    static TransportReference parse(String name, Optional<Path> root, RegistryOptions registry) throws IOException {
        return parse(name, root, registry.tlsVerify, registry.creds, registry.authfile);
    }

    /** Whether {@code name} starts with a known transport's name and a colon. */
    static boolean hasTransport(String name) {
        int colon = name.indexOf(':');
        return colon > 0 && TRANSPORTS.get(name.substring(0, colon)).isPresent();
    }

    /**
     * Progress: bars redrawn in place on a terminal, otherwise skopeo's plain lines (one per blob,
     * when it is done); nothing when {@code quiet}.
     */
    static CopyListener progress(PrintWriter out, boolean quiet) {
        if (quiet) {
            return CopyListener.NONE;
        }
        if (ProgressBars.terminal()) {
            return new ProgressBars(out);
        }
        // Without a terminal, skopeo's lines: each blob named in full as its copy starts.
        return new CopyListener() {
            private boolean started;

            @Override
            public void blobStarted(Descriptor blob) {
                synchronized (out) {
                    if (!started) {
                        started = true;
                        out.println("Getting image source signatures");
                    }
                    out.printf("Copying %s %s%n", MediaTypes.isConfig(blob.mediaType()) ? "config" : "blob", blob.digest());
                    out.flush();
                }
            }

            @Override
            public void blobEnded(Descriptor blob, Outcome outcome) {
                if (outcome == Outcome.FAILED) {
                    synchronized (out) {
                        out.printf("Copying %s %s failed%n", MediaTypes.isConfig(blob.mediaType()) ? "config" : "blob",
                                blob.digest());
                        out.flush();
                    }
                }
            }
        };
    }

    /** What skopeo and podman print once the blobs are there: the manifest written, then the signatures. */
    static void manifestWritten(PrintWriter out, boolean quiet) {
        if (!quiet) {
            out.println("Writing manifest to image destination");
            out.println("Storing signatures");
            out.flush();
        }
    }
}
