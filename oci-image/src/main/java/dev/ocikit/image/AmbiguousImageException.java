package dev.ocikit.image;

import dev.ocikit.spec.OciException;
import java.util.List;

/**
 * A name that matches more than one image: a short image ID shared by several images, or an
 * image layout asked for "the" image while its {@code index.json} lists several. The message
 * lists the candidates and how to pick one.
 */
public final class AmbiguousImageException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final List<String> candidates;

    public AmbiguousImageException(String name, List<String> candidates, String message) {
        super(message);
        this.name = name;
        this.candidates = List.copyOf(candidates);
    }

    /** What was asked for, as given (empty when no name was given). */
    public String name() {
        return name;
    }

    /** The images it could mean, as the message shows them. */
    public List<String> candidates() {
        return candidates;
    }
}
