package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelGzipOutputStreamTest {
    static final int BLOCK = ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE;

    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** About 4 MB of text-like data (compressible, with repeats farther apart than a block) and noise. */
    static byte[] input() {
        Random r = new Random(42);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] words = {"layer", "tar", "digest", "overlay", "whiteout", "gzip", "block", "sha256", "\n"};
        while (out.size() < 3_000_000) {
            out.writeBytes((words[r.nextInt(words.length)] + " ").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] noise = new byte[1_000_000];
        r.nextBytes(noise);
        out.writeBytes(noise);
        out.writeBytes("tail".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static byte[] compress(byte[] data, int parallelism, java.util.concurrent.Executor executor, int writeSize)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, -1, BLOCK, parallelism, executor)) {
            for (int off = 0; off < data.length; off += writeSize) {
                gz.write(data, off, Math.min(writeSize, data.length - off));
            }
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void javaAndGzipBothDecodeItToTheInput() throws Exception {
        byte[] data = input();
        byte[] gz = compress(data, 2, pool, 70_001);
        assertThat(gunzip(gz)).isEqualTo(data);

        Path gzip = Tools.require("gzip");
        Path file = tmp.resolve("data.gz");
        Files.write(file, gz);
        Process p = new ProcessBuilder(gzip.toString(), "-d", "-c", file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] decoded = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(decoded).isEqualTo(data);
    }

    @Test
    void theBytesDependOnlyOnTheInputNotOnThreadsOrWriteSizes() throws IOException {
        byte[] data = input();
        byte[] inline = compress(data, 1, Runnable::run, data.length);
        assertThat(compress(data, 2, pool, 4096)).isEqualTo(inline);
        assertThat(compress(data, 3, pool, BLOCK)).isEqualTo(inline);
        assertThat(compress(data, 8, ParallelGzipOutputStream.sharedPool(), 1_000_003)).isEqualTo(inline);
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(single, -1, BLOCK, 2, pool)) {
            for (int i = 0; i < 300_000; i++) {
                gz.write(data[i]);
            }
            gz.flush(); // must not cut a block
            gz.write(data, 300_000, data.length - 300_000);
        }
        assertThat(single.toByteArray()).isEqualTo(inline);
    }

    @Test
    void theInputIsCompressedInSeveralBlocksOnTheExecutor() throws IOException {
        byte[] data = input();
        AtomicInteger tasks = new AtomicInteger();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, -1, BLOCK, 2, r -> {
            tasks.incrementAndGet();
            pool.execute(r);
        });
        gz.write(data);
        gz.close();
        int expected = (data.length + BLOCK - 1) / BLOCK;
        assertThat(gz.blocks()).isEqualTo(expected);
        assertThat(tasks.get()).isEqualTo(expected).isGreaterThan(20);
        assertThat(gunzip(out.toByteArray())).isEqualTo(data);
    }

    @Test
    void theDictionaryKeepsTheRatioCloseToSingleStreamGzip() throws IOException {
        // 16 KiB of noise, repeated: only back-references into the previous block compress the
        // start of each block, so without the preset dictionary the output would be 20x larger.
        byte[] period = new byte[16 * 1024];
        new Random(3).nextBytes(period);
        byte[] data = new byte[3_000_000];
        for (int off = 0; off < data.length; off += period.length) {
            System.arraycopy(period, 0, data, off, Math.min(period.length, data.length - off));
        }
        ByteArrayOutputStream sequential = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(sequential)) {
            gz.write(data);
        }
        byte[] parallel = compress(data, 2, pool, 65536);
        assertThat(gunzip(parallel)).isEqualTo(data);
        assertThat((double) parallel.length).isLessThan(sequential.size() * 1.1 + 4096);
    }

    @Test
    void headerAndTrailerAreFixedAndCorrect() throws IOException {
        byte[] data = input();
        byte[] gz = compress(data, 2, pool, data.length);
        // No file name, no time stamp, OS "unknown".
        assertThat(Arrays.copyOf(gz, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
        CRC32 crc = new CRC32();
        crc.update(data);
        long storedCrc = le32(gz, gz.length - 8);
        long storedSize = le32(gz, gz.length - 4);
        assertThat(storedCrc).isEqualTo(crc.getValue());
        assertThat(storedSize).isEqualTo(data.length & 0xffffffffL);
    }

    @Test
    void emptyAndExactMultipleInputsAreValid() throws IOException {
        byte[] empty = compress(new byte[0], 2, pool, 1);
        assertThat(gunzip(empty)).isEmpty();
        assertThat(empty).hasSize(10 + 2 + 8);

        byte[] two = new byte[2 * BLOCK];
        new Random(1).nextBytes(two);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 9, BLOCK, 2, pool);
        gz.write(two);
        gz.close();
        gz.close(); // closing twice is harmless
        assertThat(gz.blocks()).isEqualTo(2);
        assertThat(gunzip(out.toByteArray())).isEqualTo(two);
        assertThatThrownBy(() -> gz.write(1)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void levelZeroStoresAndStillDecodes() throws IOException {
        byte[] data = Arrays.copyOf(input(), 500_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 0, ParallelGzipOutputStream.MIN_BLOCK_SIZE,
                2, pool)) {
            gz.write(data);
        }
        assertThat(out.size()).isGreaterThan(data.length);
        assertThat(gunzip(out.toByteArray())).isEqualTo(data);
    }

    @Test
    void aRejectingExecutorFailsTheWriteAndNoTrailerIsWritten() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, -1, ParallelGzipOutputStream.MIN_BLOCK_SIZE, 1,
                r -> {
                    throw new RejectedExecutionException("pool is shut down");
                });
        byte[] data = new byte[ParallelGzipOutputStream.MIN_BLOCK_SIZE + 1];
        assertThatThrownBy(() -> gz.write(data)).isInstanceOf(IOException.class)
                .hasMessageContaining("could not be scheduled").hasMessageContaining("pool is shut down");
        gz.close();
        assertThat(out.size()).isEqualTo(10); // the header only: never a stream that looks complete
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new ParallelGzipOutputStream(new ByteArrayOutputStream(), 10, BLOCK, 1, pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("level");
        assertThatThrownBy(() -> new ParallelGzipOutputStream(new ByteArrayOutputStream(), 6, 1024, 1, pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size");
        assertThatThrownBy(() -> new ParallelGzipOutputStream(new ByteArrayOutputStream(), 6, BLOCK, 0, pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
    }

    private static long le32(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }
}
