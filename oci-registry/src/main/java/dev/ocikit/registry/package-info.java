/**
 * The distribution-spec client, registry authentication and the containers configuration files
 * ({@code registries.conf}, {@code registries.d}, {@code auth.json}, {@code certs.d}); provides the
 * {@code docker://} transport, with image signatures in lookaside storage and sigstore attachments,
 * to the copy engine of {@code dev.ocikit.image}.
 */
package dev.ocikit.registry;
