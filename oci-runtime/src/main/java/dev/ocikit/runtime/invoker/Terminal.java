package dev.ocikit.runtime.invoker;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The master side of a container's pseudo-terminal, as received on a {@link ConsoleSocket}.
 * Streams are named from the container's side: read what the container prints from
 * {@link #output()}, type into it through {@link #input()}. A terminal merges stdout and stderr,
 * echoes input (unless the program turns echo off) and ends lines with {@code \r\n}.
 *
 * <p>Thread-safe: one thread may read while another writes; {@link #close()} from any thread
 * unblocks both. {@link #output()} reaches end of stream once every process holding the
 * terminal has exited.
 */
public final class Terminal implements AutoCloseable {
    private final int fd;
    private final String name;
    private final int wakeRead;
    private final int wakeWrite;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private final InputStream output = new Output();
    private final OutputStream input = new Input();

    Terminal(int fd, String name) {
        int[] pipe = {-1, -1};
        try {
            Sys.pipe2(pipe, Sys.O_CLOEXEC);
        } catch (LastErrorException e) {
            Sys.closeQuietly(fd);
            throw new ConsoleSocketException("cannot create the terminal's wake-up pipe: errno " + e.getErrorCode(), e);
        }
        this.fd = fd;
        this.name = name;
        this.wakeRead = pipe[0];
        this.wakeWrite = pipe[1];
    }

    /** What the runtime named the terminal (runc sends the slave's path, e.g. {@code /dev/pts/3}); may be empty. */
    public String name() {
        return name;
    }

    /** What the container writes to its terminal. */
    public InputStream output() {
        return output;
    }

    /** What the container reads from its terminal (its keyboard). */
    public OutputStream input() {
        return input;
    }

    /** Sets the window size (TIOCSWINSZ); the container's foreground process gets SIGWINCH. */
    public void resize(int rows, int cols) {
        if (rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff) {
            throw new IllegalArgumentException("terminal size must be 1..65535, got " + rows + "x" + cols);
        }
        lock.readLock().lock();
        try {
            ensureOpen();
            Sys.ioctl(fd, Sys.TIOCSWINSZ, new short[] {(short) rows, (short) cols, 0, 0});
        } catch (LastErrorException e) {
            throw new ConsoleSocketException("resizing terminal " + name + " failed: errno " + e.getErrorCode(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new ConsoleSocketException("terminal " + name + " is closed");
        }
    }

    /** Closes the master; the container's processes see a hang-up. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Sys.write(wakeWrite, new byte[] {1}, 1);
        } catch (LastErrorException e) {
            // a one-byte pipe write cannot fail while we hold the read end
        }
        lock.writeLock().lock();
        try {
            Sys.closeQuietly(fd);
            Sys.closeQuietly(wakeRead);
            Sys.closeQuietly(wakeWrite);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private final class Output extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            lock.readLock().lock();
            try {
                byte[] buf = off == 0 ? b : new byte[len];
                long n;
                while (true) {
                    if (closed || !Sys.await(fd, Sys.POLLIN, wakeRead, -1)) {
                        return -1;
                    }
                    try {
                        n = Sys.read(fd, buf, len);
                        break;
                    } catch (LastErrorException e) {
                        if (e.getErrorCode() == Sys.EIO) {
                            return -1; // every slave fd closed: the container side is gone
                        }
                        if (e.getErrorCode() != Sys.EINTR && e.getErrorCode() != Sys.EAGAIN) {
                            throw new IOException("reading terminal " + name + " failed: errno " + e.getErrorCode(), e);
                        }
                    }
                }
                if (n <= 0) {
                    return -1;
                }
                if (buf != b) {
                    System.arraycopy(buf, 0, b, off, (int) n);
                }
                return (int) n;
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public void close() {
            Terminal.this.close();
        }
    }

    private final class Input extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            lock.readLock().lock();
            try {
                byte[] rest = off == 0 && len == b.length ? b : java.util.Arrays.copyOfRange(b, off, off + len);
                int done = 0;
                while (done < rest.length) {
                    if (closed || !Sys.await(fd, Sys.POLLOUT, wakeRead, -1)) {
                        throw new IOException("terminal " + name + " is closed");
                    }
                    byte[] chunk = done == 0 ? rest : java.util.Arrays.copyOfRange(rest, done, rest.length);
                    try {
                        done += (int) Sys.write(fd, chunk, chunk.length);
                    } catch (LastErrorException e) {
                        if (e.getErrorCode() != Sys.EINTR && e.getErrorCode() != Sys.EAGAIN) {
                            throw new IOException("writing terminal " + name + " failed: errno " + e.getErrorCode(), e);
                        }
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public void close() {
            // Closing the keyboard alone is not possible on a pty (send ^D instead); the terminal stays open.
        }
    }
}
