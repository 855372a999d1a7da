package dev.ocikit.registry;

import dev.ocikit.spec.distribution.RegistryError;
import java.util.List;

/**
 * The manifest (by tag or digest) is not in the repository, or the repository does not exist:
 * the registry answered 404 ({@code MANIFEST_UNKNOWN} or {@code NAME_UNKNOWN}). Check the tag or
 * digest, and the repository name. Immutable.
 */
public class ManifestUnknownException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public ManifestUnknownException(String message, int status, List<RegistryError> errors) {
        super(message, status, errors);
    }
}
