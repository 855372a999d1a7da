package dev.ocikit.runtime.bundle;

import dev.ocikit.spec.runtime.IdMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The uid and gid mappings of a rootless container's user namespace. Immutable and thread-safe.
 *
 * <p>{@link #forCurrentUser()} does what rootless Podman does: container id 0 is the caller's
 * own id, and container ids 1… are the caller's subordinate ranges from {@code /etc/subuid} and
 * {@code /etc/subgid} (matched by user name or by uid), in file order. Without ranges the
 * namespace holds the caller's id alone, mapped to 0 (what {@code runc spec --rootless} writes).
 *
 * <p>runc writes a single mapping of the caller's own id itself; more than one mapping needs
 * the setuid helpers {@code newuidmap}/{@code newgidmap} (Debian package {@code uidmap}).
 *
 * @param uidMappings uid mappings, at least one
 * @param gidMappings gid mappings, at least one
 */
public record IdMappings(List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
    private static final Path SUBUID = Path.of("/etc/subuid");
    private static final Path SUBGID = Path.of("/etc/subgid");
    /** The kernel accepts at most 340 lines in uid_map; far more than any real configuration. */
    private static final int MAX_MAPPINGS = 340;

    /**
     * @throws IdMappingException if a list is empty, too long, or its ranges overlap on either side
     */
    public IdMappings {
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        check(uidMappings, "uid");
        check(gidMappings, "gid");
    }

    /** Explicit mappings. */
    public static IdMappings of(List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
        return new IdMappings(uidMappings, gidMappings);
    }

    /** Container root is host {@code hostUid}:{@code hostGid}, and no other id is mapped. */
    public static IdMappings single(long hostUid, long hostGid) {
        return new IdMappings(List.of(IdMapping.of(0, hostUid, 1)), List.of(IdMapping.of(0, hostGid, 1)));
    }

    /**
     * The mappings rootless Podman would use for the user this JVM runs as.
     *
     * @throws IdMappingException if {@code /etc/subuid} or {@code /etc/subgid} exists but cannot
     *     be read or has a malformed line
     */
    public static IdMappings forCurrentUser() {
        HostFacts host = HostFacts.detect();
        return forUser(host.userName().orElse(null), host.euid(), host.egid(), SUBUID, SUBGID);
    }

    /**
     * The mappings for user {@code name} ({@code null} if it has none) with ids {@code uid}:{@code gid},
     * from the given subordinate-id files (missing files mean no ranges).
     *
     * @throws IdMappingException on an unreadable file or a malformed line (named with its number)
     */
    public static IdMappings forUser(String name, long uid, long gid, Path subuidFile, Path subgidFile) {
        return new IdMappings(mappings(uid, ranges(subuidFile, name, uid)),
                mappings(gid, ranges(subgidFile, name, uid)));
    }

    /** The host uid that container uid {@code containerUid} is, if it is mapped. */
    public Optional<Long> hostUid(long containerUid) {
        return toHost(uidMappings, containerUid);
    }

    /** The host gid that container gid {@code containerGid} is, if it is mapped. */
    public Optional<Long> hostGid(long containerGid) {
        return toHost(gidMappings, containerGid);
    }

    private static Optional<Long> toHost(List<IdMapping> list, long id) {
        for (IdMapping m : list) {
            if (id >= m.containerId() && id < m.containerId() + m.size()) {
                return Optional.of(m.hostId() + (id - m.containerId()));
            }
        }
        return Optional.empty();
    }

    private static List<IdMapping> mappings(long own, List<long[]> ranges) {
        List<IdMapping> out = new ArrayList<>();
        out.add(IdMapping.of(0, own, 1));
        long next = 1;
        for (long[] r : ranges) {
            out.add(IdMapping.of(next, r[0], r[1]));
            next += r[1];
        }
        return out;
    }

    /** The ranges ({start, count}) of {@code file} for the user, by name or by uid. */
    static List<long[]> ranges(Path file, String name, long uid) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IdMappingException("cannot read " + file + ": " + e + "; fix its permissions or remove it", e);
        }
        List<long[]> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length != 3 || f[0].isEmpty()) {
                throw malformed(file, i, "expected name-or-uid:start:count");
            }
            long start = number(file, i, f[1], "start");
            long count = number(file, i, f[2], "count");
            if (count == 0 || start + count - 1 > 4294967294L) {
                throw malformed(file, i, "range " + start + "+" + count + " is empty or beyond 4294967294");
            }
            if (f[0].equals(name) || f[0].equals(Long.toString(uid))) {
                out.add(new long[] {start, count});
            }
        }
        return out;
    }

    private static long number(Path file, int line, String s, String what) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw malformed(file, line, what + " '" + ContainerUsers.printable(s) + "' is not a number");
        }
        return Long.parseLong(s);
    }

    private static IdMappingException malformed(Path file, int line, String why) {
        return new IdMappingException(file + ":" + (line + 1) + ": " + why
                + "; fix the line (see subuid(5)) or remove it");
    }

    private static void check(List<IdMapping> list, String kind) {
        if (list.isEmpty()) {
            throw new IdMappingException("no " + kind + " mappings: a user namespace needs at least one");
        }
        if (list.size() > MAX_MAPPINGS) {
            throw new IdMappingException(list.size() + " " + kind + " mappings: the kernel accepts at most "
                    + MAX_MAPPINGS);
        }
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                IdMapping a = list.get(i);
                IdMapping b = list.get(j);
                if (overlap(a.containerId(), a.size(), b.containerId(), b.size())
                        || overlap(a.hostId(), a.size(), b.hostId(), b.size())) {
                    throw new IdMappingException(kind + " mappings " + describe(a) + " and " + describe(b)
                            + " overlap; the kernel refuses overlapping ranges");
                }
            }
        }
    }

    private static boolean overlap(long a, long an, long b, long bn) {
        return a < b + bn && b < a + an;
    }

    private static String describe(IdMapping m) {
        return m.containerId() + "->" + m.hostId() + "+" + m.size();
    }
}
