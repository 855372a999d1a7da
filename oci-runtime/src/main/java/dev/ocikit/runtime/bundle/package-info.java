/**
 * The runtime-spec generator with Podman's semantics: {@link dev.ocikit.runtime.bundle.BundleSpec}
 * turns an image config and the caller's choices into a {@code config.json}; users and groups are
 * resolved inside the container's root file system ({@link dev.ocikit.runtime.bundle.ContainerUsers});
 * {@link dev.ocikit.runtime.bundle.EtcFiles} writes {@code /etc/hosts}, {@code /etc/resolv.conf}
 * and {@code /etc/hostname}; {@link dev.ocikit.runtime.bundle.IdMappings} describes the user
 * namespace of rootless containers.
 */
package dev.ocikit.runtime.bundle;
