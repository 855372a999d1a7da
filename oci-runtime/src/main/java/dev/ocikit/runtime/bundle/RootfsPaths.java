package dev.ocikit.runtime.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Paths inside a container's root file system, resolved as the container would see them: each
 * component is looked up inside the root, a symbolic link's target is read and resolved again
 * inside the root (an absolute target restarts at the root, {@code ..} stops at it). So a link
 * {@code /etc/passwd -> /../../host/passwd} means {@code <root>/host/passwd}, never the host's
 * file. The root is the container's before it runs (nothing inside it runs concurrently), which
 * is what makes resolve-then-open safe enough; the final open still refuses to follow a link.
 */
public final class RootfsPaths {
    /** Linux's limit on links in one lookup (MAXSYMLINKS). */
    static final int MAX_SYMLINKS = 40;

    private RootfsPaths() {}

    /**
     * {@code containerPath} (absolute or not, it is taken from {@code /}) resolved inside
     * {@code root}. Components that do not exist are kept lexically, {@code ..} included.
     *
     * @throws RootfsEscapeException on a link loop
     */
    static Path resolve(Path root, String containerPath) {
        Path base = root.toAbsolutePath().normalize();
        return join(base, components(base, containerPath));
    }

    /**
     * {@link #resolve}'s answer as the components below {@code root}, for code outside this package
     * that must find a path inside a root file system exactly as runc will (mount points).
     *
     * @throws RootfsEscapeException on a link loop
     */
    public static List<String> components(Path root, String containerPath) {
        Path base = root.toAbsolutePath().normalize();
        Deque<String> pending = new ArrayDeque<>(split(containerPath));
        List<String> done = new ArrayList<>();
        int links = 0;
        boolean missing = false;
        while (!pending.isEmpty()) {
            String c = pending.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            if (missing) {
                done.add(c);
                continue;
            }
            Path candidate = join(base, done).resolve(c);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                missing = true;
                done.add(c);
                continue;
            } catch (java.nio.file.FileSystemException e) {
                // A component below a file does not exist either (ENOTDIR), as securejoin and runc see it.
                if (e.getReason() == null || !e.getReason().contains("Not a directory")) {
                    throw io(candidate, e);
                }
                missing = true;
                done.add(c);
                continue;
            } catch (IOException e) {
                throw io(candidate, e);
            }
            if (!attrs.isSymbolicLink()) {
                done.add(c);
                continue;
            }
            if (++links > MAX_SYMLINKS) {
                throw new RootfsEscapeException(containerPath, "too many symbolic links resolving '"
                        + containerPath + "' inside the root file system " + base + " (a loop?)");
            }
            String target;
            try {
                target = Files.readSymbolicLink(candidate).toString();
            } catch (IOException e) {
                throw io(candidate, e);
            }
            if (target.startsWith("/")) {
                done.clear();
            }
            List<String> parts = split(target);
            for (int i = parts.size() - 1; i >= 0; i--) {
                pending.addFirst(parts.get(i));
            }
        }
        return done;
    }

    /**
     * Reads the regular file at {@code containerPath} inside {@code root}, at most {@code limit}
     * bytes; empty if it does not exist.
     *
     * @throws RootfsEscapeException if it is not a regular file, or larger than {@code limit}
     */
    static Optional<byte[]> read(Path root, String containerPath, int limit) {
        Path p = resolve(root, containerPath);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw io(p, e);
        }
        if (!attrs.isRegularFile()) {
            throw new RootfsEscapeException(containerPath, containerPath + " in the root file system " + root
                    + " is not a regular file; refusing to read it");
        }
        if (attrs.size() > limit) {
            throw new RootfsEscapeException(containerPath, containerPath + " in the root file system " + root
                    + " is " + attrs.size() + " bytes, more than the " + limit + " this reader accepts");
        }
        // NOFOLLOW_LINKS on open: if the last component became a link since the check, fail, never follow it.
        try (SeekableByteChannel ch = Files.newByteChannel(p, Set.of(StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)); InputStream in = Channels.newInputStream(ch)) {
            byte[] data = in.readNBytes(limit + 1);
            if (data.length > limit) {
                throw new RootfsEscapeException(containerPath, containerPath + " in the root file system " + root
                        + " grew past " + limit + " bytes while being read");
            }
            return Optional.of(data);
        } catch (IOException e) {
            throw io(p, e);
        }
    }

    /** {@code path} made absolute and clean, {@code ..} stopping at {@code /}; lexical only. */
    public static String clean(String path) {
        List<String> out = new ArrayList<>();
        for (String c : split(path)) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
            } else {
                out.add(c);
            }
        }
        return "/" + String.join("/", out);
    }

    static BundleException io(Path path, IOException e) {
        return new BundleException("cannot access " + path + ": " + e + "; check that the root file system is"
                + " mounted and readable", e);
    }

    private static List<String> split(String path) {
        return List.of(path.split("/", -1));
    }

    private static Path join(Path base, List<String> parts) {
        Path p = base;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }
}
