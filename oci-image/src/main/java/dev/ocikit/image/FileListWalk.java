package dev.ocikit.image;

import dev.ocikit.image.PackContext.Overrides;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The entries of a {@code buildah add}-style list of files: each source placed at its destination
 * in the image below, parent directories made up as needed, all in the layer's sorted order. The
 * destinations are arranged into a tree first (stat'ing each source once); the contents of
 * directory sources are listed only when the walk reaches them. Not thread-safe.
 *
 * <p>As {@code COPY} on top of an image: destinations are looked up in the image below (its
 * symlinks followed), a file whose destination is a directory there goes inside it, and a
 * directory that is there already keeps its metadata unless a source's content names it.
 */
final class FileListWalk {
    private FileListWalk() {}

    /**
     * Something placed at a name: a listed item ({@code listed}, at its destination), or what a
     * directory source holds under that name.
     */
    private record Source(Path path, FileMeta meta, Overrides ov, boolean listed) {}

    /** A destination the list names: made up (no items), one file, or directories merged in order. */
    private static final class Node {
        final String name;
        final List<Source> items = new ArrayList<>(1);
        final List<AddedFile> added = new ArrayList<>(1);
        final TreeMap<String, Node> children = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }

        boolean isDirectory() {
            return items.isEmpty() || items.get(0).meta().isDirectory();
        }
    }

    static void start(TreeWalk walk, List<AddedFile> files, ImageTree below) throws IOException {
        Node root = new Node("");
        for (AddedFile f : files) {
            // A source symlink is followed for its content; the name is the one the list gives.
            Path source = f.source().toRealPath();
            FileMeta meta = FileMeta.of(source, false);
            List<String> components = destination(f, source, meta, below);
            for (String c : components) {
                TreeWalk.checkName(f.destination(), c);
            }
            Node node = root;
            StringBuilder at = new StringBuilder();
            for (int i = 0; i < components.size() - 1; i++) {
                String c = components.get(i);
                at.append(c).append('/');
                Node child = node.children.computeIfAbsent(c, Node::new);
                if (!child.isDirectory()) {
                    throw new LayerPackException("cannot add " + f.source() + " at '" + f.destination() + "': '" + at
                            + "' is already added as a file (" + child.added.get(0).source() + ")");
                }
                node = child;
            }
            Node target = node;
            if (!components.isEmpty()) {
                target = node.children.computeIfAbsent(components.get(components.size() - 1), Node::new);
            }
            // Directories at one destination are merged, as copying them one after the other would.
            if (!target.items.isEmpty() && !(meta.isDirectory() && target.isDirectory())) {
                throw new LayerPackException("'" + f.destination() + "' is added twice: from " + target.added.get(0).source()
                        + " and from " + f.source() + "; add each file once (only directories are merged)");
            }
            if (!meta.isDirectory() && !target.children.isEmpty()) {
                throw new LayerPackException("cannot add the file " + f.source() + " at '" + f.destination()
                        + "': other added files go inside that path, so it must be a directory");
            }
            target.items.add(new Source(source, meta, Overrides.of(f), true));
            target.added.add(f);
        }
        walk.push(() -> children(walk, root.items, root, "", below));
    }

    /**
     * Where {@code f} goes, as path components in the image below: its symlinks followed, and a
     * file inside the directory its destination names (one ending in {@code /}, or one that is a
     * directory in the image), under the name the item gives it (a symlink's, not its target's).
     */
    private static List<String> destination(AddedFile f, Path source, FileMeta meta, ImageTree below) {
        List<String> components = components(f.destination());
        boolean slash = f.destination().endsWith("/");
        if (!meta.isDirectory() && slash) {
            components.add(ownName(f, source));
        }
        List<String> whole = below.resolve(components, true);
        if (below.isDirectory(whole)) {
            if (meta.isDirectory()) {
                return whole;
            }
            if (!slash) {
                whole.add(ownName(f, source));
                return whole;
            }
        }
        if (components.isEmpty()) {
            return components;
        }
        // What the last name is now (a file, a symlink, nothing) is replaced.
        List<String> parent = below.resolve(components.subList(0, components.size() - 1), true);
        parent.add(components.get(components.size() - 1));
        return parent;
    }

    private static String ownName(AddedFile f, Path realSource) {
        Path name = f.source().getFileName();
        return (name != null ? name : realSource.getFileName()).toString();
    }

    private static List<String> components(String destination) {
        List<String> out = new ArrayList<>();
        for (String c : destination.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The entries in a directory: what {@code dirs} hold (a later one's entry wins over an earlier
     * one's of the same name, directories being merged) and the items listed inside it, which win
     * over what the directories hold.
     */
    private static List<TreeWalk.Step> children(TreeWalk walk, List<Source> dirs, Node node, String prefix,
            ImageTree below) throws IOException {
        Map<String, List<Source>> found = new HashMap<>();
        for (Source d : dirs) {
            for (String name : TreeWalk.names(d.path())) {
                Node listed = node == null ? null : node.children.get(name);
                if (listed != null && !listed.isDirectory()) {
                    continue;
                }
                Path p = d.path().resolve(name);
                if (d.ov().exclude().test(p)) {
                    continue;
                }
                TreeWalk.checkName(prefix + name, name);
                found.computeIfAbsent(name, k -> new ArrayList<>(1)).add(new Source(p, FileMeta.of(p, false), d.ov(), false));
            }
        }
        Set<String> names = new HashSet<>(found.keySet());
        if (node != null) {
            names.addAll(node.children.keySet());
        }
        List<TreeWalk.Keyed> out = new ArrayList<>();
        for (String name : names) {
            Node child = node == null ? null : node.children.get(name);
            List<Source> all = new ArrayList<>(found.getOrDefault(name, List.of()));
            if (child != null) {
                all.addAll(child.items);
            }
            int lastFile = -1;
            for (int i = 0; i < all.size(); i++) {
                if (!all.get(i).meta().isDirectory()) {
                    lastFile = i;
                }
            }
            String path = prefix + name;
            boolean madeUp = child != null && child.items.isEmpty();
            if (!madeUp && lastFile == all.size() - 1) {
                Source s = all.get(lastFile);
                out.add(TreeWalk.keyed(name, false, () -> walk.context().describe(path, s.path(), s.meta(), s.ov(), null)));
            } else {
                // A file replaces what came before it; the directories after it are merged.
                List<Source> merged = all.subList(lastFile + 1, all.size());
                out.add(TreeWalk.keyed(name, true, () -> directory(walk, path, merged, child, below)));
            }
        }
        return TreeWalk.sorted(out);
    }

    /**
     * A directory's entry, its content to follow. The last source to name it gives its metadata;
     * one that only the list names (made up, or a directory item's destination) is left out when
     * the image below has it already, so that its owner and mode stay as they are.
     */
    private static Optional<PackEntry> directory(TreeWalk walk, String path, List<Source> merged, Node node,
            ImageTree below) throws IOException {
        walk.push(() -> children(walk, merged, node, path + "/", below));
        Source last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
        if ((last == null || last.listed()) && below.holdsDirectory(path)) {
            return Optional.empty();
        }
        if (last == null) {
            return Optional.of(PackEntry.syntheticDirectory(path, walk.context().syntheticTime()));
        }
        return walk.context().describe(path, last.path(), last.meta(), last.ov(), null);
    }
}
