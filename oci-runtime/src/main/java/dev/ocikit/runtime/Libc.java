package dev.ocikit.runtime;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/** The libc calls the container lifecycle needs and Java lacks: mounts and named pipes. */
final class Libc {
    static final int EINVAL = 22;
    static final int ENOENT = 2;
    static final int EBUSY = 16;
    static final int MNT_DETACH = 2;
    static final int UMOUNT_NOFOLLOW = 8;

    static {
        Native.register(Libc.class, com.sun.jna.Platform.C_LIBRARY_NAME); // libc.so.6: found by dlopen at once, where "c" makes JNA run ldconfig -p
    }

    private Libc() {}

    static native int geteuid();

    static native int mount(String source, String target, String fstype, long flags, String data)
            throws LastErrorException;

    static native int umount2(String target, int flags) throws LastErrorException;

    static native int mkfifo(String path, int mode) throws LastErrorException;

    static native String strerror(int errno);

    static final int O_PATH = 010000000;
    static final int O_DIRECTORY = 0200000;
    static final int O_CLOEXEC = 02000000;

    static native int open(String path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 04000;

    /**
     * Opens a named pipe as reader and writer at once, which never blocks (Linux), so that a
     * thread waiting in open() for either end goes on; -1 if the pipe is gone. Close it with
     * {@link #close}.
     */
    static int holdFifo(java.nio.file.Path fifo) {
        try {
            return open(fifo.toString(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        } catch (LastErrorException e) {
            return -1;
        }
    }
}
