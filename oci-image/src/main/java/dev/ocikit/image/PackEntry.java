package dev.ocikit.image;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One tar entry as the packer will write it: the name inside the layer and exactly the metadata
 * that goes into the header, nothing host-specific. Immutable.
 *
 * @param name the path inside the layer, relative, without a trailing slash
 * @param mode permission bits including setuid, setgid and sticky ({@code 07777})
 * @param mtime seconds since the epoch, already clamped
 * @param size bytes of content; only regular files have any
 * @param linkName a symlink's target or a hard link's first name; empty otherwise
 * @param xattrs raw extended attribute values, sorted by name
 * @param content where a regular file's bytes are read from when it has any
 */
record PackEntry(String name, Type type, int mode, long uid, long gid, String uname, String gname, long mtime,
        long size, String linkName, int devMajor, int devMinor, SortedMap<String, byte[]> xattrs,
        Optional<Path> content) {

    /** The entry types a layer can hold, with their tar type flags. */
    enum Type {
        FILE('0'), HARDLINK('1'), SYMLINK('2'), CHAR_DEVICE('3'), BLOCK_DEVICE('4'), DIRECTORY('5'), FIFO('6');

        final char flag;

        Type(char flag) {
            this.flag = flag;
        }
    }

    PackEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        uname = uname == null ? "" : uname;
        gname = gname == null ? "" : gname;
        linkName = linkName == null ? "" : linkName;
        xattrs = xattrs == null || xattrs.isEmpty() ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(xattrs));
        content = content == null ? Optional.empty() : content;
        if (size < 0) {
            throw new IllegalArgumentException("negative size for " + name);
        }
    }

    /** An empty regular file that marks {@code name}'s base as deleted (or a directory as opaque). */
    static PackEntry whiteout(String name, long mtime) {
        return new PackEntry(name, Type.FILE, 0, 0, 0, "", "", mtime, 0, "", 0, 0, null, Optional.empty());
    }

    /** A directory made up by the packer (a parent nobody listed), with fixed metadata. */
    static PackEntry syntheticDirectory(String name, long mtime) {
        return new PackEntry(name, Type.DIRECTORY, 0755, 0, 0, "", "", mtime, 0, "", 0, 0, null, Optional.empty());
    }

    /** The name as written in the tar: directories end with a slash. */
    String tarName() {
        return type == Type.DIRECTORY ? name + "/" : name;
    }

    /** Whether two entries would unpack to the same thing, names and content files aside. */
    boolean sameMetadata(PackEntry o) {
        if (type != o.type || mode != o.mode || uid != o.uid || gid != o.gid || mtime != o.mtime || size != o.size
                || devMajor != o.devMajor || devMinor != o.devMinor || !linkName.equals(o.linkName)
                || !uname.equals(o.uname) || !gname.equals(o.gname) || !xattrs.keySet().equals(o.xattrs.keySet())) {
            return false;
        }
        for (var x : xattrs.entrySet()) {
            if (!java.util.Arrays.equals(x.getValue(), o.xattrs.get(x.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
