package dev.ocikit.image.build;

/**
 * Hears about a build's steps as a commit runs them, to show progress the way {@code buildah build}
 * prints {@code STEP 3/7: RUN make} and {@code --> Using cache}. Called on the committing thread;
 * must be quick and must not throw.
 */
public interface BuildListener {
    /** A listener that ignores everything. */
    BuildListener NONE = new BuildListener() {};

    /**
     * A step is about to run, or be found in the cache.
     *
     * @param number the step's number, from 1
     * @param count how many steps the recipe has
     * @param createdBy the step as its history entry records it
     */
    default void stepStarted(int number, int count, String createdBy) {}

    /** The step just started was found in the cache: it ran nothing. */
    default void stepCached(int number, String createdBy) {}
}
