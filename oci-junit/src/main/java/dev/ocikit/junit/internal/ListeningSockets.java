package dev.ocikit.junit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a TCP port listens in a process's network namespace, read from the kernel's socket
 * tables {@code /proc/<pid>/net/tcp} and {@code tcp6}: a container's own view, with no tool
 * needed in its image.
 */
public final class ListeningSockets {
    /** The kernel's TCP_LISTEN state, as the tables print it. */
    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    /**
     * Whether something listens on TCP {@code port} in the network namespace of process
     * {@code pid}; empty if its tables cannot be read (the process is gone, or /proc is not
     * Linux's).
     */
    public static Optional<Boolean> listens(long pid, int port) {
        boolean readAny = false;
        for (String table : new String[] {"tcp", "tcp6"}) {
            try {
                String text = Files.readString(Path.of("/proc", Long.toString(pid), "net", table));
                readAny = true;
                if (listens(text, port)) {
                    return Optional.of(true);
                }
            } catch (NoSuchFileException e) {
                // tcp6 is missing where IPv6 is disabled
            } catch (IOException | SecurityException e) {
                // unreadable: judged on what could be read
            }
        }
        return readAny ? Optional.of(false) : Optional.empty();
    }

    /**
     * Whether one of the tables' lines is a socket listening on {@code port}. A line is
     * {@code sl local_address rem_address st ...}, the local address being {@code HEXIP:HEXPORT}.
     * Lines that do not have that shape are skipped: the header, and whatever a later kernel adds.
     */
    public static boolean listens(String table, int port) {
        for (String line : table.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 4 || !fields[3].equalsIgnoreCase(LISTEN)) {
                continue;
            }
            int colon = fields[1].lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                if (Integer.parseInt(fields[1].substring(colon + 1), 16) == port) {
                    return true;
                }
            } catch (NumberFormatException e) {
                // not a socket line
            }
        }
        return false;
    }
}
