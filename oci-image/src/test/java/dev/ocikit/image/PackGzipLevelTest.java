package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackGzipLevelTest {
    @TempDir
    Path tmp;

    private static PackedLayer pack(Path src, int level) throws IOException {
        PackOptions o = PackOptions.newBuilder().compression(Compression.GZIP).level(level)
                .sourceDateEpoch(Instant.parse("2020-02-02T02:02:02Z")).build();
        return LayerPacker.of(o).write(LayerContent.directory(src), OutputStream.nullOutputStream());
    }

    @Test
    void theDefaultGzipLevelIsFourAndOnlyTheBlobDependsOnTheLevel() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("GET /item/").append(i % 977).append(" HTTP/1.1 200 ").append(i * 31 % 5000).append('\n');
        }
        Files.writeString(src.resolve("access.log"), text);

        PackedLayer byDefault = pack(src, -1);
        PackedLayer four = pack(src, 4);
        PackedLayer six = pack(src, 6);

        assertThat(byDefault.digest()).isEqualTo(four.digest());
        assertThat(six.digest()).isNotEqualTo(four.digest());
        assertThat(six.diffId()).isEqualTo(four.diffId());
    }
}
