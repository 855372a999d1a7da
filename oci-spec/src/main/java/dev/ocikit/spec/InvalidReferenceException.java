package dev.ocikit.spec;

import dev.ocikit.spec.internal.Text;
/**
 * A string that is not a valid image reference ({@code [registry/]path[:tag][@digest]}), or a
 * change to a reference that would make it invalid. The message quotes the input and says what
 * was wrong with it.
 */
public final class InvalidReferenceException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String reference;
    private final String problem;

    /**
     * @param reference the text that was refused (quoted, shortened, in the message)
     * @param problem what was wrong with it, for people
     */
    public InvalidReferenceException(String reference, String problem) {
        this(reference, problem, null);
    }

    public InvalidReferenceException(String reference, String problem, Throwable cause) {
        super("invalid image reference \"" + Text.printable(String.valueOf(reference)) + "\": " + problem, cause);
        this.reference = String.valueOf(reference);
        this.problem = problem;
    }

    /** The text that was refused, unshortened. */
    public String reference() {
        return reference;
    }

    /** What was wrong, without the quoted input. */
    public String problem() {
        return problem;
    }
}
