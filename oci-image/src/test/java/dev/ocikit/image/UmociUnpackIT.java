package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same hand-written OCI layout unpacked by the real {@code umoci unpack} and by
 * {@link Unpacker} gives the same tree: names, types, modes, owners, link targets, sizes,
 * contents, hard-link groups, xattrs and the mtimes of everything but directories (which umoci
 * does not restore exactly either: writing a directory's children touches it).
 */
class UmociUnpackIT {
    @TempDir
    Path tmp;

    private static void umoci(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Tools.require("umoci").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s\n%s", command, output).isZero();
    }

    /**
     * A known difference: bsdtar writes xattrs as {@code LIBARCHIVE.xattr.<url-encoded name>=<base64>};
     * Go's archive/tar, hence umoci, only reads {@code SCHILY.xattr.*} and drops them. We apply them.
     */
    private static void libarchiveXattrIsOursAlone(Map<String, String> theirs, Map<String, String> ours) {
        String theirLine = theirs.remove("opt/libarchive");
        assertThat(theirLine).doesNotContain("xattr");
        assertThat(ours.remove("opt/libarchive")).isEqualTo(theirLine + " xattr user.from bsdtar=76616c7565");
    }

    @Test
    void privilegedUnpackGivesTheTreeUmociGives() throws Exception {
        Tools.require("umoci");
        assumeTrue(Unpacker.isRoot(), "a privileged unpack needs root");
        TestImage image = TestImage.write(tmp.resolve("layout"), TestImage.layerTars());
        umoci("unpack", "--image", image.layout + ":" + TestImage.TAG, tmp.resolve("bundle").toString());
        UnpackReport report = Unpacker.defaults().rootless(false).unpack(image.layers, tmp.resolve("ours"));

        Map<String, String> theirs = RootfsTree.describe(tmp.resolve("bundle/rootfs"), true, x -> true);
        Map<String, String> ours = RootfsTree.describe(tmp.resolve("ours"), true, x -> true);
        libarchiveXattrIsOursAlone(theirs, ours);
        assertThat(ours).isEqualTo(theirs);
        assertThat(ours).containsKeys("usr/bin/ping", "dev/null", "dev/initctl", "etc/passwd-", "run/new")
                .doesNotContainKeys("etc/old", "opt/app/a", "srv", "home/user/big-ids", "run/lower");
        assertThat(LibC.getXattr(tmp.resolve("ours/usr/bin/ping").toString(), "security.capability"))
                .isEqualTo(TestImage.CAPABILITY);
        assertThat(report.skippedCount()).isZero();
    }

    @Test
    void rootlessUnpackGivesTheTreeUmociRootlessGives() throws Exception {
        Tools.require("umoci");
        TestImage image = TestImage.write(tmp.resolve("layout"), TestImage.layerTars());
        umoci("unpack", "--rootless", "--image", image.layout + ":" + TestImage.TAG, tmp.resolve("bundle").toString());
        UnpackReport report = Unpacker.defaults().rootless(true).unpack(image.layers, tmp.resolve("ours"));

        // Both trees belong to the caller; ownership lives in user.rootlesscontainers, compared byte for byte.
        Map<String, String> theirs = RootfsTree.describe(tmp.resolve("bundle/rootfs"), false, x -> true);
        Map<String, String> ours = RootfsTree.describe(tmp.resolve("ours"), false, x -> true);
        // The one difference, by design: umoci leaves an empty 0666 file where a device node
        // was; ocikit creates nothing and reports it (the rule, and what Docker and
        // containers/storage do rootless).
        assertThat(theirs.remove("dev/null")).startsWith("file mode=0666 size=0 ");
        assertThat(report.skipped()).contains("dev/null: character device 1:3 not created in rootless mode");
        libarchiveXattrIsOursAlone(theirs, ours);
        assertThat(ours).isEqualTo(theirs);
        assertThat(ours.get("home/user/notes")).contains("xattr user.rootlesscontainers=08e80710e807");
        assertThat(ours.get("etc/shadow")).contains("xattr user.rootlesscontainers=08ffffffff0f102a");
        assertThat(report.ownershipRecorded()).isPositive();
    }
}
