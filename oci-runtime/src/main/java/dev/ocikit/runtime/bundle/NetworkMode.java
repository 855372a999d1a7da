package dev.ocikit.runtime.bundle;

/**
 * The network a container gets, as {@link BundleSpec} records it and {@link EtcFiles} needs it.
 */
public enum NetworkMode {
    /** A new network namespace that the network layer connects (Podman's bridge or slirp4netns). */
    PRIVATE,
    /** A new network namespace left with its loopback device only ({@code --network none}). */
    NONE,
    /** The host's network namespace ({@code --network host}). */
    HOST,
    /** An existing network namespace, given by path ({@code --network ns:/path}). */
    JOINED
}
