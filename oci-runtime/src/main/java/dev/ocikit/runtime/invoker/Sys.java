package dev.ocikit.runtime.invoker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the invoker needs and Java lacks: the child subreaper, waitpid, AF_UNIX sockets
 * with SCM_RIGHTS, poll and terminal ioctls. Bound directly with JNA; each throws
 * {@link LastErrorException} carrying errno. Struct layouts assume LP64 Linux (x86_64, aarch64),
 * which {@link #require()} checks.
 */
final class Sys {
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int ECHILD = 10;

    static final int PR_SET_CHILD_SUBREAPER = 36;
    static final int PR_GET_CHILD_SUBREAPER = 37;

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 02000000;
    static final int O_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;

    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;

    static final long TIOCSWINSZ = 0x5414;
    static final long TIOCGWINSZ = 0x5413;

    /** sun_path's size in struct sockaddr_un; one byte is the terminating NUL. */
    static final int SUN_PATH_MAX = 108;

    private static final Throwable UNAVAILABLE;

    static {
        Throwable failure = null;
        if (!Platform.isLinux()) {
            failure = new UnsupportedOperationException("not Linux");
        } else if (Native.POINTER_SIZE != 8) {
            failure = new UnsupportedOperationException("not a 64-bit JVM");
        } else {
            try {
                Native.register(Sys.class, com.sun.jna.Platform.C_LIBRARY_NAME); // libc.so.6: found by dlopen at once, where "c" makes JNA run ldconfig -p
            } catch (UnsatisfiedLinkError e) {
                failure = e;
            }
        }
        UNAVAILABLE = failure;
    }

    private Sys() {}

    /** Fails with a clear message where these bindings cannot work. */
    static void require() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("ocikit's runtime invoker needs 64-bit Linux with glibc or musl"
                    + " (JNA binding failed: " + UNAVAILABLE + ")", UNAVAILABLE);
        }
    }

    static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

    static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

    static native int listen(int fd, int backlog) throws LastErrorException;

    static native int accept4(int fd, Pointer addr, Pointer addrlen, int flags) throws LastErrorException;

    static native long recvmsg(int fd, Pointer msghdr, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int pipe2(int[] fds, int flags) throws LastErrorException;

    static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

    static native long read(int fd, byte[] buf, long count) throws LastErrorException;

    static native long write(int fd, byte[] buf, long count) throws LastErrorException;

    static native int ioctl(int fd, long request, short[] arg) throws LastErrorException;

    // ---- helpers

    /** Decodes a wait status as a shell does: the exit code, or 128 + the signal that killed it. */
    static int exitCode(int status) {
        int sig = status & 0x7f;
        if (sig == 0) {
            return (status >> 8) & 0xff; // WIFEXITED
        }
        if (sig != 0x7f) {
            return 128 + sig; // WIFSIGNALED
        }
        return -1; // stopped: not reported since waitpid is called without WUNTRACED
    }

    /** struct sockaddr_un for {@code path}: sa_family (2 bytes, little-endian on the supported archs) + sun_path. */
    static byte[] sockaddrUn(byte[] path) {
        byte[] addr = new byte[2 + SUN_PATH_MAX];
        addr[0] = (byte) AF_UNIX;
        addr[1] = 0;
        System.arraycopy(path, 0, addr, 2, path.length);
        return addr;
    }

    static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            close(fd);
        } catch (LastErrorException e) {
            // EBADF/EIO on close: the fd is released either way and there is nothing to retry
        }
    }

    /**
     * Blocks until {@code fd} is ready for {@code events} or {@code wakeFd} is readable.
     *
     * @return true if {@code fd} is ready (or hung up / errored: the next call reports it), false if woken
     *     or timed out
     */
    static boolean await(int fd, short events, int wakeFd, int timeoutMillis) {
        try (Memory fds = new Memory(16)) {
            fds.clear();
            fds.setInt(0, fd);
            fds.setShort(4, events);
            fds.setInt(8, wakeFd);
            fds.setShort(12, POLLIN);
            long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                int wait = timeoutMillis < 0 ? -1
                        : (int) Math.max(0, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000L));
                int n;
                try {
                    n = poll(fds, 2, wait);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    throw e;
                }
                if (n == 0) {
                    return false;
                }
                if (fds.getShort(14) != 0) {
                    return false;
                }
                if (fds.getShort(6) != 0) {
                    return true;
                }
            }
        }
    }
}
