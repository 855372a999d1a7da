package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.registry.testing.FaultProxy;
import dev.ocikit.registry.testing.TestImage;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.registry.testing.TestRegistryExtension;
import dev.ocikit.spec.Digest;
import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageLayout;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.OciTransport;
import dev.ocikit.image.StoreTransport;
import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability of the client against a real registry behind a {@link FaultProxy}: dropped and
 * reset blob bodies resume with {@code Range} and still verify; 5xx and 429 are retried (429
 * after its {@code Retry-After}); persistent failures and stalls end in typed errors after the
 * configured attempts.
 */
class RegistryFaultIT {
    private static final String BLOB = "/v2/fault/img/blobs/sha256:[0-9a-f]{64}";
    private static final String MANIFEST = "/v2/fault/img/manifests/.+";

    @RegisterExtension
    static final TestRegistryExtension REGISTRY = TestRegistryExtension.plain();

    private static final byte[] BIG = new byte[256 * 1024];
    private static final Digest BIG_DIGEST;
    private static TestImage image;
    private static Digest manifestDigest;

    static {
        new Random(4).nextBytes(BIG);
        BIG_DIGEST = Digest.sha256(BIG);
    }

    private FaultProxy proxy;

    @BeforeAll
    static void seed() throws IOException {
        TestRegistry r = REGISTRY.registry();
        RegistryRepository direct = RegistryClient.builder().plainHttp(r.host()).build().repository(r.host(), "fault/img");
        image = TestImage.of("fault");
        manifestDigest = image.push(direct, "v1");
        direct.pushBlob(BIG_DIGEST, BIG.length, RegistryRepository.Content.of(BIG));
    }

    @BeforeEach
    void startProxy() throws IOException {
        proxy = FaultProxy.start(REGISTRY.registry());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /** A client through the proxy that retries fast, so that only Retry-After can make it wait long. */
    private RegistryClient.Builder client() {
        return RegistryClient.builder().plainHttp(proxy.host()).retryBackoff(Duration.ofMillis(5))
                .requestTimeout(Duration.ofSeconds(10));
    }

    private RegistryRepository repo(RegistryClient c) {
        return c.repository(proxy.host(), "fault/img");
    }

    private static byte[] readBig(RegistryRepository repo) throws IOException {
        try (InputStream in = repo.openBlob(BIG_DIGEST, BIG.length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void blobDroppedMidBodyResumesWithRangeAndVerifies() throws IOException {
        proxy.on("GET", BLOB).times(1).dropAfter(100_000);
        assertThat(readBig(repo(client().build()))).isEqualTo(BIG);

        List<FaultProxy.Seen> gets = proxy.requests("GET", BLOB);
        assertThat(gets).extracting(FaultProxy.Seen::action)
                .containsExactly(FaultProxy.Action.DROPPED, FaultProxy.Action.FORWARDED);
        assertThat(gets.get(0).headers()).doesNotContainKey("range");
        assertThat(gets.get(1).headers()).containsEntry("range", "bytes=100000-");
    }

    @Test
    void blobResetMidBodyResumesAndVerifies() throws IOException {
        proxy.on("GET", BLOB).times(2).resetAfter(100_000);
        assertThat(readBig(repo(client().build()))).isEqualTo(BIG);

        List<FaultProxy.Seen> gets = proxy.requests("GET", BLOB);
        assertThat(gets).extracting(FaultProxy.Seen::action).containsExactly(
                FaultProxy.Action.RESET, FaultProxy.Action.RESET, FaultProxy.Action.FORWARDED);
        // a reset may discard bytes in flight, so how far it got varies; the digest proves the splice
    }

    @Test
    void blobResumedMoreThanMaxResumesFails() {
        proxy.on("GET", BLOB).always().dropAfter(1000);
        RegistryRepository repo = repo(client().maxResumes(2).build());
        assertThatThrownBy(() -> readBig(repo)).isInstanceOf(IOException.class)
                .hasMessageContaining(BIG_DIGEST.toString())
                .hasMessageContaining(proxy.host() + "/fault/img")
                .hasMessageContaining("after 2 resumed download(s)");
        // the first request and two resumes, each a fresh GET
        assertThat(proxy.requests("GET", BLOB)).hasSize(3);
    }

    @Test
    void manifestRetriedAfter500s() throws IOException {
        proxy.on("GET", MANIFEST).times(2).status(500);
        assertThat(repo(client().maxAttempts(4).build()).manifest("v1").digest()).isEqualTo(manifestDigest);
        assertThat(proxy.requests("GET", MANIFEST)).extracting(FaultProxy.Seen::action).containsExactly(
                FaultProxy.Action.STATUS, FaultProxy.Action.STATUS, FaultProxy.Action.FORWARDED);
    }

    @Test
    void blobRetriedAfter503s() throws IOException {
        proxy.on("GET", BLOB).times(3).status(503);
        assertThat(readBig(repo(client().maxAttempts(4).build()))).isEqualTo(BIG);
        assertThat(proxy.requests("GET", BLOB)).hasSize(4);
    }

    @Test
    void headOfManifestRetriedAfter502() throws IOException {
        proxy.on("HEAD", MANIFEST).times(1).status(502);
        assertThat(repo(client().build()).manifestDescriptor("v1")).hasValueSatisfying(
                d -> assertThat(d.digest()).isEqualTo(manifestDigest));
        assertThat(proxy.requests("HEAD", MANIFEST)).hasSize(2);
    }

    @Test
    void tooManyRequestsWaitsForRetryAfter() throws IOException {
        proxy.on("GET", MANIFEST).times(1).tooManyRequests(1);
        proxy.on("GET", BLOB).times(1).tooManyRequests(1);
        RegistryRepository repo = repo(client().build());
        assertThat(repo.manifest("v1").digest()).isEqualTo(manifestDigest);
        assertThat(readBig(repo)).isEqualTo(BIG);

        for (List<FaultProxy.Seen> seen : List.of(proxy.requests("GET", MANIFEST), proxy.requests("GET", BLOB))) {
            assertThat(seen).extracting(FaultProxy.Seen::action)
                    .containsExactly(FaultProxy.Action.STATUS, FaultProxy.Action.FORWARDED);
            // recorded by the proxy: the client asked again no sooner than Retry-After said (its
            // own backoff is 5 ms, so only the header can account for the gap)
            long gapMillis = Duration.ofNanos(seen.get(1).nanoTime() - seen.get(0).nanoTime()).toMillis();
            assertThat(gapMillis).isGreaterThanOrEqualTo(1000);
        }
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheRegistryNamed() {
        proxy.on("GET", MANIFEST).always().status(503);
        RegistryRepository repo = repo(client().maxAttempts(3).build());
        assertThatThrownBy(() -> repo.manifest("v1"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(503))
                .hasMessageContaining(proxy.host())
                .hasMessageContaining("503");
        assertThat(proxy.requests("GET", MANIFEST)).hasSize(3);
    }

    @Test
    void stalledResponseTimesOut() {
        proxy.on("GET", MANIFEST).always().stall();
        RegistryRepository repo = repo(client().requestTimeout(Duration.ofSeconds(1)).maxAttempts(2).build());
        assertThatThrownBy(() -> repo.manifest("v1"))
                .isInstanceOf(java.net.http.HttpTimeoutException.class)
                .hasMessageContaining("GET " + proxy.host() + "/v2/fault/img/manifests/v1")
                .hasMessageContaining("after 2 attempts")
                .hasMessageContaining("1000 ms");
        // a timeout counts as transient: asked twice, then gave up
        assertThat(proxy.requests("GET", MANIFEST)).extracting(FaultProxy.Seen::action)
                .containsExactly(FaultProxy.Action.STALLED, FaultProxy.Action.STALLED);
    }

    @Test
    // in a separate thread: a read stuck in HttpClient ignores the interrupt of the default mode
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void blobStalledMidBodyTimesOutAndResumes() throws IOException {
        proxy.on("GET", BLOB).times(1).stallAfter(100_000);
        RegistryRepository repo = repo(client().requestTimeout(Duration.ofSeconds(1)).build());
        assertThat(readBig(repo)).isEqualTo(BIG);
        List<FaultProxy.Seen> gets = proxy.requests("GET", BLOB);
        assertThat(gets).extracting(FaultProxy.Seen::action)
                .containsExactly(FaultProxy.Action.STALLED, FaultProxy.Action.FORWARDED);
        assertThat(gets.get(1).headers()).containsEntry("range", "bytes=100000-");
    }

    @Test
    // in a separate thread: a read stuck in HttpClient ignores the interrupt of the default mode
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void blobThatKeepsStallingFailsWithATimeout() {
        proxy.on("GET", BLOB).always().stallAfter(1000);
        RegistryRepository repo = repo(client().requestTimeout(Duration.ofSeconds(1)).maxResumes(1).build());
        assertThatThrownBy(() -> readBig(repo)).isInstanceOf(IOException.class)
                .hasMessageContaining(BIG_DIGEST.toString())
                .hasMessageContaining("no data");
        assertThat(proxy.requests("GET", BLOB)).hasSize(2);
    }

    // ---------------------------------------------------------------- through the copy engine

    private Copy pullThroughProxy(dev.ocikit.image.spi.TransportReference destination) {
        // no resumes and one attempt keep the doomed pull short; the failure is the same with more
        DockerTransport docker = new DockerTransport(client().maxResumes(1).maxAttempts(2).build());
        return Copy.from(docker.parse("//" + proxy.host() + "/fault/img:v1")).to(destination);
    }

    private static List<String> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void failedPullIntoTheStoreLeavesNoImageAndNoBlobs(@TempDir Path tmp) throws IOException {
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        List<String> before = files(store.root().resolve("blobs"));
        proxy.on("GET", "/v2/fault/img/blobs/" + image.layerDigest()).always().resetAfter(0);

        assertThatThrownBy(() -> pullThroughProxy(StoreTransport.reference(store.root(), "fault/img:v1")).run())
                .isInstanceOfAny(IOException.class, OciException.class)
                .hasStackTraceContaining(proxy.host() + "/fault/img")
                .hasStackTraceContaining(image.layerDigest().toString());

        assertThat(proxy.requests("GET", "/v2/fault/img/blobs/" + image.layerDigest())).isNotEmpty();
        assertThat(store.list()).isEmpty();
        assertThat(store.find("fault/img:v1")).isEmpty();
        assertOnlyWholeVerifiedBlobsLeft(store.root().resolve("blobs"), before);
        assertThat(files(store.root().resolve("ingest"))).as("partial downloads").isEmpty();
        store.collectGarbage();
        assertThat(files(store.root().resolve("blobs"))).isEqualTo(before);
    }

    @Test
    void failedPullIntoALayoutLeavesItWithoutTheTag(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("layout");
        ImageLayout.create(dir);
        List<String> before = files(dir.resolve("blobs"));
        proxy.on("GET", "/v2/fault/img/blobs/" + image.layerDigest()).always().resetAfter(0);

        assertThatThrownBy(() -> pullThroughProxy(OciTransport.reference(dir, Optional.of("v1"))).run())
                .isInstanceOfAny(IOException.class, OciException.class)
                .hasStackTraceContaining(proxy.host() + "/fault/img")
                .hasStackTraceContaining(image.layerDigest().toString());

        ImageLayout layout = ImageLayout.open(dir);
        assertThat(layout.refs()).doesNotContain("v1");
        assertThat(layout.index().manifests()).isEmpty();
        assertOnlyWholeVerifiedBlobsLeft(dir.resolve("blobs"), before);
        assertThat(files(dir.resolve("ingest"))).as("partial downloads").isEmpty();
        layout.collectGarbage();
        assertThat(files(dir.resolve("blobs"))).isEqualTo(before);
    }

    /**
     * What a failed copy may leave: blobs that were completely fetched and verified before the
     * failure (the config, other layers), unreferenced until garbage collection, as the
     * destinations document; never the failed layer, never a partial or temporary file.
     */
    private static void assertOnlyWholeVerifiedBlobsLeft(Path blobs, List<String> before) throws IOException {
        List<String> added = files(blobs).stream().filter(f -> !before.contains(f)).toList();
        for (String f : added) {
            assertThat(f).as("new file in blobs/").matches("sha256/[0-9a-f]{64}");
            Digest d = Digest.parse(f.replace('/', ':'));
            assertThat(d).isNotEqualTo(image.layerDigest());
            assertThat(Digest.sha256(Files.readAllBytes(blobs.resolve(f)))).as("content of " + f).isEqualTo(d);
        }
    }

    @Test
    void pullThroughTheProxyWithOneDroppedLayerSucceeds(@TempDir Path tmp) throws IOException {
        // the control for the two above: the same copy with a transient fault completes
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        proxy.on("GET", "/v2/fault/img/blobs/" + image.layerDigest()).times(1).dropAfter(10);
        assertThat(pullThroughProxy(StoreTransport.reference(store.root(), "fault/img:v1")).run().manifestDigest())
                .isEqualTo(manifestDigest);
        assertThat(store.find("fault/img:v1")).isPresent();
        assertThat(proxy.requests("GET", "/v2/fault/img/blobs/" + image.layerDigest())).hasSize(2);
    }

    @Test
    void aChunkWhoseAnswerIsLostIsUploadedAgainInANewSession() throws IOException {
        byte[] blob = new byte[300_000];
        new java.util.Random(9).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        proxy.on("PATCH", "/v2/fault/chunked/blobs/uploads/.*").times(1).lostAnswer();
        RegistryRepository repo = client().chunkedUploadThreshold(0).chunkSize(100_000).build().repository(proxy.host(), "fault/chunked");
        assertThat(repo.pushBlob(digest, blob.length, RegistryRepository.Content.of(blob)))
                .isEqualTo(RegistryRepository.BlobPush.UPLOADED);
        try (InputStream in = repo.openBlob(digest, blob.length)) {
            assertThat(in.readAllBytes()).isEqualTo(blob);
        }
        assertThat(proxy.requests()).filteredOn(r -> !r.method().equals("HEAD"))
                .extracting(r -> r.method() + " " + r.action())
                // the status request with the stale session state makes Docker's registry drop the
                // session (404 BLOB_UPLOAD_INVALID), so the upload starts over, once
                .startsWith("POST FORWARDED", "PATCH RESET", "GET FORWARDED", "POST FORWARDED", "PATCH FORWARDED");
    }
}
