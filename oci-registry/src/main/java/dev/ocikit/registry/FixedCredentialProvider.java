package dev.ocikit.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link CredentialProvider#fixed} returns: credentials given for "the registry", not looked
 * up per host. A named type so that a pull through a mirror on another host can tell them from
 * per-host credentials (auth.json) and not send them there, as containers/image does not send
 * {@code --creds} to mirrors.
 */
final class FixedCredentialProvider implements CredentialProvider {
    private final Optional<Credentials> credentials;

    FixedCredentialProvider(Credentials credentials) {
        this.credentials = Optional.of(Objects.requireNonNull(credentials, "credentials"));
    }

    @Override
    public Optional<Credentials> credentials(String registry, String repository) {
        return credentials;
    }

    @Override
    public String toString() {
        return "CredentialProvider.fixed"; // never the credentials
    }
}
