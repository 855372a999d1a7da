package dev.ocikit.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/** What {@code lstat} (or {@code stat}) says about a file, as the packer needs it. Immutable. */
record FileMeta(int mode, long uid, long gid, long size, long mtime, long ino, long dev, long rdev, int nlink) {
    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;
    private static final String ATTRIBUTES = "unix:mode,uid,gid,size,lastModifiedTime,ino,dev,rdev,nlink";

    /** The file's metadata; a final symlink is described itself unless {@code follow}. */
    static FileMeta of(Path p, boolean follow) throws IOException {
        Map<String, Object> a = follow ? Files.readAttributes(p, ATTRIBUTES)
                : Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return new FileMeta((Integer) a.get("mode"), ((Integer) a.get("uid")) & 0xffffffffL,
                ((Integer) a.get("gid")) & 0xffffffffL, (Long) a.get("size"),
                // Whole seconds, floored: ustar has no room for fractions, and PAX ones would only add noise.
                ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond(),
                (Long) a.get("ino"), (Long) a.get("dev"), (Long) a.get("rdev"), (Integer) a.get("nlink"));
    }

    int type() {
        return mode & S_IFMT;
    }

    boolean isDirectory() {
        return type() == S_IFDIR;
    }

    boolean isRegular() {
        return type() == S_IFREG;
    }

    boolean isCharDevice() {
        return type() == S_IFCHR;
    }

    /** Linux's major number of a device (glibc's gnu_dev_major). */
    int major() {
        return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & 0xfffff000L));
    }

    /** Linux's minor number of a device (glibc's gnu_dev_minor). */
    int minor() {
        return (int) ((rdev & 0xff) | ((rdev >>> 12) & 0xffffff00L));
    }
}
