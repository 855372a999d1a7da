package dev.ocikit.image;

import dev.ocikit.image.PackContext.Overrides;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The entries of a {@code buildah add}-style list of files: each source placed at its destination,
 * parent directories made up as needed, all in the layer's sorted order. The destinations are
 * arranged into a tree first (stat'ing each source once); the contents of directory sources are
 * listed only when the walk reaches them. Not thread-safe.
 */
final class FileListWalk {
    private FileListWalk() {}

    /** One destination: made up (no item), or an added file or directory. */
    private static final class Node {
        final String name;
        AddedFile item;
        Path source;
        FileMeta meta;
        final TreeMap<String, Node> children = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }

        boolean isDirectory() {
            return item == null || meta.isDirectory();
        }
    }

    static void start(TreeWalk walk, List<AddedFile> files) throws IOException {
        Node root = new Node("");
        for (AddedFile f : files) {
            // A source symlink is followed; from here on every path is a real one.
            Path source = f.source().toRealPath();
            FileMeta meta = FileMeta.of(source, false);
            List<String> components = components(f.destination());
            if (f.destination().endsWith("/") && !meta.isDirectory()) {
                components.add(source.getFileName().toString());
            }
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
                            + "' is already added as a file (" + child.item.source() + ")");
                }
                node = child;
            }
            Node target = node;
            if (!components.isEmpty()) {
                String last = components.get(components.size() - 1);
                target = node.children.computeIfAbsent(last, Node::new);
            } else if (!meta.isDirectory()) {
                throw new LayerPackException("cannot add the file " + f.source() + " as the layer's root directory;"
                        + " give it a destination name");
            }
            if (target.item != null) {
                throw new LayerPackException("'" + f.destination() + "' is added twice: from " + target.item.source()
                        + " and from " + f.source() + "; add each destination once");
            }
            if (!meta.isDirectory() && !target.children.isEmpty()) {
                throw new LayerPackException("cannot add the file " + f.source() + " at '" + f.destination()
                        + "': other added files go inside that path, so it must be a directory");
            }
            target.item = f;
            target.source = source;
            target.meta = meta;
        }
        walk.push(() -> children(walk, root, ""));
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

    /** A node's listed children merged with those found in its source directory; listed ones win. */
    private static List<TreeWalk.Step> children(TreeWalk walk, Node node, String prefix) throws IOException {
        List<TreeWalk.Keyed> out = new ArrayList<>();
        for (Node child : node.children.values()) {
            out.add(TreeWalk.keyed(child.name, child.isDirectory(), () -> emit(walk, child, prefix + child.name)));
        }
        if (node.item != null) {
            Overrides ov = Overrides.of(node.item);
            for (String name : TreeWalk.names(node.source)) {
                if (node.children.containsKey(name)) {
                    continue;
                }
                Path p = node.source.resolve(name);
                if (ov.exclude().test(p)) {
                    continue;
                }
                TreeWalk.checkName(prefix + name, name);
                FileMeta m = FileMeta.of(p, false);
                out.add(TreeWalk.keyed(name, m.isDirectory(), () -> walk.tree(prefix + name, p, m, ov, false)));
            }
        }
        return TreeWalk.sorted(out);
    }

    private static Optional<PackEntry> emit(TreeWalk walk, Node node, String name) throws IOException {
        if (node.isDirectory()) {
            walk.push(() -> children(walk, node, name + "/"));
        }
        if (node.item == null) {
            return Optional.of(PackEntry.syntheticDirectory(name, walk.context().syntheticTime()));
        }
        return walk.context().describe(name, node.source, node.meta, Overrides.of(node.item), null);
    }
}
