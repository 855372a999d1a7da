package dev.ocikit.image.build;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory or file mounted into a build command's container, such as a cache directory
 * that outlives the build. Nothing written under the mount becomes part of the image. Immutable.
 *
 * @param source the host path; must exist
 * @param destination the absolute path inside the container
 * @param readOnly whether the command may only read it
 */
public record BuildMount(Path source, String destination, boolean readOnly) {
    public BuildMount {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (!destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination must be absolute: " + destination);
        }
        for (String c : destination.split("/")) {
            if (c.equals("..")) {
                throw new IllegalArgumentException("mount destination must not contain '..': " + destination);
            }
        }
    }

    /** A writable mount of {@code source} at {@code destination}. */
    public static BuildMount of(Path source, String destination) {
        return new BuildMount(source, destination, false);
    }

    /** A read-only mount of {@code source} at {@code destination}. */
    public static BuildMount readOnly(Path source, String destination) {
        return new BuildMount(source, destination, true);
    }
}
