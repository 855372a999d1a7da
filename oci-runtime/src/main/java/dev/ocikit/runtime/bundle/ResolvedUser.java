package dev.ocikit.runtime.bundle;

import java.util.List;
import java.util.Optional;

/**
 * A user string ({@code app}, {@code 1000:10} …) resolved against a container's
 * {@code /etc/passwd} and {@code /etc/group}. Immutable and thread-safe.
 *
 * @param uid the user id in the container
 * @param gid the primary group id
 * @param additionalGids supplementary groups: the {@code /etc/group} memberships of a user given
 *     without a group (as runc and Podman compute them), then the {@code groupAdd} groups
 * @param home the home directory from {@code /etc/passwd}, {@code /} for a user not listed there
 * @param name the user's name, when {@code /etc/passwd} lists it
 */
public record ResolvedUser(long uid, long gid, List<Long> additionalGids, String home, Optional<String> name) {
    public ResolvedUser {
        additionalGids = List.copyOf(additionalGids);
    }

    /** Root, as an empty user string means. */
    public static ResolvedUser root() {
        return new ResolvedUser(0, 0, List.of(), "/root", Optional.of("root"));
    }

    /** Whether this is uid 0, which Podman gives the default capabilities. */
    public boolean isRoot() {
        return uid == 0;
    }
}
