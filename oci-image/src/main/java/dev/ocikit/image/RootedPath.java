package dev.ocikit.image;

import java.io.IOException;
import java.nio.file.Files;
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
 */
final class RootedPath {
    private static final int MAX_LINKS = 255;

    private RootedPath() {}

    /**
     * The clean components of a tar entry name. {@code ./} prefixes and trailing slashes are
     * dropped; absolute names and {@code ..} components are refused as hostile.
     */
    static List<String> components(String entryName, String what) {
        if (entryName.isEmpty()) {
            throw new HostileLayerException(entryName, "has an empty " + what);
        }
        if (entryName.startsWith("/")) {
            throw new HostileLayerException(entryName, "has an absolute " + what + ", which would write outside the target");
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
            out.add(c);
        }
        return out;
    }

    /**
     * Resolves {@code components} under {@code root}, following every symlink on the way
     * (within the root), and returns the host path of the parent directory that holds the last
     * component, which itself is not followed. Components that do not exist yet are taken
     * literally.
     */
    static Path parentOf(Path root, List<String> components) throws IOException {
        return resolve(root, components.subList(0, components.size() - 1));
    }

    /** Resolves every component, following symlinks within the root. */
    static Path resolve(Path root, List<String> components) throws IOException {
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
            Path here = join(root, done).resolve(c);
            if (Files.isSymbolicLink(here)) {
                if (++links > MAX_LINKS) {
                    throw new IOException("too many levels of symbolic links resolving " + here);
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
