package dev.ocikit.image;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds file trees for pack tests and describes trees so that two can be compared. */
final class PackTrees {
    /** security.capability for cap_net_bind_service=+ep (VFS_CAP_REVISION_2): binary, with NULs. */
    static final byte[] CAPABILITY = HexFormat.of().parseHex("0100000200040000000000000000000000000000");
    /** A user attribute value that is not valid UTF-8 and has the PAX record's delimiters in it. */
    static final byte[] BINARY = {0, (byte) 0xff, '\n', '=', ' ', (byte) 0xc3, 0x28, 7};

    private PackTrees() {}

    static boolean root() {
        return Unpacker.isRoot();
    }

    static Path write(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    static void mode(Path p, int mode) throws IOException {
        LibC.chmod(p.toString(), mode);
    }

    static void owner(Path p, int uid, int gid) {
        LibC.lchown(p.toString(), uid, gid);
    }

    static void xattr(Path p, String name, byte[] value) {
        LibC.lsetxattr(p.toString(), name, value, value.length, 0);
    }

    static void mtime(Path p, Instant t) throws IOException {
        long[] times = {t.getEpochSecond(), t.getNano(), t.getEpochSecond(), t.getNano()};
        LibC.utimensat(LibC.AT_FDCWD, p.toString(), times, LibC.AT_SYMLINK_NOFOLLOW);
    }

    static void device(Path p, int type, int major, int minor) {
        LibC.mknod(p.toString(), type | 0640, LibC.makedev(major, minor));
    }

    /**
     * A tree with one of everything an unprivileged user can make: files (empty, setuid, with a
     * long and a non-ASCII name), directories (sticky, setgid), symlinks, a hard link, a fifo and
     * a binary user xattr.
     */
    static Path basic(Path root) throws IOException {
        Files.createDirectories(root);
        write(root.resolve("etc/hostname"), "box\n");
        write(root.resolve("etc/empty"), "");
        write(root.resolve("etc-release"), "sorts between etc and etc/\n");
        write(root.resolve("usr/bin/su"), "#!/bin/sh\n");
        mode(root.resolve("usr/bin/su"), 04755);
        Files.createDirectories(root.resolve("tmp"));
        mode(root.resolve("tmp"), 01777);
        Files.createDirectories(root.resolve("srv/shared"));
        mode(root.resolve("srv/shared"), 02775);
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Files.createSymbolicLink(root.resolve("etc/dangling"), Path.of("/nowhere/at/all"));
        Files.createLink(root.resolve("usr/bin/sudo"), root.resolve("usr/bin/su"));
        Path deep = root.resolve("a".repeat(60) + "/" + "b".repeat(60) + "/" + "c".repeat(70) + "/deep.txt");
        write(deep, "deep\n");
        write(root.resolve("opt/" + "n".repeat(120)), "a name too long for any ustar field\n");
        write(root.resolve("usr/share/gr\u00fc\u00dfe/\u65e5\u672c.txt"), "non-ASCII\n");
        Files.createSymbolicLink(root.resolve("opt/far"), Path.of("x/".repeat(70) + "target"));
        LibC.mknod(root.resolve("run-fifo").toString(), LibC.S_IFIFO | 0600, 0);
        xattr(root.resolve("etc/hostname"), "user.binary", BINARY);
        byte[] big = new byte[300_000];
        new java.util.Random(7).nextBytes(big);
        Files.createDirectories(root.resolve("usr/lib"));
        Files.write(root.resolve("usr/lib/big.bin"), big);
        return root;
    }

    /** What only root can make: devices, other owners, security.capability. */
    static Path privileged(Path root) throws IOException {
        Files.createDirectories(root.resolve("dev"));
        device(root.resolve("dev/null"), LibC.S_IFCHR, 1, 3);
        device(root.resolve("dev/sda"), LibC.S_IFBLK, 8, 0);
        device(root.resolve("dev/big"), LibC.S_IFCHR, 4000, 300000);
        Path ping = write(root.resolve("usr/bin/ping"), "ping\n");
        xattr(ping, "security.capability", CAPABILITY);
        Path home = root.resolve("home/user");
        write(home.resolve(".profile"), "PS1=$\n");
        owner(home.resolve(".profile"), 1000, 1000);
        owner(home, 1000, 100);
        owner(root.resolve("home"), 0, 0);
        Files.createSymbolicLink(home.resolve("link"), Path.of(".profile"));
        owner(home.resolve("link"), 1000, 1000);
        write(root.resolve("var/big-ids"), "ids beyond ustar's octal fields\n");
        owner(root.resolve("var/big-ids"), 3_000_000, 4_000_000);
        return root;
    }

    /** Every entry under {@code root} (not root itself), described so that equal trees compare equal. */
    static SortedMap<String, String> snapshot(Path root) throws IOException {
        return snapshot(root, true);
    }

    static SortedMap<String, String> snapshot(Path root, boolean withTimes) throws IOException {
        SortedMap<String, String> out = new TreeMap<>();
        Map<Object, String> inodes = new HashMap<>();
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(p -> !p.equals(root)).sorted().toList();
        }
        for (Path p : all) {
            String rel = root.relativize(p).toString();
            FileMeta m = FileMeta.of(p, false);
            StringBuilder d = new StringBuilder();
            d.append(switch (m.type()) {
                case FileMeta.S_IFDIR -> "dir";
                case FileMeta.S_IFREG -> "file";
                case FileMeta.S_IFLNK -> "symlink";
                case FileMeta.S_IFCHR -> "char";
                case FileMeta.S_IFBLK -> "block";
                case FileMeta.S_IFIFO -> "fifo";
                default -> "other";
            });
            if (m.type() != FileMeta.S_IFLNK) {
                d.append(" mode=0").append(Integer.toOctalString(m.mode() & 07777));
            }
            d.append(" owner=").append(m.uid()).append(':').append(m.gid());
            if (withTimes) {
                d.append(" mtime=").append(m.mtime());
            }
            if (m.isRegular()) {
                try (InputStream in = Files.newInputStream(p)) {
                    d.append(" size=").append(m.size()).append(" sha256=").append(Digest.compute(
                            dev.ocikit.spec.DigestAlgorithm.SHA256, in).encoded(), 0, 12);
                }
                if (m.nlink() > 1) {
                    String first = inodes.putIfAbsent(List.of(m.dev(), m.ino()), rel);
                    d.append(" inode=").append(first == null ? rel : first);
                }
            }
            if (m.type() == FileMeta.S_IFLNK) {
                d.append(" -> ").append(Files.readSymbolicLink(p));
            }
            if (m.type() == FileMeta.S_IFCHR || m.type() == FileMeta.S_IFBLK) {
                d.append(" dev=").append(m.major()).append(':').append(m.minor());
            }
            for (Map.Entry<String, byte[]> x : PackContext.readXattrs(p).entrySet()) {
                if (!PackContext.neverRecorded(x.getKey())) {
                    d.append(' ').append(x.getKey()).append('=').append(HexFormat.of().formatHex(x.getValue()));
                }
            }
            out.put(rel, d.toString());
        }
        return out;
    }

    /** Sets every entry's mtime (not following symlinks), deepest first so parents keep theirs. */
    static void touchAll(Path root, Instant t) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            mtime(p, t);
        }
    }

    static FileTime seconds(Instant t) {
        return FileTime.from(t);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
