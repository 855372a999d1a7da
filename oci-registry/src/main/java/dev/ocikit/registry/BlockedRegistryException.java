package dev.ocikit.registry;

import dev.ocikit.spec.OciException;

/**
 * The image's registry is marked {@code blocked = true} in registries.conf, so nothing may be
 * pulled from it (its mirrors included), as containers/image refuses. Change the configuration
 * to use it.
 */
public class BlockedRegistryException extends OciException {
    private static final long serialVersionUID = 1L;

    public BlockedRegistryException(String message) {
        super(message);
    }
}
