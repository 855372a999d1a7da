package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay upper directory that the kernel itself writes, packed as a diff layer: applied on
 * top of the lower layer, it gives what the mount showed.
 */
class OverlayUpperIT {
    @TempDir
    Path tmp;

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            System.err.println(String.join(" ", command) + ": " + out);
        }
        return code;
    }

    @Test
    void theKernelsUpperDirectoryAppliedOnTheLowerGivesTheMergedView() throws Exception {
        assumeTrue(PackTrees.root(), "mounting overlayfs needs root");
        Path mount = Tools.require("mount");
        Path umount = Tools.require("umount");
        Path lower = DiffLayerTest.base(tmp.resolve("lower"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        int mounted = run(mount.toString(), "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir=" + upper
                + ",workdir=" + work + ",redirect_dir=off,metacopy=off", merged.toString());
        assumeTrue(mounted == 0, "overlayfs cannot be mounted here (no CAP_SYS_ADMIN, or no overlay support)");

        BlobStore store = BlobStore.open(tmp.resolve("store"));
        LayerPacker packer = LayerPacker.of(PackOptions.newBuilder()
                .sourceDateEpoch(Instant.parse("2022-01-01T00:00:00Z")).build());
        PackedLayer expected;
        try {
            DiffLayerTest.change(merged);
            expected = packer.pack(LayerContent.directory(merged), store);
        } finally {
            assertThat(run(umount.toString(), merged.toString())).isZero();
        }
        // The kernel really wrote overlay whiteouts and an opaque directory: this is not a plain diff.
        assertThat(FileMeta.of(upper.resolve("etc/motd"), false).isCharDevice()).isTrue();
        assertThat(TreeWalk.isOpaque(PackContext.readXattrs(upper.resolve("opt/file-to-dir")))).isTrue();

        PackedLayer base = packer.pack(LayerContent.directory(lower), store);
        PackedLayer diff = packer.pack(LayerContent.overlayUpper(upper), store);
        assertThat(unpack(store, tmp.resolve("applied"), base, diff))
                .isEqualTo(unpack(store, tmp.resolve("expected"), expected));
    }

    private static SortedMap<String, String> unpack(BlobStore store, Path out, PackedLayer... layers) throws IOException {
        List<LayerSource> sources = java.util.Arrays.stream(layers).map(l -> LayerPackerTest.source(store, l)).toList();
        Unpacker.defaults().unpack(sources, out);
        return PackTrees.snapshot(out);
    }
}
