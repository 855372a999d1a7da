package dev.ocikit.spec;

/**
 * A platform specifier ({@code os/arch[/variant]}) that cannot be read. The message quotes the
 * specifier and says which part is wrong.
 */
public final class InvalidPlatformException extends OciException {
    private static final long serialVersionUID = 1L;

    public InvalidPlatformException(String message) {
        super(message);
    }
}
