package dev.ocikit.image;

import dev.ocikit.image.PackContext.Overrides;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * Produces a layer's entries one at a time, in order, by walking directories depth first.
 *
 * <p>The order is that of the entry names as written in the tar (directories with their trailing
 * slash), compared as bytes. That order keeps every directory's entries right after the directory
 * itself, so one directory listing at a time is held per level of depth: memory follows the
 * tree's shape, not its size. Not thread-safe.
 */
final class TreeWalk {
    /** Emits at most one entry, possibly scheduling the entries of a directory to come next. */
    interface Step {
        Optional<PackEntry> run() throws IOException;
    }

    /** A directory's steps, listed when the walk reaches them. */
    interface Listing {
        List<Step> list() throws IOException;
    }

    private final PackContext ctx;
    private final Deque<Iterator<Step>> stack = new ArrayDeque<>();
    private final DirectoryPrefetch prefetch = new DirectoryPrefetch();

    TreeWalk(PackContext ctx) {
        this.ctx = ctx;
    }

    PackContext context() {
        return ctx;
    }

    /** The directory listings made ahead of this walk, for tests. */
    DirectoryPrefetch prefetch() {
        return prefetch;
    }

    /** Stops listing directories ahead; the walk itself may go on, listing them as it reaches them. */
    void stopPrefetch() {
        prefetch.close();
    }

    /** The next entry, or empty at the end. */
    Optional<PackEntry> next() throws IOException {
        while (!stack.isEmpty()) {
            Iterator<Step> top = stack.peek();
            boolean more;
            try {
                more = top.hasNext();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (!more) {
                stack.pop();
                continue;
            }
            Optional<PackEntry> e = top.next().run();
            if (e.isPresent()) {
                return e;
            }
        }
        return Optional.empty();
    }

    /** Walks {@code listing}'s steps before continuing with the current directory. */
    void push(Listing listing) {
        stack.push(new Iterator<>() {
            private Iterator<Step> steps;

            @Override
            public boolean hasNext() {
                if (steps == null) {
                    try {
                        steps = listing.list().iterator();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return steps.hasNext();
            }

            @Override
            public Step next() {
                return steps.next();
            }
        });
    }

    // ---- ordering ----

    /** A step with the sort key of the entry it emits. */
    record Keyed(byte[] key, Step step) {}

    static Keyed keyed(String name, boolean directory, Step step) {
        return new Keyed((directory ? name + "/" : name).getBytes(StandardCharsets.UTF_8), step);
    }

    /** A step that comes before every other in its directory (an opaque whiteout). */
    static Keyed first(Step step) {
        return new Keyed(new byte[0], step);
    }

    static List<Step> sorted(List<Keyed> keyed) {
        keyed.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
        List<Step> out = new ArrayList<>(keyed.size());
        for (Keyed k : keyed) {
            out.add(k.step);
        }
        return out;
    }

    static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                // A name the JVM's file-name charset cannot decode comes back with U+FFFD in it, and
                // would name another file, or none; found here, it is refused for what it is.
                if (name.indexOf('\uFFFD') >= 0 && !dir.resolve(name).equals(p)) {
                    throw new LayerPackException("'" + p + "' has a name that is not "
                            + System.getProperty("sun.jnu.encoding") + " (this JVM's file-name encoding), so it cannot"
                            + " be packed: layers hold UTF-8 names; rename it, or, if it is UTF-8, run the JVM in a"
                            + " UTF-8 locale, e.g. LANG=C.UTF-8");
                }
                out.add(name);
            }
        }
        return out;
    }

    /** Names a layer cannot hold as files: unpackers would take them for whiteouts. */
    static void checkName(String layerName, String base) {
        if (base.startsWith(".wh.")) {
            throw new LayerPackException("'" + layerName + "' cannot be packed: names starting with '.wh.' mark"
                    + " deletions in layers, so unpacking would delete instead of creating it; rename it");
        }
    }

    // ---- a directory as it is ----

    /** The steps for {@code dir}'s children, named {@code prefix + name}. */
    List<Step> directory(Path dir, String prefix, Overrides ov, boolean hardlinks) throws IOException {
        List<Keyed> out = new ArrayList<>();
        List<DirectoryPrefetch.Child> listed = prefetch.take(dir);
        if (listed != null) {
            for (DirectoryPrefetch.Child c : listed) {
                if (!ov.exclude().test(c.path())) {
                    checkName(prefix + c.name(), c.name());
                    child(out, prefix, c.name(), c.path(), c.meta(), ov, hardlinks);
                }
            }
            return sorted(out);
        }
        for (String name : names(dir)) {
            Path p = dir.resolve(name);
            if (ov.exclude().test(p)) {
                continue;
            }
            checkName(prefix + name, name);
            FileMeta m = FileMeta.of(p, false);
            if (m.isDirectory()) {
                prefetch.ahead(p, ov.exclude());
            }
            child(out, prefix, name, p, m, ov, hardlinks);
        }
        return sorted(out);
    }

    private void child(List<Keyed> out, String prefix, String name, Path p, FileMeta m, Overrides ov, boolean hardlinks) {
        out.add(keyed(name, m.isDirectory(), () -> tree(prefix + name, p, m, ov, hardlinks)));
    }

    /** The entry for {@code p}, and for a directory everything under it after it. */
    Optional<PackEntry> tree(String name, Path p, FileMeta m, Overrides ov, boolean hardlinks) throws IOException {
        Optional<PackEntry> e = ctx.describe(name, p, m, ov, null);
        if (e.isEmpty()) {
            return e;
        }
        if (m.isDirectory()) {
            push(() -> directory(p, name + "/", ov, hardlinks));
        }
        return hardlinks ? Optional.of(ctx.linkOrSelf(e.get(), m)) : e;
    }

    // ---- the difference between two directories ----

    /**
     * The steps that turn {@code lower}'s children into {@code upper}'s: new and changed entries,
     * whiteouts for removed ones, or one opaque whiteout when nothing of the lower directory's
     * content is left.
     */
    List<Step> diff(Path lower, Path upper, String prefix) throws IOException {
        Set<String> lowerNames = new HashSet<>(names(lower));
        List<String> upperNames = names(upper);
        Set<String> upperSet = new HashSet<>(upperNames);
        List<Keyed> out = new ArrayList<>();
        boolean opaque = lowerNames.size() >= 2 && upperNames.stream().noneMatch(lowerNames::contains);
        if (opaque) {
            out.add(first(() -> Optional.of(ctx.whiteout(prefix + ".wh..wh..opq"))));
        } else {
            for (String gone : lowerNames) {
                if (!upperSet.contains(gone)) {
                    out.add(keyed(".wh." + gone, false, () -> Optional.of(ctx.whiteout(prefix + ".wh." + gone))));
                }
            }
        }
        for (String name : upperNames) {
            checkName(prefix + name, name);
            Path up = upper.resolve(name);
            FileMeta um = FileMeta.of(up, false);
            if (opaque || !lowerNames.contains(name)) {
                out.add(keyed(name, um.isDirectory(), () -> tree(prefix + name, up, um, Overrides.NONE, true)));
                continue;
            }
            Path low = lower.resolve(name);
            out.add(keyed(name, um.isDirectory(), () -> changed(prefix + name, low, up, um)));
        }
        return sorted(out);
    }

    private Optional<PackEntry> changed(String name, Path low, Path up, FileMeta um) throws IOException {
        FileMeta lm = FileMeta.of(low, false);
        Optional<PackEntry> ue = ctx.describe(name, up, um, Overrides.NONE, null);
        if (ue.isEmpty()) {
            return ue;
        }
        Optional<PackEntry> le = ctx.describe(name, low, lm, Overrides.NONE, null);
        boolean sameMetadata = le.isPresent() && le.get().sameMetadata(ue.get());
        if (um.isDirectory() && lm.isDirectory()) {
            push(() -> diff(low, up, name + "/"));
            return sameMetadata ? Optional.empty() : ue;
        }
        if (sameMetadata && (!um.isRegular() || Files.mismatch(low, up) == -1)) {
            return Optional.empty();
        }
        // A different type replaces the lower entry when unpacked (a directory with all it held).
        if (um.isDirectory()) {
            push(() -> directory(up, name + "/", Overrides.NONE, true));
        }
        return Optional.of(ctx.linkOrSelf(ue.get(), um));
    }

    // ---- an overlayfs upper directory ----

    private static final String[] OPAQUE = {"trusted.overlay.opaque", "user.overlay.opaque"};
    private static final String[] XATTR_WHITEOUT = {"trusted.overlay.whiteout", "user.overlay.whiteout"};
    private static final String[] UNSUPPORTED = {"trusted.overlay.metacopy", "user.overlay.metacopy",
        "trusted.overlay.redirect", "user.overlay.redirect"};

    static boolean isOpaque(SortedMap<String, byte[]> xattrs) {
        for (String k : OPAQUE) {
            byte[] v = xattrs.get(k);
            // "y" only: "x" marks a directory holding xattr whiteouts, which is not opaque.
            if (v != null && v.length == 1 && v[0] == 'y') {
                return true;
            }
        }
        return false;
    }

    /** The steps for an overlayfs upper directory's children: whiteouts in OCI form, the rest as it is. */
    List<Step> overlay(Path dir, String prefix, boolean opaque) throws IOException {
        List<Keyed> out = new ArrayList<>();
        if (opaque) {
            out.add(first(() -> Optional.of(ctx.whiteout(prefix + ".wh..wh..opq"))));
        }
        for (String name : names(dir)) {
            checkName(prefix + name, name);
            Path p = dir.resolve(name);
            FileMeta m = FileMeta.of(p, false);
            SortedMap<String, byte[]> xattrs = PackContext.readXattrs(p);
            boolean xattrWhiteout = m.isRegular() && m.size() == 0
                    && Arrays.stream(XATTR_WHITEOUT).anyMatch(xattrs::containsKey);
            if ((m.isCharDevice() && m.rdev() == 0) || xattrWhiteout) {
                out.add(keyed(".wh." + name, false, () -> Optional.of(ctx.whiteout(prefix + ".wh." + name))));
                continue;
            }
            for (String k : UNSUPPORTED) {
                if (xattrs.containsKey(k)) {
                    throw new LayerPackException("'" + prefix + name + "' in the overlay upper directory " + dir
                            + " carries " + k + ": overlayfs' metacopy and redirect_dir features keep data or names in"
                            + " the lower layers, so the upper directory alone is not a layer; mount with"
                            + " metacopy=off,redirect_dir=off");
                }
            }
            boolean dirOpaque = m.isDirectory() && isOpaque(xattrs);
            out.add(keyed(name, m.isDirectory(), () -> {
                Optional<PackEntry> e = ctx.describe(prefix + name, p, m, Overrides.NONE, xattrs);
                if (e.isPresent() && m.isDirectory()) {
                    push(() -> overlay(p, prefix + name + "/", dirOpaque));
                }
                return e.map(x -> ctx.linkOrSelf(x, m));
            }));
        }
        return sorted(out);
    }
}
