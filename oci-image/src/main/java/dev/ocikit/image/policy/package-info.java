/**
 * The trust policy, {@code policy.json}, as containers/image (and so Podman, Skopeo and Buildah)
 * reads and applies it: {@link dev.ocikit.image.policy.TrustPolicy} parses the file strictly and
 * decides whether an image, with its manifest and signatures, may be used.
 */
package dev.ocikit.image.policy;
