package dev.ocikit.image;

import static dev.ocikit.image.PackTrees.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerPackerTest {
    static final Instant EPOCH = Instant.parse("2020-02-02T02:02:02Z");

    @TempDir
    Path tmp;

    static LayerPacker packer(Compression c) {
        return LayerPacker.of(PackOptions.newBuilder().compression(c).sourceDateEpoch(EPOCH).build());
    }

    static byte[] tar(LayerContent content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        packer(Compression.NONE).write(content, out);
        return out.toByteArray();
    }

    static List<TarArchiveEntry> entries(byte[] tar) throws IOException {
        List<TarArchiveEntry> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(e);
            }
        }
        return out;
    }

    static LayerSource source(BlobStore store, PackedLayer layer) {
        return LayerSource.of(store, layer.digest(), layer.compression(), layer.diffId());
    }

    @Test
    void roundTripsThroughTheUnpackerWithEveryFileType() throws IOException {
        assumeTrue(PackTrees.root(), "devices, owners and security.capability need root");
        Path src = PackTrees.privileged(PackTrees.basic(tmp.resolve("src")));
        BlobStore store = BlobStore.open(tmp.resolve("store"));

        PackedLayer layer = LayerPacker.defaults().pack(LayerContent.directory(src), store);
        Path out = tmp.resolve("out");
        UnpackReport report = Unpacker.defaults().unpack(List.of(source(store, layer)), out);

        assertThat(report.skipped()).isEmpty();
        assertThat(snapshot(out)).isEqualTo(snapshot(src));
        // The capability is binary; it must come back byte for byte, not UTF-8 mangled.
        assertThat(dev.ocikit.image.internal.LibC.getXattr(out.resolve("usr/bin/ping").toString(),
                "security.capability")).isEqualTo(PackTrees.CAPABILITY);
        assertThat(snapshot(out).get("usr/bin/sudo")).contains("inode=usr/bin/su");
    }

    @Test
    void theSameTreeGivesTheSameBytesAndACopyWithOtherTimesTheSameDigestWhenClamped() throws IOException {
        Path a = PackTrees.basic(tmp.resolve("a"));
        // The copy: other inodes (decoys created first), other mtimes and atimes, all after the epoch.
        Files.createDirectories(tmp.resolve("b"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(tmp.resolve("b/decoy" + i), "x");
        }
        Path b = PackTrees.basic(tmp.resolve("b/tree"));
        PackTrees.touchAll(b, Instant.parse("2023-07-07T07:07:07.5Z"));
        PackTrees.touchAll(a, Instant.parse("2021-01-01T00:00:00Z"));

        LayerPacker clamped = packer(Compression.GZIP);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        PackedLayer p1 = clamped.write(LayerContent.directory(a), first);
        PackedLayer p2 = clamped.write(LayerContent.directory(a), second);
        PackedLayer copy = clamped.write(LayerContent.directory(b), new ByteArrayOutputStream());

        assertThat(first.toByteArray()).isEqualTo(second.toByteArray());
        assertThat(p1).isEqualTo(p2);
        assertThat(copy.diffId()).isEqualTo(p1.diffId());
        assertThat(copy.digest()).isEqualTo(p1.digest());

        // Without the clamp the times show, so the digests differ: the test above can fail.
        LayerPacker unclamped = LayerPacker.of(PackOptions.newBuilder().build());
        assertThat(unclamped.write(LayerContent.directory(b), OutputStream.nullOutputStream()).diffId())
                .isNotEqualTo(unclamped.write(LayerContent.directory(a), OutputStream.nullOutputStream()).diffId());
    }

    @Test
    void entriesAreSortedByTheirTarNamesAsBytesWithNothingHostSpecific() throws IOException {
        Path src = PackTrees.basic(tmp.resolve("src"));
        byte[] tar = tar(LayerContent.directory(src));
        List<TarArchiveEntry> entries = entries(tar);
        List<String> names = entries.stream().map(TarArchiveEntry::getName).toList();

        List<String> sorted = new ArrayList<>(names);
        sorted.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        assertThat(names).isEqualTo(sorted);
        // '-' sorts before '/': etc-release comes before the directory etc/ and everything in it.
        assertThat(names).containsSubsequence("etc-release", "etc/", "etc/dangling", "etc/empty", "etc/hostname");
        assertThat(names).doesNotContain("./", "").allMatch(n -> !n.startsWith("/") && !n.startsWith("./"));
        assertThat(names).contains("usr/bin/su", "usr/bin/sudo", "run-fifo", "opt/" + "n".repeat(120),
                "usr/share/gr\u00fc\u00dfe/\u65e5\u672c.txt");
        for (TarArchiveEntry e : entries) {
            assertThat(e.getUserName()).as(e.getName()).isEmpty();
            assertThat(e.getGroupName()).as(e.getName()).isEmpty();
            assertThat(e.getLastModifiedTime().toInstant()).as(e.getName()).isBeforeOrEqualTo(EPOCH);
            assertThat(e.getLastAccessTime()).as(e.getName()).isNull();
            assertThat(e.getStatusChangeTime()).as(e.getName()).isNull();
        }
        TarArchiveEntry sudo = entries.stream().filter(e -> e.getName().equals("usr/bin/sudo")).findFirst().orElseThrow();
        assertThat(sudo.isLink()).isTrue();
        assertThat(sudo.getLinkName()).isEqualTo("usr/bin/su");
        assertThat(entries.stream().filter(e -> e.getName().equals("tmp/")).findFirst().orElseThrow().getMode() & 07777)
                .isEqualTo(01777);
        // The archive ends with exactly two zero blocks.
        assertThat(tar.length % 512).isZero();
        assertThat(Arrays.copyOfRange(tar, tar.length - 1024, tar.length)).containsOnly(0);
    }

    @Test
    void clampingOnlyLowersTimes() throws IOException {
        Path src = tmp.resolve("src");
        Instant old = Instant.parse("2001-01-01T00:00:00Z");
        PackTrees.mtime(PackTrees.write(src.resolve("old"), "1"), old);
        PackTrees.write(src.resolve("new"), "2");
        List<TarArchiveEntry> entries = entries(tar(LayerContent.directory(src)));
        assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly("new", "old");
        assertThat(entries.get(0).getLastModifiedTime().toInstant()).isEqualTo(EPOCH);
        assertThat(entries.get(1).getLastModifiedTime().toInstant()).isEqualTo(old);
    }

    @Test
    void ownerNamesOnlyWhenAsked() throws IOException {
        assumeTrue(PackTrees.root());
        Path src = tmp.resolve("src");
        PackTrees.write(src.resolve("f"), "x");
        PackTrees.owner(src.resolve("f"), 0, 0);
        LayerPacker named = LayerPacker.of(PackOptions.newBuilder().compression(Compression.NONE).ownerNames(true).build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        named.write(LayerContent.directory(src), out);
        TarArchiveEntry e = entries(out.toByteArray()).get(0);
        assertThat(e.getUserName()).isEqualTo("root");
        assertThat(e.getGroupName()).isEqualTo("root");
    }

    @Test
    void packStoresTheBlobAndReportsDigestSizeAndDiffIdOfOnePass() throws IOException {
        Path src = PackTrees.basic(tmp.resolve("src"));
        BlobStore store = BlobStore.open(tmp.resolve("store"));
        for (Compression c : Compression.values()) {
            PackedLayer layer = packer(c).pack(LayerContent.directory(src), store);
            byte[] blob = store.readAllBytes(layer.digest(), 10_000_000);
            byte[] tar = tar(LayerContent.directory(src));

            assertThat(layer.size()).isEqualTo(blob.length);
            assertThat(layer.digest()).isEqualTo(Digest.sha256(blob));
            assertThat(layer.diffId()).isEqualTo(Digest.sha256(tar));
            assertThat(layer.uncompressedSize()).isEqualTo(tar.length);
            assertThat(layer.mediaType()).isEqualTo(MediaTypes.ociLayer(c));
            assertThat(layer.descriptor().digest()).isEqualTo(layer.digest());
            try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(blob), c, LayerLimits.DEFAULT)) {
                assertThat(in.readAllBytes()).isEqualTo(tar);
                assertThat(in.compression()).isEqualTo(c);
            }
            // write() gives the very same blob.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(packer(c).write(LayerContent.directory(src), out)).isEqualTo(layer);
            assertThat(out.toByteArray()).isEqualTo(blob);
        }
        assertThat(store.list()).hasSize(3);
    }

    @Test
    void zstdAndGzipBytesDoNotDependOnParallelism() throws IOException {
        Path src = PackTrees.basic(tmp.resolve("src"));
        Files.write(src.resolve("compressible"), "all work and no play makes jack a dull boy\n".repeat(60_000)
                .getBytes(StandardCharsets.UTF_8));
        for (Compression c : List.of(Compression.GZIP, Compression.ZSTD)) {
            PackOptions one = PackOptions.newBuilder().compression(c).parallelism(1).build();
            PackOptions two = one.toBuilder().parallelism(2).build();
            PackOptions four = one.toBuilder().parallelism(4).build();
            Digest d1 = LayerPacker.of(one).write(LayerContent.directory(src), OutputStream.nullOutputStream()).digest();
            Digest d2 = LayerPacker.of(two).write(LayerContent.directory(src), OutputStream.nullOutputStream()).digest();
            Digest d4 = LayerPacker.of(four).write(LayerContent.directory(src), OutputStream.nullOutputStream()).digest();
            assertThat(d2).as(c.name()).isEqualTo(d1);
            assertThat(d4).as(c.name()).isEqualTo(d1);
        }
    }

    @Test
    void anEmptyDirectoryIsAnArchiveOfTwoZeroBlocks() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("empty"));
        PackedLayer layer = packer(Compression.GZIP).write(LayerContent.directory(src), OutputStream.nullOutputStream());
        assertThat(layer.diffId()).isEqualTo(Digest.sha256(new byte[1024]));
        assertThat(layer.uncompressedSize()).isEqualTo(1024);
    }

    @Test
    void aNameThatIsNotUtf8IsRefusedForWhatItIsAndNothingIsStored() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/etc"));
        // "caf" and a Latin-1 e-acute: made by the shell, since Java cannot name it
        Process touch = new ProcessBuilder("sh", "-c", "touch \"$(printf 'caf\\351')\"").directory(src.toFile()).start();
        assertThat(touch.waitFor()).isZero();
        BlobStore store = BlobStore.open(tmp.resolve("store"));

        assertThatThrownBy(() -> LayerPacker.defaults().pack(LayerContent.directory(tmp.resolve("src")), store))
                .isInstanceOf(LayerPackException.class)
                .hasMessageContaining("etc/caf")
                .hasMessageContaining("cannot be packed: layers hold UTF-8 names");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aNameReservedForWhiteoutsIsRefusedAndNothingIsStored() throws IOException {
        Path src = tmp.resolve("src");
        PackTrees.write(src.resolve("etc/.wh.passwd"), "not a whiteout");
        BlobStore store = BlobStore.open(tmp.resolve("store"));
        assertThatThrownBy(() -> LayerPacker.defaults().pack(LayerContent.directory(src), store))
                .isInstanceOf(LayerPackException.class)
                .hasMessageContaining("'etc/.wh.passwd' cannot be packed")
                .hasMessageContaining("rename it");
        assertThat(store.list()).isEmpty();
        try (var leftovers = Files.list(store.root().resolve("ingest"))) {
            assertThat(leftovers).isEmpty();
        }
    }

    @Test
    void aFileThatShrinksWhilePackedFailsTheLayer() throws IOException {
        Path src = tmp.resolve("src");
        Path big = src.resolve("big");
        Files.createDirectories(src);
        Files.write(big, new byte[1 << 20]);
        PackOptions options = PackOptions.newBuilder().compression(Compression.NONE).build();
        try (PackingStream s = PackingStream.open(LayerContent.directory(src), options, true)) {
            // The header and the first chunk of the file are packed for the first read.
            assertThat(s.readNBytes(600)).hasSize(600);
            Files.write(big, new byte[10]);
            assertThatThrownBy(() -> s.transferTo(OutputStream.nullOutputStream()))
                    .isInstanceOf(LayerPackException.class)
                    .hasMessageContaining("'big'")
                    .hasMessageContaining("shrank while it was being packed");
        }
    }

    @Test
    void aMissingRootIsAnIoError() {
        assertThatThrownBy(() -> LayerPacker.defaults().write(LayerContent.directory(tmp.resolve("nope")),
                OutputStream.nullOutputStream()))
                .isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining("layer root does not exist");
    }

    @Test
    void optionsRefuseConflictsAtBuild() {
        assertThatThrownBy(() -> PackOptions.newBuilder().compression(Compression.GZIP).level(12).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gzip level");
        assertThatThrownBy(() -> PackOptions.newBuilder().compression(Compression.NONE).level(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uncompressed");
        assertThatThrownBy(() -> PackOptions.newBuilder().parallelism(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
        assertThatThrownBy(() -> PackOptions.newBuilder().gzipBlockSize(1000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size");
        PackOptions zstd = PackOptions.newBuilder().compression(Compression.ZSTD).level(19).build();
        assertThat(zstd.toBuilder().build()).isEqualTo(zstd);
        assertThat(PackOptions.DEFAULTS.compression()).isEqualTo(Compression.GZIP);
        assertThat(PackOptions.DEFAULTS.sourceDateEpoch()).isEmpty();
        assertThat(PackOptions.DEFAULTS.xattrs()).isTrue();
        assertThat(PackOptions.DEFAULTS.ownerNames()).isFalse();
    }

    @Test
    void sourceDateEpochIsReadFromTheGivenEnvironment() {
        assertThat(PackOptions.sourceDateEpoch(Map.of("SOURCE_DATE_EPOCH", "1700000000")))
                .contains(Instant.ofEpochSecond(1_700_000_000L));
        assertThat(PackOptions.sourceDateEpoch(Map.of())).isEmpty();
        assertThat(PackOptions.sourceDateEpoch(Map.of("SOURCE_DATE_EPOCH", ""))).isEmpty();
        assertThatThrownBy(() -> PackOptions.sourceDateEpoch(Map.of("SOURCE_DATE_EPOCH", "yesterday")))
                .isInstanceOf(LayerPackException.class)
                .hasMessageContaining("'yesterday'")
                .hasMessageContaining("seconds since");
    }

    @Test
    void xattrsCanBeLeftOutAndSelinuxLabelsNeverGoIn() throws IOException {
        Path src = tmp.resolve("src");
        Path f = PackTrees.write(src.resolve("f"), "x");
        PackTrees.xattr(f, "user.keep", PackTrees.utf8("v"));
        byte[] with = tar(LayerContent.directory(src));
        ByteArrayOutputStream without = new ByteArrayOutputStream();
        LayerPacker.of(PackOptions.newBuilder().compression(Compression.NONE).xattrs(false).build())
                .write(LayerContent.directory(src), without);
        assertThat(entries(with).get(0).getExtraPaxHeaders()).containsEntry("SCHILY.xattr.user.keep", "v");
        assertThat(entries(without.toByteArray()).get(0).getExtraPaxHeaders()).isEmpty();
        assertThat(PackContext.neverRecorded("security.selinux")).isTrue();
        assertThat(PackContext.neverRecorded("trusted.overlay.opaque")).isTrue();
        assertThat(PackContext.neverRecorded("security.capability")).isFalse();
    }

    @Test
    void ownersKeptByARootlessUnpackArePackedBackAsOwners() throws IOException {
        Path src = tmp.resolve("src");
        Path f = PackTrees.write(src.resolve("home/user/f"), "x");
        PackTrees.xattr(f, Unpacker.ROOTLESS_XATTR, Unpacker.rootlessOwner(1000, 2000));
        PackTrees.xattr(f, "user.other", PackTrees.utf8("kept"));
        PackTrees.xattr(src.resolve("home/user"), Unpacker.ROOTLESS_XATTR, Unpacker.rootlessOwner(0, 70_000));
        List<TarArchiveEntry> entries = entries(tar(LayerContent.directory(src)));
        TarArchiveEntry file = entries.get(2);
        assertThat(file.getName()).isEqualTo("home/user/f");
        assertThat(file.getLongUserId()).isEqualTo(1000);
        assertThat(file.getLongGroupId()).isEqualTo(2000);
        assertThat(file.getExtraPaxHeaders()).containsOnlyKeys("SCHILY.xattr.user.other");
        assertThat(entries.get(1).getLongUserId()).isZero();
        assertThat(entries.get(1).getLongGroupId()).isEqualTo(70_000);

        PackTrees.xattr(f, Unpacker.ROOTLESS_XATTR, new byte[] {0x08, (byte) 0x80});
        assertThatThrownBy(() -> tar(LayerContent.directory(src))).isInstanceOf(LayerPackException.class)
                .hasMessageContaining("malformed user.rootlesscontainers");
    }

    @Test
    void aRootlessUnpackPacksBackToTheSameDiffId() throws IOException {
        assumeTrue(PackTrees.root(), "making files with other owners needs root");
        Path src = PackTrees.basic(tmp.resolve("src"));
        PackTrees.owner(src.resolve("etc/hostname"), 1000, 1000);
        PackTrees.owner(src.resolve("srv/shared"), 33, 33);
        BlobStore store = BlobStore.open(tmp.resolve("store"));
        LayerPacker packer = packer(Compression.GZIP);
        PackedLayer layer = packer.pack(LayerContent.directory(src), store);
        Path out = tmp.resolve("out");
        UnpackReport report = Unpacker.defaults().rootless(true).unpack(List.of(source(store, layer)), out);
        assertThat(report.ownershipRecorded()).isEqualTo(2);
        assertThat(packer.pack(LayerContent.directory(out), store).diffId()).isEqualTo(layer.diffId());
    }

    @Test
    void gnuTarReadsTheLayer() throws Exception {
        Path tarTool = dev.ocikit.spec.testing.Tools.require("tar");
        Path src = PackTrees.basic(tmp.resolve("src"));
        Path file = tmp.resolve("layer.tar");
        Files.write(file, tar(LayerContent.directory(src)));
        Process p = new ProcessBuilder(tarTool.toString(), "-tvf", file.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(listing).isZero();
        assertThat(listing).contains("opt/" + "n".repeat(120)).contains("usr/bin/sudo link to usr/bin/su")
                .contains("bin -> usr/bin").doesNotContain("PaxHeaders").doesNotContain("warning");
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
