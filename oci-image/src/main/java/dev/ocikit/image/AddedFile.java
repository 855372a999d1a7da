package dev.ocikit.image;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One source added to a layer at a destination, as {@code buildah add} (or a Dockerfile's
 * {@code COPY}) does, with optional overrides of owner, mode and modification time. Immutable.
 *
 * <p>A source that is a symlink is followed. A directory source adds its contents, recursively,
 * at the destination (the directory itself takes the destination's name); symlinks inside it are
 * kept as symlinks, and the overrides apply to every entry found in it. A destination ending in
 * {@code /} names the directory a file source goes into, under its own name (for a symlink, the
 * link's name, not its target's).
 *
 * @param source the file or directory on the host
 * @param destination the path in the layer; absolute or relative to the layer's root, never with
 *     {@code ..}
 * @param uid the owner to record instead of the source's
 * @param gid the group to record instead of the source's
 * @param mode the permission bits ({@code 07777}, setuid/setgid/sticky included) to record
 *     instead of the source's; not applied to symlinks
 * @param mtime the modification time to record instead of the source's (still clamped to
 *     {@link PackOptions#sourceDateEpoch()})
 * @param exclude for a directory source, the host paths under it to leave out (a directory left
 *     out takes everything under it along), as a {@code .containerignore} file asks
 */
public record AddedFile(Path source, String destination, Optional<Long> uid, Optional<Long> gid, Optional<Integer> mode,
        Optional<Instant> mtime, Optional<Predicate<Path>> exclude) {
    private static final long MAX_ID = 0xfffffffeL;

    public AddedFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        uid = uid == null ? Optional.empty() : uid;
        gid = gid == null ? Optional.empty() : gid;
        mode = mode == null ? Optional.empty() : mode;
        mtime = mtime == null ? Optional.empty() : mtime;
        exclude = exclude == null ? Optional.empty() : exclude;
        if (destination.isEmpty()) {
            throw new IllegalArgumentException("destination of " + source + " is empty; use \"/\" for the layer's root");
        }
        if (destination.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("destination of " + source + " has a NUL byte");
        }
        for (String c : destination.split("/")) {
            if (c.equals("..")) {
                throw new IllegalArgumentException("destination '" + destination + "' has '..'; name the path inside"
                        + " the layer directly");
            }
        }
        uid.ifPresent(v -> checkId(v, "uid"));
        gid.ifPresent(v -> checkId(v, "gid"));
        mode.ifPresent(m -> {
            if (m < 0 || m > 07777) {
                throw new IllegalArgumentException("mode must be permission bits 0 to 07777: 0" + Integer.toOctalString(m));
            }
        });
    }

    private static void checkId(long id, String what) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException(what + " must be 0 to " + MAX_ID + ": " + id);
        }
    }

    /** Adds {@code source} at {@code destination}, with the source's own metadata. */
    public static AddedFile of(Path source, String destination) {
        return new AddedFile(source, destination, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** The same, recorded as owned by {@code uid}:{@code gid}. */
    public AddedFile withOwner(long uid, long gid) {
        return new AddedFile(source, destination, Optional.of(uid), Optional.of(gid), mode, mtime, exclude);
    }

    /** The same, recorded with these permission bits. */
    public AddedFile withMode(int mode) {
        return new AddedFile(source, destination, uid, gid, Optional.of(mode), mtime, exclude);
    }

    /** The same, recorded with this modification time. */
    public AddedFile withMtime(Instant mtime) {
        return new AddedFile(source, destination, uid, gid, mode, Optional.of(mtime), exclude);
    }

    /** The same source at another destination. */
    public AddedFile withDestination(String newDestination) {
        return new AddedFile(source, newDestination, uid, gid, mode, mtime, exclude);
    }

    /** The same, leaving out the host paths under a directory source that {@code excluded} accepts. */
    public AddedFile withExclude(Predicate<Path> excluded) {
        return new AddedFile(source, destination, uid, gid, mode, mtime, Optional.of(excluded));
    }
}
