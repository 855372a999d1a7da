package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.image.Compression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackLookaheadTest {
    private static final PackOptions TAR = PackOptions.newBuilder().compression(Compression.NONE).build();

    @TempDir
    Path tmp;

    @Test
    void everyFileComesOutWithItsOwnContentInOrderAcrossTheSmallFileLimitAndTheMemoryBound() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("d"));
        int[] sizes = {0, 1, 511, 512, 513, 128 * 1024, PackLookahead.SMALL_FILE - 1, PackLookahead.SMALL_FILE,
            PackLookahead.SMALL_FILE + 1, 1 << 20};
        Random random = new Random(42);
        Map<String, byte[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] data = new byte[sizes[i]];
            random.nextBytes(data);
            Files.write(src.resolve("f" + i), data);
            expected.put("f" + i, data);
        }
        // More small-file bytes than the lookahead may hold at once: the walk must wait, not deadlock.
        int many = PackLookahead.MAX_BYTES / PackLookahead.SMALL_FILE + 8;
        for (int i = 0; i < many; i++) {
            byte[] data = new byte[PackLookahead.SMALL_FILE];
            random.nextBytes(data);
            Files.write(src.resolve("d/" + i), data);
            expected.put("d/" + i, data);
        }

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        LayerPacker.of(TAR).write(LayerContent.directory(src), tar);

        Map<String, byte[]> found = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isFile()) {
                    found.put(e.getName(), in.readAllBytes());
                }
            }
        }
        assertThat(found.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, data) -> assertThat(found.get(name)).as(name).isEqualTo(data));
        // Byte order of names, as the packer promises.
        assertThat(found.keySet().iterator().next()).isEqualTo("d/0");
    }

    @Test
    void aSmallFileThatDiffersFromItsRecordedSizeFailsTheLayer() throws IOException {
        Path f = tmp.resolve("f");
        Files.write(f, new byte[100]);
        PackEntry recordedSmaller = entry(f, 50);
        PackEntry recordedLarger = entry(f, 200);

        assertThatThrownBy(() -> PackLookahead.readSmall(recordedSmaller))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("'f'").hasMessageContaining("grew");
        assertThatThrownBy(() -> PackLookahead.readSmall(recordedLarger))
                .isInstanceOf(LayerPackException.class).hasMessageContaining("shrank");
        assertThat(PackLookahead.readSmall(entry(f, 100))).hasSize(100);
    }

    @Test
    void aWalkFailureComesOutAfterTheEntriesBeforeIt() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("b"));
        Files.write(src.resolve("a"), new byte[3000]);
        Files.writeString(src.resolve("b/.wh.x"), "");
        try (PackingStream s = PackingStream.open(LayerContent.directory(src), TAR, true)) {
            // a's header and content, padded, then b/'s header: all written before the failure.
            assertThat(s.readNBytes(512 + 3072 + 512)).hasSize(512 + 3072 + 512);
            assertThatThrownBy(() -> s.transferTo(OutputStream.nullOutputStream()))
                    .isInstanceOf(LayerPackException.class).hasMessageContaining("'b/.wh.x' cannot be packed");
            // and it stays failed
            assertThatThrownBy(() -> s.read(new byte[10]))
                    .isInstanceOf(LayerPackException.class).hasMessageContaining("'b/.wh.x' cannot be packed");
        }
    }

    @Test
    void closingBeforeTheEndStopsTheWalk() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        for (int i = 0; i < PackLookahead.MAX_ENTRIES * 2; i++) {
            Files.writeString(src.resolve("f" + i), "x");
        }
        PackingStream s = PackingStream.open(LayerContent.directory(src), TAR, true);
        assertThat(s.readNBytes(10)).hasSize(10);
        Thread walker = s.lookahead().walker();
        s.close();
        walker.join(30_000);
        assertThat(walker.isAlive()).isFalse();
    }

    private static PackEntry entry(Path f, long size) {
        return new PackEntry(f.getFileName().toString(), PackEntry.Type.FILE, 0644, 0, 0, "", "", 0, size, "", 0, 0,
                null, Optional.of(f));
    }
}
