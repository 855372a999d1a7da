package dev.ocikit.runtime;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.runtime.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import dev.ocikit.runtime.bundle.RootfsEscapeException;
import dev.ocikit.runtime.bundle.RootfsPaths;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount points a container's mounts need in its root file system and that the image lacks
 * ({@code /proc}, {@code /etc/hosts}, a bind mount's destination ...). runc would create them in
 * the root file system, and so in the container's writable layer, where they would end up in a
 * commit or a build step's layer as empty files and directories nobody asked for (Buildah removes
 * them after each {@code RUN} for that reason). Instead, they are provided beforehand: in a layer
 * of their own on top of the image's lower directories (overlay), or created in both the root
 * file system and the tree changes are measured against (copy), so that the writable layer never
 * holds them.
 */
final class MountPoints {
    private static final Logger LOG = LoggerFactory.getLogger(MountPoints.class);
    /** Created mount points are dated here, so that two trees given the same ones compare equal. */
    static final FileTime STUB_TIME = FileTime.fromMillis(0);
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private MountPoints() {}

    /**
     * A path that must exist for a mount: relative to the root, with every symbolic link on the
     * way already resolved inside the root, as runc resolves a mount's destination.
     *
     * @param path the components joined with '/', no leading '/'
     * @param directory a directory, else an empty file (for a bind mount of a file)
     */
    record Stub(String path, boolean directory) {
        int depth() {
            return path.split("/").length;
        }
    }

    /**
     * The paths missing from {@code rootfs} that runc would create for {@code mounts}, parents
     * before children. A mount below an earlier mount's destination is skipped: runc creates its
     * mount point in that mount (a tmpfs on {@code /dev}, sysfs), not in the root file system.
     */
    static List<Stub> missing(Path rootfs, List<Mount> mounts) throws IOException {
        Map<String, Stub> out = new LinkedHashMap<>();
        List<String> earlier = new ArrayList<>();
        for (Mount m : mounts) {
            String dest = RootfsPaths.clean(m.destination());
            boolean nested = earlier.stream().anyMatch(e -> e.equals("/") || dest.startsWith(e + "/"));
            earlier.add(dest);
            if (nested || dest.equals("/")) {
                continue;
            }
            List<String> parts = resolve(rootfs, dest);
            boolean fileMount = isBind(m) && m.source().isPresent() && !Files.isDirectory(Path.of(m.source().get()));
            Path p = rootfs;
            StringBuilder rel = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                p = p.resolve(parts.get(i));
                rel.append(i == 0 ? "" : "/").append(parts.get(i));
                boolean last = i == parts.size() - 1;
                BasicFileAttributes a = attributes(p);
                if (a == null) {
                    out.putIfAbsent(rel.toString(), new Stub(rel.toString(), !last || !fileMount));
                } else if (!last && !a.isDirectory()) {
                    break; // runc refuses this mount with its own message; nothing to provide
                }
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * Writes {@code stubs} into {@code layer}, an overlay lower directory to sit on top of the
     * image's: the missing paths as empty directories and files, and the existing directories
     * they are in as copies of {@code merged}'s (mode, owner, times, extended attributes), so the
     * layer changes nothing visible about them.
     */
    static void writeLayer(Path layer, Path merged, List<Stub> stubs) throws IOException {
        Files.createDirectories(layer);
        Map<String, Boolean> copied = new LinkedHashMap<>(); // existing ancestors, copied from merged
        for (Stub s : stubs) {
            String[] parts = s.path().split("/");
            StringBuilder rel = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                rel.append(i == 0 ? "" : "/").append(parts[i]);
                String r = rel.toString();
                Path inLayer = layer.resolve(r);
                if (Files.exists(inLayer, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Files.createDirectory(inLayer);
                if (attributes(merged.resolve(r)) != null) {
                    copied.put(r, true);
                } else {
                    stubMetadata(inLayer, true);
                }
            }
            create(layer.resolve(s.path()), s.directory());
        }
        // Children change a directory's times: the copies get theirs last, deepest first.
        List<String> dirs = new ArrayList<>(copied.keySet());
        dirs.sort(Comparator.comparingInt((String r) -> r.split("/").length).reversed());
        for (String r : dirs) {
            copyMetadata(merged.resolve(r), layer.resolve(r));
        }
        for (Stub s : deepestFirst(stubs)) {
            if (s.directory()) {
                Files.setLastModifiedTime(layer.resolve(s.path()), STUB_TIME);
            }
        }
    }

    /**
     * Creates {@code stubs} in {@code root} itself (a copied root file system, or the tree its
     * changes are measured against), leaving the times of the directories they go into as they
     * were, so that two trees given the same stubs still compare equal.
     */
    static void createIn(Path root, List<Stub> stubs) throws IOException {
        Map<Path, FileTime[]> parents = new LinkedHashMap<>();
        for (Stub s : stubs) {
            Path p = root.resolve(s.path());
            Path parent = p.getParent();
            if (!parents.containsKey(parent) && attributes(parent) != null && stubs.stream()
                    .noneMatch(o -> root.resolve(o.path()).equals(parent))) {
                BasicFileAttributes a = Files.readAttributes(parent, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                parents.put(parent, new FileTime[] {a.lastModifiedTime(), a.lastAccessTime()});
            }
            if (attributes(p) == null) {
                create(p, s.directory());
            }
        }
        for (Stub s : deepestFirst(stubs)) {
            if (s.directory()) {
                Files.setLastModifiedTime(root.resolve(s.path()), STUB_TIME);
            }
        }
        for (Map.Entry<Path, FileTime[]> e : parents.entrySet()) {
            Files.getFileAttributeView(e.getKey(), java.nio.file.attribute.BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).setTimes(e.getValue()[0], e.getValue()[1], null);
        }
    }

    /** The stubs not visible in {@code rootfs} (hidden by a whiteout or an opaque directory of the writable layer). */
    static List<Stub> notVisible(Path rootfs, List<Stub> stubs) throws IOException {
        List<Stub> out = new ArrayList<>();
        for (Stub s : stubs) {
            if (attributes(rootfs.resolve(s.path())) == null) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Removes, through the mounted root file system, the stubs runc created there: empty
     * directories and empty files only, deepest first; anything else is left (and logged), as it
     * holds what a command wrote.
     */
    static void remove(Path rootfs, List<Stub> stubs) throws IOException {
        for (Stub s : deepestFirst(stubs)) {
            Path p = rootfs.resolve(s.path());
            BasicFileAttributes a = attributes(p);
            if (a == null) {
                continue;
            }
            boolean empty = a.isDirectory() ? isEmptyDirectory(p) : a.isRegularFile() && a.size() == 0;
            if (empty) {
                Files.delete(p);
            } else {
                LOG.debug("mount point {} holds data now; left in place", p);
            }
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        try (var entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    private static List<Stub> deepestFirst(List<Stub> stubs) {
        List<Stub> sorted = new ArrayList<>(stubs);
        sorted.sort(Comparator.comparingInt(Stub::depth).reversed());
        return sorted;
    }

    private static void create(Path p, boolean directory) throws IOException {
        if (directory) {
            Files.createDirectory(p);
        } else {
            Files.createFile(p);
        }
        stubMetadata(p, directory);
    }

    private static void stubMetadata(Path p, boolean directory) throws IOException {
        Files.setPosixFilePermissions(p, directory ? DIR_MODE : FILE_MODE);
        Files.setLastModifiedTime(p, STUB_TIME);
    }

    /** Mode, owner, extended attributes (overlayfs' own excepted) and times of {@code from}, given to {@code to}. */
    private static void copyMetadata(Path from, Path to) throws IOException {
        PosixFileAttributes a = Files.readAttributes(from, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        // the mode with setuid/setgid/sticky bits (a /tmp is 1777), which PosixFilePermission lacks
        int mode = (Integer) Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        try {
            LibC.chmod(to.toString(), mode);
            for (String name : LibC.listXattrs(from.toString())) {
                if (name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.")) {
                    continue;
                }
                byte[] value = LibC.getXattr(from.toString(), name);
                if (value != null) {
                    LibC.lsetxattr(to.toString(), name, value, value.length, 0);
                }
            }
        } catch (LastErrorException e) {
            throw new IOException("cannot copy the metadata of " + from + " to " + to + ": errno " + e.getErrorCode(), e);
        }
        Files.getFileAttributeView(to, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(a.lastModifiedTime(), a.lastAccessTime(), null);
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (java.nio.file.FileSystemException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
                return null;
            }
            throw e;
        }
    }

    private static boolean isBind(Mount m) {
        return m.type().filter("bind"::equals).isPresent() || m.options().contains("bind")
                || m.options().contains("rbind");
    }


    /**
     * {@code containerPath} resolved inside {@code root} as the container sees it: a symbolic
     * link's target is followed inside the root (an absolute one restarts at the root, {@code ..}
     * stops there); components after a missing one are kept as they are. Returns the components.
     */
    static List<String> resolve(Path root, String containerPath) {
        try {
            return RootfsPaths.components(root, containerPath);
        } catch (RootfsEscapeException e) {
            throw new ContainerException(e.getMessage() + "; fix the image's links", e);
        }
    }

}
