package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a layer's blob can be read from, how it is compressed, and the DiffID it must have.
 * Immutable.
 *
 * @param description names the layer in messages (its digest, or a file name)
 * @param compression what the media type declares; the bytes decide in the end
 * @param diffId the DiffID from the image config, checked after unpacking; empty to skip
 * @param opener opens a fresh stream of the blob each time it is called
 */
public record LayerSource(String description, Compression compression, Optional<Digest> diffId, Opener opener) {
    public LayerSource {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(diffId, "diffId");
        Objects.requireNonNull(opener, "opener");
    }

    /** Opens the blob. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    /** A layer blob in a file; the compression is detected from its bytes. */
    public static LayerSource of(Path blob) {
        return new LayerSource(blob.getFileName().toString(), Compression.NONE, Optional.empty(),
                () -> Files.newInputStream(blob));
    }

    /** A layer blob in a blob store, with its expected DiffID. */
    public static LayerSource of(BlobStore store, Digest blob, Compression compression, Digest diffId) {
        return new LayerSource(blob.toString(), compression, Optional.of(diffId), () -> store.open(blob));
    }

    /** The same layer with an expected DiffID. */
    public LayerSource withDiffId(Digest expected) {
        return new LayerSource(description, compression, Optional.of(expected), opener);
    }
}
