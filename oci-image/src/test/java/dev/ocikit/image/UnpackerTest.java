package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnpackerTest {
    @TempDir
    Path tmp;

    static LayerSource layer(byte[] tar) {
        return new LayerSource("test layer", Compression.NONE, Optional.empty(), () -> new ByteArrayInputStream(tar));
    }

    static LayerSource gzipLayer(byte[] tar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = LayerCodecs.compress(Compression.GZIP, out)) {
            gz.write(tar);
        }
        byte[] blob = out.toByteArray();
        return new LayerSource("gzip layer", Compression.GZIP, Optional.empty(), () -> new ByteArrayInputStream(blob));
    }

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void unpacksFilesDirectoriesLinksAndMetadata() throws IOException {
        byte[] tar = new TarBuilder()
                .dir("etc", 0755)
                .file("etc/hostname", "box\n")
                .file("usr/bin/su", "su".getBytes(StandardCharsets.UTF_8), 04755, 0, 0, Map.of())
                .dir("tmp", 01777)
                .symlink("bin", "usr/bin")
                .hardlink("etc/hostname2", "etc/hostname")
                .fifo("run/fifo")
                .build();
        Path root = tmp.resolve("rootfs");
        UnpackReport report = Unpacker.defaults().unpack(List.of(gzipLayer(tar)), root);

        assertThat(root.resolve("etc/hostname")).hasContent("box");
        assertThat(mode(root.resolve("usr/bin/su"))).isEqualTo(04755);
        assertThat(mode(root.resolve("tmp"))).isEqualTo(01777);
        assertThat(Files.readSymbolicLink(root.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
        assertThat(Files.readAttributes(root.resolve("etc/hostname2"), BasicFileAttributes.class).fileKey())
                .isEqualTo(Files.readAttributes(root.resolve("etc/hostname"), BasicFileAttributes.class).fileKey());
        assertThat(Files.readAttributes(root.resolve("run/fifo"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()).isTrue();
        assertThat(Files.getLastModifiedTime(root.resolve("etc"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(TarBuilder.T0);
        assertThat(Files.getLastModifiedTime(root.resolve("bin"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(TarBuilder.T0);
        assertThat(report.diffIds()).containsExactly(Digest.sha256(tar));
        assertThat(report.entries()).isEqualTo(7);
        assertThat(mode(root)).isEqualTo(0755);
    }

    @Test
    void appliesOwnershipAndBinaryXattrsWhenPrivileged() throws IOException {
        assumeTrue(Unpacker.isRoot(), "privileged unpacking needs root");
        // security.capability is binary (cap_net_bind_service=+ep); it must survive byte for byte.
        byte[] cap = {1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] tar = paxWithBinaryXattr("usr/bin/ping", "security.capability", cap, 1234, 5678);
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().rootless(false).unpack(List.of(layer(tar)), root);
        Path ping = root.resolve("usr/bin/ping");
        assertThat(uid(ping)).isEqualTo(1234);
        assertThat(Files.getAttribute(ping, "unix:gid")).isEqualTo(5678);
        assertThat(LibC.getXattr(ping.toString(), "security.capability")).isEqualTo(cap);
    }

    @Test
    void rootlessModeRecordsOwnershipAndSkipsDevices() throws IOException {
        byte[] tar = new TarBuilder()
                .file("home/app/data", "x".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1001, Map.of())
                .device("dev/null", TarConstants.LF_CHR, 1, 3)
                .build();
        Path root = tmp.resolve("rootfs");
        UnpackReport report = Unpacker.defaults().rootless(true).unpack(List.of(layer(tar)), root);
        Path data = root.resolve("home/app/data");
        assertThat(uid(data)).isEqualTo(uid(tmp));
        assertThat(LibC.getXattr(data.toString(), Unpacker.ROOTLESS_XATTR)).isEqualTo(new byte[] {0x08, (byte) 0xe8, 0x07, 0x10, (byte) 0xe9, 0x07});
        assertThat(root.resolve("dev/null")).doesNotExist();
        assertThat(report.skipped()).containsExactly("dev/null: character device 1:3 not created in rootless mode");
        assertThat(report.ownershipRecorded()).isEqualTo(1);
    }

    @Test
    void createsDeviceNodesWhenPrivileged() throws IOException {
        assumeTrue(Unpacker.isRoot(), "device nodes need root");
        byte[] tar = new TarBuilder().device("dev/null", TarConstants.LF_CHR, 1, 3).build();
        Path root = tmp.resolve("rootfs");
        UnpackReport report = Unpacker.defaults().rootless(false).unpack(List.of(layer(tar)), root);
        if (report.skipped().isEmpty()) {
            assertThat(Files.getAttribute(root.resolve("dev/null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(LibC.makedev(1, 3));
        } else {
            // root without CAP_MKNOD (inside some containers): skipped and said so
            assertThat(report.skipped()).containsExactly("dev/null: character device 1:3 not created: not permitted here");
        }
    }

    @Test
    void whiteoutsRemoveLowerFilesButNotTheirOwnLayers() throws IOException {
        byte[] lower = new TarBuilder()
                .file("a/keep", "k").file("a/gone", "g").file("b/old1", "1").file("b/old2", "2").file("c", "c")
                .build();
        byte[] upper = new TarBuilder()
                .file("a/.wh.gone", "")
                .file("b/new", "n")
                .file("b/.wh..wh..opq", "")
                .file("c2", "same layer")
                .file(".wh.c2", "")
                .file(".wh.c", "")
                .build();
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().unpack(List.of(layer(lower), layer(upper)), root);
        assertThat(root.resolve("a/keep")).exists();
        assertThat(root.resolve("a/gone")).doesNotExist();
        assertThat(root.resolve("a/.wh.gone")).doesNotExist();
        assertThat(root.resolve("b/new")).hasContent("n");
        assertThat(root.resolve("b/old1")).doesNotExist();
        assertThat(root.resolve("b/old2")).doesNotExist();
        assertThat(root.resolve("c")).doesNotExist();
        assertThat(root.resolve("c2")).hasContent("same layer");
    }

    @Test
    void opaqueDirectoryKeepsWhatTheSameLayerWroteEvenInDirectoriesItOnlyImplied() throws IOException {
        byte[] lower = new TarBuilder().file("b/old", "o").file("b/sub/old", "o").file("b/gone/x", "g").build();
        // b/sub is never named on its own in the upper layer, only implied by b/sub/new
        byte[] upper = new TarBuilder().file("b/sub/new", "n").file("b/.wh..wh..opq", "").build();
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().unpack(List.of(layer(lower), layer(upper)), root);
        assertThat(listAll(root.resolve("b"))).containsExactlyInAnyOrder("", "sub", "sub/new");
        assertThat(root.resolve("b/sub/new")).hasContent("n");
    }

    @Test
    void whiteoutOfADirectoryTheSameLayerWritesIntoHidesOnlyTheLowerContent() throws IOException {
        byte[] lower = new TarBuilder().file("d/lower", "l").build();
        byte[] upper = new TarBuilder().file("d/upper", "u").file(".wh.d", "").build();
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().unpack(List.of(layer(lower), layer(upper)), root);
        assertThat(listAll(root.resolve("d"))).containsExactlyInAnyOrder("", "upper");
    }

    @Test
    void rootlessDirectoryOwnedByRootInALaterLayerDropsTheEarlierOwnerRecord() throws IOException {
        assumeTrue(LibC.available());
        byte[] lower = new TarBuilder().entry(dirEntry("home/app", 1000), new byte[0]).build();
        byte[] upper = new TarBuilder().entry(dirEntry("home/app", 0), new byte[0]).build();
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().rootless(true).unpack(List.of(layer(lower), layer(upper)), root);
        assertThat(LibC.getXattr(root.resolve("home/app").toString(), Unpacker.ROOTLESS_XATTR)).isNull();
    }

    private static org.apache.commons.compress.archivers.tar.TarArchiveEntry dirEntry(String name, int uid) {
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name + "/", TarConstants.LF_DIR, true);
        e.setMode(040755);
        e.setUserId(uid);
        e.setGroupId(uid);
        e.setModTime(TarBuilder.T0);
        return e;
    }

    @Test
    void aHardLinkToItselfIsRefused() throws IOException {
        byte[] lower = new TarBuilder().file("a", "a").build();
        byte[] upper = new TarBuilder().hardlink("a", "a").build();
        Path root = tmp.resolve("rootfs");
        assertThatThrownBy(() -> Unpacker.defaults().unpack(List.of(layer(lower), layer(upper)), root))
                .isInstanceOf(HostileLayerException.class)
                .hasMessage("refusing layer test layer: entry 'a' is a hard link to itself");
        assertThat(root).doesNotExist();
    }

    @Test
    void aSymlinkLoopIsRefused() {
        byte[] tar = new TarBuilder().symlink("a", "b").symlink("b", "a").file("a/x", "x").build();
        Path root = tmp.resolve("rootfs");
        assertThatThrownBy(() -> Unpacker.defaults().unpack(List.of(layer(tar)), root))
                .isInstanceOf(HostileLayerException.class)
                .hasMessage("refusing layer test layer: entry 'a/x' resolves through more than 40 symlinks (a symlink loop)");
        assertThat(root).doesNotExist();
    }

    @Test
    void overlayXattrsFromALayerAreNeverSet() throws IOException {
        assumeTrue(Unpacker.isRoot(), "trusted.* xattrs need root");
        byte[] tar = new TarBuilder().file("d/f", "x".getBytes(StandardCharsets.UTF_8), 0644, 0, 0,
                Map.of("SCHILY.xattr.trusted.overlay.redirect", "/etc", "SCHILY.xattr.user.keep", "k")).build();
        Path root = tmp.resolve("rootfs");
        UnpackReport report = Unpacker.defaults().unpack(List.of(layer(tar)), root);
        assertThat(LibC.getXattr(root.resolve("d/f").toString(), "trusted.overlay.redirect")).isNull();
        assertThat(LibC.getXattr(root.resolve("d/f").toString(), "user.keep")).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(report.skipped()).containsExactly("d/f: xattr trusted.overlay.redirect would steer overlayfs; skipped");
    }

    @Test
    void theSkippedListIsBoundedButTheCountIsNot() throws IOException {
        TarBuilder b = new TarBuilder();
        for (int i = 0; i < UnpackReport.MAX_SKIPPED_LISTED + 5; i++) {
            b.device("dev/d" + i, TarConstants.LF_BLK, 8, i);
        }
        UnpackReport report = Unpacker.defaults().rootless(true).unpack(List.of(layer(b.build())), tmp.resolve("rootfs"));
        assertThat(report.skipped()).hasSize(UnpackReport.MAX_SKIPPED_LISTED);
        assertThat(report.skippedCount()).isEqualTo(UnpackReport.MAX_SKIPPED_LISTED + 5);
    }

    @Test
    void laterLayerReplacesFilesDirectoriesAndLinks() throws IOException {
        byte[] lower = new TarBuilder().file("x/inner", "i").file("y", "file").symlink("z", "y").build();
        byte[] upper = new TarBuilder().file("x", "now a file").dir("y", 0700).file("z", "was a link").build();
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().unpack(List.of(layer(lower), layer(upper)), root);
        assertThat(root.resolve("x")).isRegularFile().hasContent("now a file");
        assertThat(root.resolve("y")).isDirectory();
        assertThat(Files.isSymbolicLink(root.resolve("z"))).isFalse();
        assertThat(root.resolve("y")).isEmptyDirectory();
        assertThat(root.resolve("z")).hasContent("was a link");
    }

    @Test
    void writesThroughDirectorySymlinksInsideTheRoot() throws IOException {
        // merged /usr: a later layer adds lib/x through lib -> usr/lib
        byte[] lower = new TarBuilder().dir("usr/lib", 0755).symlink("lib", "usr/lib").symlink("abs", "/usr/lib").build();
        byte[] upper = new TarBuilder().file("lib/x.so", "x").file("abs/y.so", "y").build();
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().unpack(List.of(layer(lower), layer(upper)), root);
        assertThat(root.resolve("usr/lib/x.so")).hasContent("x");
        assertThat(root.resolve("usr/lib/y.so")).hasContent("y");
    }

    @Test
    void sparseAndPaxLargeEntriesUnpack() throws IOException {
        byte[] big = new byte[3 << 20];
        big[big.length - 1] = 7;
        byte[] tar = new TarBuilder()
                .file("var/big", big, 0644, 0, 0, Map.of())
                .file("a".repeat(150) + "/" + "b".repeat(120), "long name")
                .build();
        Path root = tmp.resolve("rootfs");
        Unpacker.defaults().unpack(List.of(layer(tar)), root);
        assertThat(Files.size(root.resolve("var/big"))).isEqualTo(big.length);
        assertThat(root.resolve("a".repeat(150) + "/" + "b".repeat(120))).hasContent("long name");
    }

    @Test
    void wrongDiffIdLeavesTheTargetUntouched() throws IOException {
        byte[] tar = new TarBuilder().file("a", "a").build();
        Digest wrong = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
        Path root = tmp.resolve("rootfs");
        assertThatThrownBy(() -> Unpacker.defaults().unpack(List.of(layer(tar).withDiffId(wrong)), root))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("unpacks to DiffID " + Digest.sha256(tar))
                .hasMessageContaining("the image config says " + wrong);
        assertThat(root).doesNotExist();
        try (var s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void refusesANonEmptyTarget() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("rootfs"));
        Files.writeString(root.resolve("precious"), "p");
        assertThatThrownBy(() -> Unpacker.defaults().unpack(List.of(layer(new TarBuilder().file("a", "a").build())), root))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(root.resolve("precious")).hasContent("p");
    }

    @Test
    void rootlessOwnerEncodingMatchesTheProtobuf() {
        assertThat(Unpacker.rootlessOwner(0, 0)).isEmpty();
        assertThat(Unpacker.rootlessOwner(1000, 1000)).containsExactly(0x08, 0xe8, 0x07, 0x10, 0xe8, 0x07);
        // a zero beside a non-zero id is umoci's NoopID, 2^32-1
        assertThat(Unpacker.rootlessOwner(1, 0)).containsExactly(0x08, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f);
        assertThat(Unpacker.rootlessOwner(0, 300)).containsExactly(0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x10, 0xac, 0x02);
    }

    /** A tar whose PAX header carries a raw binary xattr, as Go's archive/tar writes it. */
    static byte[] paxWithBinaryXattr(String name, String attr, byte[] value, int uid, int gid) {
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        byte[] key = ("SCHILY.xattr." + attr + "=").getBytes(StandardCharsets.UTF_8);
        int body = 1 + key.length + value.length + 1; // ' ' key=value '\n'
        int len = body + String.valueOf(body).length();
        if (String.valueOf(len).length() != String.valueOf(body).length()) {
            len++;
        }
        record.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
        record.writeBytes(key);
        record.writeBytes(value);
        record.write('\n');
        byte[] pax = record.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TarBuilder.rawHeader("PaxHeaders/" + name, 'x', pax.length));
        out.writeBytes(pad(pax));
        byte[] header = TarBuilder.rawHeader(name, '0', 4);
        setOwner(header, uid, gid);
        out.writeBytes(header);
        out.writeBytes(pad("ping".getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    static byte[] pad(byte[] data) {
        byte[] out = new byte[(data.length + 511) / 512 * 512];
        System.arraycopy(data, 0, out, 0, data.length);
        return out;
    }

    private static void setOwner(byte[] h, int uid, int gid) {
        byte[] u = String.format("%07o", uid).getBytes(StandardCharsets.US_ASCII);
        byte[] g = String.format("%07o", gid).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(u, 0, h, 108, 7);
        System.arraycopy(g, 0, h, 116, 7);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] s = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }

    static List<String> listAll(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.walk(root)) {
            s.forEach(p -> out.add(root.relativize(p).toString()));
        }
        return out;
    }
}
