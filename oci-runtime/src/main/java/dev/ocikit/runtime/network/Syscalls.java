package dev.ocikit.runtime.network;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The libc calls networking needs and Java lacks: bind-mounting a netns file, and the effective uid. */
final class Syscalls {
    static final long MS_BIND = 4096;
    static final int MNT_DETACH = 2;
    static final int EINVAL = 22;
    static final int ENOENT = 2;

    private static final boolean AVAILABLE;

    static {
        boolean ok = false;
        if (Platform.isLinux()) {
            try {
                Native.register(Syscalls.class, com.sun.jna.Platform.C_LIBRARY_NAME); // libc.so.6: found by dlopen at once, where "c" makes JNA run ldconfig -p
                ok = true;
            } catch (UnsatisfiedLinkError e) {
                ok = false;
            }
        }
        AVAILABLE = ok;
    }

    private Syscalls() {}

    static boolean available() {
        return AVAILABLE;
    }

    static native int geteuid();

    static native int mount(String source, String target, String fstype, long flags, Pointer data) throws LastErrorException;

    static native int umount2(String target, int flags) throws LastErrorException;

    static boolean isRoot() {
        return AVAILABLE && geteuid() == 0;
    }
}
