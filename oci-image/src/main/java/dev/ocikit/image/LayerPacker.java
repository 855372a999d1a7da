package dev.ocikit.image;

import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Packs {@link LayerContent} into a layer blob: a reproducible tar, compressed, with its DiffID
 * and blob digest computed in the same single pass. Immutable and thread-safe; each call packs
 * on the calling thread (compression uses {@link PackOptions#executor()} and
 * {@link PackOptions#parallelism()} cores; a thread of the call's own walks the tree ahead and a
 * small shared pool reads small files ahead, so that disk waits overlap with compression).
 *
 * <p>The tar is a function of the content and the options only, so the same tree gives the same
 * DiffID, and with the same compression settings the same blob digest, on any machine:
 * <ul>
 *   <li>entries are sorted by name, compared as bytes (directories with their trailing slash);
 *   <li>modification times are whole seconds, clamped to {@link PackOptions#sourceDateEpoch()};
 *       access and change times are never written;
 *   <li>owners are numeric; user and group names only if {@link PackOptions#ownerNames()};
 *   <li>headers are POSIX ustar; a PAX header is added only when ustar cannot hold a field
 *       (long or non-ASCII names, big ids, sizes of 8 GiB or more, extended attributes, whose
 *       values are written as raw bytes in {@code SCHILY.xattr.*} records);
 *   <li>gzip output has no name, time or OS in its header and is compressed in fixed-size
 *       blocks, so the thread count and timing never change it.
 * </ul>
 * Regular files, directories, symlinks, hard links, fifos, character and block devices are
 * packed; sockets are skipped. Sparse files are written in full.
 *
 * <pre>{@code
 * PackedLayer layer = LayerPacker.of(PackOptions.newBuilder()
 *         .sourceDateEpoch(Instant.parse("2024-01-01T00:00:00Z"))
 *         .build())
 *     .pack(LayerContent.directory(rootfs), store);
 * }</pre>
 */
public final class LayerPacker {
    private static final LayerPacker DEFAULTS = new LayerPacker(PackOptions.DEFAULTS);

    private final PackOptions options;

    private LayerPacker(PackOptions options) {
        this.options = options;
    }

    /** A packer with {@link PackOptions#DEFAULTS}: gzip on every core, timestamps kept. */
    public static LayerPacker defaults() {
        return DEFAULTS;
    }

    /** A packer with these options. */
    public static LayerPacker of(PackOptions options) {
        return new LayerPacker(Objects.requireNonNull(options, "options"));
    }

    /** The options this packer uses. */
    public PackOptions options() {
        return options;
    }

    /**
     * Packs {@code content} and stores the blob in {@code store}, verified and atomically
     * published as every store write is. If packing fails (a file changes while it is read, a name
     * cannot be packed, an I/O error) nothing is stored.
     *
     * @throws LayerPackException if the content cannot be packed as asked
     */
    public PackedLayer pack(LayerContent content, BlobStore store) throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(store, "store");
        try (PackingStream s = PackingStream.open(content, options, false)) {
            BlobInfo blob = store.put(s);
            return new PackedLayer(MediaTypes.ociLayer(options.compression()), blob.digest(), blob.size(), s.diffId(),
                    s.tarSize());
        }
    }

    /**
     * Packs {@code content} and writes the blob to {@code out}, which is neither flushed nor
     * closed: the caller owns it. If packing fails, part of the blob may have been written.
     *
     * @throws LayerPackException if the content cannot be packed as asked
     */
    public PackedLayer write(LayerContent content, OutputStream out) throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(out, "out");
        try (PackingStream s = PackingStream.open(content, options, true)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = s.read(buf, 0, buf.length)) > 0) {
                out.write(buf, 0, n);
            }
            return new PackedLayer(MediaTypes.ociLayer(options.compression()), s.blobDigest(), s.blobSize(),
                    s.diffId(), s.tarSize());
        }
    }

    @Override
    public String toString() {
        return "LayerPacker" + options;
    }
}
