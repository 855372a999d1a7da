package dev.ocikit.image;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves paths inside a root directory as if the root were {@code /}: symlinks met on the way
 * are followed, but an absolute target starts again at the root and {@code ..} stops at the root,
 * so no resolution can leave it (the semantics of a chroot, and of the securejoin libraries). This
 * is what lets a later layer write {@code lib/x.so} through an earlier layer's {@code lib -> usr/lib}
 * while {@code lib -> /etc} still lands inside the target.
 *
 * <p>Resolution is by lstat of each component; it is safe because nothing else writes into an
 * unpack's private staging directory while it runs.
 */
final class RootedPath {
    /** Linux's own limit on symlinks followed in one resolution (MAXSYMLINKS). */
    private static final int MAX_LINKS = 40;

    private RootedPath() {}

    /**
     * The clean components of a tar entry name. {@code ./} prefixes, repeated and trailing slashes
     * are dropped; absolute names and {@code ..} components are refused as hostile, names this
     * JVM cannot express as a file name as unsupported.
     */
    static List<String> components(String entryName, String what) {
        if (entryName.isEmpty()) {
            throw new HostileLayerException(entryName, "has an empty " + what);
        }
        if (entryName.startsWith("/")) {
            throw new HostileLayerException(entryName, "has an absolute " + what + ", which would reach outside the target");
        }
        if (entryName.indexOf('\0') >= 0) {
            throw new HostileLayerException(entryName, "has a NUL byte in its " + what);
        }
        List<String> out = new ArrayList<>();
        for (String c : entryName.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                throw new HostileLayerException(entryName, "has '..' in its " + what + ", which would climb out of the target");
            }
            representable(entryName, c);
            out.add(c);
        }
        return out;
    }

    /** Refuses a name component the JVM's file-name encoding ({@code sun.jnu.encoding}) cannot express. */
    static void representable(String entryName, String component) {
        try {
            FileSystems.getDefault().getPath(component);
        } catch (InvalidPathException e) {
            throw new UnsupportedLayerException("entry '" + HostileLayerException.printable(entryName) + "' has a name"
                    + " this JVM cannot use as a file name (sun.jnu.encoding=" + System.getProperty("sun.jnu.encoding")
                    + "); run the JVM in a UTF-8 locale, e.g. LANG=C.UTF-8");
        }
    }

    /**
     * Resolves {@code components} under {@code root}, following every symlink on the way
     * (within the root), and returns the host path of the parent directory that holds the last
     * component, which itself is not followed. Components that do not exist yet are taken
     * literally.
     */
    static Path parentOf(Path root, List<String> components, String entryName) throws IOException {
        return resolve(root, components.subList(0, components.size() - 1), entryName);
    }

    /** The host path of the entry named by {@code components}; its last component is not followed. */
    static Path childOf(Path root, List<String> components, String entryName) throws IOException {
        return parentOf(root, components, entryName).resolve(components.get(components.size() - 1));
    }

    /** Resolves every component, following symlinks within the root. */
    static Path resolve(Path root, List<String> components, String entryName) throws IOException {
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
            representable(entryName, c);
            Path here = join(root, done).resolve(c);
            if (Files.isSymbolicLink(here)) {
                if (++links > MAX_LINKS) {
                    throw new HostileLayerException(entryName, "resolves through more than " + MAX_LINKS
                            + " symlinks (a symlink loop)");
                }
                String target = Files.readSymbolicLink(here).toString();
                if (target.startsWith("/")) {
                    done.clear();
                }
                String[] parts = target.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    todo.addFirst(parts[i]);
                }
                continue;
            }
            done.add(c);
        }
        return join(root, done);
    }

    /**
     * Whether {@code path} (a host path under {@code root}) is reached from the root through real
     * directories only and is itself not a symlink: a path recorded earlier may since have had a
     * parent replaced by a symlink, and must not then be touched through it.
     */
    static boolean isPlain(Path root, Path path) {
        Path rel = root.relativize(path);
        Path p = root;
        for (Path c : rel) {
            if (c.toString().isEmpty()) {
                continue;
            }
            p = p.resolve(c);
            if (Files.isSymbolicLink(p)) {
                return false;
            }
        }
        return true;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }

    /** Whether {@code p} exists without following a final symlink. */
    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
