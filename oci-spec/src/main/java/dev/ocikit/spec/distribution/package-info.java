/**
 * The JSON bodies of the OCI distribution spec (v1.1) that are specific to the registry API:
 * {@link dev.ocikit.spec.distribution.ErrorResponse} (with {@link dev.ocikit.spec.distribution.ErrorCode}),
 * {@link dev.ocikit.spec.distribution.TagList} and, from the Docker registry API,
 * {@link dev.ocikit.spec.distribution.Catalog}. Models only; the HTTP client lives in
 * {@code oci-registry}.
 *
 * <p>The referrers API ({@code GET /v2/<name>/referrers/<digest>}) answers with an ordinary OCI
 * image index ({@code application/vnd.oci.image.index.v1+json}) whose {@code manifests} are the
 * referring manifests' descriptors, so it has no model here: read it with
 * {@code dev.ocikit.spec.image.ImageIndex.parse(byte[])}. An empty result is an index with an
 * empty {@code manifests} list, not an error. Whether the registry applied an {@code artifactType} filter is
 * told by the {@code OCI-Filters-Applied} response header, not by the body.
 */
package dev.ocikit.spec.distribution;
