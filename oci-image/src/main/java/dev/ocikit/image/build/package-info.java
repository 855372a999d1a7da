/**
 * Building images without a daemon, Buildah's way: {@link dev.ocikit.image.build.ImageBuilder}
 * assembles an image from a base (or from scratch), files, tar archives and commands, and commits
 * it to the local store or any transport.
 *
 * <p>Commands ({@code RUN}) need a container runtime, which this module does not have: the
 * builder is handed a {@link dev.ocikit.image.build.BuildRuntime}, which {@code oci-runtime}
 * implements.
 */
package dev.ocikit.image.build;
