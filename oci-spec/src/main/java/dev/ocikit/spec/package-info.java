/**
 * Typed, immutable models of the three OCI specifications (image, runtime, distribution), with
 * the JSON rules they share, digests, platforms and image references. No I/O.
 *
 * <p>Every public method returns non-null values: absent things come back as {@code Optional}
 * or as empty collections. Every failure on outside input is an {@link dev.ocikit.spec.OciException}
 * subtype whose message names what was wrong and where.
 */
package dev.ocikit.spec;
