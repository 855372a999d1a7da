package dev.ocikit.runtime.bundle;

/**
 * A user or group given by name is not in the container's {@code /etc/passwd} or
 * {@code /etc/group} (or that file is missing). Numeric ids never fail this way. Immutable.
 */
public final class UnknownUserException extends BundleException {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String file;

    UnknownUserException(String kind, String name, String file, String why) {
        super("unable to find " + kind + " '" + name + "' in the container's " + file + ": " + why
                + "; give a numeric id instead, or add the " + kind + " to the image");
        this.name = name;
        this.file = file;
    }

    /** The user or group name that was looked up. */
    public String name() {
        return name;
    }

    /** The file, as the container sees it ({@code /etc/passwd} or {@code /etc/group}). */
    public String file() {
        return file;
    }
}
