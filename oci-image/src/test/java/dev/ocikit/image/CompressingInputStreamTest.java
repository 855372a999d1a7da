package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.image.Compression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class CompressingInputStreamTest {
    /** Half random (incompressible, so output outgrows a chunk), half repetitive. */
    private static byte[] content() {
        byte[] data = new byte[700_000];
        new Random(42).nextBytes(data);
        for (int i = data.length / 2; i < data.length; i++) {
            data[i] = (byte) (i % 7);
        }
        return data;
    }

    private static byte[] decompress(byte[] compressed, Compression c) throws IOException {
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(compressed), c, LayerLimits.DEFAULT)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
    void compressesAsItIsReadInBulk(Compression c) throws IOException {
        byte[] data = content();
        byte[] out;
        try (InputStream in = new CompressingInputStream(new ByteArrayInputStream(data), c)) {
            out = in.readAllBytes();
        }
        assertThat(LayerCodecs.detect(out, out.length)).isEqualTo(c);
        assertThat(decompress(out, c)).isEqualTo(data);
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
    void compressesAsItIsReadByteByByte(Compression c) throws IOException {
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new CompressingInputStream(new ByteArrayInputStream(data), c)) {
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
            }
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(decompress(out.toByteArray(), c)).isEqualTo(data);
    }

    @Test
    void closingEarlyClosesTheSource() throws IOException {
        boolean[] closed = {false};
        InputStream source = new ByteArrayInputStream(content()) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        try (InputStream in = new CompressingInputStream(source, Compression.ZSTD)) {
            assertThat(in.read(new byte[10])).isPositive();
        }
        assertThat(closed[0]).isTrue();
    }

    @Test
    void thereIsNothingToCompressWithNone() {
        assertThatThrownBy(() -> new CompressingInputStream(new ByteArrayInputStream(new byte[0]), Compression.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
