package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerFilesTest {
    @TempDir
    Path tmp;
    int n;

    /** A gzip layer of name to content; a null content is a directory. */
    private LayerSource layer(Map<String, String> entries) throws IOException {
        Path p = tmp.resolve("layer" + n++ + ".tar.gz");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(p)))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry(e.getKey());
                byte[] body = e.getValue() == null ? new byte[0] : e.getValue().getBytes(StandardCharsets.UTF_8);
                t.setSize(body.length);
                tar.putArchiveEntry(t);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        return LayerSource.of(p);
    }

    private static String read(List<LayerSource> layers, String path) throws IOException {
        return LayerFiles.read(layers, path, 1024).map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void theTopLayerThatHasOrDeletesTheFileDecides() throws IOException {
        LayerSource base = layer(Map.of("etc/passwd", "base", "etc/group", "g"));
        LayerSource changed = layer(Map.of("./etc/passwd", "changed"));
        LayerSource deleted = layer(Map.of("etc/.wh.passwd", ""));
        LayerSource opaque = layer(Map.of("etc/.wh..wh..opq", "", "etc/hosts", "h"));
        LayerSource dirGone = layer(Map.of(".wh.etc", ""));
        LayerSource unrelated = layer(Map.of("usr/bin/x", "x", "etc/.wh.passwdx", ""));

        assertThat(read(List.of(base), "/etc/passwd")).isEqualTo("base");
        assertThat(read(List.of(base, changed, unrelated), "etc/passwd")).isEqualTo("changed");
        assertThat(read(List.of(base, deleted), "etc/passwd")).isNull();
        assertThat(read(List.of(base, deleted, changed), "etc/passwd")).isEqualTo("changed");
        assertThat(read(List.of(base, opaque), "etc/group")).isNull();
        assertThat(read(List.of(base, dirGone), "etc/group")).isNull();
        assertThat(read(List.of(base, unrelated), "etc/passwd")).isEqualTo("base");
        assertThat(read(List.of(), "etc/passwd")).isNull();
    }

    @Test
    void aFileLargerThanAllowedIsRefused() throws IOException {
        LayerSource big = layer(Map.of("etc/passwd", "x".repeat(2000)));
        assertThatThrownBy(() -> LayerFiles.read(List.of(big), "etc/passwd", 1024))
                .isInstanceOf(LayerTooLargeException.class).hasMessageContaining("etc/passwd");
    }
}
