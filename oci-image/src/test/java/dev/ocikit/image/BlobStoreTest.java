package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.OciException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
    static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);
    static final Digest HELLO_DIGEST = Digest.sha256(HELLO);

    @TempDir
    Path dir;

    @Test
    void storesUnderTheOciLayoutNameAndReadsBack() throws IOException {
        BlobStore store = BlobStore.open(dir);
        BlobInfo info = store.put(HELLO);
        assertThat(info).isEqualTo(new BlobInfo(HELLO_DIGEST, 5));
        Path file = dir.resolve("blobs/sha256/" + HELLO_DIGEST.encoded());
        assertThat(file).hasBinaryContent(HELLO);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r--r--r--");
        assertThat(store.contains(HELLO_DIGEST)).isTrue();
        assertThat(store.size(HELLO_DIGEST)).contains(5L);
        try (InputStream in = store.open(HELLO_DIGEST)) {
            assertThat(in.readAllBytes()).isEqualTo(HELLO);
        }
        assertThat(store.readAllBytes(HELLO_DIGEST, 5)).isEqualTo(HELLO);
        assertThat(store.list()).containsExactly(HELLO_DIGEST);
    }

    @Test
    void streamsContentOfUnknownDigest() throws IOException {
        BlobStore store = BlobStore.open(dir);
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(big);
        BlobInfo info = store.put(new ByteArrayInputStream(big));
        assertThat(info.digest()).isEqualTo(Digest.sha256(big));
        assertThat(info.size()).isEqualTo(big.length);
        assertThat(store.readAllBytes(info.digest(), Long.MAX_VALUE)).isEqualTo(big);
    }

    @Test
    void wrongDigestStoresNothing() throws IOException {
        BlobStore store = BlobStore.open(dir);
        Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(HELLO), other, 5))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("expected " + other);
        assertThat(store.list()).isEmpty();
        assertThat(store.contains(other)).isFalse();
        assertThat(dir.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void wrongSizeStoresNothing() throws IOException {
        BlobStore store = BlobStore.open(dir);
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(HELLO), HELLO_DIGEST, 4))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("longer than its declared size of 4 bytes");
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(HELLO), HELLO_DIGEST, 6))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("declared size is 6");
        assertThat(store.list()).isEmpty();
        assertThat(dir.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void failingSourceStoresNothing() throws IOException {
        BlobStore store = BlobStore.open(dir);
        InputStream broken = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 1000) {
                    throw new IOException("connection reset");
                }
                return 'x';
            }
        };
        assertThatThrownBy(() -> store.put(broken, HELLO_DIGEST, -1)).isInstanceOf(IOException.class)
                .hasMessage("connection reset");
        assertThat(store.list()).isEmpty();
        assertThat(dir.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void skipsContentItAlreadyHas() throws IOException {
        BlobStore store = BlobStore.open(dir);
        store.put(HELLO);
        InputStream mustNotBeRead = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("read although the blob was present");
            }
        };
        assertThat(store.put(mustNotBeRead, HELLO_DIGEST, 5)).isEqualTo(new BlobInfo(HELLO_DIGEST, 5));
    }

    @Test
    void unknownBlobIsATypedError() throws IOException {
        BlobStore store = BlobStore.open(dir);
        assertThatThrownBy(() -> store.open(HELLO_DIGEST))
                .isInstanceOf(BlobUnknownException.class)
                .hasMessageContaining(HELLO_DIGEST.toString());
        assertThat(store.size(HELLO_DIGEST)).isEmpty();
    }

    @Test
    void refusesToReadAnOversizedBlobWhole() throws IOException {
        BlobStore store = BlobStore.open(dir);
        store.put(HELLO);
        assertThatThrownBy(() -> store.readAllBytes(HELLO_DIGEST, 4))
                .isInstanceOf(OciException.class)
                .hasMessageContaining("more than the 4 allowed");
    }

    @Test
    void manyThreadsWritingTheSameAndDifferentBlobs() throws Exception {
        BlobStore store = BlobStore.open(dir);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<BlobInfo>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                byte[] content = ("blob " + (i % 8)).getBytes(StandardCharsets.UTF_8);
                results.add(pool.submit(() -> store.put(new ByteArrayInputStream(content), Digest.sha256(content), content.length)));
            }
            for (Future<BlobInfo> f : results) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(store.list()).hasSize(8);
        assertThat(store.verify().ok()).isTrue();
        assertThat(dir.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void verifyReportsCorruptionStrayFilesAndLeftovers() throws IOException {
        BlobStore store = BlobStore.open(dir);
        BlobInfo good = store.put(HELLO);
        BlobInfo bad = store.put("bad".getBytes(StandardCharsets.UTF_8));
        Path badFile = store.pathOf(bad.digest());
        badFile.toFile().setWritable(true);
        Files.writeString(badFile, "tampered");
        Files.writeString(dir.resolve("blobs/sha256/not-a-digest"), "x");
        Files.writeString(dir.resolve("ingest/blob-123.partial"), "half");

        VerifyReport report = store.verify();
        assertThat(report.checked()).isEqualTo(2);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).extracting(p -> p.path().getFileName().toString() + " " + p.description())
                .containsExactlyInAnyOrder(
                        bad.digest().encoded() + " corrupt: content hashes to " + Digest.sha256("tampered".getBytes(StandardCharsets.UTF_8)),
                        "not-a-digest not a blob: the name is not a sha256 digest or the entry is not a regular file",
                        "blob-123.partial temporary file left by an interrupted write");
        assertThat(store.contains(good.digest())).isTrue();
    }

    @Test
    void garbageCollectionKeepsOnlyLiveBlobsAndClearsLeftovers() throws IOException {
        BlobStore store = BlobStore.open(dir);
        BlobInfo keep = store.put(HELLO);
        BlobInfo drop = store.put("drop me".getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("ingest/blob-1.partial"), "half");
        GarbageReport report = store.collectGarbage(Set.of(keep.digest()));
        assertThat(report.removed()).containsExactly(drop.digest());
        assertThat(report.bytesFreed()).isEqualTo(7);
        assertThat(store.list()).containsExactly(keep.digest());
        try (Stream<Path> s = Files.list(dir.resolve("ingest"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void twoStoresOnOneDirectorySeeTheSameBlobs() throws IOException {
        BlobStore a = BlobStore.open(dir);
        BlobStore b = BlobStore.open(dir.resolve(".").normalize());
        a.put(HELLO);
        assertThat(b.contains(HELLO_DIGEST)).isTrue();
        assertThat(b.delete(HELLO_DIGEST)).isTrue();
        assertThat(a.contains(HELLO_DIGEST)).isFalse();
    }
}
