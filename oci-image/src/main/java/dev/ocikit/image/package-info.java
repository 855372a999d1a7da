/**
 * Content: the blob store, OCI image layouts, the local image store, layer codecs, safe unpack
 * and reproducible pack, the transport SPI and the copy engine. Builds on {@code dev.ocikit.spec};
 * never imports the registry or runtime modules, which meet through the interfaces owned here.
 */
package dev.ocikit.image;
