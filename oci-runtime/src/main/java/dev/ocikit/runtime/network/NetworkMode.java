package dev.ocikit.runtime.network;

/**
 * How a container is networked, as Podman's {@code --network} names it.
 *
 * <ul>
 *   <li>{@link #NONE}: its own network namespace with only the loopback interface up (the OCI
 *       runtime brings {@code lo} up itself when it creates a namespace). No ports can be published.
 *   <li>{@link #HOST}: no network namespace; the container uses the host's interfaces and ports
 *       directly, so a "published" port is the container port itself.
 *   <li>{@link #PRIVATE}: its own network namespace attached to the outside, with ports published
 *       on the host (127.0.0.1 by default): a CNI bridge when running as root, slirp4netns rootless.
 * </ul>
 */
public enum NetworkMode {
    NONE,
    HOST,
    PRIVATE;

    /**
     * Whether the runtime spec must ask for a new network namespace without a path
     * ({@code Namespace.of(Namespace.NETWORK)}); false means the spec must have no network namespace.
     */
    public boolean ownNamespace() {
        return this != HOST;
    }

    /**
     * Reads Podman's {@code --network} values: {@code none}, {@code host}, and {@code private}
     * (also {@code bridge}, {@code slirp4netns} and {@code pasta}, which are private networks).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static NetworkMode parse(String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> NONE;
            case "host" -> HOST;
            case "private", "bridge", "slirp4netns", "pasta" -> PRIVATE;
            default -> throw new IllegalArgumentException("unknown network \"" + value
                    + "\": expected none, host or private");
        };
    }
}
