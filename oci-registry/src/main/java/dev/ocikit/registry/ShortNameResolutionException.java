package dev.ocikit.registry;

import dev.ocikit.spec.OciException;

/**
 * A short name ({@code busybox}, {@code team/app}) could not be turned into fully qualified
 * references: there is no alias and no unqualified-search registry, or {@code short-name-mode}
 * is {@code enforcing} and several search registries would be candidates (Podman would prompt,
 * a library cannot). Use a fully qualified reference, or add an {@code [aliases]} entry.
 */
public class ShortNameResolutionException extends OciException {
    private static final long serialVersionUID = 1L;

    public ShortNameResolutionException(String message) {
        super(message);
    }
}
