/**
 * The archive transports: {@code docker-archive:} ({@link
 * dev.ocikit.image.archive.DockerArchiveTransport}, the {@code docker save}/{@code docker load}
 * format) and {@code oci-archive:} ({@link dev.ocikit.image.archive.OciArchiveTransport}, an OCI
 * image layout in a tar). Both are found by {@link dev.ocikit.image.spi.Transports} through
 * {@link java.util.ServiceLoader}; most programs name them in strings such as
 * {@code docker-archive:/tmp/app.tar:example.com/app:1} and never touch these classes.
 */
package dev.ocikit.image.archive;
