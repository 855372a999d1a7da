package dev.ocikit.runtime.bundle;

/**
 * A line of the container's {@code /etc/passwd} or {@code /etc/group} carries an id that no
 * process may have: above {@code 4294967294}, such as {@code 4294967295}, which
 * is {@code (uid_t) -1} and means "leave unchanged" to {@code setresuid}/{@code setresgid}, so a
 * container started with it would keep the runtime's own id. Immutable.
 */
public final class InvalidEtcFileException extends BundleException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    InvalidEtcFileException(String file, int line, String why) {
        super("the container's " + file + " line " + line + ": " + why
                + "; fix that line in the image, or give a numeric user and group instead");
        this.file = file;
        this.line = line;
    }

    /** The file, as the container sees it ({@code /etc/passwd} or {@code /etc/group}). */
    public String file() {
        return file;
    }

    /** The 1-based line number in {@link #file()}. */
    public int line() {
        return line;
    }
}
