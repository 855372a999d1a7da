package dev.ocikit.registry;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the client gets credentials for a registry and repository: {@code auth.json} and
 * credential helpers (see {@code AuthFiles}), fixed credentials, or anything a host application
 * supplies. Must be thread-safe.
 */
@FunctionalInterface
public interface CredentialProvider {
    /** Anonymous access only. */
    CredentialProvider NONE = (registry, repository) -> Optional.empty();

    /**
     * Credentials for {@code repository} (for example {@code library/busybox}) on {@code registry}
     * ({@code host[:port]}, as written in image names: {@code docker.io}, {@code localhost:5000}).
     * The most specific entry wins, as containers/image looks them up.
     */
    Optional<Credentials> credentials(String registry, String repository) throws IOException;

    /**
     * The same credentials for every registry and repository, as {@code --creds} gives them. A
     * pull that a registries.conf mirror (or location) sends to another host goes there without
     * them, as containers/image does.
     */
    static CredentialProvider fixed(Credentials credentials) {
        return new FixedCredentialProvider(credentials);
    }
}
