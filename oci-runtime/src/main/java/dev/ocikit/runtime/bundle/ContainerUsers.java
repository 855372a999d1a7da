package dev.ocikit.runtime.bundle;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves Podman/runc user strings against a container's root file system, reading its
 * {@code /etc/passwd} and {@code /etc/group} inside the root (symbolic links never lead out of
 * it). Stateless and thread-safe.
 *
 * <p>Accepted forms: {@code name}, {@code uid}, {@code name:group}, {@code name:gid},
 * {@code uid:group}, {@code uid:gid}; empty means root. Rules, as runc's and Podman's:
 * <ul>
 * <li>a name must be in {@code /etc/passwd}; a uid need not be (it then gets gid 0, home {@code /});
 * <li>without a group, the primary group comes from {@code /etc/passwd} and the supplementary
 *     groups are the {@code /etc/group} entries listing the user's name;
 * <li>with a group, that group is primary and no supplementary groups are added;
 * <li>{@code groupAdd} entries (names or gids) are appended to the supplementary groups.
 * </ul>
 */
public final class ContainerUsers {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerUsers.class);
    /** Files larger than this are refused: an image can make them huge to exhaust the heap. */
    static final int MAX_FILE = 8 << 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}\\$?");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,10}");
    /** (uid_t) -1 means "unchanged" to the kernel, so it is not a usable id. */
    private static final long MAX_ID = 4294967294L;

    private ContainerUsers() {}

    /**
     * Resolves {@code user} and {@code groupAdd} in the root file system at {@code rootfs}.
     *
     * @throws InvalidContainerConfigException if the string is malformed ({@code /}, NUL,
     *     {@code ..}, empty parts, ids out of range)
     * @throws UnknownUserException if a name is not in the file that should list it
     * @throws InvalidEtcFileException if a line of {@code /etc/passwd} or {@code /etc/group} has an
     *     id out of range
     * @throws RootfsEscapeException if the files cannot be resolved safely
     */
    public static ResolvedUser resolve(Path rootfs, String user, List<String> groupAdd) {
        String spec = user == null ? "" : user;
        validate(spec);
        for (String g : groupAdd) {
            validatePart("groupAdd", g, g);
        }
        String userPart = spec;
        String groupPart = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            userPart = spec.substring(0, colon);
            groupPart = spec.substring(colon + 1);
        }
        EtcDb files = new EtcDb(rootfs);
        long uid;
        long gid = 0;
        String home = "/";
        Optional<String> name = Optional.empty();
        if (userPart.isEmpty()) {
            userPart = "0";
        }
        Optional<Passwd> entry;
        if (isNumber(userPart)) {
            uid = id("User", userPart);
            entry = files.passwd().stream().filter(p -> p.uid == uid).findFirst();
        } else {
            String wanted = userPart;
            List<Passwd> all = files.passwd.orElseThrow(() -> new UnknownUserException("user", wanted,
                    "/etc/passwd", "the file does not exist"));
            entry = all.stream().filter(p -> p.name.equals(wanted)).findFirst();
            if (entry.isEmpty()) {
                throw new UnknownUserException("user", wanted, "/etc/passwd", "no matching entry");
            }
            uid = entry.get().uid;
        }
        if (entry.isPresent()) {
            gid = entry.get().gid;
            home = entry.get().home.isEmpty() ? "/" : entry.get().home;
            name = Optional.of(entry.get().name);
        }
        Set<Long> extra = new LinkedHashSet<>();
        if (groupPart != null) {
            gid = group(files, groupPart);
        } else if (name.isPresent()) {
            String n = name.get();
            for (Group g : files.group()) {
                if (g.members.contains(n)) {
                    extra.add(g.gid);
                }
            }
        }
        for (String g : groupAdd) {
            extra.add(group(files, g));
        }
        return new ResolvedUser(uid, gid, new ArrayList<>(extra), home, name);
    }

    /** Checks the syntax of a user string without a root file system. */
    static void validate(String spec) {
        if (spec.isEmpty()) {
            return;
        }
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            validatePart("User", spec.substring(0, colon), spec);
            validatePart("User", spec.substring(colon + 1), spec);
        } else {
            validatePart("User", spec, spec);
        }
    }

    private static void validatePart(String field, String part, String whole) {
        if (part.isEmpty() || !(NAME.matcher(part).matches() || NUMBER.matcher(part).matches())
                || part.equals(".") || part.equals("..")) {
            throw new InvalidContainerConfigException(field, "'" + printable(whole) + "' is not a user or group:"
                    + " expected name, uid, name:group or uid:gid with names of letters, digits, '_', '.', '-'"
                    + " (no '/', no NUL, no '..')");
        }
        if (isNumber(part)) {
            id(field, part);
        }
    }

    private static long group(EtcDb files, String g) {
        if (isNumber(g)) {
            return id("group", g);
        }
        List<Group> all = files.groups.orElseThrow(() -> new UnknownUserException("group", g, "/etc/group",
                "the file does not exist"));
        return all.stream().filter(x -> x.name.equals(g)).findFirst()
                .orElseThrow(() -> new UnknownUserException("group", g, "/etc/group", "no matching entry")).gid;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long id(String field, String digits) {
        if (digits.length() > 10 || Long.parseLong(digits) > MAX_ID) {
            throw new InvalidContainerConfigException(field, "id " + digits + " is out of range (0 to " + MAX_ID + ")");
        }
        return Long.parseLong(digits);
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() > 200 ? b.substring(0, 200) + "…" : b.toString();
    }

    private record Passwd(String name, long uid, long gid, String home) {}

    private record Group(String name, long gid, Set<String> members) {}

    /** The two files, read once per resolution. */
    private static final class EtcDb {
        private final Path root;
        private Optional<List<Passwd>> passwd;
        private Optional<List<Group>> groups;

        EtcDb(Path root) {
            this.root = root;
            this.passwd = lines("/etc/passwd").map(ls -> parsePasswd(ls));
            this.groups = lines("/etc/group").map(ls -> parseGroup(ls));
        }

        List<Passwd> passwd() {
            return passwd.orElse(List.of());
        }

        List<Group> group() {
            return groups.orElse(List.of());
        }

        private Optional<List<String>> lines(String file) {
            return RootfsPaths.read(root, file, MAX_FILE)
                    .map(b -> List.of(new String(b, StandardCharsets.UTF_8).split("\n")));
        }

        private static List<Passwd> parsePasswd(List<String> lines) {
            List<Passwd> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String[] f = line.split(":", -1);
                if (line.isBlank() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
                    continue;
                }
                if (f.length < 7 || !isNumber(f[2]) || !isNumber(f[3])) {
                    LOG.debug("skipping malformed /etc/passwd line '{}'", printable(line));
                    continue;
                }
                long uid = fileId("/etc/passwd", i + 1, "uid", f[2]);
                long gid = fileId("/etc/passwd", i + 1, "gid", f[3]);
                out.add(new Passwd(f[0], uid, gid, f[5]));
            }
            return out;
        }

        /**
         * An id from a file line; one out of range is refused rather than skipped, so that a user
         * named in it cannot silently fall through to another entry or to (uid_t) -1.
         */
        private static long fileId(String file, int line, String what, String digits) {
            if (digits.length() > 10 || Long.parseLong(digits) > MAX_ID) {
                throw new InvalidEtcFileException(file, line, what + " " + printable(digits)
                        + " is out of range (0 to " + MAX_ID + ")");
            }
            return Long.parseLong(digits);
        }

        private static List<Group> parseGroup(List<String> lines) {
            List<Group> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String[] f = line.split(":", -1);
                if (line.isBlank() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
                    continue;
                }
                if (f.length < 4 || !isNumber(f[2])) {
                    LOG.debug("skipping malformed /etc/group line '{}'", printable(line));
                    continue;
                }
                long gid = fileId("/etc/group", i + 1, "gid", f[2]);
                Set<String> members = new LinkedHashSet<>();
                for (String m : f[3].split(",")) {
                    if (!m.isBlank()) {
                        members.add(m.trim());
                    }
                }
                out.add(new Group(f[0], gid, members));
            }
            return out;
        }
    }
}
