package dev.ocikit.image.build;

import dev.ocikit.image.ImageStore;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the layer each build step made, keyed by everything that decides the layer: the
 * image the step starts from, the step itself and the digest of what it reads. A rebuild whose
 * steps all hit runs nothing. Entries are small files, one per key, written atomically, so several
 * builds (and JVMs) may share a cache; a damaged entry is a miss, never an error.
 *
 * <p>The layers themselves live in the store's blobs: an entry whose blob has since been
 * collected is a miss too.
 */
public final class BuildCache {
    private static final Logger LOG = LoggerFactory.getLogger(BuildCache.class);
    private final Path root;

    private BuildCache(Path root) {
        this.root = root;
    }

    /** The cache kept in {@code directory}, created when first written. */
    public static BuildCache at(Path directory) {
        return new BuildCache(Objects.requireNonNull(directory, "directory").toAbsolutePath());
    }

    /** The cache kept with a store ({@code build-cache} under its root), beside the layers it names. */
    public static BuildCache of(ImageStore store) {
        return at(store.root().resolve("build-cache"));
    }

    /** The cache's directory. */
    public Path root() {
        return root;
    }

    /**
     * A layer a step made, as the cache records it, and when: a rebuild found wholly in the cache
     * then dates its history as the first build did, and so gets the same image.
     */
    record Entry(Digest digest, long size, Compression compression, Digest diffId, Instant created) {}

    Optional<Entry> find(Digest key) {
        Path file = fileOf(key);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("build cache entry {} cannot be read, treated as a miss: {}", file, e.toString());
            return Optional.empty();
        }
        try {
            String[] f = text.strip().split(" ");
            if (f.length != 5) {
                throw new IllegalArgumentException("expected 5 fields, got " + f.length);
            }
            return Optional.of(new Entry(Digest.parse(f[0]), Long.parseLong(f[1]),
                    Compression.valueOf(f[2].toUpperCase(Locale.ROOT)), Digest.parse(f[3]), Instant.parse(f[4])));
        } catch (RuntimeException e) {
            LOG.warn("build cache entry {} is damaged, treated as a miss: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    void put(Digest key, Entry entry) throws IOException {
        Files.createDirectories(root);
        Path file = fileOf(key);
        Path tmp = root.resolve(".tmp-" + UUID.randomUUID());
        String line = entry.digest() + " " + entry.size() + " " + entry.compression().name().toLowerCase(Locale.ROOT) + " "
                + entry.diffId() + " " + entry.created() + "\n";
        try {
            Files.writeString(tmp, line, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Path fileOf(Digest key) {
        return root.resolve(key.encoded());
    }

    @Override
    public String toString() {
        return "BuildCache[" + root + "]";
    }
}
