package dev.ocikit.image;

import dev.ocikit.spec.OciException;
import dev.ocikit.spec.Platform;
import java.util.List;

/** An image index that has no image for the platform that was asked for. */
public final class NoMatchingPlatformException extends OciException {
    private static final long serialVersionUID = 1L;
    private final Platform wanted;
    private final List<Platform> available;

    public NoMatchingPlatformException(Platform wanted, List<Platform> available) {
        super("no image for platform " + wanted + " in the index; it has "
                + (available.isEmpty() ? "no platform-specific entries" : available.toString())
                + ". Ask for one of those platforms, or copy all of them");
        this.wanted = wanted;
        this.available = List.copyOf(available);
    }

    /** The same with its own message, for an image that is not an index. */
    public NoMatchingPlatformException(String message, Platform wanted, List<Platform> available) {
        super(message);
        this.wanted = wanted;
        this.available = List.copyOf(available);
    }

    /** The platform asked for. */
    public Platform wanted() {
        return wanted;
    }

    /** The platforms the index has images for. */
    public List<Platform> available() {
        return available;
    }
}
