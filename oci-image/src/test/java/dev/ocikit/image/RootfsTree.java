package dev.ocikit.image;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Describes a root file system file by file, in one line each, so two trees compare with a map diff. */
final class RootfsTree {
    private RootfsTree() {}

    /**
     * @param owners whether to include uid/gid (not when both sides are owned by the caller)
     * @param xattrFilter which extended attributes to include
     */
    static Map<String, String> describe(Path root, boolean owners, Predicate<String> xattrFilter) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Map<Object, List<String>> byInode = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.toList();
        }
        for (Path p : all) {
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            if ((int) a.get("nlink") > 1 && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                byInode.computeIfAbsent(a.get("ino"), k -> new ArrayList<>()).add(root.relativize(p).toString());
            }
        }
        for (Path p : all) {
            String rel = root.relativize(p).toString();
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (int) a.get("mode");
            StringBuilder b = new StringBuilder();
            String type = switch (mode & 0170000) {
                case 0040000 -> "dir";
                case 0100000 -> "file";
                case 0120000 -> "symlink";
                case 0010000 -> "fifo";
                case 0020000 -> "chr";
                case 0060000 -> "blk";
                default -> "type " + Integer.toOctalString(mode);
            };
            b.append(type);
            if (!type.equals("symlink")) {
                b.append(String.format(" mode=%04o", mode & 07777));
            }
            if (owners) {
                b.append(" owner=").append(a.get("uid")).append(':').append(a.get("gid"));
            }
            switch (type) {
                case "symlink" -> b.append(" -> ").append(Files.readSymbolicLink(p));
                case "file" -> b.append(" size=").append(a.get("size")).append(' ')
                        .append(Digest.sha256(Files.readAllBytes(p)).encoded().substring(0, 12));
                case "chr", "blk" -> b.append(" rdev=").append(a.get("rdev"));
                default -> { }
            }
            if (!type.equals("dir")) {
                FileTime mtime = (FileTime) a.get("lastModifiedTime");
                b.append(" mtime=").append(mtime.toInstant());
            }
            List<String> links = byInode.get(a.get("ino"));
            // Only links within the tree: overlayfs reports a lower file's own link count.
            if (links != null && links.size() > 1 && !type.equals("dir")) {
                b.append(" links=").append(links.stream().sorted().toList());
            }
            for (String x : LibC.listXattrs(p.toString()).stream().sorted().toList()) {
                if (xattrFilter.test(x)) {
                    byte[] v = LibC.getXattr(p.toString(), x);
                    b.append(" xattr ").append(x).append('=').append(v == null ? "?" : HexFormat.of().formatHex(v));
                }
            }
            out.put(rel.isEmpty() ? "." : rel, b.toString());
        }
        return out;
    }
}
