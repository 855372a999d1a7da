package dev.ocikit.image;

import dev.ocikit.image.PackContext.Overrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a layer is made of, for {@link LayerPacker}: a directory tree, a list of files placed at
 * chosen destinations, or the difference between two states of a tree. Immutable; nothing is
 * read until the layer is packed, and each packing reads the files afresh.
 *
 * <p>Whatever the kind, entries come out sorted by name (compared as bytes, directories with their
 * trailing slash), except that an opaque whiteout comes first in its directory, so that readers
 * applying it in stream order never hide the directory's new entries. Names are relative to the
 * layer's root, without a {@code ./} prefix; the root directory itself is not an entry. Sockets are skipped, as tar cannot hold them. A file or
 * directory whose name starts with {@code .wh.} is refused with {@link LayerPackException}, as
 * unpackers would read it as a whiteout.
 */
public final class LayerContent {
    /** Sets up a walk over the content, to be read entry by entry. */
    @FunctionalInterface
    interface Plan {
        void start(TreeWalk walk) throws IOException;
    }

    private final String description;
    private final Plan plan;

    private LayerContent(String description, Plan plan) {
        this.description = description;
        this.plan = plan;
    }

    /**
     * Everything under {@code root} (not {@code root} itself), with the files' own metadata. A file
     * with several names in the tree is written once, at its first name in layer order, and the
     * other names become hard links to it. Symlinks are kept as symlinks, never followed (only
     * {@code root} itself may be one).
     */
    public static LayerContent directory(Path root) {
        Objects.requireNonNull(root, "root");
        return new LayerContent("directory " + root, walk -> {
            Path dir = realDirectory(root, "layer root");
            walk.push(() -> walk.directory(dir, "", Overrides.NONE, true));
        });
    }

    /**
     * Files placed at destinations, as {@code buildah add} does (see {@link AddedFile}), in an
     * image that has nothing but its root directory. Parent directories that no item names are
     * written as owned by 0:0, mode 0755, dated {@link PackOptions#sourceDateEpoch()} (or
     * 1970-01-01 without one). A file source goes inside a destination ending in {@code /} (or
     * naming the root) under the name the item gives it: a symlink's own name, though its
     * target's content. An item may name a destination inside an added directory: the item wins
     * over what that directory holds under the same name. Several directories at one destination
     * are merged: a later one's entry wins over an earlier one's of the same name, and
     * directories in both are merged in turn. Two items at one destination are otherwise refused
     * with {@link LayerPackException}, as is a file added where other items need a directory.
     * Hard links are not kept: every name is written as a file of its own, as {@code buildah add}
     * does.
     */
    public static LayerContent files(List<AddedFile> files) {
        return files(files, ImageTree.empty());
    }

    /**
     * Files placed at destinations on top of the image {@code below}, as {@code COPY} adds them
     * to the image of its step; otherwise as {@link #files(List)}. Destinations are looked up in
     * {@code below} with its symlinks followed (a destination under {@code /lib}, when that is a
     * link to {@code usr/lib}, goes under {@code usr/lib}). A file whose destination is a
     * directory in {@code below} goes inside it under its own name. A directory that
     * {@code below} has already, and that only the list names (as a made-up parent, or as the
     * destination of a directory source), is not written, so its owner, mode and time stay as
     * they are (a {@code COPY} below {@code /tmp} keeps {@code /tmp} 1777).
     */
    public static LayerContent files(List<AddedFile> files, ImageTree below) {
        List<AddedFile> copy = List.copyOf(files);
        Objects.requireNonNull(below, "below");
        return new LayerContent(copy.size() + " added files", walk -> FileListWalk.start(walk, copy, below));
    }

    /**
     * What must be applied on top of {@code lower} to give {@code upper}: entries that are new or
     * changed in {@code upper} (a change of metadata alone counts), a {@code .wh.<name>} whiteout
     * for each entry gone from it, and an opaque whiteout ({@code .wh..wh..opq}) instead of single
     * ones for a directory that kept none of its lower entries' names. Regular files whose
     * metadata is unchanged are compared byte by byte. A hard link between a changed file and an
     * unchanged one cannot be kept: the changed name becomes a separate file.
     */
    public static LayerContent diff(Path lower, Path upper) {
        Objects.requireNonNull(lower, "lower");
        Objects.requireNonNull(upper, "upper");
        return new LayerContent("difference from " + lower + " to " + upper, walk -> {
            Path low = realDirectory(lower, "lower directory");
            Path up = realDirectory(upper, "upper directory");
            walk.push(() -> walk.diff(low, up, ""));
        });
    }

    /**
     * The upper directory of an overlayfs mount as a layer: its 0/0 character devices (and
     * {@code overlay.whiteout} files) become {@code .wh.<name>} whiteouts, its directories marked
     * {@code trusted.overlay.opaque=y} (or {@code user.overlay.opaque=y}) get an opaque whiteout,
     * and overlayfs' own attributes are dropped. An upper directory written with overlayfs'
     * {@code metacopy} or {@code redirect_dir} features is refused with {@link LayerPackException},
     * as its files' data or names live in the lower layers. Read it only while nothing writes to
     * the mount (after unmounting, or with the container stopped).
     */
    public static LayerContent overlayUpper(Path upper) {
        Objects.requireNonNull(upper, "upper");
        return new LayerContent("overlay upper directory " + upper, walk -> {
            Path dir = realDirectory(upper, "overlay upper directory");
            boolean opaque = TreeWalk.isOpaque(PackContext.readXattrs(dir));
            walk.push(() -> walk.overlay(dir, "", opaque));
        });
    }

    /** The directory's real path: a symlink naming the directory itself is followed, nothing below it. */
    private static Path realDirectory(Path dir, String what) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (!Files.exists(dir)) {
                throw new NoSuchFileException(dir.toString(), null, what + " does not exist");
            }
            throw new NotDirectoryException(dir + " (" + what + ")");
        }
        return dir.toRealPath();
    }

    /** Starts reading the content: the entries, in layer order. */
    TreeWalk walk(PackContext ctx) throws IOException {
        TreeWalk walk = new TreeWalk(ctx);
        plan.start(walk);
        return walk;
    }

    @Override
    public String toString() {
        return "LayerContent[" + description + "]";
    }
}
