package dev.ocikit.image.build;

/** The network a build command gets, as {@code buildah run --network} offers it. */
public enum BuildNetwork {
    /** A network namespace with only a loopback device: no traffic leaves the container. */
    NONE,
    /** The host's network namespace, so the command can reach what the host reaches. */
    HOST
}
