package dev.ocikit.image;

import dev.ocikit.spec.image.Compression;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * How {@link LayerPacker} writes a layer. Immutable; build with {@link #newBuilder()}.
 *
 * @param compression how the blob is compressed; default {@link Compression#GZIP}
 * @param level the compression level, or -1 (the default) for the packer's: 4 for gzip
 *     (0 to 9 allowed; 4 costs about 40% less CPU than zlib's 6 for blobs about 2% larger), 3 for
 *     zstd (1 to 22); ignored for {@link Compression#NONE}
 * @param sourceDateEpoch when present, every timestamp later than it is set to it, as
 *     {@code SOURCE_DATE_EPOCH} asks of reproducible builds; synthetic parent directories and
 *     whiteouts get this time. Default: empty, timestamps kept (to the second) and synthetic
 *     entries dated 1970-01-01. See {@link #sourceDateEpoch(Map)} to read the variable.
 * @param ownerNames whether to record user and group names looked up on this host next to the
 *     numeric ids; default false, as names are host-specific and unpackers use the ids
 * @param xattrs whether to record extended attributes; default true. {@code security.selinux}
 *     (a host's labelling) and overlayfs' own {@code trusted.overlay.*}/{@code user.overlay.*}
 *     are never recorded. {@code user.rootlesscontainers}, where a rootless unpack (ours or
 *     umoci's) keeps the owner it could not apply, is packed as that owner, not as an attribute
 * @param parallelism how many cores compression may use: gzip blocks compressed at once, zstd
 *     workers; default the number of available processors
 * @param gzipBlockSize input bytes per parallel gzip block; default 128 KiB. Changing it changes
 *     the compressed bytes (never the DiffID)
 * @param executor runs parallel gzip blocks; default a shared pool of daemon threads, one per
 *     processor. zstd uses its own native threads
 */
public record PackOptions(Compression compression, int level, Optional<Instant> sourceDateEpoch, boolean ownerNames,
        boolean xattrs, int parallelism, int gzipBlockSize, Optional<Executor> executor) {

    /** Everything at its default. */
    public static final PackOptions DEFAULTS = newBuilder().build();

    public PackOptions {
        Objects.requireNonNull(compression, "compression");
        sourceDateEpoch = sourceDateEpoch == null ? Optional.empty() : sourceDateEpoch;
        executor = executor == null ? Optional.empty() : executor;
        switch (compression) {
            case GZIP -> {
                if (level < -1 || level > 9) {
                    throw new IllegalArgumentException("gzip level must be 0 to 9 (or -1 for the default): " + level);
                }
            }
            case ZSTD -> {
                if (level != -1 && (level < 1 || level > 22)) {
                    throw new IllegalArgumentException("zstd level must be 1 to 22 (or -1 for the default): " + level);
                }
            }
            case NONE -> {
                if (level != -1) {
                    throw new IllegalArgumentException("a compression level (" + level
                            + ") makes no sense for an uncompressed layer");
                }
            }
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        if (gzipBlockSize < ParallelGzipOutputStream.MIN_BLOCK_SIZE
                || gzipBlockSize > ParallelGzipOutputStream.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("gzip block size must be " + ParallelGzipOutputStream.MIN_BLOCK_SIZE
                    + " to " + ParallelGzipOutputStream.MAX_BLOCK_SIZE + " bytes: " + gzipBlockSize);
        }
    }

    /** A builder with every option at its default. */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.compression = compression;
        b.level = level;
        b.sourceDateEpoch = sourceDateEpoch;
        b.ownerNames = ownerNames;
        b.xattrs = xattrs;
        b.parallelism = parallelism;
        b.gzipBlockSize = gzipBlockSize;
        b.executor = executor;
        return b;
    }

    /**
     * The instant {@code SOURCE_DATE_EPOCH} names in {@code environment} (pass
     * {@code System.getenv()}), if it is set and not empty. The library never reads the
     * environment by itself.
     *
     * @throws LayerPackException if it is set to something other than a whole number of seconds
     */
    public static Optional<Instant> sourceDateEpoch(Map<String, String> environment) {
        String value = environment.get("SOURCE_DATE_EPOCH");
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(value.strip())));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new LayerPackException("SOURCE_DATE_EPOCH is '" + value + "', which is not a number of seconds since"
                    + " 1970-01-01 UTC; set it to one (for example `git log -1 --format=%ct`) or unset it");
        }
    }

    /** Fluent builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Compression compression = Compression.GZIP;
        private int level = -1;
        private Optional<Instant> sourceDateEpoch = Optional.empty();
        private boolean ownerNames;
        private boolean xattrs = true;
        private int parallelism = Runtime.getRuntime().availableProcessors();
        private int gzipBlockSize = ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE;
        private Optional<Executor> executor = Optional.empty();

        private Builder() {}

        public Builder compression(Compression value) {
            this.compression = Objects.requireNonNull(value, "compression");
            return this;
        }

        public Builder level(int value) {
            this.level = value;
            return this;
        }

        /** Clamp timestamps to this instant (truncated to the second). */
        public Builder sourceDateEpoch(Instant value) {
            this.sourceDateEpoch = Optional.of(value);
            return this;
        }

        public Builder sourceDateEpoch(Optional<Instant> value) {
            this.sourceDateEpoch = Objects.requireNonNull(value, "sourceDateEpoch");
            return this;
        }

        public Builder ownerNames(boolean value) {
            this.ownerNames = value;
            return this;
        }

        public Builder xattrs(boolean value) {
            this.xattrs = value;
            return this;
        }

        public Builder parallelism(int value) {
            this.parallelism = value;
            return this;
        }

        public Builder gzipBlockSize(int value) {
            this.gzipBlockSize = value;
            return this;
        }

        public Builder executor(Executor value) {
            this.executor = Optional.of(value);
            return this;
        }

        public PackOptions build() {
            return new PackOptions(compression, level, sourceDateEpoch, ownerNames, xattrs, parallelism, gzipBlockSize,
                    executor);
        }
    }
}
