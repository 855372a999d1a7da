package dev.ocikit.image;

import static dev.ocikit.image.UnpackerTest.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.image.Compression;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerSnapshotsTest {
    @TempDir
    Path tmp;

    private final AtomicInteger opens = new AtomicInteger();

    /** A layer that knows its DiffID and counts how often it is read. */
    private LayerSource counted(String description, byte[] tar) {
        return new LayerSource(description, Compression.NONE, Optional.of(Digest.sha256(tar)), () -> {
            opens.incrementAndGet();
            return new ByteArrayInputStream(tar);
        });
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void whiteoutsBecomeOverlayWhiteoutsAndOpaqueDirectoriesGetTheXattr() throws IOException {
        assumeTrue(Unpacker.isRoot(), "whiteout devices and trusted xattrs need root");
        byte[] tar = new TarBuilder().file("etc/.wh.old", "").dir("opt/app", 0755).file("opt/app/.wh..wh..opq", "")
                .file("opt/app/new", "n").file("kept", "k").file(".wh.kept", "").build();
        LayerSnapshots.Chain chain = LayerSnapshots.at(tmp.resolve("snapshots")).prepare(List.of(counted("l", tar)));

        Path dir = chain.directories().get(0);
        assertThat(dir).isEqualTo(tmp.resolve("snapshots/sha256").resolve(Digest.sha256(tar).encoded()));
        Path old = dir.resolve("etc/old");
        assertThat(Files.getAttribute(old, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(LibC.S_IFCHR);
        assertThat(Files.getAttribute(old, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
        assertThat(LibC.getXattr(dir.resolve("opt/app").toString(), "trusted.overlay.opaque")).containsExactly('y');
        assertThat(names(dir.resolve("opt/app"))).containsExactly("new");
        // the layer's own file wins over its own whiteout
        assertThat(dir.resolve("kept")).hasContent("k");
        assertThat(names(dir.resolve("etc"))).containsExactly("old");
        assertThat(chain.diffIds()).containsExactly(Digest.sha256(tar));
    }

    @Test
    void aWhiteoutOfADirectoryTheLayerAlsoWritesMakesItOpaque() throws IOException {
        assumeTrue(Unpacker.isRoot(), "trusted xattrs need root");
        // .wh.d hides the lower d; the layer's own d/upper must stay, and only it.
        byte[] tar = new TarBuilder().file("d/upper", "u").file(".wh.d", "").build();
        Path dir = LayerSnapshots.at(tmp.resolve("snapshots")).prepare(List.of(counted("l", tar))).directories().get(0);
        assertThat(dir.resolve("d/upper")).hasContent("u");
        assertThat(LibC.getXattr(dir.resolve("d").toString(), "trusted.overlay.opaque")).containsExactly('y');
    }

    @Test
    void aSecondCallReusesTheSnapshotsWithoutReadingTheLayers() throws IOException {
        byte[] a = new TarBuilder().file("a", "1").build();
        byte[] b = new TarBuilder().file("b", "2").build();
        LayerSnapshots snapshots = LayerSnapshots.at(tmp.resolve("snapshots"));
        LayerSnapshots.Chain first = snapshots.prepare(List.of(counted("a", a), counted("b", b)));
        assertThat(opens).hasValue(2);
        Object inode = Files.getAttribute(first.directories().get(0), "unix:ino");

        LayerSnapshots.Chain second = LayerSnapshots.at(tmp.resolve("snapshots")).prepare(List.of(counted("a", a), counted("b", b)));
        assertThat(opens).hasValue(2);
        assertThat(second).isEqualTo(first);
        assertThat(Files.getAttribute(second.directories().get(0), "unix:ino")).isEqualTo(inode);
        assertThat(snapshots.find(Digest.sha256(b))).contains(first.directories().get(1));
        assertThat(names(tmp.resolve("snapshots/tmp"))).isEmpty();
    }

    @Test
    void aLayerRepeatedInOneImageIsExtractedOnce() throws IOException {
        byte[] a = new TarBuilder().file("a", "1").build();
        byte[] b = new TarBuilder().file("b", "2").build();
        LayerSnapshots.Chain chain = LayerSnapshots.at(tmp.resolve("snapshots"))
                .prepare(List.of(counted("a", a), counted("b", b), counted("a again", a)));
        assertThat(opens).hasValue(2);
        assertThat(chain.directories()).hasSize(3);
        assertThat(chain.directories().get(2)).isEqualTo(chain.directories().get(0));
        assertThatThrownBy(chain::overlayLowerdir).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("overlayfs refuses the same lower directory twice");
    }

    @Test
    void layersRunOnTheInjectedExecutorAndTheLowerdirIsTopFirst() throws IOException {
        AtomicInteger ran = new AtomicInteger();
        Executor counting = task -> {
            ran.incrementAndGet();
            new Thread(task).start();
        };
        List<LayerSource> layers = List.of(counted("1", new TarBuilder().file("1", "1").build()),
                counted("2", new TarBuilder().file("2", "2").build()), counted("3", new TarBuilder().file("3", "3").build()));
        LayerSnapshots.Chain chain = LayerSnapshots.at(tmp.resolve("snapshots")).executor(counting).prepare(layers);
        assertThat(ran).hasValue(3);
        List<Path> d = chain.directories();
        assertThat(chain.overlayLowerdir()).isEqualTo(d.get(2) + ":" + d.get(1) + ":" + d.get(0));
        assertThat(d.get(0).resolve("1")).hasContent("1");
    }

    @Test
    void aLayerWithoutDiffIdIsFiledUnderTheOneItUnpacksTo() throws IOException {
        byte[] tar = new TarBuilder().file("x", "x").build();
        LayerSnapshots.Chain chain = LayerSnapshots.at(tmp.resolve("snapshots")).prepare(List.of(layer(tar)));
        assertThat(chain.diffIds()).containsExactly(Digest.sha256(tar));
        assertThat(chain.directories().get(0).getFileName().toString()).isEqualTo(Digest.sha256(tar).encoded());
    }

    @Test
    void aFailedLayerLeavesNothingAndTheGoodOnesAreKept() throws IOException {
        byte[] good = new TarBuilder().file("good", "g").build();
        byte[] lying = new TarBuilder().file("x", "x").build();
        Digest wrong = Digest.sha256("not this".getBytes(StandardCharsets.UTF_8));
        LayerSnapshots snapshots = LayerSnapshots.at(tmp.resolve("snapshots"));
        assertThatThrownBy(() -> snapshots.prepare(List.of(counted("good", good), layer(lying).withDiffId(wrong))))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("the image config says " + wrong);
        assertThat(snapshots.find(Digest.sha256(good))).isPresent();
        assertThat(snapshots.find(wrong)).isEmpty();
        assertThat(snapshots.find(Digest.sha256(lying))).isEmpty();
        assertThat(names(tmp.resolve("snapshots/tmp"))).isEmpty();
    }

    @Test
    void hostileLayersAreRefusedAsByTheUnpacker() throws IOException {
        LayerSnapshots snapshots = LayerSnapshots.at(tmp.resolve("snapshots"));
        byte[] tar = new TarBuilder().file("../escape", "x").build();
        assertThatThrownBy(() -> snapshots.prepare(List.of(layer(tar))))
                .isInstanceOf(HostileLayerException.class)
                .hasMessage("refusing layer test layer: entry '../escape' has '..' in its name, which would climb out of the target");
        assertThat(tmp.resolve("escape")).doesNotExist();
        assertThat(names(tmp.resolve("snapshots"))).containsExactly("lock", "tmp");
        assertThat(names(tmp.resolve("snapshots/tmp"))).isEmpty();
    }

    @Test
    void aHardLinkIntoALowerLayerCannotBeSnapshotted() {
        byte[] lower = new TarBuilder().file("etc/passwd", "root").build();
        byte[] upper = new TarBuilder().hardlink("etc/passwd-", "etc/passwd").build();
        assertThatThrownBy(() -> LayerSnapshots.at(tmp.resolve("snapshots")).prepare(List.of(layer(lower), layer(upper))))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("entry 'etc/passwd-' is a hard link to 'etc/passwd', which is not in the same layer");
    }

    @Test
    void withoutRootAWhiteoutFailsClearly() {
        assumeFalse(Unpacker.isRoot(), "as root the whiteout device can be made");
        byte[] tar = new TarBuilder().file(".wh.gone", "").build();
        assertThatThrownBy(() -> LayerSnapshots.at(tmp.resolve("snapshots")).prepare(List.of(layer(tar))))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("snapshots need root");
    }

    @Test
    void garbageCollectionKeepsLiveSnapshotsAndClearsLeftovers() throws IOException {
        byte[] a = new TarBuilder().file("a", "1").build();
        byte[] b = new TarBuilder().file("b", "2").build();
        LayerSnapshots snapshots = LayerSnapshots.at(tmp.resolve("snapshots"));
        LayerSnapshots.Chain chain = snapshots.prepare(List.of(counted("a", a), counted("b", b)));
        Files.createDirectories(tmp.resolve("snapshots/tmp/layer-interrupted/usr"));
        Files.createDirectories(tmp.resolve("snapshots/sha256/not-a-digest"));

        assertThat(snapshots.collectGarbage(java.util.Set.of(Digest.sha256(a)))).containsExactly(Digest.sha256(b));
        assertThat(snapshots.find(Digest.sha256(a))).contains(chain.directories().get(0));
        assertThat(snapshots.find(Digest.sha256(b))).isEmpty();
        assertThat(names(tmp.resolve("snapshots/tmp"))).isEmpty();
        assertThat(tmp.resolve("snapshots/sha256/not-a-digest")).isDirectory();

        // a collected layer is simply extracted again when asked for
        opens.set(0);
        snapshots.prepare(List.of(counted("b", b)));
        assertThat(opens).hasValue(1);
    }
}
