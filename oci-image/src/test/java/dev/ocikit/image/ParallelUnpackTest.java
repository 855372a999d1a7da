package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Compression;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New regular files are written on worker threads while the tar stream is read on: these layers
 * put a later entry right after earlier work on the same path, so a writer that ran out of order
 * would leave a different tree than one-by-one unpacking does.
 */
class ParallelUnpackTest {
    @TempDir
    Path tmp;

    private static final int MANY = 300;

    private static LayerSource layer(String name, byte[] tar) {
        return new LayerSource(name, Compression.NONE, Optional.empty(), () -> new ByteArrayInputStream(tar));
    }

    private static byte[] content(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static TarBuilder many(TarBuilder t, String dir, String tag) {
        for (int i = 0; i < MANY; i++) {
            t.file(dir + "/f" + i, content(tag + i), 0640, 1000 + i, 2000, Map.of());
        }
        return t;
    }

    /** Layers whose later entries depend on earlier files of the same layer being written. */
    private static List<LayerSource> layers() {
        byte[] lower = many(new TarBuilder(), "o", "lower").file("keep", "kept").dir("z", 0755).build();
        TarBuilder upper = new TarBuilder();
        many(upper, "d", "first");
        upper.file("d/.wh.f7", "")                      // whiteout of a file just written
                .file("d/f7", "again")                  // and the same path again
                .file("d/f8", "replaced")               // a later entry for a pending path
                .hardlink("d/f9-link", "d/f9")          // a hard link to a file just written
                .file("x", "a file")
                .dir("x", 0700)                         // a file replaced by a directory
                .file("x/y", "under x")
                .file("z/inner", "in z")
                .file("z", "z is a file now")           // a directory with a pending child replaced by a file
                .file("o/new", "upper")
                .file("o/.wh..wh..opq", "");            // opaque after many lower files and one upper file
        many(upper, "e", "second");
        upper.symlink("e/f3", "f4");                   // a symlink replacing a pending file
        return List.of(layer("lower", lower), layer("upper", upper.build()));
    }

    @Test
    void parallelWritesLeaveTheTreeSequentialUnpackingLeaves() throws IOException {
        assumeTrue(Unpacker.isRoot(), "parallel writes are used in privileged mode");
        Path parallel = tmp.resolve("parallel");
        Path sequential = tmp.resolve("sequential");
        UnpackReport a = Unpacker.defaults().unpack(layers(), parallel);
        UnpackReport b = Unpacker.defaults().parallelWrites(false).unpack(layers(), sequential);

        assertThat(RootfsTree.describe(parallel, true, x -> true)).isEqualTo(RootfsTree.describe(sequential, true, x -> true));
        assertThat(a).isEqualTo(b);

        assertThat(parallel.resolve("d/f7")).hasContent("again");
        assertThat(parallel.resolve("d/f8")).hasContent("replaced");
        assertThat(parallel.resolve("d/f100")).hasContent("first100");
        assertThat(UnpackerTest.uid(parallel.resolve("d/f100"))).isEqualTo(1100);
        assertThat(UnpackerTest.mode(parallel.resolve("d/f100"))).isEqualTo(0640);
        assertThat(Files.getLastModifiedTime(parallel.resolve("d/f100"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(TarBuilder.T0);
        assertThat(inode(parallel.resolve("d/f9-link"))).isEqualTo(inode(parallel.resolve("d/f9")));
        assertThat(parallel.resolve("d/f9-link")).hasContent("first9");
        assertThat(Files.isDirectory(parallel.resolve("x"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(UnpackerTest.mode(parallel.resolve("x"))).isEqualTo(0700);
        assertThat(parallel.resolve("x/y")).hasContent("under x");
        assertThat(parallel.resolve("z")).isRegularFile().hasContent("z is a file now");
        try (Stream<Path> s = Files.list(parallel.resolve("o"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("new");
        }
        assertThat(Files.readSymbolicLink(parallel.resolve("e/f3"))).isEqualTo(Path.of("f4"));
        assertThat(parallel.resolve("keep")).hasContent("kept");
    }

    @Test
    void aFileUnderAFileStillWaitingToBeWrittenIsRefused() {
        assumeTrue(Unpacker.isRoot(), "parallel writes are used in privileged mode");
        byte[] tar = many(new TarBuilder(), "d", "x").file("p", "a file").file("p/q", "under a file").build();
        Path target = tmp.resolve("rootfs");
        assertThatThrownBy(() -> Unpacker.defaults().unpack(List.of(layer("l", tar)), target))
                .isInstanceOf(HostileLayerException.class)
                .hasMessageContaining("needs 'p' to be a directory");
        assertThat(target).doesNotExist();
    }

    @Test
    void aFailedWorkerWriteFailsTheUnpackAndLeavesTheTargetUntouched() throws IOException {
        assumeTrue(Unpacker.isRoot(), "parallel writes are used in privileged mode");
        byte[] tar = many(new TarBuilder(), "d", "x").build();
        Path target = tmp.resolve("rootfs");
        Files.createDirectory(target);
        Unpacker failing = Unpacker.defaults().failingWrites(p -> p.endsWith("d/f150"));

        assertThatThrownBy(() -> failing.unpack(List.of(layer("l", tar)), target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("d/f150")
                .hasMessageContaining("injected");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("rootfs"); // no staging left
        }
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void anEarlierWorkerFailureIsReportedBeforeALaterHostileEntry() throws IOException {
        assumeTrue(Unpacker.isRoot(), "parallel writes are used in privileged mode");
        // One by one, the write of d/f0 would fail before the hostile entry was ever read.
        byte[] tar = many(new TarBuilder(), "d", "x").file("../escape", "out").build();
        Path target = tmp.resolve("rootfs");
        Unpacker failing = Unpacker.defaults().failingWrites(p -> p.endsWith("d/f0"));

        assertThatThrownBy(() -> failing.unpack(List.of(layer("l", tar)), target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("d/f0")
                .hasMessageContaining("injected");
        assertThat(target).doesNotExist();
        assertThat(tmp.resolve("escape")).doesNotExist();
    }

    @Test
    void readAheadHandsOverTheBytesThenTheSourcesFailureAtItsPlace() throws IOException {
        byte[] data = new byte[1_000_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        InputStream failingAfterData = new java.io.SequenceInputStream(new ByteArrayInputStream(data), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new LayerTooLargeException("too large (test)");
            }
        });
        try (ReadAheadInputStream in = new ReadAheadInputStream(failingAfterData)) {
            byte[] got = in.readNBytes(data.length);
            assertThat(Digest.sha256(got)).isEqualTo(Digest.sha256(data));
            assertThatThrownBy(in::read).isInstanceOf(LayerTooLargeException.class).hasMessage("too large (test)");
            assertThatThrownBy(in::read).isInstanceOf(LayerTooLargeException.class);
        }
        try (ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void closingTheReadAheadEarlyStopsItsThread() throws IOException {
        byte[] data = new byte[8 << 20]; // more than the read-ahead holds, so its thread blocks
        ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data));
        assertThat(in.read()).isZero();
        in.close();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    private static Object inode(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }
}
