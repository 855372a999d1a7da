/**
 * The distribution-spec client, registry authentication and the containers configuration files
 * ({@code registries.conf}, {@code auth.json}, {@code certs.d}); provides the {@code docker://}
 * transport to the copy engine of {@code dev.ocikit.image}.
 */
package dev.ocikit.registry;
