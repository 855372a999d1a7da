package dev.ocikit.spec.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestMismatchException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A document together with the exact bytes it was read from (or written as) and their digest.
 * Immutable and thread-safe.
 *
 * <p>A manifest's identity is its bytes: the digest here is always computed on those bytes,
 * never on a re-serialisation of the model, so it is the digest a registry or an image layout
 * knows the document by, whatever whitespace or field order it was written with. Push, store or
 * hash {@link #bytes()}, never {@code model().toJson()}, when the digest must stay the same.
 *
 * <p>Entry points: {@link #manifest(byte[], Optional)} for anything from a manifest endpoint,
 * {@link #imageManifest}, {@link #imageIndex} and {@link #imageConfig} when the kind is known, and
 * {@link #serialize(Manifest)} for a model built in memory.
 *
 * @param <T> the model type
 */
public final class Parsed<T> {
    private final T model;
    private final byte[] bytes;
    private final Digest digest;
    private final String mediaType;

    private Parsed(T model, byte[] bytes, String mediaType) {
        this.model = Objects.requireNonNull(model, "model");
        this.bytes = bytes.clone();
        this.digest = Digest.sha256(this.bytes);
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
    }

    static <T> Parsed<T> of(T model, byte[] bytes, String mediaType) {
        return new Parsed<>(model, bytes, mediaType);
    }

    /**
     * Reads an image manifest or an image index whose kind is told by its content alone; see
     * {@link Manifest#parse(byte[], Optional)}.
     */
    public static Parsed<Manifest> manifest(byte[] bytes) {
        return ManifestReader.read(bytes, Optional.empty(), ManifestReader.Kind.ANY);
    }

    /**
     * Reads an image manifest or an image index that came with a {@code Content-Type}; see
     * {@link Manifest#parse(byte[], Optional)} for the checks. {@link #mediaType()} is the
     * document's {@code mediaType} field, else the Content-Type, else the OCI type of its kind.
     *
     * @throws dev.ocikit.spec.MalformedDocumentException if it is not valid or is ambiguous
     * @throws dev.ocikit.spec.UnsupportedManifestException if it is a Docker schema 1 manifest or
     *     of an unknown media type
     */
    public static Parsed<Manifest> manifest(byte[] bytes, Optional<String> contentType) {
        return ManifestReader.read(bytes, contentType, ManifestReader.Kind.ANY);
    }

    /** Reads an image manifest (OCI or Docker v2 schema 2); an index is refused. */
    @SuppressWarnings("unchecked")
    public static Parsed<ImageManifest> imageManifest(byte[] bytes) {
        Parsed<?> p = ManifestReader.read(bytes, Optional.empty(), ManifestReader.Kind.MANIFEST);
        return (Parsed<ImageManifest>) p;
    }

    /** Reads an image index (OCI or Docker manifest list); a manifest is refused. */
    @SuppressWarnings("unchecked")
    public static Parsed<ImageIndex> imageIndex(byte[] bytes) {
        Parsed<?> p = ManifestReader.read(bytes, Optional.empty(), ManifestReader.Kind.INDEX);
        return (Parsed<ImageIndex>) p;
    }

    /** Reads an OCI image config ({@link MediaTypes#OCI_CONFIG}). */
    public static Parsed<ImageConfig> imageConfig(byte[] bytes) {
        return imageConfig(bytes, MediaTypes.OCI_CONFIG);
    }

    /** Reads an image config of the given media type (OCI or Docker: the JSON is the same). */
    public static Parsed<ImageConfig> imageConfig(byte[] bytes, String mediaType) {
        Descriptor.checkMediaType(mediaType, "mediaType");
        return new Parsed<>(ImageConfig.parse(bytes), bytes, mediaType);
    }

    /**
     * Writes a manifest or index once ({@link Manifest#toJson()}) and keeps those bytes; the
     * media type is its {@code mediaType} field, or the OCI type of its kind.
     */
    public static <M extends Manifest> Parsed<M> serialize(M manifest) {
        return new Parsed<>(manifest, manifest.toJson(), manifest.mediaTypeOrDefault());
    }

    /** Writes an image config once and keeps those bytes, as {@link MediaTypes#OCI_CONFIG}. */
    public static Parsed<ImageConfig> serialize(ImageConfig config) {
        return serialize(config, MediaTypes.OCI_CONFIG);
    }

    /** Writes an image config once and keeps those bytes, with the given media type. */
    public static Parsed<ImageConfig> serialize(ImageConfig config, String mediaType) {
        Descriptor.checkMediaType(mediaType, "mediaType");
        return new Parsed<>(config, config.toJson(), mediaType);
    }

    /** The model. */
    public T model() {
        return model;
    }

    /** A copy of the exact bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The SHA-256 digest of {@link #bytes()}. */
    public Digest digest() {
        return digest;
    }

    /** The digest of {@link #bytes()} with another algorithm. */
    public Digest digest(DigestAlgorithm algorithm) {
        return algorithm == DigestAlgorithm.SHA256 ? digest : Digest.compute(algorithm, bytes);
    }

    /** The number of bytes. */
    public long size() {
        return bytes.length;
    }

    /** The media type the document is known by. */
    public String mediaType() {
        return mediaType;
    }

    /**
     * This document's descriptor: media type, digest and size, and for an artifact manifest or
     * index its {@code artifactType}. Add a platform or annotations with the descriptor's
     * {@code with…} methods.
     */
    public Descriptor descriptor() {
        Descriptor d = Descriptor.of(mediaType, digest, bytes.length);
        if (model instanceof Manifest m && m.artifactType().isPresent()) {
            d = d.withArtifactType(m.artifactType().get());
        }
        return d;
    }

    /**
     * Checks that these bytes are the content {@code expected} names (with its algorithm), as
     * must be done for anything fetched by digest.
     *
     * @return this
     * @throws DigestMismatchException if they are not
     */
    public Parsed<T> verify(Digest expected) {
        Digest actual = digest(expected.algorithm());
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(expected, actual);
        }
        return this;
    }

    /** This, typed as a {@code Parsed<U>}, if the model is a {@code U}. */
    @SuppressWarnings("unchecked")
    public <U> Optional<Parsed<U>> as(Class<U> type) {
        return type.isInstance(model) ? Optional.of((Parsed<U>) this) : Optional.empty();
    }

    /** Equal when the bytes and the media type are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Parsed<?> other && digest.equals(other.digest) && mediaType.equals(other.mediaType)
                && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode() * 31 + mediaType.hashCode();
    }

    @Override
    public String toString() {
        return "Parsed[" + mediaType + " " + digest + " " + bytes.length + " bytes]";
    }
}
