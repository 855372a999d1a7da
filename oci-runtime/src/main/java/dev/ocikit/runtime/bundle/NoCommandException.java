package dev.ocikit.runtime.bundle;

/**
 * Neither the caller nor the image says what to run: no command, no entrypoint, no image
 * {@code Cmd} or {@code Entrypoint} (Podman's "no command specified"). Immutable.
 */
public final class NoCommandException extends BundleException {
    private static final long serialVersionUID = 1L;

    public NoCommandException() {
        super("no command specified: the image has no Entrypoint or Cmd and none was given;"
                + " call command(...) or entrypoint(...)");
    }
}
