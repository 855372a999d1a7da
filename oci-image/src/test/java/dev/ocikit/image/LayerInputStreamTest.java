package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class LayerInputStreamTest {
    static byte[] sampleTar() {
        // Content only matters as bytes here; half random, half compressible.
        byte[] data = new byte[300_000];
        Random r = new Random(7);
        for (int i = 0; i < data.length / 2; i++) {
            data[i] = (byte) r.nextInt();
        }
        data[0] = 'e'; // a tar starts with a file name, never a magic number
        return data;
    }

    static byte[] compress(Compression c, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream os = LayerCodecs.compress(c, out)) {
            os.write(data);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void roundTripsAndComputesDiffId(Compression c) throws IOException {
        byte[] tar = sampleTar();
        byte[] blob = compress(c, tar);
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(blob), c, LayerLimits.DEFAULT)) {
            assertThat(in.readAllBytes()).isEqualTo(tar);
            assertThat(in.diffId()).isEqualTo(Digest.sha256(tar));
            assertThat(in.compression()).isEqualTo(c);
            assertThat(in.uncompressedSize()).isEqualTo(tar.length);
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void compressionIsDeterministic(Compression c) throws IOException {
        assertThat(compress(c, sampleTar())).isEqualTo(compress(c, sampleTar()));
    }

    @Test
    void bytesWinOverALyingMediaType() throws IOException {
        byte[] tar = sampleTar();
        byte[] zstd = compress(Compression.ZSTD, tar);
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(zstd),
                MediaTypes.layerCompression("application/vnd.oci.image.layer.v1.tar+gzip").orElseThrow(), LayerLimits.DEFAULT)) {
            assertThat(in.readAllBytes()).isEqualTo(tar);
            assertThat(in.compression()).isEqualTo(Compression.ZSTD);
        }
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(tar), Compression.GZIP, LayerLimits.DEFAULT)) {
            assertThat(in.readAllBytes()).isEqualTo(tar);
            assertThat(in.compression()).isEqualTo(Compression.NONE);
        }
    }

    @Test
    void gzipBombStopsAtTheLimit() throws IOException {
        byte[] zeros = new byte[8 << 20];
        byte[] bomb = compress(Compression.GZIP, zeros);
        assertThat(bomb.length).isLessThan(zeros.length / 100);
        LayerLimits limits = LayerLimits.DEFAULT.withMaxUncompressedSize(1 << 20);
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(bomb), Compression.GZIP, limits)) {
            assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream()))
                    .isInstanceOf(LayerTooLargeException.class)
                    .hasMessageContaining("more than 1048576 bytes uncompressed")
                    .hasMessageContaining("decompression bomb");
        }
    }

    @Test
    void zstdWindowBeyondTheLimitIsRefused() throws IOException {
        byte[] data = sampleTar();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(out, 3)) {
            z.setWindowLog(24); // a 16 MiB window, declared in the frame header
            z.write(data);
        }
        LayerLimits limits = LayerLimits.DEFAULT.withMaxZstdWindowLog(20);
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(out.toByteArray()), Compression.ZSTD, limits)) {
            assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(LayerInputStream.CorruptLayerException.class)
                    .hasMessageContaining("larger window than allowed");
        }
    }

    @Test
    void corruptGzipIsATypedError() throws IOException {
        byte[] blob = compress(Compression.GZIP, sampleTar());
        for (int i = 20; i < 60; i++) {
            blob[i] ^= 0x5a;
        }
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(blob), Compression.GZIP, LayerLimits.DEFAULT)) {
            assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(LayerInputStream.CorruptLayerException.class)
                    .hasMessageContaining("not valid gzip data");
        }
    }

    /** Hands out a few bytes a read and says nothing is available, as a network stream between chunks does. */
    static final class Trickle extends java.io.FilterInputStream {
        Trickle(byte[] data) {
            super(new ByteArrayInputStream(data));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 7));
        }

        @Override
        public int available() {
            return 0;
        }
    }

    @Test
    void aGzipOfManyMembersIsReadWholeFromAStreamThatSaysNothingIsAvailable() throws IOException {
        byte[] tar = sampleTar();
        ByteArrayOutputStream members = new ByteArrayOutputStream();
        for (int at = 0; at < tar.length; at += 10_000) { // as pigz and eStargz write: one member after another
            members.write(compress(Compression.GZIP, java.util.Arrays.copyOfRange(tar, at, Math.min(tar.length, at + 10_000))));
        }

        try (LayerInputStream in = LayerInputStream.open(new Trickle(members.toByteArray()), Compression.GZIP,
                LayerLimits.DEFAULT)) {
            assertThat(in.readAllBytes()).isEqualTo(tar);
            assertThat(in.diffId()).isEqualTo(Digest.sha256(tar));
        }
    }

    @Test
    void aGzipCutShortIsATypedErrorThatSaysSo() throws IOException {
        byte[] blob = compress(Compression.GZIP, sampleTar());
        byte[] cut = java.util.Arrays.copyOf(blob, blob.length - 4); // its trailer's length field gone
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(cut), Compression.GZIP, LayerLimits.DEFAULT)) {
            assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(LayerInputStream.CorruptLayerException.class)
                    .hasMessageContaining("not valid gzip data: it is cut short");
        }
    }

    @Test
    void aZstdStreamOpeningWithASkippableFrameIsZstd() throws IOException {
        byte[] tar = sampleTar();
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        // a skippable frame: magic 0x184D2A53, little-endian, a 4-byte length, then that many bytes
        blob.write(new byte[] {0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'm', 'e', 't'});
        blob.write(compress(Compression.ZSTD, tar));

        assertThat(LayerCodecs.detect(blob.toByteArray(), 4)).isEqualTo(Compression.ZSTD);
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(blob.toByteArray()), Compression.ZSTD,
                LayerLimits.DEFAULT)) {
            assertThat(in.readAllBytes()).isEqualTo(tar);
            assertThat(in.compression()).isEqualTo(Compression.ZSTD);
        }
    }

    @Test
    void bzip2AndXzAreRefused() {
        assertThatThrownBy(() -> LayerInputStream.open(new ByteArrayInputStream("BZh91AY&SY".getBytes()), Compression.GZIP, LayerLimits.DEFAULT))
                .isInstanceOf(UnsupportedCompressionException.class)
                .hasMessageContaining("bzip2");
        byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 0};
        assertThatThrownBy(() -> LayerInputStream.open(new ByteArrayInputStream(xz), Compression.NONE, LayerLimits.DEFAULT))
                .isInstanceOf(UnsupportedCompressionException.class)
                .hasMessageContaining("xz");
    }
}
