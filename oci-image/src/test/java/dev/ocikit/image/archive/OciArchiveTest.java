package dev.ocikit.image.archive;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static dev.ocikit.image.testing.TestImages.ARM64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.image.testing.MemoryTransport;
import dev.ocikit.image.testing.OciTransport;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * oci-archive: end to end over ocikit's own oci: transport, found on the class path (see
 * {@link OciTransport}); {@link OciArchiveOverTestLayoutTest} runs the same tests over a stand-in oci: made for
 * tests, so the archive side is proven before both are merged.
 */
class OciArchiveTest {
    @TempDir
    Path dir;

    final MemoryTransport mem = new MemoryTransport();
    Transports transports;

    @BeforeEach
    void transports() {
        transports = transportsUnderTest();
    }

    Transports transportsUnderTest() {
        OciTransport.require();
        return Transports.load();
    }

    private static List<Path> temporaries() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("ocikit-oci-archive-")).toList();
        }
    }

    @Test
    void anImageRoundTripsWithEveryDigestKept() throws IOException {
        TestImages.Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "oa");
        mem.put("src", image);
        List<Path> before = temporaries();
        Path tar = dir.resolve("a.tar");
        CopyResult out = Copy.from(mem.ref("src")).to(transports.parse("oci-archive:" + tar + ":v1")).run();
        assertThat(out.manifestDigest()).isEqualTo(image.manifest().digest());
        assertThat(DockerArchiveTest.members(tar).keySet()).contains("oci-layout", "index.json",
                "blobs/sha256/" + image.manifest().digest().encoded());
        // what the image-spec defines and nothing else (no locks, pins or unfinished blobs), as skopeo writes it,
        // so that the same image gives the same archive
        assertThat(DockerArchiveTest.members(tar).keySet())
                .allMatch(m -> m.equals("oci-layout") || m.equals("index.json") || m.startsWith("blobs"));
        Path again = dir.resolve("b.tar");
        Copy.from(mem.ref("src")).to(transports.parse("oci-archive:" + again + ":v1")).run();
        assertThat(again).hasSameBinaryContentAs(tar);

        MemoryTransport back = new MemoryTransport();
        CopyResult in = Copy.from(transports.parse("oci-archive:" + tar + ":v1")).to(back.ref("dst")).run();
        assertThat(in.manifestDigest()).isEqualTo(image.manifest().digest());
        image.blobs().forEach((d, b) -> assertThat(back.blob(d)).isEqualTo(b));
        assertThat(temporaries()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void aWholeIndexRoundTrips() throws IOException {
        TestImages.Index index = TestImages.index(ManifestFormat.OCI, Compression.GZIP, List.of(AMD64, ARM64));
        mem.put("idx", index);
        Path tar = dir.resolve("i.tar");
        Copy.from(mem.ref("idx")).to(transports.parse("oci-archive:" + tar + ":multi")).allPlatforms().run();
        MemoryTransport back = new MemoryTransport();
        CopyResult r = Copy.from(transports.parse("oci-archive:" + tar + ":multi")).to(back.ref("dst"))
                .allPlatforms().run();
        assertThat(r.manifestDigest()).isEqualTo(index.index().digest());
    }

    @Test
    void writingReplacesTheArchiveAsSkopeoDoes() throws IOException {
        TestImages.Image first = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "first");
        TestImages.Image second = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "second");
        mem.put("a", first);
        mem.put("b", second);
        Path tar = dir.resolve("r.tar");
        Copy.from(mem.ref("a")).to(transports.parse("oci-archive:" + tar + ":t")).run();
        Copy.from(mem.ref("b")).to(transports.parse("oci-archive:" + tar + ":t")).run();
        CopyResult r = Copy.from(transports.parse("oci-archive:" + tar + ":t")).to(new MemoryTransport().ref("x")).run();
        assertThat(r.manifestDigest()).isEqualTo(second.manifest().digest());
    }

    @Test
    void aFailedCopyLeavesNoArchiveAndNoTemporaryDirectory() throws IOException {
        TestImages.Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "bad");
        mem.put("src", image);
        mem.corrupt(image.model().layers().get(0).digest(), new byte[] {1, 2, 3});
        List<Path> before = temporaries();
        Path tar = dir.resolve("f.tar");
        assertThatThrownBy(() -> Copy.from(mem.ref("src")).to(transports.parse("oci-archive:" + tar + ":t")).run())
                .isInstanceOf(DigestMismatchException.class);
        assertThat(dir).isEmptyDirectory();
        assertThat(temporaries()).containsExactlyInAnyOrderElementsOf(before);
    }
}
