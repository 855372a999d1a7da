package dev.ocikit.image.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls Java lacks, bound directly with JNA: device nodes, ownership without
 * following links in one call, and extended attributes outside the {@code user.} namespace.
 * Every method throws {@link LastErrorException} carrying errno on failure.
 */
public final class LibC {
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EACCES = 13;
    public static final int ENOTSUP = 95;
    public static final int ENODATA = 61;
    public static final int ERANGE = 34;

    private static final boolean AVAILABLE;

    static {
        boolean ok = false;
        if (Platform.isLinux()) {
            try {
                Native.register(LibC.class, com.sun.jna.Platform.C_LIBRARY_NAME); // libc.so.6: found by dlopen at once, where "c" makes JNA run ldconfig -p
                ok = true;
            } catch (UnsatisfiedLinkError e) {
                ok = false;
            }
        }
        AVAILABLE = ok;
    }

    private LibC() {}

    /** Whether the native calls are usable on this platform (Linux with glibc 2.33+ or musl). */
    public static boolean available() {
        return AVAILABLE;
    }

    public static native int geteuid();

    public static native int mknod(String path, int mode, long dev) throws LastErrorException;

    /** Path-based: never opens the file, so it cannot block on a fifo. Does not follow a final symlink only if it is not one. */
    public static native int chmod(String path, int mode) throws LastErrorException;

    /** {@code times} is two timespecs: atime seconds, nanoseconds, mtime seconds, nanoseconds. */
    public static native int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;

    public static native int lchown(String path, int uid, int gid) throws LastErrorException;

    public static native int lsetxattr(String path, String name, byte[] value, long size, int flags)
            throws LastErrorException;

    public static native long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

    public static native long llistxattr(String path, byte[] list, long size) throws LastErrorException;

    public static native int lremovexattr(String path, String name) throws LastErrorException;

    public static final int O_RDONLY = 0;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_CLOEXEC = 02000000;

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    /** Flushes the whole file system holding {@code fd}: one call instead of an fsync per file. */
    public static native int syncfs(int fd) throws LastErrorException;

    /** Creates {@code linkpath} holding {@code target} verbatim (java.nio would normalise slashes away). */
    public static native int symlink(String target, String linkpath) throws LastErrorException;

    /** Linux's dev_t encoding of a major/minor pair (glibc's makedev). */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }

    /** An extended attribute's value, or null if the file does not have it. */
    public static byte[] getXattr(String path, String name) {
        try {
            long size = lgetxattr(path, name, null, 0);
            byte[] buf = new byte[(int) size];
            long n = lgetxattr(path, name, buf, buf.length);
            return n == buf.length ? buf : java.util.Arrays.copyOf(buf, (int) n);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENODATA || e.getErrorCode() == ENOTSUP) {
                return null;
            }
            throw e;
        }
    }

    /** The names of a file's extended attributes (not following symlinks). */
    public static java.util.List<String> listXattrs(String path) {
        long size = llistxattr(path, null, 0);
        if (size <= 0) {
            return java.util.List.of();
        }
        byte[] buf = new byte[(int) size];
        long n = llistxattr(path, buf, buf.length);
        java.util.List<String> names = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == 0) {
                if (i > start) {
                    names.add(new String(buf, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return names;
    }
}
