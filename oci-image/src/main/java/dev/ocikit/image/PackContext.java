package dev.ocikit.image;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.internal.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns files into {@link PackEntry}s for one layer: applies overrides, the timestamp clamp and the
 * xattr policy, and remembers inodes already written so that later names become hard links.
 * Not thread-safe; one per layer.
 */
final class PackContext {
    private static final Logger LOG = LoggerFactory.getLogger(PackContext.class);

    private final PackOptions options;
    private final long clamp;
    private final long syntheticTime;
    private final Map<List<Long>, String> firstNames = new HashMap<>();
    private final Map<Long, String> userNames = new HashMap<>();
    private final Map<Long, String> groupNames = new HashMap<>();

    PackContext(PackOptions options) {
        this.options = options;
        this.clamp = options.sourceDateEpoch().map(Instant::getEpochSecond).orElse(Long.MAX_VALUE);
        this.syntheticTime = options.sourceDateEpoch().map(Instant::getEpochSecond).orElse(0L);
    }

    /** Overrides of {@link AddedFile}; {@link #NONE} for files packed as they are. */
    record Overrides(Optional<Long> uid, Optional<Long> gid, Optional<Integer> mode, Optional<Instant> mtime,
            java.util.function.Predicate<Path> exclude) {
        static final Overrides NONE = new Overrides(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                p -> false);

        static Overrides of(AddedFile f) {
            return new Overrides(f.uid(), f.gid(), f.mode(), f.mtime(), f.exclude().orElse(p -> false));
        }
    }

    /** The time for entries the packer makes up: whiteouts and parent directories. */
    long syntheticTime() {
        return syntheticTime;
    }

    PackEntry whiteout(String name) {
        return PackEntry.whiteout(name, syntheticTime);
    }

    /**
     * The entry for the file at {@code path} named {@code name} in the layer; empty for a socket,
     * which tar cannot hold (skipped, as Docker and buildah do).
     *
     * @param rawXattrs the file's attributes if already read, else null to read them here
     */
    Optional<PackEntry> describe(String name, Path path, FileMeta m, Overrides ov, SortedMap<String, byte[]> rawXattrs)
            throws IOException {
        PackEntry.Type type;
        switch (m.type()) {
            case FileMeta.S_IFREG -> type = PackEntry.Type.FILE;
            case FileMeta.S_IFDIR -> type = PackEntry.Type.DIRECTORY;
            case FileMeta.S_IFLNK -> type = PackEntry.Type.SYMLINK;
            case FileMeta.S_IFCHR -> type = PackEntry.Type.CHAR_DEVICE;
            case FileMeta.S_IFBLK -> type = PackEntry.Type.BLOCK_DEVICE;
            case FileMeta.S_IFIFO -> type = PackEntry.Type.FIFO;
            default -> {
                LOG.debug("skipping {}: a socket or unknown file type 0{} has no tar form", path,
                        Integer.toOctalString(m.type()));
                return Optional.empty();
            }
        }
        SortedMap<String, byte[]> xattrs = null;
        long ownerUid = m.uid();
        long ownerGid = m.gid();
        boolean hostOwner = true;
        if (options.xattrs()) {
            xattrs = new TreeMap<>(rawXattrs != null ? rawXattrs : readXattrs(path));
            byte[] rootless = xattrs.remove(Unpacker.ROOTLESS_XATTR);
            if (rootless != null) {
                // A rootless unpack keeps the layer's owner here: the owner to pack again.
                long[] owner = rootlessOwner(rootless, path);
                ownerUid = owner[0];
                ownerGid = owner[1];
                hostOwner = false;
            }
            xattrs.keySet().removeIf(PackContext::neverRecorded);
        }
        boolean symlink = type == PackEntry.Type.SYMLINK;
        int mode = symlink ? 0777 : ov.mode().orElse(m.mode() & 07777);
        long uid = ov.uid().orElse(ownerUid);
        long gid = ov.gid().orElse(ownerGid);
        long mtime = Math.min(ov.mtime().map(Instant::getEpochSecond).orElse(m.mtime()), clamp);
        String uname = "";
        String gname = "";
        if (options.ownerNames() && hostOwner) {
            uname = ov.uid().isPresent() ? "" : userName(path, m.uid());
            gname = ov.gid().isPresent() ? "" : groupName(path, m.gid());
        }
        String link = symlink ? Files.readSymbolicLink(path).toString() : "";
        boolean device = type == PackEntry.Type.CHAR_DEVICE || type == PackEntry.Type.BLOCK_DEVICE;
        long size = type == PackEntry.Type.FILE ? m.size() : 0;
        return Optional.of(new PackEntry(name, type, mode, uid, gid, uname, gname, mtime, size, link,
                device ? m.major() : 0, device ? m.minor() : 0, xattrs,
                size > 0 ? Optional.of(path) : Optional.empty()));
    }

    /**
     * {@code e} itself the first time its inode is written in this layer, a hard link to that
     * first name every later time.
     */
    PackEntry linkOrSelf(PackEntry e, FileMeta m) {
        if (e.type() != PackEntry.Type.FILE || m.nlink() < 2) {
            return e;
        }
        List<Long> key = List.of(m.dev(), m.ino());
        String first = firstNames.putIfAbsent(key, e.name());
        if (first == null) {
            return e;
        }
        return new PackEntry(e.name(), PackEntry.Type.HARDLINK, e.mode(), e.uid(), e.gid(), e.uname(), e.gname(),
                e.mtime(), 0, first, 0, 0, null, Optional.empty());
    }

    /**
     * Decodes the rootlesscontainers.io {@code Resource} message ({@code uint32 uid = 1;
     * uint32 gid = 2;}, absent fields and uint32 -1 meaning 0) that rootless unpackers leave in
     * {@code user.rootlesscontainers}.
     */
    static long[] rootlessOwner(byte[] value, Path path) {
        long[] owner = {0, 0};
        int i = 0;
        while (i < value.length) {
            int tag = value[i++] & 0xff;
            long v = 0;
            int shift = 0;
            while (true) {
                if (i >= value.length || shift > 35) {
                    throw new LayerPackException(path + " has a malformed " + Unpacker.ROOTLESS_XATTR + " attribute;"
                            + " remove it, or set the owner it should record with setfattr");
                }
                int b = value[i++] & 0xff;
                v |= (long) (b & 0x7f) << shift;
                shift += 7;
                if (b < 0x80) {
                    break;
                }
            }
            if (tag == 0x08 || tag == 0x10) {
                long id = v & 0xffffffffL;
                // uint32 -1 is "no change": the file's owner is the rootless user, root in the container.
                owner[tag == 0x08 ? 0 : 1] = id == Unpacker.NOOP_ID ? 0 : id;
            } else if ((tag & 7) != 0) {
                throw new LayerPackException(path + " has a " + Unpacker.ROOTLESS_XATTR + " attribute with a field"
                        + " that is not a number; remove it, or set the owner it should record with setfattr");
            }
        }
        return owner;
    }

    /** Host-specific or overlayfs-internal attributes, which never belong in a layer. */
    static boolean neverRecorded(String name) {
        return name.equals("security.selinux") || name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.");
    }

    /** Every extended attribute of the file itself (not following a symlink), raw. */
    static SortedMap<String, byte[]> readXattrs(Path path) throws IOException {
        SortedMap<String, byte[]> out = new TreeMap<>();
        if (!LibC.available()) {
            return out;
        }
        String p = path.toString();
        try {
            for (String name : LibC.listXattrs(p)) {
                byte[] value = LibC.getXattr(p, name);
                if (value != null) {
                    out.put(name, value);
                }
            }
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOTSUP) {
                return out; // the file system has no extended attributes
            }
            throw new IOException("reading extended attributes of " + path + " failed with errno " + e.getErrorCode(), e);
        }
        return out;
    }

    private String userName(Path path, long uid) throws IOException {
        String cached = userNames.get(uid);
        if (cached == null) {
            UserPrincipal u = (UserPrincipal) Files.getAttribute(path, "posix:owner", LinkOption.NOFOLLOW_LINKS);
            cached = knownName(u.getName(), uid);
            userNames.put(uid, cached);
        }
        return cached;
    }

    private String groupName(Path path, long gid) throws IOException {
        String cached = groupNames.get(gid);
        if (cached == null) {
            GroupPrincipal g = (GroupPrincipal) Files.getAttribute(path, "posix:group", LinkOption.NOFOLLOW_LINKS);
            cached = knownName(g.getName(), gid);
            groupNames.put(gid, cached);
        }
        return cached;
    }

    /** The JDK names an id without an entry in the user database by its number: record no name then. */
    private static String knownName(String name, long id) {
        return name.equals(Long.toString(id)) ? "" : name;
    }
}
