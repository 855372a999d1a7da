package dev.ocikit.image;

/**
 * Bounds on what one layer may expand to, so that a decompression bomb or a hostile tar fails
 * with a clear error instead of filling a disk or a heap. Immutable.
 *
 * @param maxUncompressedSize the most bytes the tar stream may have once decompressed
 *     (default 64 GiB)
 * @param maxEntries the most tar entries (default 4,000,000)
 * @param maxPaxHeaderSize the most bytes of one PAX extended header (default 1 MiB), whose
 *     contents are held in memory
 * @param maxZstdWindowLog the largest zstd window, as a power of two, the decoder may allocate
 *     (default 27, 128 MiB, zstd's own default limit)
 */
public record LayerLimits(long maxUncompressedSize, long maxEntries, int maxPaxHeaderSize, int maxZstdWindowLog) {
    /** The defaults described above. */
    public static final LayerLimits DEFAULT = new LayerLimits(64L << 30, 4_000_000, 1 << 20, 27);

    public LayerLimits {
        if (maxUncompressedSize <= 0 || maxEntries <= 0 || maxPaxHeaderSize <= 0) {
            throw new IllegalArgumentException("layer limits must be positive");
        }
        if (maxZstdWindowLog < 10 || maxZstdWindowLog > 31) {
            throw new IllegalArgumentException("zstd window log must be between 10 and 31: " + maxZstdWindowLog);
        }
    }

    public LayerLimits withMaxUncompressedSize(long bytes) {
        return new LayerLimits(bytes, maxEntries, maxPaxHeaderSize, maxZstdWindowLog);
    }

    public LayerLimits withMaxEntries(long entries) {
        return new LayerLimits(maxUncompressedSize, entries, maxPaxHeaderSize, maxZstdWindowLog);
    }

    public LayerLimits withMaxPaxHeaderSize(int bytes) {
        return new LayerLimits(maxUncompressedSize, maxEntries, bytes, maxZstdWindowLog);
    }

    public LayerLimits withMaxZstdWindowLog(int log) {
        return new LayerLimits(maxUncompressedSize, maxEntries, maxPaxHeaderSize, log);
    }
}
