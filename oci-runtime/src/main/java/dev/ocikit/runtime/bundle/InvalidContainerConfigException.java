package dev.ocikit.runtime.bundle;

/**
 * A value from the image config or from the caller that cannot be used: a user string with
 * {@code /} or NUL, an environment too large, an unknown rlimit or capability, a bad hostname or
 * mount destination… {@link #field()} names the setting. Immutable.
 */
public final class InvalidContainerConfigException extends BundleException {
    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidContainerConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The setting that was refused, such as {@code User}, {@code Env} or {@code rlimit}. */
    public String field() {
        return field;
    }
}
