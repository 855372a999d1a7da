package dev.ocikit.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * What proves who we are to one registry: a user name and password, or an identity token (an
 * OAuth2 refresh token, as {@code auth.json} stores it under {@code identitytoken}). Immutable.
 * {@link #toString()} never shows the secret.
 */
public final class Credentials {
    private final String username;
    private final String secret;
    private final boolean identityToken;

    private Credentials(String username, String secret, boolean identityToken) {
        this.username = Objects.requireNonNull(username, "username");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.identityToken = identityToken;
    }

    /** A user name and password (or a personal access token used as a password). */
    public static Credentials of(String username, String password) {
        return new Credentials(username, password, false);
    }

    /** An identity token, exchanged for access tokens with the OAuth2 {@code refresh_token} grant. */
    public static Credentials identityToken(String username, String token) {
        return new Credentials(username, token, true);
    }

    public String username() {
        return username;
    }

    /** The password, when these are password credentials. */
    public Optional<String> password() {
        return identityToken ? Optional.empty() : Optional.of(secret);
    }

    /** The identity token, when these are token credentials. */
    public Optional<String> identityToken() {
        return identityToken ? Optional.of(secret) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credentials c && c.username.equals(username) && c.secret.equals(secret)
                && c.identityToken == identityToken;
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, secret, identityToken);
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", " + (identityToken ? "identity token" : "password") + " hidden]";
    }
}
