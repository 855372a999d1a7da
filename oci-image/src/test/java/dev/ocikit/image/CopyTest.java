package dev.ocikit.image;

import static dev.ocikit.image.testing.TestImages.AMD64;
import static dev.ocikit.image.testing.TestImages.ARM64;
import static dev.ocikit.image.testing.TestImages.ARM_V7;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.CopyListener.Outcome;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.testing.MemoryTransport;
import dev.ocikit.image.testing.TestImages;
import dev.ocikit.image.testing.TestImages.Image;
import dev.ocikit.image.testing.TestImages.Index;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CopyTest {
    private final MemoryTransport mem = new MemoryTransport();

    private Copy copy(String from, String to) {
        return Copy.from(mem.ref(from)).to(mem.ref(to)).platform(AMD64);
    }

    private static byte[] decompress(byte[] blob) throws IOException {
        try (LayerInputStream in = LayerInputStream.open(new ByteArrayInputStream(blob), Compression.NONE,
                LayerLimits.DEFAULT)) {
            return in.readAllBytes();
        }
    }

    @Test
    void anImageIsCopiedWithEveryDigestKept() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 3, AMD64, "a");
        mem.put("src", image);
        CopyResult r = copy("src", "dst").run();
        assertThat(r.manifestDigest()).isEqualTo(image.manifest().digest());
        assertThat(r.instances()).isEmpty();
        assertThat(mem.manifest("dst")).contains(image.manifest());
        assertThat(r.blobsReused()).isEqualTo(4); // same store: the destination has every blob
        assertThat(mem.commits.get()).isEqualTo(1);
    }

    @Test
    void aWholeIndexIsCopiedByteForByte() throws IOException {
        Index index = TestImages.index(ManifestFormat.OCI, Compression.GZIP, List.of(AMD64, ARM64, ARM_V7));
        mem.put("src", index);
        MemoryTransport other = new MemoryTransport();
        CopyResult r = Copy.from(mem.ref("src")).to(other.ref("dst")).allPlatforms().run();
        assertThat(r.manifestDigest()).isEqualTo(index.index().digest());
        assertThat(other.manifest("dst")).contains(index.index());
        assertThat(r.instanceDigests()).containsExactlyElementsOf(
                index.images().stream().map(i -> i.manifest().digest()).toList());
        assertThat(r.blobsCopied()).isEqualTo(9);
        for (Image i : index.images()) {
            assertThat(other.manifest(i.manifest().digest())).isEqualTo(i.manifest());
            i.blobs().forEach((d, b) -> assertThat(other.blob(d)).isEqualTo(b));
        }
    }

    @Test
    void oneImageOfAnIndexBecomesTheDestinationsManifest() throws IOException {
        Index index = TestImages.index(ManifestFormat.OCI, Compression.GZIP, List.of(AMD64, ARM64));
        mem.put("src", index);
        MemoryTransport other = new MemoryTransport();
        CopyResult r = Copy.from(mem.ref("src")).to(other.ref("dst")).platform(ARM64).run();
        assertThat(r.manifestDigest()).isEqualTo(index.images().get(1).manifest().digest());
        assertThat(other.blobDigests()).containsExactlyInAnyOrderElementsOf(index.images().get(1).blobs().keySet());
    }

    @Test
    void recompressionRewritesLayerDescriptorsAndKeepsTheConfigAndItsDiffIds() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "z");
        mem.put("src", image);
        MemoryTransport other = new MemoryTransport();
        CopyResult r = Copy.from(mem.ref("src")).to(other.ref("dst")).compression(Compression.ZSTD).run();

        ImageManifest written = ImageManifest.parse(other.manifest(r.manifestDigest()).bytes());
        assertThat(written.config()).isEqualTo(image.model().config());
        byte[] config = other.blob(written.config().digest());
        assertThat(config).isEqualTo(image.config());
        List<Digest> diffIds = ImageConfig.parse(config).diffIds();
        for (int i = 0; i < 2; i++) {
            Descriptor layer = written.layers().get(i);
            byte[] blob = other.blob(layer.digest());
            assertThat(layer.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_TAR_ZSTD);
            assertThat(layer.size()).isEqualTo(blob.length);
            assertThat(Digest.sha256(blob)).isEqualTo(layer.digest());
            assertThat(LayerCodecs.detect(blob, blob.length)).isEqualTo(Compression.ZSTD);
            assertThat(Digest.sha256(decompress(blob))).isEqualTo(diffIds.get(i));
        }
    }

    @Test
    void layersCanBeDecompressedAndCompressedAgain() throws IOException {
        Image image = TestImages.image(ManifestFormat.DOCKER_V2S2, Compression.GZIP, 2, AMD64, "n");
        mem.put("src", image);
        MemoryTransport plain = new MemoryTransport();
        Descriptor none = Copy.from(mem.ref("src")).to(plain.ref("dst")).compression(Compression.NONE).run().manifest();
        ImageManifest uncompressed = ImageManifest.parse(plain.manifest(none.digest()).bytes());
        assertThat(uncompressed.layers()).extracting(Descriptor::digest).containsExactlyElementsOf(image.diffIds());
        assertThat(uncompressed.layers()).allMatch(l -> l.mediaType().equals(MediaTypes.DOCKER_LAYER_TAR));

        MemoryTransport gz = new MemoryTransport();
        Descriptor again = Copy.from(plain.ref("dst")).to(gz.ref("dst")).compression(Compression.GZIP).run().manifest();
        ImageManifest gzipped = ImageManifest.parse(gz.manifest(again.digest()).bytes());
        assertThat(gzipped.layers()).allMatch(l -> l.mediaType().equals(MediaTypes.DOCKER_LAYER_TAR_GZIP));
        for (int i = 0; i < 2; i++) {
            assertThat(Digest.sha256(decompress(gz.blob(gzipped.layers().get(i).digest()))))
                    .isEqualTo(image.diffIds().get(i));
        }
    }

    @Test
    void aDestinationThatStoresOnlyDockerGetsAConvertedManifest() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "c");
        mem.put("src", image);
        MemoryTransport docker = new MemoryTransport().supportedManifestMediaTypes(List.of(MediaTypes.DOCKER_MANIFEST));
        CopyResult r = Copy.from(mem.ref("src")).to(docker.ref("dst")).run();
        assertThat(r.manifest().mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        ImageManifest written = ImageManifest.parse(docker.manifest(r.manifestDigest()).bytes());
        assertThat(written.config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(written.config().digest()).isEqualTo(image.model().config().digest());
        assertThat(written.layers().get(0).digest()).isEqualTo(image.model().layers().get(0).digest());
    }

    @Test
    void aDockerImageConvertedToOciGetsItsConfigInTheOciFormAsSkopeoWritesIt() throws IOException {
        Image image = TestImages.image(ManifestFormat.DOCKER_V2S2, Compression.GZIP, 1, AMD64, "d");
        mem.put("src", image);
        MemoryTransport oci = new MemoryTransport().supportedManifestMediaTypes(List.of(MediaTypes.OCI_MANIFEST));

        CopyResult r = Copy.from(mem.ref("src")).to(oci.ref("dst")).run();

        ImageManifest written = ImageManifest.parse(oci.manifest(r.manifestDigest()).bytes());
        byte[] expected = OciConfigConversion.fromDocker(mem.blob(image.model().config().digest()));
        assertThat(written.config().mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(written.config().digest()).isEqualTo(Digest.sha256(expected)).isNotEqualTo(image.model().config().digest());
        assertThat(written.config().size()).isEqualTo(expected.length);
        assertThat(oci.blob(written.config().digest())).isEqualTo(expected);
        assertThat(written.layers().get(0).digest()).isEqualTo(image.model().layers().get(0).digest());
        // a second copy finds the converted config there already
        CopyResult again = Copy.from(mem.ref("src")).to(oci.ref("dst2")).run();
        assertThat(again.blobsReused()).isEqualTo(2);
        assertThat(again.manifestDigest()).isEqualTo(r.manifestDigest());
    }

    @Test
    void aBlobWithTheWrongDigestFailsTheCopyAndNothingIsCommitted() {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 3, AMD64, "bad");
        mem.put("src", image);
        Digest layer = image.model().layers().get(1).digest();
        byte[] tampered = image.layers().get(1).clone();
        tampered[tampered.length / 2] ^= 1;
        mem.corrupt(layer, tampered);
        MemoryTransport other = new MemoryTransport();
        assertThatThrownBy(() -> Copy.from(mem.ref("src")).to(other.ref("dst")).run())
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(layer.toString())
                .hasMessageContaining("mem:src")
                .hasMessageContaining("nothing was committed to mem:dst");
        assertThat(other.commits.get()).isZero();
        assertThat(other.tags()).isEmpty();
        assertThat(other.blobDigests()).isEmpty();
    }

    @Test
    void aBlobWithTheWrongDigestFailsARecompressingCopyToo() {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "bad2");
        mem.put("src", image);
        // Valid gzip of other content: only the digest check can catch it.
        byte[] other = TestImages.compress(Compression.GZIP, TestImages.tar(java.util.Map.of("x", "y")));
        mem.corrupt(image.model().layers().get(0).digest(), other);
        MemoryTransport dst = new MemoryTransport();
        assertThatThrownBy(() -> Copy.from(mem.ref("src")).to(dst.ref("dst")).compression(Compression.ZSTD).run())
                .isInstanceOf(DigestMismatchException.class);
        assertThat(dst.commits.get()).isZero();
        assertThat(dst.tags()).isEmpty();
    }

    @Test
    void aLayerThatContradictsItsConfigsDiffIdIsRefusedWhenRecompressed() {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "lie");
        ImageConfig lying = ImageConfig.parse(image.config()).toBuilder()
                .diffIds(List.of(Digest.sha256("something else".getBytes()))).build();
        byte[] config = lying.toJson();
        ImageManifest m = image.model().withConfig(Descriptor.of(MediaTypes.OCI_CONFIG, config));
        mem.putBlob(config);
        mem.putBlob(image.layers().get(0));
        Image broken = new Image(ManifestBlob.of(m.toJson(), MediaTypes.OCI_MANIFEST), config, image.layers(),
                image.diffIds(), AMD64);
        mem.put("src", broken);
        MemoryTransport dst = new MemoryTransport();
        assertThatThrownBy(() -> Copy.from(mem.ref("src")).to(dst.ref("dst")).compression(Compression.ZSTD).run())
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("decompresses to " + image.diffIds().get(0))
                .hasMessageContaining("the image config says");
        assertThat(dst.commits.get()).isZero();
    }

    @Test
    void aTamperedManifestInAnIndexIsRefusedBeforeTheDestinationIsOpened() {
        Index index = TestImages.index(ManifestFormat.OCI, Compression.GZIP, List.of(AMD64, ARM64));
        mem.put("src", index);
        Digest amd = index.images().get(0).manifest().digest();
        mem.corrupt(amd, index.images().get(1).manifest().bytes());
        MemoryTransport dst = new MemoryTransport();
        assertThatThrownBy(() -> Copy.from(mem.ref("src")).to(dst.ref("dst")).allPlatforms().run())
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("the manifest " + amd);
        assertThat(dst.openDestinations.get()).isZero();
    }

    @Test
    void blobsAreCopiedInParallel() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 3, AMD64, "par");
        mem.put("src", image);
        // Each layer's putBlob waits until all three are inside putBlob at once: a copy that
        // went one blob at a time would time out here instead.
        CountDownLatch allInside = new CountDownLatch(3);
        MemoryTransport dst = new MemoryTransport().putBlobHook(w -> {
            if (MediaTypes.isLayer(w.mediaType())) {
                allInside.countDown();
                await(allInside);
            }
        });
        Copy.from(mem.ref("src")).to(dst.ref("dst")).run();
        assertThat(dst.maxInPutBlob.get()).isGreaterThanOrEqualTo(3);
        assertThat(dst.commits.get()).isEqualTo(1);
    }

    @Test
    void parallelismIsBoundedEvenOnALargerExecutor() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 6, AMD64, "bound");
        mem.put("src", image);
        CyclicBarrier pairs = new CyclicBarrier(2);
        MemoryTransport dst = new MemoryTransport().putBlobHook(w -> {
            if (MediaTypes.isLayer(w.mediaType())) {
                await(pairs);
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger tasks = new AtomicInteger();
        try {
            Copy.from(mem.ref("src")).to(dst.ref("dst"))
                    .options(CopyOptions.builder().maxParallelBlobs(2).build())
                    .executor(r -> {
                        tasks.incrementAndGet();
                        pool.execute(r);
                    })
                    .run();
        } finally {
            pool.shutdownNow();
        }
        assertThat(dst.maxInPutBlob.get()).isEqualTo(2);
        assertThat(tasks.get()).isEqualTo(7);
    }

    @Test
    void aDirectExecutorCopiesOnTheCallersThread() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "direct");
        mem.put("src", image);
        Thread caller = Thread.currentThread();
        MemoryTransport dst = new MemoryTransport().putBlobHook(w -> assertThat(Thread.currentThread()).isSameAs(caller));
        CopyResult r = Copy.from(mem.ref("src")).to(dst.ref("dst")).executor(Runnable::run).run();
        assertThat(r.blobsCopied()).isEqualTo(3);
        assertThat(dst.maxInPutBlob.get()).isEqualTo(1);
    }

    @Test
    void blobsTheDestinationHasAreSkipped() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 2, AMD64, "reuse");
        mem.put("src", image);
        MemoryTransport dst = new MemoryTransport();
        dst.putBlob(image.layers().get(0));
        Recorder events = new Recorder();
        CopyResult r = Copy.from(mem.ref("src")).to(dst.ref("dst")).onProgress(events).run();
        assertThat(r.blobsReused()).isEqualTo(1);
        assertThat(r.blobsCopied()).isEqualTo(2);
        assertThat(dst.putBlobCalls.get()).isEqualTo(2);
        assertThat(events.ended).contains(image.model().layers().get(0).digest() + " REUSED");
    }

    @Test
    void progressEventsPairUpAndCountEveryByte() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.NONE, 4, AMD64, "progress");
        mem.put("src", image);
        Recorder events = new Recorder();
        Copy.from(mem.ref("src")).to(new MemoryTransport().ref("dst")).onProgress(events).run();
        Set<Digest> all = image.blobs().keySet();
        assertThat(events.started).containsExactlyInAnyOrderElementsOf(all.stream().map(Digest::toString).toList());
        assertThat(events.ended).containsExactlyInAnyOrderElementsOf(all.stream().map(d -> d + " COPIED").toList());
        assertThat(events.errors).isEmpty();
        for (Digest d : all) {
            List<Long> seen = events.progress(d);
            assertThat(seen).isNotEmpty().isSorted();
            assertThat(seen.get(seen.size() - 1)).isEqualTo(image.blobs().get(d).length);
        }
    }

    @Test
    void aFailedBlobStillEndsItsEventsAsFailed() {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "fail");
        mem.put("src", image);
        Digest layer = image.model().layers().get(0).digest();
        mem.corrupt(layer, new byte[] {1, 2, 3});
        Recorder events = new Recorder();
        assertThatThrownBy(() -> Copy.from(mem.ref("src")).to(new MemoryTransport().ref("dst")).onProgress(events).run())
                .isInstanceOf(DigestMismatchException.class);
        assertThat(events.ended).contains(layer + " FAILED");
        assertThat(events.errors).isEmpty();
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheCopy() throws IOException {
        Image image = TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "throw");
        mem.put("src", image);
        CopyListener rude = new CopyListener() {
            @Override
            public void blobStarted(Descriptor blob) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public synchronized void blobProgress(Descriptor blob, long done, long total) {
                throw new IllegalStateException("listener bug");
            }
        };
        CopyResult r = Copy.from(mem.ref("src")).to(new MemoryTransport().ref("dst")).onProgress(rude).run();
        assertThat(r.manifestDigest()).isEqualTo(image.manifest().digest());
    }

    @Test
    void aCopyIsAnImmutableValue() {
        Copy base = copy("a", "b");
        Copy all = base.allPlatforms();
        assertThat(base.options().platforms()).isEqualTo(CopyOptions.PlatformChoice.single(AMD64));
        assertThat(all.options().platforms()).isEqualTo(CopyOptions.PlatformChoice.all());
        assertThatThrownBy(() -> base.preserveDigests().compression(Compression.GZIP))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("blobs were not copied in parallel");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            throw new AssertionError("two blobs were not copied at once", e);
        }
    }

    /** Records events, and checks their order per blob as they come. Synchronized: events come from several threads. */
    static final class Recorder implements CopyListener {
        final List<String> started = Collections.synchronizedList(new ArrayList<>());
        final List<String> ended = Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        private final java.util.Map<Digest, List<Long>> progress = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public synchronized void blobStarted(Descriptor blob) {
            if (started.contains(blob.digest().toString())) {
                errors.add("started twice: " + blob.digest());
            }
            started.add(blob.digest().toString());
        }

        @Override
        public synchronized void blobProgress(Descriptor blob, long done, long total) {
            if (!started.contains(blob.digest().toString()) || ended.stream().anyMatch(e -> e.startsWith(blob.digest().toString()))) {
                errors.add("progress outside start/end: " + blob.digest());
            }
            if (total != blob.size()) {
                errors.add("total " + total + " is not the size " + blob.size());
            }
            progress.computeIfAbsent(blob.digest(), d -> Collections.synchronizedList(new ArrayList<>())).add(done);
        }

        @Override
        public synchronized void blobEnded(Descriptor blob, Outcome outcome) {
            if (!started.contains(blob.digest().toString())) {
                errors.add("ended without start: " + blob.digest());
            }
            ended.add(blob.digest() + " " + outcome);
        }

        synchronized List<Long> progress(Digest d) {
            return progress.getOrDefault(d, List.of());
        }
    }
}
