package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.TestImages.Blob;
import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Platform ARM64 = Platform.of("linux", "arm64");

    @TempDir
    Path dir;

    static void put(ImageStore store, String name, Image image) throws IOException {
        try (ImageDestination dest = store.reference(name).openDestination()) {
            TestImages.write(dest, image);
        }
    }

    static ImageReference ref(String s) {
        return ImageReference.parse(s);
    }

    @Test
    void defaultRootFollowsXdgDataHomeAndIsSystemWideForRoot() {
        Path home = Path.of("/home/u");
        assertThat(ImageStore.defaultRoot(Map.of(), false, home)).isEqualTo(Path.of("/home/u/.local/share/ocikit"));
        assertThat(ImageStore.defaultRoot(Map.of("XDG_DATA_HOME", "/data"), false, home)).isEqualTo(Path.of("/data/ocikit"));
        assertThat(ImageStore.defaultRoot(Map.of("XDG_DATA_HOME", "relative"), false, home))
                .isEqualTo(Path.of("/home/u/.local/share/ocikit"));
        assertThat(ImageStore.defaultRoot(Map.of("XDG_DATA_HOME", "/data"), true, home)).isEqualTo(Path.of("/var/lib/ocikit"));
        assertThat(ImageStore.defaultRoot()).isAbsolute();
    }

    @Test
    void normalisesNewNamesAsPodmanTagDoes() {
        assertThat(ImageStore.normalizeName("app")).isEqualTo(ref("localhost/app:latest"));
        assertThat(ImageStore.normalizeName("me/app:2")).isEqualTo(ref("localhost/me/app:2"));
        assertThat(ImageStore.normalizeName("quay.io/x/y")).isEqualTo(ref("quay.io/x/y:latest"));
        assertThat(ImageStore.normalizeName("docker.io/busybox")).isEqualTo(ref("docker.io/library/busybox:latest"));
        assertThatThrownBy(() -> ImageStore.normalizeName("Bad Name")).isInstanceOf(InvalidReferenceException.class);
    }

    @Test
    void findsImagesByNameIdShortIdAndDigest() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        Image b = TestImages.image("b");
        put(store, "docker.io/library/busybox:1.36", a);
        put(store, "app", b);

        List<StoredImage> all = store.list();
        assertThat(all).extracting(StoredImage::names).containsExactly(
                List.of(ref("docker.io/library/busybox:1.36")), List.of(ref("localhost/app:latest")));
        StoredImage busybox = all.get(0);
        assertThat(busybox.id()).isEqualTo(a.config().digest());
        assertThat(busybox.digest()).isEqualTo(a.manifest().digest());
        assertThat(busybox.descriptor().refName()).isEmpty();
        assertThat(busybox.isIndex()).isFalse();

        for (String name : List.of("busybox:1.36", "docker.io/library/busybox:1.36", "library/busybox:1.36",
                a.config().digest().toString(), a.config().digest().encoded(), busybox.shortId(),
                a.config().digest().encoded().substring(0, 20), a.manifest().digest().toString(),
                "busybox@" + a.manifest().digest())) {
            assertThat(store.resolve(name).digest()).as(name).isEqualTo(a.manifest().digest());
        }
        for (String name : List.of("app", "localhost/app", "localhost/app:latest")) {
            assertThat(store.resolve(name).digest()).as(name).isEqualTo(b.manifest().digest());
        }
        assertThat(store.find("busybox")).isEmpty(); // :latest is not :1.36
        // shorter prefixes too, as Podman takes them, once no name matches
        assertThat(store.resolve(busybox.shortId().substring(0, 4)).digest()).isEqualTo(a.manifest().digest());
        assertThatThrownBy(() -> store.resolve("nothing")).isInstanceOf(ImageUnknownException.class)
                .hasMessageContaining("\"nothing\" is not in the image store");
        assertThatThrownBy(() -> store.find("Bad Name")).isInstanceOf(InvalidReferenceException.class);
    }

    @Test
    void verifyFindsAnImageMissingABlobAsWellAsACorruptOne() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        Image b = TestImages.image("b");
        put(store, "a", a);
        put(store, "b", b);
        assertThat(store.verify().ok()).isTrue();

        Files.delete(store.layout().blobPath(a.layers().get(0).digest()));
        Files.write(store.layout().blobPath(b.config().digest()), "{}".getBytes(StandardCharsets.UTF_8));
        VerifyReport report = store.verify();

        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).extracting(VerifyReport.Problem::toString)
                .anyMatch(p -> p.contains(a.layers().get(0).digest().encoded()) && p.contains("missing")
                        && p.contains(a.manifest().digest().toString()))
                .anyMatch(p -> p.contains(b.config().digest().encoded()) && p.contains("corrupt"));
    }

    @Test
    void oneConfigUnderSeveralManifestsIsOneImageByItsId() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        // The same config and layers under another manifest (say, recompressed elsewhere): same ID.
        ImageManifest twin = a.manifest().model().withAnnotations(Map.of("note", "twin"));
        Image a2 = new Image(Parsed.serialize(twin), a.config(), a.layers());
        put(store, "one", a);
        put(store, "two", a2);
        String id = a.config().digest().toString();

        for (String byId : List.of(id, a.config().digest().encoded(), a.config().digest().shortId())) {
            assertThat(store.resolve(byId).id()).as(byId).isEqualTo(a.config().digest());
        }
        // as Podman refuses to remove by ID an image with several names, unless forced
        assertThatThrownBy(() -> store.remove(id, false)).isInstanceOf(ImageConflictException.class)
                .hasMessageContaining("localhost/one:latest").hasMessageContaining("localhost/two:latest");
        assertThat(store.list()).hasSize(2);
        // the manifest digest still tells them apart
        assertThat(store.resolve(a2.manifest().digest().toString()).names()).containsExactly(ref("localhost/two:latest"));

        ImageStore.Removal removed = store.remove(id, true);

        assertThat(removed.untagged()).containsExactlyInAnyOrder(ref("localhost/one:latest"), ref("localhost/two:latest"));
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aPrefixOfTwoImagesIdsIsRefusedWithTheCandidatesAndANameBeatsAShortPrefix() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        put(store, "one", a);
        String first = a.config().digest().encoded().substring(0, 1);
        Image other = null;
        for (int i = 0; other == null; i++) { // one in 16 shares the first hex digit
            Image candidate = TestImages.image("b" + i);
            if (candidate.config().digest().encoded().startsWith(first)) {
                other = candidate;
            }
        }
        put(store, "two", other);

        assertThatThrownBy(() -> store.resolve(first)).isInstanceOf(AmbiguousImageException.class)
                .hasMessageContaining("matches 2 images").hasMessageContaining("localhost/one:latest")
                .hasMessageContaining("localhost/two:latest")
                .satisfies(e -> assertThat(((AmbiguousImageException) e).candidates()).hasSize(2));
        // a name spelled in hex digits is a name first
        store.tag("two", first);
        assertThat(store.resolve(first).id()).isEqualTo(other.config().digest());
    }

    @Test
    void taggingMovesANameAndTheImageItLeftStaysUnnamed() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        Image b = TestImages.image("b");
        put(store, "app", a);
        put(store, "app", b); // a newer app:latest
        List<StoredImage> all = store.list();
        assertThat(all).hasSize(2);
        assertThat(all.get(0).digest()).isEqualTo(a.manifest().digest());
        assertThat(all.get(0).names()).isEmpty();

        StoredImage tagged = store.tag(a.config().digest().shortId(), "quay.io/me/app:old");
        assertThat(tagged.names()).containsExactly(ref("quay.io/me/app:old"));
        store.tag("app", "app:2");
        assertThat(store.resolve("app:2").names()).containsExactly(ref("localhost/app:latest"), ref("localhost/app:2"));
        assertThatThrownBy(() -> store.tag("missing", "x")).isInstanceOf(ImageUnknownException.class);
        assertThatThrownBy(() -> store.tag("app", "Bad Name")).isInstanceOf(InvalidReferenceException.class);
    }

    @Test
    void untagLeavesTheImageInTheStore() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        put(store, "app", a);
        store.tag("app", "app:2");
        store.untag("app");
        assertThat(store.resolve(a.manifest().digest().toString()).names()).containsExactly(ref("localhost/app:2"));
        store.untag("localhost/app:2");
        assertThat(store.list()).singleElement().satisfies(i -> assertThat(i.names()).isEmpty());
        assertThatThrownBy(() -> store.untag("app:2")).isInstanceOf(ImageUnknownException.class);
        assertThat(ImageLayout.open(dir).index().manifests()).hasSize(1);
    }

    @Test
    void removesLikePodmanRmi() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        Image b = TestImages.image("b");
        put(store, "app", a);
        store.tag("app", "app:2");
        put(store, "other", b);

        // by one of several names: only that name goes
        ImageStore.Removal r = store.remove("app:2", false);
        assertThat(r.untagged()).containsExactly(ref("localhost/app:2"));
        assertThat(r.removed()).isEmpty();
        store.tag("app", "app:3");

        // by ID while it has several names: refused, nothing changes
        byte[] before = Files.readAllBytes(dir.resolve("index.json"));
        assertThatThrownBy(() -> store.remove(a.config().digest().shortId(), false))
                .isInstanceOf(ImageConflictException.class).hasMessageContaining("several names");
        assertThat(dir.resolve("index.json")).hasBinaryContent(before);

        // forced: the image and all its names go; blobs go at collection, shared ones stay
        r = store.remove(a.config().digest().shortId(), true);
        assertThat(r.untagged()).containsExactly(ref("localhost/app:latest"), ref("localhost/app:3"));
        assertThat(r.removed()).contains(a.manifest().digest());
        assertThat(store.find("app")).isEmpty();
        GarbageReport gc = store.collectGarbage();
        assertThat(gc.removed()).containsExactlyInAnyOrder(a.manifest().digest(), a.config().digest(),
                a.layers().get(0).digest());
        ImageLayout layout = ImageLayout.open(dir);
        b.blobs().forEach(blob -> assertThat(layout.contains(blob.digest())).isTrue());

        // by its only name: the image goes
        r = store.remove("other", false);
        assertThat(r.removed()).contains(b.manifest().digest());
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.remove("other", true)).isInstanceOf(ImageUnknownException.class);
    }

    @Test
    void choosesThePlatformFromAnIndex() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image amd = TestImages.image("amd", AMD64);
        Image arm = TestImages.image("arm", ARM64);
        Parsed<ImageIndex> index = TestImages.index(List.of(AMD64, ARM64), amd, arm);
        try (ImageDestination dest = store.reference("quay.io/me/multi:1").openDestination()) {
            TestImages.write(dest, index, amd, arm);
        }
        StoredImage multi = store.resolve("quay.io/me/multi:1");
        assertThat(multi.isIndex()).isTrue();
        assertThat(multi.id()).isEqualTo(index.digest());
        Parsed<ImageManifest> m = store.manifest(multi, ARM64);
        assertThat(m.digest()).isEqualTo(arm.manifest().digest());
        assertThat(store.config(m.model()).model().architecture()).isEqualTo("arm64");
        assertThat(store.manifest(multi, Platform.of("linux", "amd64", "v3")).digest()).isEqualTo(amd.manifest().digest());
        assertThatThrownBy(() -> store.manifest(multi, Platform.of("linux", "s390x")))
                .isInstanceOf(ImageUnknownException.class).hasMessageContaining("[linux/amd64, linux/arm64]");
        // a single image is used whatever platform is asked for
        put(store, "single", amd);
        assertThat(store.manifest(store.resolve("single"), ARM64).digest()).isEqualTo(amd.manifest().digest());
    }

    @Test
    void keepsDockerManifestsAsTheyAre() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image oci = TestImages.image("d");
        ImageManifest docker = ImageManifest.builder().docker()
                .config(oci.config().descriptor().withMediaType(MediaTypes.DOCKER_CONFIG))
                .addLayer(oci.layers().get(0).descriptor().withMediaType(MediaTypes.DOCKER_LAYER_TAR_GZIP))
                .build();
        Parsed<ImageManifest> parsed = Parsed.serialize(docker);
        try (ImageDestination dest = store.reference("docker.io/me/d:1").openDestination()) {
            TestImages.putBlobs(dest, oci);
            dest.putManifest(ManifestBlob.of(parsed.bytes(), parsed.mediaType()), Optional.empty());
            dest.commit();
        }
        StoredImage image = store.resolve("docker.io/me/d:1");
        assertThat(image.digest()).isEqualTo(parsed.digest());
        assertThat(image.descriptor().mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        try (ImageSource src = store.reference("docker.io/me/d:1").openSource()) {
            assertThat(src.manifest(Optional.empty()).bytes()).isEqualTo(parsed.bytes());
        }
    }

    @Test
    void theStoreIsAnOciLayoutThatOciReferencesRead() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        put(store, "app", a);
        try (ImageSource src = new OciTransport().parse(dir + ":localhost/app:latest").openSource()) {
            assertThat(src.manifest(Optional.empty()).digest()).isEqualTo(a.manifest().digest());
        }
        // and an image copied in through oci: by its full name is found by the store
        Image b = TestImages.image("b");
        try (ImageDestination dest = new OciTransport().parse(dir + ":docker.io/library/b:latest").openDestination()) {
            TestImages.write(dest, b);
        }
        assertThat(store.resolve("docker.io/b").digest()).isEqualTo(b.manifest().digest());
    }

    @Test
    void parsesOcikitReferences() {
        StoreTransport t = new StoreTransport();
        TransportReference plain = t.parse("busybox");
        assertThat(plain.withinTransport()).isEqualTo("busybox");
        assertThat(plain.dockerReference()).contains(ref("localhost/busybox:latest"));
        TransportReference rooted = t.parse("[/srv/store]quay.io/a/b:1");
        assertThat(rooted.withinTransport()).isEqualTo("[/srv/store]quay.io/a/b:1");
        assertThat(t.parse(rooted.withinTransport())).isEqualTo(rooted);
        assertThat(StoreTransport.reference(Path.of("/srv/store"), "quay.io/a/b:1")).isEqualTo(rooted);
        assertThat(t.parse("[/s]0123456789ab").dockerReference()).isEmpty();
        assertThat(TransportReference.format(t.parse(""))).isEqualTo("ocikit:");
        for (String bad : List.of("[relative]x", "[/x", "Bad Name", "[]x")) {
            assertThatThrownBy(() -> t.parse(bad)).as(bad).isInstanceOf(InvalidTransportReferenceException.class);
        }
        String id = "a".repeat(64);
        assertThatThrownBy(() -> StoreTransport.reference(dir, id).openDestination())
                .isInstanceOf(InvalidTransportReferenceException.class).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> StoreTransport.reference(dir, "").openSource())
                .isInstanceOf(ImageUnknownException.class);
    }

    @Test
    void anImageWrittenWithoutANameIsKeptAndFoundById() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        put(store, "", a);
        assertThat(store.list()).singleElement().satisfies(i -> assertThat(i.names()).isEmpty());
        try (ImageSource src = store.reference(a.config().digest().shortId()).openSource()) {
            assertThat(src.manifest(Optional.empty()).digest()).isEqualTo(a.manifest().digest());
        }
    }

    @Test
    void aDamagedStoreGivesTypedErrorsAndStaysAsItWas() throws IOException {
        ImageStore store = ImageStore.open(dir);
        Image a = TestImages.image("a");
        put(store, "a", a);
        put(store, "b", TestImages.image("b"));
        Files.delete(dir.resolve("blobs/sha256/" + a.manifest().digest().encoded()));
        assertThatThrownBy(store::list).isInstanceOf(BlobUnknownException.class)
                .hasMessageContaining(a.manifest().digest().toString());
        // the damaged image can still be removed by name
        assertThat(store.remove("a", false).removed()).contains(a.manifest().digest());
        assertThat(store.list()).hasSize(1);

        byte[] broken = "{\"schemaVersion\":2,\"manifests\":{}}".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("index.json"), broken);
        assertThatThrownBy(store::list).isInstanceOf(MalformedDocumentException.class);
        assertThatThrownBy(() -> store.remove("b", true)).isInstanceOf(MalformedDocumentException.class);
        assertThatThrownBy(() -> store.tag("b", "c")).isInstanceOf(MalformedDocumentException.class);
        assertThat(dir.resolve("index.json")).hasBinaryContent(broken);

        Path notAStore = dir.resolve("home");
        Files.createDirectories(notAStore);
        Files.writeString(notAStore.resolve(".bashrc"), "");
        assertThatThrownBy(() -> ImageStore.open(notAStore)).isInstanceOf(ImageLayoutException.class);
    }

    @Test
    void writesFromManyThreadsSurviveConcurrentGarbageCollection() throws Exception {
        ImageStore store = ImageStore.open(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean writing = new AtomicBoolean(true);
        try {
            Future<Integer> collector = pool.submit(() -> {
                int runs = 0;
                do {
                    store.collectGarbage();
                    runs++;
                } while (writing.get());
                return runs;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 4; i++) {
                        put(store, "w" + thread + ":" + i, TestImages.image("w" + thread + "-" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
            writing.set(false);
            assertThat(collector.get()).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list()).hasSize(12);
        ImageLayout layout = ImageLayout.open(dir);
        for (StoredImage image : store.list()) {
            layout.checkComplete(image.descriptor());
        }
        assertThat(store.collectGarbage().removed()).isEmpty();
    }

    @Test
    void tagsFromSeveralJvmsAreAllKept() throws Exception {
        ImageStore store = ImageStore.open(dir);
        put(store, "base", TestImages.image("base"));
        List<Process> workers = List.of(
                StoreWorker.start("tag", dir.toString(), "base", "jvm1", "8"),
                StoreWorker.start("tag", dir.toString(), "base", "jvm2", "8"));
        try {
            for (Process p : workers) {
                assertThat(readLine(p)).isEqualTo("READY");
            }
            for (Process p : workers) {
                try (Writer w = p.outputWriter()) {
                    w.write("go\n");
                }
            }
            for (int i = 0; i < 8; i++) {
                store.tag("base", "here-" + i);
            }
            for (Process p : workers) {
                assertThat(readLine(p)).isEqualTo("DONE");
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).isZero();
            }
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
        assertThat(store.resolve("base").names()).hasSize(25);
    }

    @Test
    void blobsOfAWriterInAnotherJvmAreSparedUntilItDies() throws Exception {
        ImageStore store = ImageStore.open(dir);
        Image held = TestImages.image("held");
        Process worker = StoreWorker.start("hold", dir.toString(), "held");
        try {
            assertThat(readLine(worker)).isEqualTo("READY");
            assertThat(store.collectGarbage().removed()).isEmpty();
            for (Blob b : held.blobs()) {
                assertThat(ImageLayout.open(dir).contains(b.digest())).isTrue();
            }
            try (Writer w = worker.outputWriter()) {
                w.write("die\n");
            }
            assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(worker.exitValue()).isEqualTo(3);
        } finally {
            worker.destroyForcibly();
        }
        // It died holding its pin: the pin is stale, and the blobs are garbage now.
        assertThat(store.collectGarbage().removed()).containsExactlyInAnyOrder(
                held.blobs().stream().map(Blob::digest).toArray(Digest[]::new));
        assertThat(dir.resolve(BlobPins.DIR)).isEmptyDirectory();
    }

    private static String readLine(Process p) throws IOException {
        BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
        return r.readLine();
    }
}
