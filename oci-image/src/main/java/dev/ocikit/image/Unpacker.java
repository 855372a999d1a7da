package dev.ocikit.image;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Unpacks image layers into a root file system, in order, with OCI whiteout semantics, as
 * {@code umoci unpack} does. Immutable and thread-safe; each call works on its own target.
 *
 * <p>Nothing a layer says can make it write outside the target: entry names with {@code ..} or a
 * leading {@code /} are refused, symlinks met while resolving a path are followed as if the target
 * were the root directory (a write through {@code lib -> /etc} lands in the target's {@code etc},
 * as with umoci and containerd), hard links must point at files inside the target, and metadata
 * (mode, owner, times, xattrs) is never applied through a symlink. Headers that tar readers would
 * read differently are refused (see {@link HostileLayerException}); names must be UTF-8
 * ({@link UnsupportedLayerException}).
 *
 * <p>Privileged mode (the default when running as root) applies ownership with {@code lchown},
 * creates device nodes and sets any extended attribute. Rootless mode leaves files owned by the
 * caller and records each entry's ownership in the {@code user.rootlesscontainers} attribute,
 * byte for byte as umoci's {@code --rootless} does (only files and directories can carry it);
 * device nodes are skipped (umoci leaves an empty file in their place), and extended attributes
 * the kernel refuses ({@code trusted.*}, {@code security.*} outside a user namespace) are skipped;
 * all of these are listed in the {@link UnpackReport}. In both modes {@code trusted.overlay.*} and
 * {@code user.overlay.*} attributes from a layer are skipped: they would steer overlayfs.
 *
 * <p>Each layer is read once, as a stream opened with {@link LayerSource#opener()} and closed by
 * the unpacker; memory use does not grow with layer size. Defaults: {@link LayerLimits#DEFAULT};
 * privileged exactly when the effective uid is 0. For overlayfs snapshots of each layer instead of
 * one tree, see {@link LayerSnapshots}.
 */
public final class Unpacker {
    static final String ROOTLESS_XATTR = "user.rootlesscontainers";

    private final boolean rootless;
    private final LayerLimits limits;
    private final boolean parallel;
    /** Tests only: paths whose parallel write fails, to prove failures surface. */
    private final Predicate<Path> writeFault;

    private Unpacker(boolean rootless, LayerLimits limits, boolean parallel, Predicate<Path> writeFault) {
        this.rootless = rootless;
        this.limits = limits;
        this.parallel = parallel;
        this.writeFault = writeFault;
    }

    /** Privileged when the process runs as root, rootless otherwise, with default limits. */
    public static Unpacker defaults() {
        return new Unpacker(!isRoot(), LayerLimits.DEFAULT, true, p -> false);
    }

    /**
     * An unpacker in rootless mode ({@code true}) or privileged mode.
     *
     * @throws IllegalStateException when privileged mode is asked for without root
     */
    public Unpacker rootless(boolean value) {
        if (!value && !isRoot()) {
            throw new IllegalStateException("privileged unpacking needs root; use rootless mode");
        }
        return new Unpacker(value, limits, parallel, writeFault);
    }

    /** An unpacker with other limits. */
    public Unpacker limits(LayerLimits value) {
        return new Unpacker(rootless, Objects.requireNonNull(value, "limits"), parallel, writeFault);
    }

    /** Tests: whether new regular files may be written on worker threads (the default). */
    Unpacker parallelWrites(boolean value) {
        return new Unpacker(rootless, limits, value, writeFault);
    }

    /** Tests: makes the parallel write of every matching path fail with an IOException. */
    Unpacker failingWrites(Predicate<Path> fault) {
        return new Unpacker(rootless, limits, parallel, Objects.requireNonNull(fault, "fault"));
    }

    public boolean isRootless() {
        return rootless;
    }

    public LayerLimits limits() {
        return limits;
    }

    static boolean isRoot() {
        return LibC.available() && LibC.geteuid() == 0;
    }

    /**
     * Unpacks the layers, bottom first, into {@code target}, which must not exist or be an empty
     * directory. Everything is written to a staging directory beside it and renamed into place
     * only when every layer applied and matched its DiffID, so on any failure the target is left
     * as it was.
     *
     * @throws HostileLayerException a layer tried to reach outside the target or is ambiguous
     * @throws UnsupportedLayerException a layer holds names or entries that cannot be reproduced
     * @throws LayerTooLargeException a layer exceeds the {@link LayerLimits}
     * @throws DigestMismatchException a layer's DiffID is not the one its source declares
     * @throws FileAlreadyExistsException the target exists and is not an empty directory
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
        Job job = null;
        try {
            Files.setAttribute(staging, "unix:mode", 0755);
            job = new Job(staging.toRealPath(), false);
            for (LayerSource layer : layers) {
                job.apply(layer);
            }
            job.finishDirectories();
            job.close();
            if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(absolute);
            }
            Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return job.report();
        } finally {
            if (job != null) {
                job.close(); // no writer may still be running when the staging tree is deleted
            }
            if (!done) {
                deleteRecursively(staging);
            }
        }
    }

    /**
     * Extracts one layer on its own into the empty directory {@code dir}, whiteouts in overlayfs
     * form: a {@code .wh.name} becomes a 0/0 character device {@code name}, an opaque marker sets
     * {@code trusted.overlay.opaque=y} on its directory. The caller owns {@code dir} and deletes
     * it on failure.
     */
    UnpackReport extractForOverlay(LayerSource layer, Path dir) throws IOException {
        try (Job job = new Job(dir.toRealPath(), true)) {
            job.apply(layer);
            job.finishDirectories();
            return job.report();
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    /** A directory's metadata, applied after all its contents are written. */
    private record DirMeta(int mode, FileTime mtime, FileTime atime) {}

    /** The state of one unpack: deferred directory metadata and what to report. */
    private final class Job implements AutoCloseable {
        private final Path root;
        /** Empty when new files are written by this thread (rootless, no native access, or tests). */
        private final Optional<FileWriters> files;
        private final boolean overlay;
        private final Map<Path, DirMeta> directories = new LinkedHashMap<>();
        /**
         * Entry-name parents ("usr/lib") already resolved and made a real directory, saving an
         * lstat per component per entry. Every node on such a resolution exists, so only removing
         * one could change where it leads: each deletion clears this, as does each new layer.
         */
        private final Map<String, Path> madeDirectories = new HashMap<>();
        /**
         * Directories this layer made (so they were empty), while nothing was deleted: whatever is
         * in one, this layer put there and recorded in its upper set, so a name not in that set
         * needs no lstat to know it is absent. Most entries of a first layer land in one.
         */
        private final Set<Path> freshDirectories = new HashSet<>();
        private final List<Digest> diffIds = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private long skippedCount;
        private long entries;
        private long ownershipRecorded;

        Job(Path root, boolean overlay) {
            this.root = root;
            this.overlay = overlay;
            // Rootless ownership and xattrs may be skipped and reported: kept on this thread, in entry order.
            this.files = parallel && !rootless && LibC.available() ? Optional.of(new FileWriters(root)) : Optional.empty();
        }

        @Override
        public void close() {
            files.ifPresent(FileWriters::close);
        }

        /** A node's attributes, not following a symlink; null if there is none. */
        private BasicFileAttributes lstat(Path path) throws IOException {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        /** Waits for every file still being written; their failures surface here. */
        private void drain() throws IOException {
            if (files.isPresent()) {
                files.get().drain();
            }
        }

        UnpackReport report() {
            return new UnpackReport(diffIds, entries, skipped, skippedCount, ownershipRecorded);
        }

        private void skip(String line) {
            skippedCount++;
            if (skipped.size() < UnpackReport.MAX_SKIPPED_LISTED) {
                skipped.add(line);
            }
        }

        void apply(LayerSource layer) throws IOException {
            try {
                applyLayer(layer);
            } catch (HostileLayerException e) {
                throw e.inLayer(layer.description());
            } catch (UnsupportedLayerException e) {
                UnsupportedLayerException named = new UnsupportedLayerException("layer " + layer.description() + ": "
                        + e.getMessage());
                named.setStackTrace(e.getStackTrace());
                throw named;
            } catch (LayerTooLargeException e) {
                LayerTooLargeException named = new LayerTooLargeException("layer " + layer.description() + ": "
                        + e.getMessage());
                named.setStackTrace(e.getStackTrace());
                throw named;
            }
        }

        private void applyLayer(LayerSource layer) throws IOException {
            // Paths this layer wrote, with their ancestors: whiteouts only hide what lower layers put there.
            Set<Path> upper = new HashSet<>();
            forgetResolutions();
            try (InputStream blob = layer.opener().open();
                    LayerInputStream uncompressed = LayerInputStream.open(blob, layer.compression(), limits);
                    // Decompressing and hashing on another thread; closed (and stopped) before the streams it reads.
                    InputStream ahead = parallel ? new ReadAheadInputStream(uncompressed) : uncompressed) {
                TarReader tar = new TarReader(ahead, limits);
                try {
                    for (TarReader.Entry e; (e = tar.next()) != null; ) {
                        entry(tar, e, upper);
                    }
                    drain();
                } catch (IOException | RuntimeException | Error failure) {
                    // An earlier entry's write that failed on a worker failed first.
                    try {
                        drain();
                    } catch (IOException | RuntimeException | Error earlier) {
                        earlier.addSuppressed(failure);
                        throw earlier;
                    }
                    throw failure;
                }
                entries += tar.entries();
                // The DiffID covers the whole uncompressed stream, padding after the archive included.
                ahead.transferTo(OutputStream.nullOutputStream());
                Digest diffId = uncompressed.diffId();
                if (layer.diffId().isPresent() && !layer.diffId().get().equals(diffId)) {
                    throw new DigestMismatchException("layer " + layer.description() + " unpacks to DiffID " + diffId
                            + " but the image config says " + layer.diffId().get(), layer.diffId().get(), diffId);
                }
                diffIds.add(diffId);
            }
        }

        private void entry(TarReader tar, TarReader.Entry e, Set<Path> upper) throws IOException {
            String name = e.name();
            char type = e.type();
            boolean regular = type == '0' || type == '\0' || type == '7' || type == 'S';
            boolean directory = type == '5' || type == 'D' || (regular && name.endsWith("/"));
            List<String> components = RootedPath.components(name, "name");
            if (components.isEmpty()) {
                if (!directory) {
                    throw new HostileLayerException(name, "would replace the root directory with a "
                            + describe(type) + "");
                }
                directories.put(root, meta(e));
                ownership(root, name, e);
                xattrs(root, name, e.xattrs());
                return;
            }
            String base = components.get(components.size() - 1);
            if (base.startsWith(".wh.")) {
                drain(); // whiteouts delete
                whiteout(name, components, base.substring(4), upper);
                return;
            }
            boolean known = directory || regular || type == '1' || type == '2' || type == '3' || type == '4'
                    || type == '6';
            if (!known) {
                skip(name + ": " + (type == 'V' ? "a tape volume label" : "tar entry type '" + printableType(type) + "'")
                        + " is not a file system object; skipped");
                return;
            }
            String parentKey = components.size() == 1 ? "" : String.join("/", components.subList(0, components.size() - 1));
            Path parent = madeDirectories.get(parentKey);
            boolean made = parent != null;
            if (!made) {
                parent = RootedPath.parentOf(root, components, name);
            }
            Path path = parent.resolve(base);
            if (type == '1' || (files.isPresent() && files.get().conflicts(path))) {
                drain(); // the path or a parent is still being written, or a link's source may be
            }
            if (!made) {
                makeDirectories(parent, name);
                madeDirectories.put(parentKey, parent);
            }
            boolean knownAbsent = freshDirectories.contains(parent) && !upper.contains(path);
            BasicFileAttributes existing = knownAbsent ? null : lstat(path);
            boolean existingDir = existing != null && existing.isDirectory();
            if (existing != null && !(directory && existingDir)) {
                drain(); // files still being written may lie under path, which is about to be deleted
                forgetResolutions();
                if (type == '1' && path.equals(hardLinkSource(name, e.linkName()))) {
                    throw new HostileLayerException(name, "is a hard link to itself");
                }
                deleteRecursively(path);
            }
            markUpper(path, upper);
            if (directory) {
                if (!existingDir) {
                    Files.createDirectory(path);
                    chmod(path, 0755); // writable whatever the umask; the entry's mode comes last
                    freshDirectories.add(path);
                }
                directories.put(path, meta(e));
                ownership(path, name, e);
                xattrs(path, name, e.xattrs());
            } else if (type == '2') {
                symlink(path, name, e.linkName());
                ownership(path, name, e);
                times(path, e);
            } else if (type == '1') {
                hardLink(path, name, e.linkName());
            } else if (type == '3' || type == '4' || type == '6') {
                if (special(path, name, type, e)) {
                    ownership(path, name, e);
                    mode(path, e);
                    xattrs(path, name, e.xattrs());
                    times(path, e);
                }
            } else if (files.isPresent() && !e.isSparse() && e.xattrs().isEmpty()
                    && e.size() <= FileWriters.MAX_BUFFERED_FILE) {
                writeLater(files.get(), tar, path, name, e);
            } else {
                write(tar, path, e);
                ownership(path, name, e);
                mode(path, e);
                xattrs(path, name, e.xattrs());
                times(path, e);
            }
        }

        private String printableType(char type) {
            return type >= 0x20 && type < 0x7f ? String.valueOf(type) : String.format("\\x%02x", (int) type);
        }

        private String describe(char type) {
            return switch (type) {
                case '1' -> "hard link";
                case '2' -> "symlink";
                case '3' -> "character device";
                case '4' -> "block device";
                case '6' -> "fifo";
                default -> "non-directory";
            };
        }

        private DirMeta meta(TarReader.Entry e) {
            FileTime mtime = e.mtime();
            FileTime atime = e.atime() != null ? e.atime() : mtime;
            return new DirMeta(e.mode() & 07777, mtime, atime);
        }

        /** After anything is deleted, or a new layer begins, resolutions and emptiness are known no more. */
        private void forgetResolutions() {
            madeDirectories.clear();
            freshDirectories.clear();
        }

        private void markUpper(Path path, Set<Path> upper) {
            for (Path p = path; p != null && !p.equals(root) && upper.add(p); p = p.getParent()) {
                // each ancestor once; stops at the first one already recorded
            }
        }

        /** Creates missing directories one by one, 0755 whatever the umask, as umoci does. */
        private void makeDirectories(Path dir, String name) throws IOException {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            List<Path> missing = new ArrayList<>();
            for (Path p = dir; !p.equals(root); p = p.getParent()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    break;
                }
                if (RootedPath.exists(p)) {
                    throw new HostileLayerException(name, "needs '" + root.relativize(p)
                            + "' to be a directory, but it is not one");
                }
                missing.add(p);
            }
            for (int i = missing.size() - 1; i >= 0; i--) {
                Path p = missing.get(i);
                Files.createDirectory(p);
                chmod(p, 0755);
                freshDirectories.add(p);
            }
        }

        private void whiteout(String name, List<String> components, String victim, Set<Path> upper)
                throws IOException {
            forgetResolutions(); // whiteouts delete
            if (victim.isEmpty()) {
                throw new HostileLayerException(name, "is a bare whiteout '.wh.' that names nothing");
            }
            if (victim.equals(".") || victim.equals("..")) {
                throw new HostileLayerException(name, "whites out '" + victim + "', which would delete "
                        + (victim.equals(".") ? "its own directory" : "outside its directory"));
            }
            Path dir = RootedPath.parentOf(root, components, name);
            if (victim.equals(".wh..opq")) {
                // Opaque: hide everything the lower layers put in this directory.
                makeDirectories(dir, name);
                if (overlay) {
                    overlayOpaque(dir, name);
                } else {
                    pruneLower(dir, upper);
                    markUpper(dir, upper);
                }
                return;
            }
            if (victim.startsWith(".wh.")) {
                // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not part of the image.
                skip(name + ": aufs metadata, not part of the image; skipped");
                return;
            }
            RootedPath.representable(name, victim);
            Path path = dir.resolve(victim);
            if (overlay) {
                if (!RootedPath.exists(path)) {
                    makeDirectories(dir, name);
                    overlayWhiteout(path, name);
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    // This layer has its own directory there: keep it, but hide the lower one's content.
                    overlayOpaque(path, name);
                }
                // A non-directory of this layer hides the lower entry anyway.
                return;
            }
            if (!RootedPath.exists(path)) {
                return;
            }
            if (upper.contains(path)) {
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    pruneLower(path, upper);
                }
            } else {
                deleteRecursively(path);
            }
        }

        /** Deletes what lower layers left under {@code dir}, keeping what this layer wrote. */
        private void pruneLower(Path dir, Set<Path> upper) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                s.forEach(children::add);
            }
            for (Path child : children) {
                if (!upper.contains(child)) {
                    deleteRecursively(child);
                } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    pruneLower(child, upper);
                }
            }
        }

        private void overlayWhiteout(Path path, String name) throws IOException {
            try {
                LibC.mknod(path.toString(), LibC.S_IFCHR, 0);
            } catch (LastErrorException | UnsatisfiedLinkError x) {
                throw new UnsupportedLayerException("entry '" + HostileLayerException.printable(name) + "' is a whiteout,"
                        + " which an overlay snapshot stores as a 0/0 character device, and creating one failed ("
                        + errno(x) + "); snapshots need root (CAP_MKNOD); use Unpacker for a plain rootfs instead");
            }
        }

        private void overlayOpaque(Path dir, String name) throws IOException {
            byte[] y = {'y'};
            try {
                // Not user.overlay.opaque as well: an overlay mounted without userxattr shows it in the merged view.
                LibC.lsetxattr(dir.toString(), "trusted.overlay.opaque", y, 1, 0);
            } catch (LastErrorException | UnsatisfiedLinkError x) {
                throw new UnsupportedLayerException("entry '" + HostileLayerException.printable(name) + "' makes its"
                        + " directory opaque, which an overlay snapshot stores as the trusted.overlay.opaque xattr, and"
                        + " setting it failed (" + errno(x) + "); snapshots need root (CAP_SYS_ADMIN) and a file system"
                        + " with trusted xattrs");
            }
        }

        private String errno(Throwable x) {
            return x instanceof LastErrorException l ? "errno " + l.getErrorCode() : "no native access";
        }

        private Path hardLinkSource(String name, String linkName) throws IOException {
            List<String> target = RootedPath.components(linkName, "hard link target");
            if (target.isEmpty()) {
                throw new HostileLayerException(name, "is a hard link to the root directory");
            }
            return RootedPath.childOf(root, target, name);
        }

        private void hardLink(Path path, String name, String linkName) throws IOException {
            Path source = hardLinkSource(name, linkName);
            if (!RootedPath.exists(source)) {
                if (overlay) {
                    throw new UnsupportedLayerException("entry '" + HostileLayerException.printable(name) + "' is a hard"
                            + " link to '" + HostileLayerException.printable(linkName) + "', which is not in the same"
                            + " layer; an overlay snapshot holds one layer alone and cannot link into another;"
                            + " use Unpacker for this image");
                }
                throw new HostileLayerException(name, "is a hard link to '" + linkName + "', which is not in the layers so far");
            }
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new HostileLayerException(name, "is a hard link to the directory '" + linkName + "'");
            }
            // link(2) does not follow a symlink source: linking to a symlink links the symlink itself.
            Files.createLink(path, source);
        }

        private void symlink(Path path, String name, String target) throws IOException {
            if (target.isEmpty()) {
                throw new HostileLayerException(name, "is a symlink with an empty target");
            }
            if (target.indexOf('\0') >= 0) {
                throw new HostileLayerException(name, "is a symlink whose target holds a NUL byte");
            }
            // The target is stored verbatim; it is only ever followed through RootedPath.
            if (LibC.available()) {
                try {
                    LibC.symlink(target, path.toString());
                    return;
                } catch (LastErrorException x) {
                    throw new IOException("symlink " + path + " -> " + target + " failed with errno " + x.getErrorCode());
                }
            }
            Files.createSymbolicLink(path, Path.of(target));
        }

        /** Creates a fifo or device node; returns false when it was skipped. */
        private boolean special(Path path, String name, char type, TarReader.Entry e) throws IOException {
            String kind = describe(type);
            boolean device = type != '6';
            String numbers = device ? " " + e.devMajor() + ":" + e.devMinor() : "";
            if (device && rootless) {
                skip(name + ": " + kind + numbers + " not created in rootless mode");
                return false;
            }
            if (!LibC.available()) {
                skip(name + ": " + kind + " not created: no native access on this platform");
                return false;
            }
            int fileType = type == '6' ? LibC.S_IFIFO : type == '3' ? LibC.S_IFCHR : LibC.S_IFBLK;
            try {
                LibC.mknod(path.toString(), fileType | (e.mode() & 07777), LibC.makedev(e.devMajor(), e.devMinor()));
                return true;
            } catch (LastErrorException x) {
                if (x.getErrorCode() == LibC.EPERM || x.getErrorCode() == LibC.EACCES) {
                    skip(name + ": " + kind + numbers + " not created: not permitted here");
                    return false;
                }
                throw new IOException("mknod " + path + " failed with errno " + x.getErrorCode());
            }
        }

        /** A sparse file's runs go where its map puts them, leaving the holes between unwritten. */
        private void write(TarReader tar, Path path, TarReader.Entry e) throws IOException {
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                byte[] buf = new byte[(int) Math.min(128 * 1024, Math.max(e.size(), 1))];
                if (!e.isSparse()) {
                    copy(tar, out, buf, 0, e.size());
                    return;
                }
                for (TarReader.Segment run : e.sparse()) {
                    copy(tar, out, buf, run.offset(), run.length());
                }
                if (out.size() < e.realSize()) {
                    out.write(ByteBuffer.wrap(new byte[1]), e.realSize() - 1); // the trailing hole
                }
            }
        }

        private void copy(TarReader tar, FileChannel out, byte[] buf, long position, long length) throws IOException {
            long end = position + length;
            while (position < end) {
                int n = tar.data().read(buf, 0, (int) Math.min(buf.length, end - position));
                if (n < 0) {
                    throw new IOException("the tar reader ended inside an entry's data"); // it throws first
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    position += out.write(bb, position);
                }
            }
        }

        /**
         * Reads a new regular file's data here and leaves creating it, with its owner, mode and
         * times, to a worker. Privileged mode only, without xattrs: nothing a worker does is ever
         * skipped, so the report stays in entry order.
         */
        private void writeLater(FileWriters writers, TarReader tar, Path path, String name,
                TarReader.Entry e) throws IOException {
            long uid = e.uid();
            long gid = e.gid();
            checkOwner(name, uid, gid);
            int mode = e.mode() & 07777;
            FileTime mtime = e.mtime();
            FileTime atime = e.atime() != null ? e.atime() : mtime;
            // A short read is left to the tar reader to report at the next entry, as for inline writes.
            byte[] data = tar.data().readNBytes((int) e.size());
            boolean fail = writeFault.test(path);
            writers.submit(path, data.length, () -> {
                if (fail) {
                    throw new IOException("writing " + path + " failed (injected by a test)");
                }
                try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
                    ByteBuffer bb = ByteBuffer.wrap(data);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                }
                lchown(path, uid, gid);
                chmod(path, mode);
                setTimes(path, mtime, atime);
            });
        }

        private void checkOwner(String name, long uid, long gid) {
            if (uid < 0 || uid > 0xfffffffeL || gid < 0 || gid > 0xfffffffeL) {
                throw new HostileLayerException(name, "has an owner " + uid + ":" + gid + " outside the valid range");
            }
        }

        private void lchown(Path path, long uid, long gid) throws IOException {
            try {
                LibC.lchown(path.toString(), (int) uid, (int) gid);
            } catch (LastErrorException x) {
                throw new IOException("lchown " + path + " to " + uid + ":" + gid + " failed with errno " + x.getErrorCode());
            }
        }

        private void ownership(Path path, String name, TarReader.Entry e) throws IOException {
            long uid = e.uid();
            long gid = e.gid();
            checkOwner(name, uid, gid);
            if (rootless) {
                if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    if (uid != 0 || gid != 0) {
                        // Linux allows user.* xattrs only on files and directories; umoci drops these owners too.
                        skip(name + ": owner " + uid + ":" + gid + " of a symlink or special file cannot be recorded rootless");
                    }
                    return;
                }
                if (!LibC.available()) {
                    skip(name + ": owner " + uid + ":" + gid + " not recorded: no native access on this platform");
                    return;
                }
                try {
                    if (uid == 0 && gid == 0) {
                        // 0:0 is the absence of the record; a directory may still carry a lower layer's.
                        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                            removeXattr(path, ROOTLESS_XATTR);
                        }
                        return;
                    }
                    byte[] value = rootlessOwner(uid, gid);
                    LibC.lsetxattr(path.toString(), ROOTLESS_XATTR, value, value.length, 0);
                    ownershipRecorded++;
                } catch (LastErrorException x) {
                    throw new IOException("recording the owner " + uid + ":" + gid + " of " + path + " in "
                            + ROOTLESS_XATTR + " failed with errno " + x.getErrorCode()
                            + "; rootless unpacking needs a file system with user xattrs");
                }
                return;
            }
            lchown(path, uid, gid);
        }

        private void removeXattr(Path path, String attr) {
            try {
                LibC.lremovexattr(path.toString(), attr);
            } catch (LastErrorException x) {
                if (x.getErrorCode() != LibC.ENODATA && x.getErrorCode() != LibC.ENOTSUP) {
                    throw x;
                }
            }
        }

        /** Never called on symlinks (chmod would follow one). */
        private void mode(Path path, TarReader.Entry e) throws IOException {
            chmod(path, e.mode() & 07777);
        }

        /** Path-based, because opening a fifo to chmod it would block. */
        private void chmod(Path path, int mode) throws IOException {
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
                if (attr.startsWith("trusted.overlay.") || attr.startsWith("user.overlay.")) {
                    skip(name + ": xattr " + attr + " would steer overlayfs; skipped");
                    continue;
                }
                if (rootless && attr.equals(ROOTLESS_XATTR)) {
                    continue; // ours to write, from the entry's owner
                }
                if (!LibC.available()) {
                    skip(name + ": xattr " + attr + " not set: no native access on this platform");
                    continue;
                }
                try {
                    LibC.lsetxattr(path.toString(), attr, x.getValue(), x.getValue().length, 0);
                } catch (LastErrorException ex) {
                    // Rootless, security.* works only inside a user namespace and trusted.* not at all;
                    // like umoci, try, and report what the kernel refused.
                    skip(name + ": xattr " + attr + " not set: " + (ex.getErrorCode() == LibC.EPERM
                            ? "not permitted" + (rootless ? " in rootless mode" : "")
                            : ex.getErrorCode() == LibC.ENOTSUP ? "not supported by the file system"
                            : "errno " + ex.getErrorCode()));
                }
            }
        }

        /** Times of the entry itself, never of a symlink's target; path-based for the same reason as {@link #chmod}. */
        private void times(Path path, TarReader.Entry e) throws IOException {
            FileTime mtime = e.mtime();
            FileTime atime = e.atime() != null ? e.atime() : mtime;
            setTimes(path, mtime, atime);
        }

        private void setTimes(Path path, FileTime mtime, FileTime atime) throws IOException {
            if (!LibC.available()) {
                Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(mtime, atime, null);
                return;
            }
            Instant a = atime.toInstant();
            Instant m = mtime.toInstant();
            long[] times = {a.getEpochSecond(), a.getNano(), m.getEpochSecond(), m.getNano()};
            try {
                LibC.utimensat(LibC.AT_FDCWD, path.toString(), times, LibC.AT_SYMLINK_NOFOLLOW);
            } catch (LastErrorException x) {
                throw new IOException("setting times of " + path + " failed with errno " + x.getErrorCode());
            }
        }

        /**
         * Directory modes and times last, deepest first: writing into a directory changes its
         * mtime and needs it writable, and a parent without search permission would hide its
         * children. A directory whose path now passes through a symlink (a later layer replaced a
         * parent) is no longer the directory the layer described, and is left alone.
         */
        void finishDirectories() throws IOException {
            drain();
            List<Map.Entry<Path, DirMeta>> deepestFirst = new ArrayList<>(directories.entrySet());
            deepestFirst.sort(Comparator.comparingInt((Map.Entry<Path, DirMeta> d) -> d.getKey().getNameCount()).reversed());
            for (Map.Entry<Path, DirMeta> d : deepestFirst) {
                Path path = d.getKey();
                if (!RootedPath.isPlain(root, path) || !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // replaced or whited out by a later layer
                }
                chmod(path, d.getValue().mode());
                setTimes(path, d.getValue().mtime(), d.getValue().atime());
            }
        }
    }

    /** "Leave this id as it is" in the rootlesscontainers.io record: uint32 -1. */
    static final long NOOP_ID = 0xffffffffL;

    /**
     * The rootlesscontainers.io protobuf, {@code message Resource { uint32 uid = 1; uint32 gid = 2; }},
     * byte for byte as umoci writes it: 0:0 is no record at all (the caller is the container's
     * root), and a 0 next to a non-zero id is written as {@code NoopID} (2^32-1, "unchanged"),
     * since a literal 0 would be omitted by protobuf and read back as unset.
     */
    static byte[] rootlessOwner(long uid, long gid) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (uid == 0 && gid == 0) {
            return out.toByteArray();
        }
        out.write(0x08);
        varint(out, uid == 0 ? NOOP_ID : uid);
        out.write(0x10);
        varint(out, gid == 0 ? NOOP_ID : gid);
        return out.toByteArray();
    }

    private static void varint(java.io.ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Deletes a tree without following symlinks; see {@link FileTrees#deleteRecursively}. */
    static void deleteRecursively(Path path) throws IOException {
        FileTrees.deleteRecursively(path);
    }
}
