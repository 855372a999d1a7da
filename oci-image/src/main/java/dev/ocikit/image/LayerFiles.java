package dev.ocikit.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads one file of an image from its layers without unpacking them: the top layer that has the
 * file, or deletes it, decides. What an image builder needs to resolve a user name against the
 * image's {@code /etc/passwd} at a build step. Layers are streamed; only the file is kept.
 */
public final class LayerFiles {
    private LayerFiles() {}

    /**
     * The content of the regular file at {@code path} ({@code etc/passwd}, no leading slash needed)
     * in the image made of {@code layers} (bottom first); empty when no layer has it, a layer above
     * the one that has it deletes it, or it is not a regular file.
     *
     * @throws LayerTooLargeException if the file is larger than {@code maxSize}
     */
    public static Optional<byte[]> read(List<LayerSource> layers, String path, long maxSize) throws IOException {
        String name = clean(Objects.requireNonNull(path, "path"));
        for (int i = layers.size() - 1; i >= 0; i--) {
            Found f = scan(layers.get(i), name, maxSize);
            if (f.content != null) {
                return Optional.of(f.content);
            }
            if (f.deleted) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private record Found(byte[] content, boolean deleted) {}

    private static Found scan(LayerSource layer, String name, long maxSize) throws IOException {
        byte[] content = null;
        boolean deleted = false;
        boolean other = false;
        try (InputStream raw = new BufferedInputStream(layer.opener().open(), 64 * 1024)) {
            raw.mark(8);
            byte[] head = raw.readNBytes(8);
            raw.reset();
            InputStream in = LayerCodecs.decompress(LayerCodecs.detect(head, head.length), raw, LayerLimits.DEFAULT);
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                String entry = clean(e.getName());
                if (entry.equals(name)) {
                    if (e.isFile() && !e.isLink()) {
                        if (e.getSize() > maxSize) {
                            throw new LayerTooLargeException(layer.description() + ": " + name + " is " + e.getSize()
                                    + " bytes, more than the " + maxSize + " read here");
                        }
                        content = tar.readAllBytes();
                        other = false;
                    } else {
                        content = null;
                        other = true;
                    }
                } else if (deletes(entry, name)) {
                    deleted = true;
                }
            }
        }
        // An entry in the same layer as a whiteout is what that layer leaves.
        return new Found(content, content == null && (deleted || other));
    }

    /** Whether a whiteout entry deletes {@code name}: its own, an ancestor's, or an ancestor's opaque marker. */
    private static boolean deletes(String entry, String name) {
        int slash = entry.lastIndexOf('/');
        String dir = slash < 0 ? "" : entry.substring(0, slash + 1);
        String base = entry.substring(slash + 1);
        if (!base.startsWith(".wh.") || !name.startsWith(dir)) {
            return false;
        }
        if (base.equals(".wh..wh..opq")) {
            return true;
        }
        String gone = dir + base.substring(4);
        return name.equals(gone) || name.startsWith(gone + "/");
    }

    private static String clean(String p) {
        String s = p;
        while (s.startsWith("./") || s.startsWith("/")) {
            s = s.startsWith("./") ? s.substring(2) : s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
