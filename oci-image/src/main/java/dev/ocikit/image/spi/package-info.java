/**
 * The transport SPI: how the copy engine reaches images wherever they live. A {@link
 * dev.ocikit.image.spi.Transport} names a kind of place ({@code oci}, {@code docker}, {@code dir},
 * {@code oci-archive}, {@code docker-archive}, named as Skopeo names them) and parses references
 * to it; a {@link dev.ocikit.image.spi.TransportReference} is an immutable name of one image
 * there, which opens an {@link dev.ocikit.image.spi.ImageSource} to read it or an {@link
 * dev.ocikit.image.spi.ImageDestination} to write it. Transports are found with {@link
 * java.util.ServiceLoader} through {@link dev.ocikit.image.spi.Transports}.
 *
 * <p>Sources do not verify what they return; the copy engine verifies every digest. Destinations
 * verify what they are given before they publish it.
 */
package dev.ocikit.image.spi;
