package dev.ocikit.image.spi;

/**
 * A kind of place images live, such as an OCI layout directory or a registry. Implementations are
 * stateless and thread-safe, have a public no-argument constructor, and are listed in
 * {@code META-INF/services/dev.ocikit.image.spi.Transport}.
 */
public interface Transport {
    /** The name before the colon in a full reference: {@code oci}, {@code docker}, {@code dir} … */
    String name();

    /**
     * Parses the part of a reference after {@code name() + ":"}, for example
     * {@code /srv/layout:app:1.0} for {@code oci:} or {@code //quay.io/fedora/fedora:40} for
     * {@code docker:}. Parsing does no I/O.
     *
     * @throws InvalidTransportReferenceException naming what was wrong
     */
    TransportReference parse(String reference);
}
