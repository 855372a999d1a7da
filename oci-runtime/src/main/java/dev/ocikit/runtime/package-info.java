/**
 * Runtime-spec bundles, overlay rootfs snapshots, the runc/crun invoker and the container
 * lifecycle. Builds on {@code dev.ocikit.spec} and {@code dev.ocikit.image}; never imports the
 * registry module.
 */
package dev.ocikit.runtime;
