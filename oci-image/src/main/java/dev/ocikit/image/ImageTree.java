package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Which paths an image holds, and of what kind, as its layers make them: what an image builder
 * needs to know to add files on top of it without changing what is there already. Only names,
 * kinds and symlink targets are kept, so memory follows the number of entries, not their sizes.
 *
 * <p>Layers are applied as unpackers apply them: a whiteout ({@code .wh.<name>}) removes the
 * name and everything under it from the layers below, an opaque marker ({@code .wh..wh..opq})
 * empties its directory of what the layers below put there, a non-directory replaces a
 * directory with everything in it, and an entry whose parent is a symlink lands where the link
 * leads. Hard links and special files count as files.
 *
 * <p>Paths in queries are taken from the image's root; a leading {@code /} is optional. Immutable
 * and thread-safe; {@link #plus} returns a new tree.
 */
public final class ImageTree {
    /** Linux gives up after this many symlinks in one lookup (MAXSYMLINKS). */
    private static final int MAX_LINKS = 40;
    private static final ImageTree EMPTY = new ImageTree(new TreeMap<>());

    /** What is at a path: {@link #DIRECTORY}, {@link #FILE} (both compared by identity), or a symlink. */
    private static final class Kind {
        final String linkTarget;

        Kind(String linkTarget) {
            this.linkTarget = linkTarget;
        }
    }

    private static final Kind DIRECTORY = new Kind(null);
    private static final Kind FILE = new Kind(null);

    /** Path (no leading or trailing slash) to kind; the root is implied. Never changed once built. */
    private final TreeMap<String, Kind> paths;

    private ImageTree(TreeMap<String, Kind> paths) {
        this.paths = paths;
    }

    /** An image without layers: only its root directory. */
    public static ImageTree empty() {
        return EMPTY;
    }

    /** The tree of the image made of {@code layers}, bottom first; each layer is read once. */
    public static ImageTree of(List<LayerSource> layers) throws IOException {
        ImageTree t = EMPTY;
        for (LayerSource l : layers) {
            t = t.plus(l);
        }
        return t;
    }

    /**
     * This tree with {@code layer} applied on top. The layer is streamed once; when it names a
     * DiffID, the uncompressed stream is checked against it.
     *
     * @throws DigestMismatchException if the layer is not the one its DiffID names
     * @throws LayerTooLargeException if it expands beyond {@link LayerLimits#DEFAULT}
     */
    public ImageTree plus(LayerSource layer) throws IOException {
        Objects.requireNonNull(layer, "layer");
        // A layer's whiteouts apply to the layers below it only, never to its own entries.
        List<String[]> entries = new ArrayList<>();
        List<String> opaque = new ArrayList<>();
        List<String> whiteouts = new ArrayList<>();
        try (LayerInputStream in = LayerInputStream.open(layer.opener().open(), layer.compression(), LayerLimits.DEFAULT)) {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                String name = clean(e.getName());
                if (name == null) {
                    continue;
                }
                int slash = name.lastIndexOf('/');
                String dir = slash < 0 ? "" : name.substring(0, slash);
                String base = name.substring(slash + 1);
                if (base.equals(".wh..wh..opq")) {
                    opaque.add(dir);
                } else if (base.startsWith(".wh.")) {
                    whiteouts.add(dir.isEmpty() ? base.substring(4) : dir + "/" + base.substring(4));
                } else {
                    entries.add(new String[] {name, e.isDirectory() ? "d" : e.isSymbolicLink() ? "l" : "f",
                        e.isSymbolicLink() ? e.getLinkName() : null});
                }
            }
            // The rest of the stream (the end-of-archive blocks) counts for the DiffID.
            in.transferTo(OutputStream.nullOutputStream());
            if (layer.diffId().isPresent()) {
                Digest actual = in.diffId();
                if (!actual.equals(layer.diffId().get())) {
                    throw new DigestMismatchException("layer " + layer.description() + " has DiffID " + actual + ", not "
                            + layer.diffId().get() + " as the image config says; the stored layer is damaged,"
                            + " pull the image again", layer.diffId().get(), actual);
                }
            }
        }
        TreeMap<String, Kind> next = new TreeMap<>(paths);
        for (String dir : opaque) {
            List<String> at = resolve(next, split(dir), true);
            under(next, join(at)).clear();
        }
        for (String w : whiteouts) {
            List<String> c = split(w);
            List<String> at = resolve(next, c.subList(0, c.size() - 1), true);
            at.add(c.get(c.size() - 1));
            String p = join(at);
            next.remove(p);
            under(next, p).clear();
        }
        for (String[] e : entries) {
            List<String> c = split(e[0]);
            List<String> at = resolve(next, c.subList(0, c.size() - 1), true);
            // Unpackers create missing parents as directories.
            for (int i = 1; i <= at.size(); i++) {
                next.putIfAbsent(join(at.subList(0, i)), DIRECTORY);
            }
            at.add(c.get(c.size() - 1));
            String p = join(at);
            Kind kind = switch (e[1]) {
                case "d" -> DIRECTORY;
                case "l" -> new Kind(e[2]);
                default -> FILE;
            };
            Kind old = next.put(p, kind);
            if (old == DIRECTORY && kind != DIRECTORY) {
                under(next, p).clear();
            }
        }
        return new ImageTree(next);
    }

    /** Whether {@code path}, with the symlinks on the way and at its end followed, is a directory. */
    public boolean isDirectory(String path) {
        return isDirectory(resolve(components(path), true));
    }

    /**
     * Whether anything is at {@code path}: a directory, a file, or a symlink (even one leading
     * nowhere). Symlinks on the way are followed, one at its end is not.
     */
    public boolean exists(String path) {
        List<String> at = resolve(components(path), false);
        return at.isEmpty() || paths.containsKey(join(at));
    }

    /** How many paths the image holds, its root not counted. */
    public int size() {
        return paths.size();
    }

    // ---- for FileListWalk: paths as lists of components ----

    /**
     * {@code components} with every symlink on the way followed inside the image, as a lookup in
     * a container rooted at the image would; the last component is followed when
     * {@code followLast}. {@code ..} stops at the root. The result is a new, modifiable list.
     *
     * @throws LayerPackException on a symlink loop
     */
    List<String> resolve(List<String> components, boolean followLast) {
        return resolve(paths, components, followLast);
    }

    /** Whether a path resolved by {@link #resolve} is a directory (the root always is). */
    boolean isDirectory(List<String> resolved) {
        return resolved.isEmpty() || paths.get(join(resolved)) == DIRECTORY;
    }

    /** Whether a path resolved by {@link #resolve}, given as {@code a/b}, is a directory. */
    boolean holdsDirectory(String resolved) {
        return resolved.isEmpty() || paths.get(resolved) == DIRECTORY;
    }

    private static List<String> resolve(Map<String, Kind> paths, List<String> components, boolean followLast) {
        Deque<String> todo = new ArrayDeque<>(components);
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(c);
            Kind k = paths.get(join(done));
            if (k == null || k.linkTarget == null || (todo.isEmpty() && !followLast)) {
                continue;
            }
            if (++links > MAX_LINKS) {
                throw new LayerPackException("'/" + String.join("/", components) + "' cannot be looked up in the image:"
                        + " more than " + MAX_LINKS + " symbolic links on the way (a loop?); fix the links in the image");
            }
            done.remove(done.size() - 1);
            String target = k.linkTarget;
            if (target.startsWith("/")) {
                done.clear();
            }
            List<String> t = split(target);
            for (int i = t.size() - 1; i >= 0; i--) {
                todo.addFirst(t.get(i));
            }
        }
        return done;
    }

    /** The paths strictly under {@code dir} ("" for the root): a view, to clear. */
    private static SortedMap<String, Kind> under(TreeMap<String, Kind> paths, String dir) {
        if (dir.isEmpty()) {
            return paths;
        }
        // Every path under "a" starts with "a/"; '0' is the character after '/'.
        return paths.subMap(dir + "/", dir + "0");
    }

    private static List<String> split(String path) {
        if (path.isEmpty()) {
            return new ArrayList<>();
        }
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    private static String join(List<String> components) {
        return components.isEmpty() ? "" : components.size() == 1 ? components.get(0) : String.join("/", components);
    }

    /** A queried path's components, {@code .} and {@code ..} left for {@link #resolve} to follow. */
    private static List<String> components(String path) {
        return List.of(Objects.requireNonNull(path, "path").split("/"));
    }

    /**
     * A tar entry name without {@code ./}, leading or trailing slashes and {@code .} components;
     * null for the root, or for a name with {@code ..}, which unpackers refuse.
     */
    private static String clean(String name) {
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                return null;
            }
            out.add(c);
        }
        return out.isEmpty() ? null : String.join("/", out);
    }

    @Override
    public String toString() {
        return "ImageTree[" + paths.size() + " paths]";
    }

    /** For tests: every path and its kind ("dir", "file", or "-> target"). */
    Map<String, String> describe() {
        Map<String, String> out = new TreeMap<>();
        paths.forEach((p, k) -> out.put(p, k == DIRECTORY ? "dir" : k == FILE ? "file" : "-> " + k.linkTarget));
        return Collections.unmodifiableMap(out);
    }
}
