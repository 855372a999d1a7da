package dev.ocikit.image;

import static dev.ocikit.image.LayerPackerTest.entries;
import static dev.ocikit.image.PackTrees.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.image.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SortedMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffLayerTest {
    static final Instant T = Instant.parse("2022-03-04T05:06:07Z");

    @TempDir
    Path tmp;

    BlobStore store;

    @BeforeEach
    void root() throws IOException {
        assumeTrue(PackTrees.root(), "diff layers are checked by unpacking with owners, devices and xattrs: needs root");
        store = BlobStore.open(tmp.resolve("store"));
    }

    /** The base both sides start from: the sample trees plus what the changes below work on. */
    static Path base(Path root) throws IOException {
        PackTrees.privileged(PackTrees.basic(root));
        PackTrees.write(root.resolve("etc/motd"), "welcome\n");
        PackTrees.write(root.resolve("etc/config"), "aaaa\n");
        PackTrees.write(root.resolve("etc/old"), "old\n");
        PackTrees.write(root.resolve("usr/share/doc/readme"), "docs\n");
        PackTrees.write(root.resolve("usr/share/doc/more/faq"), "faq\n");
        for (String n : List.of("a", "b", "c")) {
            PackTrees.write(root.resolve("var/cache/" + n), n);
        }
        PackTrees.write(root.resolve("usr/bin/tool"), "tool\n");
        PackTrees.mode(root.resolve("usr/bin/tool"), 0755);
        Files.createSymbolicLink(root.resolve("srv/link"), Path.of("one"));
        PackTrees.write(root.resolve("opt/dir-to-file/inner"), "inner\n");
        PackTrees.write(root.resolve("opt/file-to-dir"), "file\n");
        return root;
    }

    /** Everything a container might do to the base, done to {@code root} directly. */
    static void change(Path root) throws IOException {
        Files.delete(root.resolve("etc/motd"));
        Files.delete(root.resolve("etc/old"));
        Unpacker.deleteRecursively(root.resolve("usr/share/doc"));
        for (String n : List.of("a", "b", "c")) {
            Files.delete(root.resolve("var/cache/" + n));
        }
        PackTrees.write(root.resolve("var/cache/d"), "d");
        Files.writeString(root.resolve("etc/config"), "bbbb\n"); // same size: only the bytes tell
        PackTrees.mode(root.resolve("usr/bin/tool"), 0700);
        Files.delete(root.resolve("srv/link"));
        Files.createSymbolicLink(root.resolve("srv/link"), Path.of("two"));
        Unpacker.deleteRecursively(root.resolve("opt/dir-to-file"));
        PackTrees.write(root.resolve("opt/dir-to-file"), "now a file\n");
        Files.delete(root.resolve("opt/file-to-dir"));
        PackTrees.write(root.resolve("opt/file-to-dir/x"), "now a directory\n");
        PackTrees.xattr(root.resolve("etc/hostname"), "user.binary", new byte[] {1, 2, 3});
        PackTrees.owner(root.resolve("home/user/.profile"), 1000, 2000);
        PackTrees.write(root.resolve("new/file"), "new\n");
    }

    PackedLayer pack(LayerContent content, PackOptions options) throws IOException {
        return LayerPacker.of(options).pack(content, store);
    }

    SortedMap<String, String> unpack(String name, PackedLayer... layers) throws IOException {
        Path out = tmp.resolve(name);
        Unpacker.defaults().unpack(java.util.Arrays.stream(layers).map(l -> LayerPackerTest.source(store, l)).toList(), out);
        return snapshot(out);
    }

    @Test
    void aBeforeAfterDiffHoldsExactlyTheChangesAndUnpacksOntoTheLowerToTheUpper() throws IOException {
        Path lower = base(tmp.resolve("lower"));
        Path upper = base(tmp.resolve("upper"));
        change(upper);
        // Same times everywhere, so that only real changes differ (etc/config only by its bytes).
        PackTrees.touchAll(lower, T);
        PackTrees.touchAll(upper, T);
        PackOptions options = PackOptions.newBuilder().build();

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        LayerPacker.of(options.toBuilder().compression(Compression.NONE).build())
                .write(LayerContent.diff(lower, upper), tar);
        assertThat(entries(tar.toByteArray())).extracting(TarArchiveEntry::getName).containsExactly(
                "etc/.wh.motd", "etc/.wh.old", "etc/config", "etc/hostname",
                "home/user/.profile",
                "new/", "new/file",
                "opt/dir-to-file", "opt/file-to-dir/", "opt/file-to-dir/x",
                "srv/link",
                "usr/bin/tool",
                "usr/share/.wh.doc",
                "var/cache/.wh..wh..opq", "var/cache/d");

        PackedLayer base = pack(LayerContent.directory(lower), options);
        PackedLayer diff = pack(LayerContent.diff(lower, upper), options);
        PackedLayer full = pack(LayerContent.directory(upper), options);
        assertThat(unpack("applied", base, diff)).isEqualTo(unpack("expected", full)).isEqualTo(snapshot(upper));
    }

    @Test
    void identicalTreesGiveAnEmptyDiff() throws IOException {
        Path lower = base(tmp.resolve("lower"));
        Path upper = base(tmp.resolve("upper"));
        PackTrees.touchAll(lower, T);
        PackTrees.touchAll(upper, T);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        PackedLayer layer = LayerPacker.of(PackOptions.newBuilder().compression(Compression.NONE).build())
                .write(LayerContent.diff(lower, upper), tar);
        assertThat(entries(tar.toByteArray())).isEmpty();
        assertThat(layer.uncompressedSize()).isEqualTo(1024);
    }

    @Test
    void aChangedTimeAloneIsAChange() throws IOException {
        Path lower = base(tmp.resolve("lower"));
        Path upper = base(tmp.resolve("upper"));
        PackTrees.touchAll(lower, T);
        PackTrees.touchAll(upper, T);
        PackTrees.mtime(upper.resolve("etc/config"), T.plusSeconds(60));
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        LayerPacker.of(PackOptions.newBuilder().compression(Compression.NONE).build())
                .write(LayerContent.diff(lower, upper), tar);
        assertThat(entries(tar.toByteArray())).extracting(TarArchiveEntry::getName).containsExactly("etc/config");
    }

    /**
     * An upper directory as overlayfs leaves it after the same changes: whiteouts are 0/0
     * character devices (or, on newer kernels, empty files with an overlay.whiteout attribute),
     * a directory that was removed and made again is marked opaque, and directories on the way to
     * a change are copied up with overlayfs' own bookkeeping attributes.
     */
    static Path overlayUpper(Path upper) throws IOException {
        Files.createDirectories(upper.resolve("etc"));
        PackTrees.xattr(upper.resolve("etc"), "trusted.overlay.impure", new byte[] {'y'});
        PackTrees.xattr(upper.resolve("etc"), "trusted.overlay.origin", new byte[] {0, 0x1f, 5});
        PackTrees.device(upper.resolve("etc/motd"), LibC.S_IFCHR, 0, 0);
        PackTrees.write(upper.resolve("etc/old"), "");
        PackTrees.xattr(upper.resolve("etc/old"), "trusted.overlay.whiteout", new byte[0]);
        PackTrees.write(upper.resolve("etc/config"), "bbbb\n");
        Files.createDirectories(upper.resolve("usr/share"));
        PackTrees.device(upper.resolve("usr/share/doc"), LibC.S_IFCHR, 0, 0);
        PackTrees.write(upper.resolve("var/cache/d"), "d");
        PackTrees.xattr(upper.resolve("var/cache"), "trusted.overlay.opaque", new byte[] {'y'});
        PackTrees.write(upper.resolve("opt/file-to-dir/x"), "now a directory\n");
        PackTrees.xattr(upper.resolve("opt/file-to-dir"), "trusted.overlay.opaque", new byte[] {'y'});
        PackTrees.write(upper.resolve("opt/dir-to-file"), "now a file\n");
        PackTrees.write(upper.resolve("new/file"), "new\n");
        Files.createDirectories(upper.resolve("srv"));
        Files.createSymbolicLink(upper.resolve("srv/link"), Path.of("two"));
        return upper;
    }

    @Test
    void anOverlayUpperDirectoryBecomesALayerWithOciWhiteouts() throws IOException {
        Path lower = base(tmp.resolve("lower"));
        Path upper = overlayUpper(tmp.resolve("upper"));
        Path merged = base(tmp.resolve("merged"));
        change(merged);
        // The hand-made upper did not change owner, mode or xattr: keep the expectation to what it did.
        PackTrees.owner(merged.resolve("home/user/.profile"), 1000, 1000);
        PackTrees.mode(merged.resolve("usr/bin/tool"), 0755);
        PackTrees.xattr(merged.resolve("etc/hostname"), "user.binary", PackTrees.BINARY);
        PackOptions clamped = PackOptions.newBuilder().sourceDateEpoch(T).build();

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        LayerPacker.of(clamped.toBuilder().compression(Compression.NONE).build())
                .write(LayerContent.overlayUpper(upper), tar);
        List<TarArchiveEntry> entries = entries(tar.toByteArray());
        assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly(
                "etc/", "etc/.wh.motd", "etc/.wh.old", "etc/config",
                "new/", "new/file",
                "opt/", "opt/dir-to-file", "opt/file-to-dir/", "opt/file-to-dir/.wh..wh..opq", "opt/file-to-dir/x",
                "srv/", "srv/link",
                "usr/", "usr/share/", "usr/share/.wh.doc",
                "var/", "var/cache/", "var/cache/.wh..wh..opq", "var/cache/d");
        assertThat(entries.get(0).getExtraPaxHeaders()).isEmpty(); // overlay's own attributes are not content

        PackedLayer base = pack(LayerContent.directory(lower), clamped);
        PackedLayer diff = pack(LayerContent.overlayUpper(upper), clamped);
        PackedLayer full = pack(LayerContent.directory(merged), clamped);
        assertThat(unpack("applied", base, diff)).isEqualTo(unpack("expected", full));
    }

    @Test
    void anOverlayUpperWithMetacopyIsRefused() throws IOException {
        Path upper = tmp.resolve("upper");
        Path f = PackTrees.write(upper.resolve("usr/bin/tool"), "");
        PackTrees.xattr(f, "trusted.overlay.metacopy", new byte[0]);
        assertThatThrownBy(() -> pack(LayerContent.overlayUpper(upper), PackOptions.DEFAULTS))
                .isInstanceOf(LayerPackException.class)
                .hasMessageContaining("'usr/bin/tool'")
                .hasMessageContaining("metacopy=off");
        assertThat(store.list()).isEmpty();
    }
}
