package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots mounted for real: the overlayfs merged view of an image's layer snapshots is the
 * tree {@link Unpacker} writes for the same layers, file for file (whiteouts and opaque
 * directories resolved by the kernel, the 0/0 devices and the opaque xattr invisible).
 */
class LayerSnapshotsIT {
    @TempDir
    Path tmp;

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s\n%s", List.of(command), output).isZero();
        return output;
    }

    @Test
    void theOverlayOfTheSnapshotsIsTheUnpackedTree() throws Exception {
        String mount = Tools.require("mount").toString();
        String umount = Tools.require("umount").toString();
        assumeTrue(Unpacker.isRoot(), "overlay mounts and whiteout devices need root");
        TestImage image = TestImage.write(tmp.resolve("layout"), TestImage.wellFormedLayerTars());
        LayerSnapshots snapshots = LayerSnapshots.at(tmp.resolve("snapshots"));
        LayerSnapshots.Chain chain = snapshots.prepare(image.layers);
        Unpacker.defaults().rootless(false).unpack(image.layers, tmp.resolve("flat"));

        Path merged = Files.createDirectory(tmp.resolve("merged"));
        run(mount, "-t", "overlay", "overlay", "-o", "ro,lowerdir=" + chain.overlayLowerdir(), merged.toString());
        Map<String, String> overlay;
        try {
            overlay = RootfsTree.describe(merged, true, x -> true);
        } finally {
            run(umount, merged.toString());
        }
        Map<String, String> flat = RootfsTree.describe(tmp.resolve("flat"), true, x -> true);
        assertThat(overlay).isEqualTo(flat);
        assertThat(overlay).containsKeys("usr/bin/ping", "dev/null", "dev/initctl", "opt/app/c", "home/user/notes", "run/new")
                .doesNotContainKeys("etc/old", "opt/app/a", "srv", "home/user/big-ids", "run/lower");

        // A second image sharing the base layer reuses its snapshot as it is.
        List<LayerSource> shared = new ArrayList<>(image.layers.subList(0, 1));
        LayerSnapshots.Chain again = snapshots.prepare(shared);
        assertThat(again.directories().get(0)).isEqualTo(chain.directories().get(0));
    }
}
