package dev.ocikit.runtime.invoker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The listening end of a runtime's {@code --console-socket}: an AF_UNIX stream socket at a path,
 * to which {@code runc create}/{@code exec} with {@code terminal: true} connects and sends the
 * pseudo-terminal master as an SCM_RIGHTS control message.
 *
 * <pre>{@code
 * try (ConsoleSocket socket = ConsoleSocket.listen(dir.resolve("console.sock"))) {
 *     // runc.create(id, bundle, CreateOptions.defaults().consoleSocket(socket.path())) on another thread,
 *     // or before receive(): the connection waits in the backlog
 *     Terminal tty = socket.receive(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Java's {@code UnixDomainSocketAddress} channels cannot receive fds, so this is libc through
 * JNA end to end. The path must be shorter than 108 bytes (sun_path; the runtime connects to it by
 * path too). Thread-safe: {@link #close()} from another thread unblocks a waiting {@link #receive}.
 */
public final class ConsoleSocket implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final int wakeRead;
    private final int wakeWrite;
    private final ReentrantLock busy = new ReentrantLock();
    private volatile boolean closed;

    private ConsoleSocket(Path path, int fd, int wakeRead, int wakeWrite) {
        this.path = path;
        this.fd = fd;
        this.wakeRead = wakeRead;
        this.wakeWrite = wakeWrite;
    }

    /**
     * Creates the socket file at {@code path} (which must not exist) and listens on it.
     *
     * @throws ConsoleSocketException if the path is too long, exists, or the socket calls fail
     */
    public static ConsoleSocket listen(Path path) {
        Sys.require();
        Path abs = path.toAbsolutePath();
        byte[] bytes = abs.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= Sys.SUN_PATH_MAX) {
            throw new ConsoleSocketException("console socket path " + abs + " is " + bytes.length
                    + " bytes; AF_UNIX allows at most " + (Sys.SUN_PATH_MAX - 1) + ": use a shorter directory (e.g. under /run)");
        }
        if (Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new ConsoleSocketException("console socket path " + abs + " already exists; remove it or pick another");
        }
        int fd = -1;
        int[] pipe = {-1, -1};
        try {
            fd = Sys.socket(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0);
            Sys.bind(fd, Sys.sockaddrUn(bytes), 2 + bytes.length + 1);
            Sys.listen(fd, 4);
            Sys.pipe2(pipe, Sys.O_CLOEXEC);
            return new ConsoleSocket(abs, fd, pipe[0], pipe[1]);
        } catch (LastErrorException e) {
            Sys.closeQuietly(fd);
            Sys.closeQuietly(pipe[0]);
            Sys.closeQuietly(pipe[1]);
            throw new ConsoleSocketException("cannot listen on console socket " + abs + ": errno " + e.getErrorCode(), e);
        }
    }

    /** The socket's path, to give as {@code --console-socket}. */
    public Path path() {
        return path;
    }

    /** Waits without limit for the runtime to send the terminal. */
    public Terminal receive() {
        return receive(-1);
    }

    /**
     * Waits up to {@code timeout} for the runtime to connect and send the pty master.
     *
     * @throws ConsoleSocketException on timeout, if closed meanwhile, or if no fd came
     */
    public Terminal receive(Duration timeout) {
        return receive((int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis())));
    }

    private Terminal receive(int timeoutMillis) {
        busy.lock();
        try {
            if (closed) {
                throw new ConsoleSocketException("console socket " + path + " is closed");
            }
            if (!Sys.await(fd, Sys.POLLIN, wakeRead, timeoutMillis)) {
                throw new ConsoleSocketException(closed
                        ? "console socket " + path + " was closed while waiting for the runtime"
                        : "no runtime connected to console socket " + path + " within " + timeoutMillis
                                + " ms; did create/exec get --console-socket and terminal:true?");
            }
            int conn = accept();
            try {
                if (!Sys.await(conn, Sys.POLLIN, wakeRead, timeoutMillis)) {
                    throw new ConsoleSocketException("the runtime connected to " + path + " but sent no terminal");
                }
                return receiveFd(conn);
            } finally {
                Sys.closeQuietly(conn);
            }
        } finally {
            busy.unlock();
        }
    }

    private int accept() {
        while (true) {
            try {
                return Sys.accept4(fd, Pointer.NULL, Pointer.NULL, Sys.SOCK_CLOEXEC);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Sys.EINTR) {
                    throw new ConsoleSocketException("accept on console socket " + path + " failed: errno "
                            + e.getErrorCode(), e);
                }
            }
        }
    }

    /** recvmsg with room for a name and a few fds; keeps the first fd sent, closes any others. */
    private Terminal receiveFd(int conn) {
        // struct msghdr (LP64): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48; size 56
        // struct iovec: base 0, len 8; struct cmsghdr: len 0 (size_t), level 8, type 12, data 16
        try (Memory msg = new Memory(56); Memory iov = new Memory(16); Memory data = new Memory(4096);
                Memory control = new Memory(256)) {
            msg.clear();
            control.clear();
            iov.setPointer(0, data);
            iov.setLong(8, data.size());
            msg.setPointer(16, iov);
            msg.setLong(24, 1);
            msg.setPointer(32, control);
            msg.setLong(40, control.size());
            long n;
            while (true) {
                try {
                    n = Sys.recvmsg(conn, msg, Sys.MSG_CMSG_CLOEXEC);
                    break;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Sys.EINTR) {
                        throw new ConsoleSocketException("recvmsg on console socket " + path + " failed: errno "
                                + e.getErrorCode(), e);
                    }
                }
            }
            List<Integer> fds = new ArrayList<>();
            long controlLen = msg.getLong(40);
            long off = 0;
            while (off + 16 <= controlLen) {
                long len = control.getLong(off);
                if (len < 16 || off + len > controlLen) {
                    break;
                }
                if (control.getInt(off + 8) == Sys.SOL_SOCKET && control.getInt(off + 12) == Sys.SCM_RIGHTS) {
                    for (long p = off + 16; p + 4 <= off + len; p += 4) {
                        fds.add(control.getInt(p));
                    }
                }
                off += (len + 7) & ~7L; // CMSG_ALIGN
            }
            boolean truncated = (msg.getInt(48) & Sys.MSG_CTRUNC) != 0;
            if (fds.isEmpty() || truncated) {
                fds.forEach(Sys::closeQuietly);
                throw new ConsoleSocketException("the runtime's message on " + path + " carried "
                        + (truncated ? "truncated control data" : "no file descriptor") + " (" + n + " bytes)");
            }
            for (int i = 1; i < fds.size(); i++) {
                Sys.closeQuietly(fds.get(i));
            }
            String name = n > 0 ? new String(data.getByteArray(0, (int) n), StandardCharsets.UTF_8) : "";
            return new Terminal(fds.get(0), name);
        }
    }

    /** Stops listening, unblocks a waiting {@link #receive}, and removes the socket file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Sys.write(wakeWrite, new byte[] {1}, 1);
        } catch (LastErrorException e) {
            // the pipe cannot be full (one byte, never read) nor broken (we hold the read end)
        }
        busy.lock();
        try {
            Sys.closeQuietly(fd);
            Sys.closeQuietly(wakeRead);
            Sys.closeQuietly(wakeWrite);
            try {
                Files.deleteIfExists(path);
            } catch (java.io.IOException e) {
                throw new ConsoleSocketException("cannot remove console socket file " + path, e);
            }
        } finally {
            busy.unlock();
        }
    }
}
