package dev.ocikit.runtime;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A container's root file system as an overlay mount: the image's layer snapshots as read-only
 * lower directories and a per-container upper directory taking the writes, so that mounting costs
 * the same for a 5 MB and a 500 MB image.
 */
final class RootfsMount {
    /** mount(2) takes at most one page of options, NUL included. */
    private static final int MAX_OPTIONS = 4095;

    private RootfsMount() {}

    /**
     * Mounts overlayfs at {@code target}.
     *
     * @param lowersBottomFirst the layer snapshot directories in the image's order; may be empty
     *     (a scratch image), then {@code empty} serves as the only lower directory
     * @param empty an empty directory, used when there is no layer
     */
    static void overlay(List<Path> lowersBottomFirst, Path empty, Path upper, Path work, Path target) throws IOException {
        List<Path> lowers = topFirstWithoutRepeats(lowersBottomFirst);
        if (lowers.isEmpty()) {
            Files.createDirectories(empty);
            lowers = List.of(empty);
        }
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Files.createDirectories(target);
        for (Path lower : lowers) {
            String p = lower.toString();
            if (p.contains(",") || p.contains(":")) {
                throw new RootfsMountException("overlayfs cannot take a lower directory whose path holds ':' or ',': " + p);
            }
        }
        String tail = ",upperdir=" + upper + ",workdir=" + work;
        String options = "lowerdir=" + join(lowers) + tail;
        if (options.getBytes(StandardCharsets.UTF_8).length + PLAIN.length() <= MAX_OPTIONS) {
            mount(options, target);
            return;
        }
        // Too many layers for one page of paths: name each lower directory by a short
        // /proc/self/fd/N link instead, which the kernel resolves while mounting.
        List<Integer> fds = new ArrayList<>();
        try {
            List<String> short_ = new ArrayList<>();
            for (Path lower : lowers) {
                int fd = Libc.open(lower.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
                fds.add(fd);
                short_.add("/proc/self/fd/" + fd);
            }
            String shortOptions = "lowerdir=" + String.join(":", short_) + tail;
            if (shortOptions.getBytes(StandardCharsets.UTF_8).length + PLAIN.length() > MAX_OPTIONS) {
                throw new RootfsMountException("the image has " + lowers.size()
                        + " layers, more than one overlay mount can stack here; squash the image");
            }
            mount(shortOptions, target);
        } catch (LastErrorException e) {
            throw new RootfsMountException("cannot open a layer snapshot for the overlay mount: "
                    + Libc.strerror(e.getErrorCode()), e);
        } finally {
            for (int fd : fds) {
                Libc.close(fd);
            }
        }
    }

    /**
     * Features that would tie an upper directory to one stack of lower directories (index: a
     * container's is mounted again with a layer of mount points on top, a working container's
     * with and without it) or keep data and names in the lower directories (metacopy,
     * redirect_dir), where a commit cannot read them. Off unless the kernel predates them.
     */
    private static final String PLAIN = ",index=off,redirect_dir=off,metacopy=off";

    private static void mount(String options, Path target) {
        try {
            try {
                Libc.mount("overlay", target.toString(), "overlay", 0, options + PLAIN);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Libc.EINVAL) {
                    throw e;
                }
                // a kernel before 4.19 that does not know one of them, and so does not use it
                Libc.mount("overlay", target.toString(), "overlay", 0, options);
            }
        } catch (LastErrorException e) {
            throw new RootfsMountException("cannot mount the overlay root file system at " + target + ": "
                    + Libc.strerror(e.getErrorCode())
                    + (e.getErrorCode() == 1 ? " (mounting needs root; a rootless runtime copies the rootfs instead)" : ""), e);
        }
    }

    /** Unmounts {@code target} if something is mounted there; lazily if it is busy. */
    static void unmount(Path target) {
        try {
            Libc.umount2(target.toString(), Libc.UMOUNT_NOFOLLOW);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == Libc.EINVAL || errno == Libc.ENOENT) {
                return; // not a mount point (any more), or gone
            }
            if (errno == Libc.EBUSY) {
                try {
                    Libc.umount2(target.toString(), Libc.MNT_DETACH | Libc.UMOUNT_NOFOLLOW);
                } catch (LastErrorException detach) {
                    throw new RootfsMountException("cannot unmount " + target + ", busy, nor detach it: "
                            + Libc.strerror(detach.getErrorCode()), detach);
                }
                return;
            }
            throw new RootfsMountException("cannot unmount " + target + ": " + Libc.strerror(errno), e);
        }
    }

    /** The mount points at or under {@code dir}, deepest first, read from /proc/self/mountinfo. */
    static List<Path> mountsUnder(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        // mountinfo names mount points by their real paths
        Path absolute = dir.toAbsolutePath().normalize();
        String prefix = (Files.exists(absolute) ? absolute.toRealPath() : absolute).toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            if (fields.length < 5) {
                continue;
            }
            String point = unescape(fields[4]);
            if (point.equals(prefix) || point.startsWith(prefix + "/")) {
                found.add(Path.of(point));
            }
        }
        found.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
        return found;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The lower directories top first. overlayfs refuses a directory twice (ELOOP); a layer
     * repeated in an image adds nothing at its lower place, since its upper copy provides every
     * path it has, so only the topmost occurrence is kept.
     */
    static List<Path> topFirstWithoutRepeats(List<Path> bottomFirst) {
        LinkedHashSet<Path> topFirst = new LinkedHashSet<>();
        for (int i = bottomFirst.size() - 1; i >= 0; i--) {
            topFirst.add(bottomFirst.get(i));
        }
        return List.copyOf(topFirst);
    }

    private static String join(List<Path> paths) {
        List<String> parts = new ArrayList<>();
        for (Path p : paths) {
            parts.add(p.toString());
        }
        return String.join(":", parts);
    }
}
