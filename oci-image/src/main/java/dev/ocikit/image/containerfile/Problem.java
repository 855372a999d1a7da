package dev.ocikit.image.containerfile;

/**
 * A problem found by a helper that does not know where it is (which file, line or instruction);
 * the caller that does know turns it into a {@link ContainerfileException}. Never escapes the
 * package.
 */
final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
        super(message, null, false, false);
    }
}
