package dev.ocikit.image.archive;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.testing.OciLayoutFixture;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.spec.image.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** oci-archive's own part: a layout to a tar and back, safely. Needs no oci: transport. */
class LayoutArchiveTest {
    @TempDir
    Path dir;

    private final TestImages.Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "layout");

    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String name = root.relativize(p).toString();
                out.put(name, Files.isDirectory(p) ? "dir" : Files.isSymbolicLink(p) ? "link"
                        : dev.ocikit.spec.Digest.sha256(Files.readAllBytes(p)).toString());
            }
        }
        return out;
    }

    private byte[] archive(Path layout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayoutArchive.write(layout, out);
        return out.toByteArray();
    }

    @Test
    void aLayoutSurvivesArchivingAndExtraction() throws IOException {
        Path layout = OciLayoutFixture.write(dir.resolve("layout"), "v1", image);
        Path tar = Files.write(dir.resolve("l.tar"), archive(layout));
        Path out = Files.createDirectory(dir.resolve("out"));
        LayoutArchive.extract(tar, out);
        assertThat(tree(out)).isEqualTo(tree(layout));
        assertThat(DockerArchiveTest.members(tar).keySet()).startsWith("blobs/", "blobs/sha256/")
                .contains("oci-layout", "index.json");
    }

    @Test
    void theSameLayoutGivesTheSameBytes() throws IOException {
        Path a = OciLayoutFixture.write(dir.resolve("a"), "v1", image);
        Path b = OciLayoutFixture.write(dir.resolve("b"), "v1", image);
        Files.setLastModifiedTime(b.resolve("index.json"), java.nio.file.attribute.FileTime.fromMillis(12345));
        assertThat(archive(a)).isEqualTo(archive(b));
    }

    @Test
    void aCompressedArchiveIsExtracted() throws IOException {
        Path layout = OciLayoutFixture.write(dir.resolve("layout"), "v1", image);
        Path gz = Files.write(dir.resolve("l.tar.gz"), TestImages.compress(Compression.ZSTD, archive(layout)));
        Path out = Files.createDirectory(dir.resolve("out"));
        LayoutArchive.extract(gz, out);
        assertThat(tree(out)).isEqualTo(tree(layout));
    }

    @Test
    void membersNamedOutsideTheArchiveAreRefusedAndNothingLeaks() throws IOException {
        Path target = Files.createDirectories(dir.resolve("deep/target"));
        Path tar = new TarFixture()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2,\"manifests\":[]}")
                .file("../evil", "x")
                .writeTo(dir.resolve("evil.tar"));
        assertThatThrownBy(() -> LayoutArchive.extract(tar, target))
                .isInstanceOf(MalformedArchiveException.class)
                .hasMessageContaining("../evil");
        assertThat(dir.resolve("deep/evil")).doesNotExist();
    }

    @Test
    void linksAreWrittenAsPlainFilesAndNeverFollowedOut() throws IOException {
        Path target = Files.createDirectory(dir.resolve("t"));
        Path inside = new TarFixture()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{}")
                .symlink("blobs/sha256/link", "../../index.json")
                .writeTo(dir.resolve("in.tar"));
        LayoutArchive.extract(inside, target);
        assertThat(target.resolve("blobs/sha256/link")).isRegularFile().hasContent("{}");

        Path escape = new TarFixture()
                .file("oci-layout", "{}")
                .file("index.json", "{}")
                .symlink("blobs/x", "../../../etc/passwd")
                .writeTo(dir.resolve("out.tar"));
        assertThatThrownBy(() -> LayoutArchive.extract(escape, Files.createDirectory(dir.resolve("t2"))))
                .isInstanceOf(MalformedArchiveException.class)
                .hasMessageContaining("outside the archive");
    }

    @Test
    void anArchiveThatIsNoLayoutIsRefused() {
        Path tar = new TarFixture().file("manifest.json", "[]").writeTo(dir.resolve("docker.tar"));
        assertThatThrownBy(() -> LayoutArchive.extract(tar, dir))
                .isInstanceOf(MalformedArchiveException.class)
                .hasMessageContaining("not an OCI image layout");
    }

    @Test
    void aLayoutWithASymlinkIsNotArchived() throws IOException {
        Path layout = OciLayoutFixture.write(dir.resolve("layout"), "v1", image);
        Files.createSymbolicLink(layout.resolve("blobs/sneaky"), Path.of("/etc/passwd"));
        assertThatThrownBy(() -> archive(layout)).isInstanceOf(IOException.class)
                .hasMessageContaining("blobs/sneaky");
    }
}
