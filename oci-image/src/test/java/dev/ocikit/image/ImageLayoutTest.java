package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.TestImages.Blob;
import dev.ocikit.image.TestImages.Image;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Annotations;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLayoutTest {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Platform ARM64 = Platform.of("linux", "arm64");

    @TempDir
    Path dir;

    /** Stores an image's blobs and manifest, and tags it. */
    static Descriptor store(ImageLayout layout, Image image, String ref) throws IOException {
        for (Blob b : image.blobs()) {
            layout.putBlob(b.bytes());
        }
        Descriptor d = layout.putManifest(image.manifest());
        layout.tag(ref, d);
        return d;
    }

    static Set<String> tree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void createsAnEmptyLayoutThatOpensAgain() throws IOException {
        Path root = dir.resolve("new/layout");
        ImageLayout layout = ImageLayout.create(root);
        assertThat(root.resolve("oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(root.resolve("index.json")).hasContent(
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
        assertThat(root.resolve("blobs")).isDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("index.json"))))
                .isEqualTo("rw-r--r--");
        assertThat(layout.refs()).isEmpty();
        assertThat(ImageLayout.open(root).index().manifests()).isEmpty();
        assertThat(ImageLayout.create(root).root()).isEqualTo(layout.root());
    }

    @Test
    void openingReadsWithoutWriting() throws IOException {
        ImageLayout.create(dir);
        Set<String> before = tree(dir);
        ImageLayout layout = ImageLayout.open(dir);
        layout.refs();
        assertThat(layout.contains(Digest.sha256(new byte[0]))).isFalse();
        assertThat(tree(dir)).isEqualTo(before);
    }

    @Test
    void tagsResolvesAndReadsAnImage() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Image image = TestImages.image("a");
        Descriptor d = store(layout, image, "v1.0");

        assertThat(layout.refs()).containsExactly("v1.0");
        Descriptor entry = layout.resolve("v1.0");
        assertThat(entry.digest()).isEqualTo(image.manifest().digest());
        assertThat(entry.annotations()).containsEntry(Annotations.REF_NAME, "v1.0");
        assertThat(layout.resolve(d.digest().toString()).digest()).isEqualTo(d.digest());
        assertThat(layout.find("v1.0")).contains(entry);
        assertThat(layout.find("v2")).isEmpty();
        assertThat(layout.soleImage()).isEqualTo(entry);

        Parsed<ImageManifest> manifest = layout.imageManifest(entry, AMD64);
        assertThat(manifest.bytes()).isEqualTo(image.manifest().bytes());
        assertThat(layout.config(manifest.model()).bytes()).isEqualTo(image.config().bytes());
        try (var in = layout.openBlob(image.layers().get(0).digest())) {
            assertThat(in.readAllBytes()).isEqualTo(image.layers().get(0).bytes());
        }
        assertThat(dir.resolve("blobs/sha256/" + d.digest().encoded())).hasBinaryContent(image.manifest().bytes());
    }

    @Test
    void movingANameLeavesTheOldImageListedUnnamedAndRetaggingAddsNoDuplicate() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Descriptor a = store(layout, TestImages.image("a"), "latest");
        Descriptor b = store(layout, TestImages.image("b"), "latest");

        List<Descriptor> entries = layout.index().manifests();
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).digest()).isEqualTo(a.digest());
        assertThat(entries.get(0).refName()).isEmpty();
        assertThat(entries.get(1).digest()).isEqualTo(b.digest());
        assertThat(entries.get(1).refName()).contains("latest");

        // Naming the unnamed image replaces its unnamed entry; a second name adds an entry.
        layout.tag("old", a);
        layout.tag("latest", b);
        layout.tag("also-b", b);
        assertThat(layout.index().manifests()).extracting(d -> d.refName().orElse("-"))
                .containsExactly("old", "latest", "also-b");
    }

    @Test
    void withRefIsSkopeosAddManifest() {
        Descriptor x = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("x".getBytes(StandardCharsets.UTF_8)), 1);
        Descriptor y = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("y".getBytes(StandardCharsets.UTF_8)), 1);
        ImageIndex empty = ImageIndex.builder().build();

        ImageIndex one = ImageLayout.withRef(empty, Optional.empty(), x);
        assertThat(one.manifests()).containsExactly(x);
        // An unnamed entry of the same content is replaced by the named one.
        ImageIndex named = ImageLayout.withRef(one, Optional.of("t"), x);
        assertThat(named.manifests()).extracting(d -> d.refName().orElse("-")).containsExactly("t");
        // Writing the same content unnamed again adds nothing: a named entry already lists it.
        assertThat(ImageLayout.withRef(named, Optional.empty(), x)).isEqualTo(named);
        // The name moves to y; x stays, unnamed.
        ImageIndex moved = ImageLayout.withRef(named, Optional.of("t"), y);
        assertThat(moved.manifests()).extracting(Descriptor::digest).containsExactly(x.digest(), y.digest());
        assertThat(moved.manifests().get(0).refName()).isEmpty();
        // Other fields of the index survive.
        ImageIndex annotated = empty.withAnnotations(java.util.Map.of("k", "v"));
        assertThat(ImageLayout.withRef(annotated, Optional.of("t"), x).annotations()).containsEntry("k", "v");
    }

    @Test
    void untagRemovesTheEntry() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        store(layout, TestImages.image("a"), "a");
        store(layout, TestImages.image("b"), "b");
        assertThat(layout.untag("a")).isTrue();
        assertThat(layout.untag("a")).isFalse();
        assertThat(layout.refs()).containsExactly("b");
        assertThat(layout.index().manifests()).hasSize(1);
    }

    @Test
    void refusesRefNamesOutsideTheSpecGrammar() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Descriptor d = store(layout, TestImages.image("a"), "ok");
        for (String bad : List.of("", "a b", "-a", "a//b", "a:", "bad'name", "a__b")) {
            assertThatThrownBy(() -> layout.tag(bad, d)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid ref name");
        }
        for (String good : List.of("v1", "1.0", "docker.io/library/busybox:latest", "a--b", "x@sha256:00", "A+b")) {
            layout.tag(good, d);
        }
        assertThat(layout.refs()).hasSize(7);
    }

    @Test
    void resolvesThroughNestedIndexesByPlatformAndDigest() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Image amd = TestImages.image("amd", AMD64);
        Image arm = TestImages.image("arm", ARM64);
        for (Image i : List.of(amd, arm)) {
            for (Blob b : i.blobs()) {
                layout.putBlob(b.bytes());
            }
            layout.putManifest(i.manifest());
        }
        Parsed<ImageIndex> inner = TestImages.index(List.of(AMD64, ARM64), amd, arm);
        layout.putManifest(inner);
        Parsed<ImageIndex> outer = Parsed.serialize(ImageIndex.builder().addManifest(inner.descriptor()).build());
        layout.putManifest(outer);
        layout.tag("multi", outer.descriptor());

        Descriptor top = layout.resolve("multi");
        assertThat(layout.imageManifest(top, ARM64).digest()).isEqualTo(arm.manifest().digest());
        assertThat(layout.imageManifest(top, AMD64).digest()).isEqualTo(amd.manifest().digest());
        // an arm/v7 host has nothing to run here
        assertThatThrownBy(() -> layout.imageManifest(top, Platform.of("linux", "s390x")))
                .isInstanceOf(ImageUnknownException.class)
                .hasMessageContaining("no image for linux/s390x").hasMessageContaining("linux/arm64");
        // a nested image is found by its digest
        assertThat(layout.resolve(arm.manifest().digest().toString()).platform()).contains(ARM64);
        assertThat(layout.resolve(inner.digest().toString()).digest()).isEqualTo(inner.digest());
        assertThatThrownBy(() -> layout.resolve("nope")).isInstanceOf(ImageUnknownException.class)
                .hasMessageContaining("no image named \"nope\"").hasMessageContaining("[multi]");
    }

    @Test
    void soleImageIsRefusedWhenThereAreNoneOrSeveral() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        assertThatThrownBy(layout::soleImage).isInstanceOf(ImageUnknownException.class).hasMessageContaining("holds no image");
        store(layout, TestImages.image("a"), "a");
        store(layout, TestImages.image("b"), "b");
        assertThatThrownBy(layout::soleImage).isInstanceOf(AmbiguousImageException.class)
                .hasMessageContaining("holds 2 images").hasMessageContaining("[a, b]");
    }

    @Test
    void garbageCollectionKeepsWhatIndexJsonReachesThroughNestedIndexes() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Image a = TestImages.image("a");
        Image b = TestImages.image("b", ARM64);
        Image c = TestImages.image("c");
        store(layout, a, "a");
        for (Blob blob : b.blobs()) {
            layout.putBlob(blob.bytes());
        }
        layout.putManifest(b.manifest());
        Parsed<ImageIndex> index = TestImages.index(List.of(ARM64), b);
        layout.putManifest(index);
        layout.tag("b", index.descriptor());
        store(layout, c, "c");
        Digest stray = layout.putBlob("stray".getBytes(StandardCharsets.UTF_8)).digest();
        Files.writeString(dir.resolve("ingest/blob-left.partial"), "half");

        layout.untag("c");
        GarbageReport report = layout.collectGarbage();

        Set<Digest> cOnly = Set.of(c.manifest().digest(), c.config().digest(), c.layers().get(0).digest());
        assertThat(report.removed()).containsExactlyInAnyOrderElementsOf(
                Stream.concat(cOnly.stream(), Stream.of(stray)).toList());
        for (Image kept : List.of(a, b)) {
            assertThat(layout.contains(kept.manifest().digest())).isTrue();
            kept.blobs().forEach(blob -> assertThat(layout.contains(blob.digest())).isTrue());
        }
        assertThat(layout.contains(index.digest())).isTrue();
        assertThat(dir.resolve("ingest")).isEmptyDirectory();
        assertThat(layout.collectGarbage().removed()).isEmpty();
    }

    @Test
    void garbageCollectionSparesBlobsOfAnOpenDestinationUntilItCloses() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Image image = TestImages.image("pending");
        ImageDestination dest = layout.reference(Optional.of("pending")).openDestination();
        TestImages.putBlobs(dest, image);
        assertThat(dir.resolve(BlobPins.DIR)).isNotEmptyDirectory();

        assertThat(layout.collectGarbage().removed()).isEmpty();
        image.blobs().forEach(b -> assertThat(layout.contains(b.digest())).isTrue());

        dest.close();
        assertThat(dir.resolve(BlobPins.DIR)).isEmptyDirectory();
        assertThat(layout.collectGarbage().removed()).hasSize(2);
    }

    @Test
    void garbageCollectionStopsWithoutDeletingWhenAManifestCannotBeRead() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        store(layout, TestImages.image("a"), "a");
        Digest stray = layout.putBlob("stray".getBytes(StandardCharsets.UTF_8)).digest();
        // A blob that is valid content-addressed data, listed as a manifest, but not one.
        byte[] garbage = "{\"schemaVersion\":2,\"config\":7}".getBytes(StandardCharsets.UTF_8);
        Digest bad = layout.putBlob(garbage).digest();
        layout.update(index -> ImageLayout.withRef(index, Optional.of("bad"),
                Descriptor.of(MediaTypes.OCI_MANIFEST, bad, garbage.length)));

        assertThatThrownBy(layout::collectGarbage).isInstanceOf(ImageLayoutException.class)
                .hasMessageContaining("nothing was deleted").hasMessageContaining(bad.toString());
        assertThat(layout.contains(stray)).isTrue();
    }

    @Test
    void malformedIndexJsonIsATypedErrorAndChangesNothing() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Descriptor d = store(layout, TestImages.image("a"), "a");
        byte[] broken = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("index.json"), broken);

        assertThatThrownBy(layout::refs).isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("index.json of image layout").hasMessageContaining("/manifests/0/digest");
        assertThatThrownBy(() -> layout.tag("b", d)).isInstanceOf(MalformedDocumentException.class);
        assertThatThrownBy(layout::collectGarbage).isInstanceOf(MalformedDocumentException.class);
        assertThat(dir.resolve("index.json")).hasBinaryContent(broken);
        assertThat(layout.contains(d.digest())).isTrue();

        Files.writeString(dir.resolve("index.json"), "not json");
        assertThatThrownBy(layout::index).isInstanceOf(MalformedDocumentException.class);
    }

    @Test
    void missingBlobsAreTypedErrorsAndAnIncompleteImageIsNotTagged() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Image image = TestImages.image("a");
        layout.putBlob(image.config().bytes());
        Descriptor d = layout.putManifest(image.manifest());
        byte[] before = Files.readAllBytes(dir.resolve("index.json"));

        assertThatThrownBy(() -> layout.tag("a", d)).isInstanceOf(BlobUnknownException.class)
                .hasMessageContaining(image.layers().get(0).digest().toString())
                .hasMessageContaining("was not tagged");
        assertThat(dir.resolve("index.json")).hasBinaryContent(before);

        Descriptor absent = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(new byte[] {1}), 1);
        assertThatThrownBy(() -> layout.manifest(absent)).isInstanceOf(BlobUnknownException.class);
        assertThatThrownBy(() -> layout.openBlob(absent.digest())).isInstanceOf(BlobUnknownException.class);
    }

    @Test
    void corruptBlobsAndLyingDescriptorsAreDigestMismatches() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Image image = TestImages.image("a");
        Descriptor d = store(layout, image, "a");
        Path file = dir.resolve("blobs/sha256/" + d.digest().encoded());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        byte[] tampered = image.manifest().bytes();
        tampered[tampered.length - 2] ^= 1;
        Files.write(file, tampered);
        assertThatThrownBy(() -> layout.manifest(layout.resolve("a"))).isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("is corrupt");

        Descriptor config = image.config().descriptor();
        Descriptor wrongSize = Descriptor.of(config.mediaType(), config.digest(), config.size() + 1);
        assertThatThrownBy(() -> layout.readBlob(wrongSize, 1 << 20)).isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("descriptor says " + (config.size() + 1));
        assertThatThrownBy(() -> layout.readBlob(config, 10)).isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("more than the 10");
    }

    @Test
    void refusesDirectoriesThatAreNotLayouts() throws IOException {
        assertThatThrownBy(() -> ImageLayout.open(dir.resolve("absent"))).isInstanceOf(ImageLayoutException.class)
                .hasMessageContaining("does not exist");
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        Set<String> before = tree(dir);
        assertThatThrownBy(() -> ImageLayout.open(dir)).isInstanceOf(ImageLayoutException.class)
                .hasMessageContaining("no oci-layout file");
        assertThatThrownBy(() -> ImageLayout.create(dir)).isInstanceOf(ImageLayoutException.class)
                .hasMessageContaining("not empty and is not an OCI image layout");
        assertThat(tree(dir)).isEqualTo(before);

        Path v2 = dir.resolve("v2");
        Files.createDirectories(v2);
        Files.writeString(v2.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
        Files.writeString(v2.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
        assertThatThrownBy(() -> ImageLayout.open(v2)).isInstanceOf(ImageLayoutException.class)
                .hasMessageContaining("version 2.0.0");
        Path noIndex = dir.resolve("noindex");
        Files.createDirectories(noIndex);
        Files.writeString(noIndex.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThatThrownBy(() -> ImageLayout.open(noIndex)).isInstanceOf(ImageLayoutException.class)
                .hasMessageContaining("has no index.json");
    }

    @Test
    void createFinishesWhatAnInterruptedCreateLeftButNotAForeignDirectory() throws IOException {
        Path interrupted = dir.resolve("interrupted");
        Files.createDirectories(interrupted.resolve("blobs"));
        Files.writeString(interrupted.resolve("index.lock"), "");
        Files.writeString(interrupted.resolve(".index.json.123.tmp"), "{");
        assertThat(ImageLayout.create(interrupted).refs()).isEmpty();
        assertThat(interrupted.resolve("oci-layout")).exists();

        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign.resolve("blobs"));
        assertThatThrownBy(() -> ImageLayout.create(foreign)).isInstanceOf(ImageLayoutException.class);
        assertThat(tree(foreign)).containsExactlyInAnyOrder("", "blobs");
    }

    @Test
    void garbageCollectionRemovesTemporariesOfInterruptedIndexWrites() throws IOException {
        ImageLayout layout = ImageLayout.create(dir);
        Files.writeString(dir.resolve(".index.json.8213.tmp"), "{\"schema");
        Files.writeString(dir.resolve(".keep.tmp"), "not ours");
        layout.collectGarbage();
        assertThat(dir.resolve(".index.json.8213.tmp")).doesNotExist();
        assertThat(dir.resolve(".keep.tmp")).exists();
        assertThat(ImageLayout.SPEC_ENTRIES).containsExactlyInAnyOrder("oci-layout", "index.json", "blobs");
    }

    @Test
    void concurrentTagsFromManyThreadsAreAllKept() throws Exception {
        ImageLayout layout = ImageLayout.create(dir);
        Descriptor d = store(layout, TestImages.image("a"), "base");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        // each thread opens its own handle, as separate callers would
                        ImageLayout.open(dir).tag("t" + thread + "-" + i, d);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(layout.refs()).hasSize(41);
    }
}
