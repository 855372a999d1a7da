/**
 * The test kit's machinery: image provisioning, reused containers and their supervising process,
 * file locks, socket tables. Not an API: it may change in any release.
 */
package dev.ocikit.junit.internal;
