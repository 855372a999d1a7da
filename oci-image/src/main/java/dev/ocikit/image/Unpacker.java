package dev.ocikit.image;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks image layers into a root file system, in order, with OCI whiteout semantics, as
 * {@code umoci unpack} does. Immutable and thread-safe; each call works on its own target.
 *
 * <p>Nothing a layer says can make it write outside the target: entry names with {@code ..} or a
 * leading {@code /} are refused, symlinks met while resolving a path are followed as if the target
 * were the root directory, hard links must point at files inside the target, and metadata
 * (mode, owner, times, xattrs) is never applied through a symlink.
 *
 * <p>Privileged mode (the default when running as root) applies ownership with {@code lchown},
 * creates device nodes and sets any extended attribute. Rootless mode leaves files owned by the
 * caller and records each entry's ownership in the {@code user.rootlesscontainers} attribute,
 * as umoci's {@code --rootless} does; device nodes and non-{@code user.} attributes are
 * skipped and listed in the {@link UnpackReport}.
 */
public final class Unpacker {
    private static final Logger LOG = LoggerFactory.getLogger(Unpacker.class);
    static final String ROOTLESS_XATTR = "user.rootlesscontainers";

    private final boolean rootless;
    private final LayerLimits limits;

    private Unpacker(boolean rootless, LayerLimits limits) {
        this.rootless = rootless;
        this.limits = limits;
    }

    /** Privileged when the process runs as root, rootless otherwise, with default limits. */
    public static Unpacker defaults() {
        return new Unpacker(!isRoot(), LayerLimits.DEFAULT);
    }

    /** An unpacker in rootless mode. */
    public Unpacker rootless(boolean value) {
        if (!value && !isRoot()) {
            throw new IllegalStateException("privileged unpacking needs root; use rootless mode");
        }
        return new Unpacker(value, limits);
    }

    /** An unpacker with other limits. */
    public Unpacker limits(LayerLimits value) {
        return new Unpacker(rootless, Objects.requireNonNull(value, "limits"));
    }

    public boolean isRootless() {
        return rootless;
    }

    static boolean isRoot() {
        return LibC.available() && LibC.geteuid() == 0;
    }

    /**
     * Unpacks the layers, bottom first, into {@code target}, which must not exist or be an empty
     * directory. Everything is written to a staging directory beside it and renamed into place
     * only when every layer applied and matched its DiffID, so on any failure the target is left
     * as it was.
     */
    public UnpackReport unpack(List<LayerSource> layers, Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS) || !isEmptyDirectory(absolute)) {
                throw new FileAlreadyExistsException(absolute.toString(), null,
                        "unpack target must not exist or be an empty directory");
            }
        }
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".unpacking-");
        boolean done = false;
        try {
            Files.setAttribute(staging, "unix:mode", 0755);
            Job job = new Job(staging.toRealPath());
            for (LayerSource layer : layers) {
                job.apply(layer);
            }
            job.finishDirectories();
            if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(absolute);
            }
            Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return job.report();
        } finally {
            if (!done) {
                deleteRecursively(staging);
            }
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    /** The state of one unpack: deferred directory metadata and what to report. */
    private final class Job {
        private final Path root;
        private final Map<Path, TarArchiveEntry> directories = new HashMap<>();
        private final List<Digest> diffIds = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private long entries;
        private long ownershipRecorded;

        Job(Path root) {
            this.root = root;
        }

        UnpackReport report() {
            return new UnpackReport(diffIds, entries, skipped, ownershipRecorded);
        }

        void apply(LayerSource layer) throws IOException {
            Set<Path> createdHere = new HashSet<>();
            try (InputStream blob = layer.opener().open();
                    LayerInputStream uncompressed = LayerInputStream.open(blob, layer.compression(), limits)) {
                TarGuard guard = new TarGuard(uncompressed, limits);
                TarArchiveInputStream tar = new TarArchiveInputStream(guard, "UTF-8");
                long seen = 0;
                TarArchiveEntry e;
                while ((e = nextEntry(tar, layer)) != null) {
                    seen++;
                    if (guard.entries() != seen) {
                        throw new HostileLayerException(e.getName(), "is laid out so that tar readers disagree on"
                                + " where entries start (header " + guard.entries() + " vs entry " + seen + ")");
                    }
                    entry(tar, e, guard.lastXattrs(), createdHere);
                }
                entries += seen;
                // The DiffID covers the whole uncompressed stream, padding after the archive included.
                uncompressed.transferTo(OutputStream.nullOutputStream());
                Digest diffId = uncompressed.diffId();
                if (layer.diffId().isPresent() && !layer.diffId().get().equals(diffId)) {
                    throw new DigestMismatchException("layer " + layer.description() + " unpacks to DiffID " + diffId
                            + " but the image config says " + layer.diffId().get(), layer.diffId().get(), diffId);
                }
                diffIds.add(diffId);
            }
        }

        private TarArchiveEntry nextEntry(TarArchiveInputStream tar, LayerSource layer) throws IOException {
            try {
                return tar.getNextEntry();
            } catch (IllegalArgumentException e) {
                throw new HostileLayerException(layer.description(), "has a malformed tar header: " + e.getMessage());
            } catch (IOException e) {
                if (e.getClass().getName().startsWith("org.apache.commons")
                        || String.valueOf(e.getMessage()).contains("header")) {
                    throw new HostileLayerException(layer.description(), "is not a valid tar stream: " + e.getMessage());
                }
                throw e;
            }
        }

        private void entry(TarArchiveInputStream tar, TarArchiveEntry e, Map<String, byte[]> xattrs, Set<Path> createdHere)
                throws IOException {
            String name = e.getName();
            List<String> components = RootedPath.components(name, "name");
            if (components.isEmpty()) {
                if (!e.isDirectory()) {
                    throw new HostileLayerException(name, "would replace the root directory with a non-directory");
                }
                directories.put(root, e);
                ownership(root, e);
                return;
            }
            String base = components.get(components.size() - 1);
            if (base.startsWith(".wh.")) {
                whiteout(name, components, base.substring(4), createdHere);
                return;
            }
            Path parent = RootedPath.parentOf(root, components);
            makeDirectories(parent, name);
            Path path = parent.resolve(base);
            boolean existingDir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
            if (RootedPath.exists(path) && !(e.isDirectory() && existingDir)) {
                deleteRecursively(path);
            }
            createdHere.add(path);
            if (e.isDirectory()) {
                if (!existingDir) {
                    Files.createDirectory(path);
                }
                directories.put(path, e);
                ownership(path, e);
                xattrs(path, name, xattrs);
            } else if (e.isSymbolicLink()) {
                if (e.getLinkName().isEmpty()) {
                    throw new HostileLayerException(name, "is a symlink with an empty target");
                }
                // The target is stored verbatim; it is only ever followed through RootedPath.
                Files.createSymbolicLink(path, Path.of(e.getLinkName()));
                ownership(path, e);
                times(path, e);
            } else if (e.isLink()) {
                hardLink(path, name, e.getLinkName());
            } else if (e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice()) {
                if (special(path, name, e)) {
                    ownership(path, e);
                    mode(path, e);
                    xattrs(path, name, xattrs);
                    times(path, e);
                }
            } else if (e.isFile()) {
                write(tar, path, e.isSparse());
                ownership(path, e);
                mode(path, e);
                xattrs(path, name, xattrs);
                times(path, e);
            } else {
                skipped.add(name + ": tar entry type '" + (char) typeOf(e) + "' is not a file system object; skipped");
            }
        }

        private int typeOf(TarArchiveEntry e) {
            return e.isGlobalPaxHeader() ? 'g' : '?';
        }

        private void makeDirectories(Path dir, String name) throws IOException {
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                throw new HostileLayerException(name, "needs '" + root.relativize(dir)
                        + "' to be a directory, but it is not one");
            }
        }

        private void whiteout(String name, List<String> components, String victim, Set<Path> createdHere)
                throws IOException {
            if (victim.isEmpty()) {
                throw new HostileLayerException(name, "is a bare whiteout '.wh.' that names nothing");
            }
            if (victim.equals(".") || victim.equals("..")) {
                throw new HostileLayerException(name, "whites out '" + victim + "', which would delete outside its directory");
            }
            Path dir = RootedPath.parentOf(root, components);
            if (victim.equals(".wh..opq")) {
                // Opaque: hide everything the lower layers put in this directory.
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    makeDirectories(dir, name);
                    return;
                }
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                    for (Path child : children) {
                        if (!createdHere.contains(child)) {
                            deleteRecursively(child);
                        }
                    }
                }
                return;
            }
            if (victim.startsWith(".wh.")) {
                // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not part of the image.
                return;
            }
            Path path = dir.resolve(victim);
            if (RootedPath.exists(path) && !createdHere.contains(path)) {
                deleteRecursively(path);
            }
        }

        private void hardLink(Path path, String name, String linkName) throws IOException {
            List<String> target = RootedPath.components(linkName, "hard link target");
            if (target.isEmpty()) {
                throw new HostileLayerException(name, "is a hard link to the root directory");
            }
            Path source = RootedPath.parentOf(root, target).resolve(target.get(target.size() - 1));
            if (!RootedPath.exists(source)) {
                throw new HostileLayerException(name, "is a hard link to '" + linkName + "', which is not in the layers so far");
            }
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new HostileLayerException(name, "is a hard link to the directory '" + linkName + "'");
            }
            Files.createLink(path, source);
        }

        /** Creates a fifo or device node; returns false when it was skipped. */
        private boolean special(Path path, String name, TarArchiveEntry e) {
            String kind = e.isFIFO() ? "fifo" : e.isCharacterDevice() ? "character device" : "block device";
            boolean device = !e.isFIFO();
            if (device && rootless) {
                skipped.add(name + ": " + kind + " " + e.getDevMajor() + ":" + e.getDevMinor() + " not created in rootless mode");
                return false;
            }
            if (!LibC.available()) {
                skipped.add(name + ": " + kind + " not created: no native access on this platform");
                return false;
            }
            int type = e.isFIFO() ? LibC.S_IFIFO : e.isCharacterDevice() ? LibC.S_IFCHR : LibC.S_IFBLK;
            try {
                LibC.mknod(path.toString(), type | (e.getMode() & 07777), LibC.makedev(e.getDevMajor(), e.getDevMinor()));
                return true;
            } catch (LastErrorException x) {
                if (x.getErrorCode() == LibC.EPERM || x.getErrorCode() == LibC.EACCES) {
                    skipped.add(name + ": " + kind + " " + e.getDevMajor() + ":" + e.getDevMinor()
                            + " not created: not permitted here");
                    return false;
                }
                throw new IllegalStateException("mknod " + path + " failed with errno " + x.getErrorCode(), x);
            }
        }

        private void write(TarArchiveInputStream tar, Path path, boolean sparse) throws IOException {
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                byte[] buf = new byte[128 * 1024];
                long position = 0;
                int n;
                while ((n = tar.read(buf)) > 0) {
                    if (sparse && isZero(buf, n)) {
                        position += n; // leave a hole, as the sparse entry intends
                    } else {
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                        while (bb.hasRemaining()) {
                            position += out.write(bb, position);
                        }
                    }
                }
                if (sparse && out.size() < position) {
                    out.write(ByteBuffer.wrap(new byte[1]), position - 1);
                }
            }
        }

        private void ownership(Path path, TarArchiveEntry e) throws IOException {
            long uid = e.getLongUserId();
            long gid = e.getLongGroupId();
            if (uid < 0 || uid > 0xfffffffeL || gid < 0 || gid > 0xfffffffeL) {
                throw new HostileLayerException(e.getName(), "has an owner " + uid + ":" + gid + " outside the valid range");
            }
            if (rootless) {
                if (uid == 0 && gid == 0) {
                    return;
                }
                if (Files.isSymbolicLink(path)) {
                    skipped.add(e.getName() + ": owner " + uid + ":" + gid + " of a symlink cannot be recorded rootless");
                    return;
                }
                setXattr(path, ROOTLESS_XATTR, rootlessOwner(uid, gid));
                ownershipRecorded++;
                return;
            }
            try {
                LibC.lchown(path.toString(), (int) uid, (int) gid);
            } catch (LastErrorException x) {
                throw new IOException("lchown " + path + " to " + uid + ":" + gid + " failed with errno " + x.getErrorCode());
            }
        }

        /** Never called on symlinks. Path-based, because opening a fifo to chmod it would block. */
        private void mode(Path path, TarArchiveEntry e) throws IOException {
            int mode = e.getMode() & 07777;
            if (!LibC.available()) {
                Files.setAttribute(path, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
                return;
            }
            try {
                LibC.chmod(path.toString(), mode);
            } catch (LastErrorException x) {
                throw new IOException("chmod " + path + " failed with errno " + x.getErrorCode());
            }
        }

        private void xattrs(Path path, String name, Map<String, byte[]> xattrs) {
            for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
                String attr = x.getKey();
                if (attr.equals(ROOTLESS_XATTR) && rootless) {
                    continue; // ours to write
                }
                if (rootless && !attr.startsWith("user.")) {
                    skipped.add(name + ": xattr " + attr + " not set in rootless mode");
                    continue;
                }
                try {
                    setXattr(path, attr, x.getValue());
                } catch (LastErrorException ex) {
                    skipped.add(name + ": xattr " + attr + " not set: errno " + ex.getErrorCode());
                }
            }
        }

        private void setXattr(Path path, String attr, byte[] value) {
            if (!LibC.available()) {
                skipped.add(root.relativize(path) + ": xattr " + attr + " not set: no native access on this platform");
                return;
            }
            LibC.lsetxattr(path.toString(), attr, value, value.length, 0);
        }

        /** Times of the entry itself, never of a symlink's target; path-based for the same reason as {@link #mode}. */
        private void times(Path path, TarArchiveEntry e) throws IOException {
            FileTime mtime = e.getLastModifiedTime();
            FileTime atime = e.getLastAccessTime() != null ? e.getLastAccessTime() : mtime;
            if (!LibC.available()) {
                Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(mtime, atime, null);
                return;
            }
            java.time.Instant a = atime.toInstant();
            java.time.Instant m = mtime.toInstant();
            long[] times = {a.getEpochSecond(), a.getNano(), m.getEpochSecond(), m.getNano()};
            try {
                LibC.utimensat(LibC.AT_FDCWD, path.toString(), times, LibC.AT_SYMLINK_NOFOLLOW);
            } catch (LastErrorException x) {
                throw new IOException("setting times of " + path + " failed with errno " + x.getErrorCode());
            }
        }

        /** Directory modes and times last: writing into a directory changes its mtime and needs it writable. */
        void finishDirectories() throws IOException {
            for (Map.Entry<Path, TarArchiveEntry> d : directories.entrySet()) {
                Path path = d.getKey();
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // replaced or whited out by a later layer
                }
                mode(path, d.getValue());
                times(path, d.getValue());
            }
        }
    }

    /** The rootlesscontainers.io protobuf: {@code message Resource { uint32 uid = 1; uint32 gid = 2; }}. */
    static byte[] rootlessOwner(long uid, long gid) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (uid != 0) {
            out.write(0x08);
            varint(out, uid);
        }
        if (gid != 0) {
            out.write(0x10);
            varint(out, gid);
        }
        return out.toByteArray();
    }

    private static void varint(java.io.ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static boolean isZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Deletes a tree without following symlinks, making directories writable where needed. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                try {
                    Files.setAttribute(dir, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException | UnsupportedOperationException ignored) {
                    // deleting will report the real problem
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
