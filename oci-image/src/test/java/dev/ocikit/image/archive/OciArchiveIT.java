package dev.ocikit.image.archive;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.image.testing.MemoryTransport;
import dev.ocikit.image.testing.OciLayoutFixture;
import dev.ocikit.image.testing.OciTransport;
import dev.ocikit.image.testing.Processes;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo reads the OCI archives ocikit writes, and ocikit reads the ones skopeo writes: over
 * ocikit's oci: transport, and ({@link OciArchiveOverTestLayoutIT}) over the test stand-in for it.
 */
class OciArchiveIT {
    @TempDir
    Path dir;

    private Path skopeo;
    private Transports transports;
    private final TestImages.Image image = TestImages.image(ManifestFormat.OCI, dev.ocikit.spec.image.Compression.GZIP, 2, AMD64, "oci-it");

    @BeforeEach
    void needs() {
        skopeo = Tools.require("skopeo");
        transports = transportsUnderTest();
    }

    Transports transportsUnderTest() {
        OciTransport.require();
        return Transports.load();
    }

    @Test
    void skopeoReadsOurArchive() throws IOException {
        MemoryTransport mem = new MemoryTransport();
        mem.put("src", image);
        Path tar = dir.resolve("ours.tar");
        Copy.from(mem.ref("src")).to(transports.parse("oci-archive:" + tar + ":v1")).run();
        String raw = Processes.run(skopeo, "inspect", "--raw", "oci-archive:" + tar + ":v1").ok().stdout();
        assertThat(raw.getBytes(StandardCharsets.UTF_8)).isEqualTo(image.manifest().bytes());
        Processes.run(skopeo, "--insecure-policy", "copy", "oci-archive:" + tar + ":v1",
                "oci:" + dir.resolve("layout") + ":v1").ok();
    }

    @Test
    void weReadTheArchivesSkopeoWrites() throws IOException {
        Path layout = OciLayoutFixture.write(dir.resolve("layout"), "v1", image);
        Path tar = dir.resolve("theirs.tar");
        Processes.run(skopeo, "--insecure-policy", "copy", "oci:" + layout + ":v1", "oci-archive:" + tar + ":v1").ok();
        MemoryTransport back = new MemoryTransport();
        CopyResult r = Copy.from(transports.parse("oci-archive:" + tar + ":v1")).to(back.ref("dst")).run();
        assertThat(r.manifestDigest()).isEqualTo(image.manifest().digest());
        image.blobs().forEach((d, b) -> assertThat(back.blob(d)).isEqualTo(b));
    }
}
