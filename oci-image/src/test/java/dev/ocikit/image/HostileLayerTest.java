package dev.ocikit.image;

import static dev.ocikit.image.UnpackerTest.gzipLayer;
import static dev.ocikit.image.UnpackerTest.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A corpus of hostile layers. Next to the target lies a sentinel tree holding what a naive
 * unpacker would overwrite, chmod or delete; after every test it must be exactly as it was
 * (names, types, contents, modes, owners, mtimes), and so must {@code /etc/passwd}. A refused
 * layer must leave no target and no staging directory behind. Layers that try to escape through
 * symlinks are not refused: as with securejoin, containerd and umoci, the symlink is resolved
 * inside the target, and the test checks that the write landed there.
 */
class HostileLayerTest {
    private static final FileTime SENTINEL_TIME = FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z"));

    @TempDir
    Path tmp;

    private Path sentinel;
    private Path target;
    private Map<String, String> before;

    @BeforeEach
    void plantSentinel() throws IOException {
        sentinel = tmp.resolve("sentinel");
        Files.createDirectories(sentinel.resolve("locked"));
        Files.writeString(sentinel.resolve("victim"), "precious\n");
        Files.writeString(sentinel.resolve("locked/inner"), "inner\n");
        Files.createSymbolicLink(sentinel.resolve("link"), Path.of("victim"));
        Files.setAttribute(sentinel.resolve("victim"), "unix:mode", 0640);
        Files.setAttribute(sentinel.resolve("locked"), "unix:mode", 0700);
        for (String p : List.of("victim", "locked/inner", "locked", "")) {
            Files.setLastModifiedTime(sentinel.resolve(p), SENTINEL_TIME);
        }
        target = tmp.resolve("rootfs");
        before = snapshot();
    }

    @AfterEach
    void nothingOutsideTheTargetChanged() throws IOException {
        assertThat(snapshot()).isEqualTo(before);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).isSubsetOf("sentinel", "rootfs");
        }
    }

    /** Everything a hostile layer might change, outside the target. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(sentinel)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                out.put(sentinel.relativize(p).toString(), describe(p));
            }
        }
        out.put("/etc/passwd", describe(Path.of("/etc/passwd")));
        return out;
    }

    private static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,ino", LinkOption.NOFOLLOW_LINKS);
        String content = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Digest.sha256(Files.readAllBytes(p)).toString() : "dir";
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        return String.format("mode=%o uid=%s gid=%s size=%s ino=%s mtime=%s %s", a.get("mode"), a.get("uid"), a.get("gid"),
                a.get("size"), a.get("ino"), mtime.toInstant(), content);
    }

    private String abs() {
        return sentinel.toString();
    }

    /** The sentinel's absolute path as a name relative to a root. */
    private String rel() {
        return sentinel.toString().substring(1);
    }

    private void assertRefused(List<LayerSource> layers, Unpacker unpacker, Class<? extends Exception> type,
            String... messageParts) {
        assertThatThrownBy(() -> unpacker.unpack(layers, target))
                .isInstanceOf(type)
                .message().contains(messageParts);
        assertThat(target).doesNotExist();
    }

    private void assertRefused(byte[] tar, Class<? extends Exception> type, String... messageParts) {
        assertRefused(List.of(layer(tar)), Unpacker.defaults(), type, messageParts);
    }

    private Path unpack(byte[]... tars) throws IOException {
        Unpacker.defaults().unpack(Stream.of(tars).map(UnpackerTest::layer).toList(), target);
        return target;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // --- names -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"../sentinel/victim", "a/../../sentinel/victim", "./../sentinel/victim"})
    @DisplayName("Zip Slip (CVE-2018-1002200 family): a name with '..' is refused")
    void dotDotNames(String name) {
        byte[] tar = new TarBuilder().file(name, "pwned").build();
        assertRefused(tar, HostileLayerException.class, "entry '" + name + "' has '..' in its name, which would climb out");
    }

    @Test
    @DisplayName("CVE-2014-6407 family: an absolute name is refused, in the header or in a PAX path")
    void absoluteNames() {
        byte[] inHeader = new TarBuilder().file(abs() + "/victim", "pwned").build();
        assertRefused(inHeader, HostileLayerException.class, "entry '" + abs() + "/victim' has an absolute name");
        byte[] inPax = new RawTar().pax('x', "path=" + abs() + "/victim").file("innocent", "pwned").end();
        assertRefused(inPax, HostileLayerException.class, "entry '" + abs() + "/victim' has an absolute name");
    }

    // --- symlinks written through ------------------------------------------------------------

    @Test
    @DisplayName("CVE-2014-9356: a symlink to an absolute outside path, written through in the same layer, stays inside")
    void symlinkWrittenThroughInTheSameLayer() throws IOException {
        byte[] tar = new TarBuilder().symlink("escape", abs()).file("escape/victim", "pwned").build();
        Path root = unpack(tar);
        assertThat(root.resolve(rel()).resolve("victim")).hasContent("pwned");
        assertThat(Files.readSymbolicLink(root.resolve("escape"))).isEqualTo(sentinel);
    }

    @Test
    @DisplayName("CVE-2014-9356: a relative symlink out of the root from an earlier layer, written through, stays inside")
    void symlinkFromAnEarlierLayerWrittenThrough() throws IOException {
        byte[] lower = new TarBuilder().symlink("escape", "../../../../../../../sentinel").build();
        byte[] upper = new TarBuilder().file("escape/victim", "pwned").build();
        Path root = unpack(lower, upper);
        assertThat(root.resolve("sentinel/victim")).hasContent("pwned");
    }

    @Test
    @DisplayName("CVE-2021-29136: an entry named '.' that is a symlink cannot replace the root")
    void symlinkNamedDot() {
        byte[] tar = new TarBuilder().symlink(".", abs()).build();
        byte[] next = new TarBuilder().file("victim", "pwned").build();
        assertRefused(List.of(layer(tar), layer(next)), Unpacker.defaults(), HostileLayerException.class,
                "entry '.' would replace the root directory with a symlink");
        byte[] slashDot = new RawTar().header(RawTar.header("./", '2').link(abs())).end();
        assertRefused(slashDot, HostileLayerException.class, "entry './' would replace the root directory with a symlink");
    }

    @Test
    @DisplayName("CVE-2021-29136: symlinks to '/' and '/.' written through stay inside")
    void symlinkToTheRootWrittenThrough() throws IOException {
        byte[] lower = new TarBuilder().symlink("r1", "/").symlink("r2", "/.").build();
        byte[] upper = new TarBuilder().file("r1/" + rel() + "/victim", "pwned 1").file("r2/" + rel() + "/victim2", "pwned 2")
                .build();
        Path root = unpack(lower, upper);
        assertThat(root.resolve(rel()).resolve("victim")).hasContent("pwned 1");
        assertThat(root.resolve(rel()).resolve("victim2")).hasContent("pwned 2");
    }

    @Test
    @DisplayName("CVE-2014-9356 family: a directory replaced by a symlink in a later layer, then written through, stays inside")
    void directoryReplacedBySymlinkBetweenLayers() throws IOException {
        byte[] first = new TarBuilder().dir("data", 0755).file("data/keep", "k").build();
        byte[] second = new TarBuilder().symlink("data", abs()).build();
        byte[] third = new TarBuilder().file("data/victim", "pwned").build();
        Path root = unpack(first, second, third);
        assertThat(Files.isSymbolicLink(root.resolve("data"))).isTrue();
        assertThat(root.resolve(rel()).resolve("victim")).hasContent("pwned");
    }

    // --- hard links ----------------------------------------------------------------------------

    @Test
    @DisplayName("CVE-2014-6407: a hard link to '../x' is refused")
    void hardLinkDotDot() {
        byte[] tar = new TarBuilder().hardlink("stolen", "../sentinel/victim").file("stolen", "pwned").build();
        assertRefused(tar, HostileLayerException.class, "entry '../sentinel/victim' has '..' in its hard link target");
    }

    @Test
    @DisplayName("CVE-2014-6407: a hard link to /etc/passwd is refused")
    void hardLinkToEtcPasswd() {
        byte[] tar = new TarBuilder().hardlink("passwd", "/etc/passwd").file("passwd", "root::0:0::/:/bin/sh\n").build();
        assertRefused(tar, HostileLayerException.class, "entry '/etc/passwd' has an absolute hard link target");
    }

    @Test
    @DisplayName("CVE-2014-6407: a hard link through a symlinked directory resolves inside and finds nothing")
    void hardLinkThroughSymlinkDirectory() {
        byte[] tar = new TarBuilder().symlink("outside", abs()).hardlink("stolen", "outside/victim")
                .file("stolen", "pwned").build();
        assertRefused(tar, HostileLayerException.class,
                "entry 'stolen' is a hard link to 'outside/victim', which is not in the layers so far");
    }

    // --- metadata through symlinks -------------------------------------------------------------

    private static TarArchiveEntry symlinkWithMetadata(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        e.setLinkName(target);
        e.setMode(0120777);
        e.setUserId(4242);
        e.setGroupId(4242);
        e.setModTime(TarBuilder.T0);
        return e;
    }

    @Test
    @DisplayName("CVE-2021-32760: a symlink entry's mode, owner and times never reach its outside target")
    void symlinkMetadataNotFollowed() throws IOException {
        byte[] tar = new TarBuilder().entry(symlinkWithMetadata("lnk", abs() + "/victim"), new byte[0])
                .entry(symlinkWithMetadata("dirlnk", abs() + "/locked"), new byte[0]).build();
        Path root = unpack(tar);
        assertThat(Files.getLastModifiedTime(root.resolve("lnk"), LinkOption.NOFOLLOW_LINKS)).isEqualTo(TarBuilder.T0);
    }

    @Test
    @DisplayName("CVE-2021-32760: a directory entry over a symlink to an outside directory replaces the link, never chmods through it")
    void directoryEntryOverSymlink() throws IOException {
        byte[] lower = new TarBuilder().symlink("locked", abs() + "/locked").build();
        byte[] upper = new TarBuilder().dir("locked", 0777).build();
        Path root = unpack(lower, upper);
        assertThat(Files.isSymbolicLink(root.resolve("locked"))).isFalse();
        assertThat(UnpackerTest.mode(root.resolve("locked"))).isEqualTo(0777);
    }

    @Test
    @DisplayName("CVE-2021-32760: deferred directory metadata never goes through a parent a later layer replaced by a symlink")
    void deferredDirectoryMetadataNotThroughReplacedParent() throws IOException {
        // A naive unpacker remembers host path <root>/d/locked and chmods it at the end, when
        // <root>/d has become a symlink to the sentinel: that is the sentinel's locked directory.
        byte[] first = new TarBuilder().dir("d", 0755).dir("d/locked", 0777).build();
        byte[] second = new TarBuilder().symlink("d", abs()).build();
        Path root = unpack(first, second);
        assertThat(Files.readSymbolicLink(root.resolve("d"))).isEqualTo(sentinel);
    }

    // --- whiteouts -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {".wh..", ".wh...", "sub/.wh...", ".wh."})
    @DisplayName("whiteouts naming '.' or '..', and a bare '.wh.', are refused")
    void whiteoutsOfDotAndDotDot(String name) {
        byte[] lower = new TarBuilder().file("sub/x", "x").build();
        byte[] upper = new TarBuilder().file(name, "").build();
        String expected = name.endsWith(".wh.") ? "is a bare whiteout '.wh.' that names nothing"
                : name.endsWith("...") ? "whites out '..', which would delete outside its directory"
                : "whites out '.', which would delete its own directory";
        assertRefused(List.of(layer(lower), layer(upper)), Unpacker.defaults(), HostileLayerException.class,
                "entry '" + name + "' " + expected);
    }

    @Test
    @DisplayName("CVE-2021-29136 family: a whiteout through a symlink to outside deletes nothing outside")
    void whiteoutThroughSymlink() throws IOException {
        byte[] lower = new TarBuilder().symlink("lnk", abs()).symlink("lnk2", abs()).build();
        byte[] upper = new TarBuilder().file("lnk/.wh.victim", "").file("lnk/.wh..wh..opq", "").file(".wh.lnk2", "").build();
        Path root = unpack(lower, upper);
        assertThat(root.resolve("lnk2")).doesNotExist();
        assertThat(Files.isSymbolicLink(root.resolve("lnk"))).isTrue();
    }

    // --- devices -----------------------------------------------------------------------------------

    @Test
    @DisplayName("device nodes in rootless mode are skipped and reported, also where a symlink points outside")
    void devicesInRootlessMode() throws IOException {
        byte[] tar = new TarBuilder().device("dev/sda", TarConstants.LF_BLK, 8, 0)
                .device("dev/mem", TarConstants.LF_CHR, 1, 1)
                .symlink("out", abs()).device("out/kmsg", TarConstants.LF_CHR, 1, 11).build();
        UnpackReport report = Unpacker.defaults().rootless(true).unpack(List.of(layer(tar)), target);
        assertThat(target.resolve("dev/sda")).doesNotExist();
        assertThat(target.resolve("dev/mem")).doesNotExist();
        assertThat(report.skipped()).containsExactly(
                "dev/sda: block device 8:0 not created in rootless mode",
                "dev/mem: character device 1:1 not created in rootless mode",
                "out/kmsg: character device 1:11 not created in rootless mode");
    }

    // --- headers and bombs ---------------------------------------------------------------------------

    @Test
    @DisplayName("CVE-2022-2879: an oversized PAX header is refused before it is held in memory")
    void oversizedPaxHeader() {
        byte[] tar = new RawTar().pax('x', "path=" + "a/".repeat(5000) + "victim").file("x", "").end();
        assertRefused(List.of(layer(tar)), Unpacker.defaults().limits(LayerLimits.DEFAULT.withMaxPaxHeaderSize(4096)),
                LayerTooLargeException.class, "is a PAX extended header of 10018 bytes, more than the 4096 allowed",
                "LayerLimits.maxPaxHeaderSize");
    }

    @Test
    @DisplayName("CVE-2022-2879: an oversized GNU long name is refused before it is held in memory")
    void oversizedGnuLongName() {
        byte[] tar = new RawTar().gnuLong('L', "b".repeat(10_000)).file("x", "").end();
        assertRefused(List.of(layer(tar)), Unpacker.defaults().limits(LayerLimits.DEFAULT.withMaxPaxHeaderSize(4096)),
                LayerTooLargeException.class, "is a GNU long name of 10001 bytes, more than the 4096 allowed");
    }

    @Test
    @DisplayName("a header-only entry that declares data (to smuggle headers past one tar reader) is refused")
    void headerOnlyEntryWithData() {
        // Go skips no data after a symlink header and would read the smuggled header; others skip it.
        byte[] smuggled = RawTar.header("../sentinel/victim", '0').size(5).bytes();
        byte[] tar = new RawTar().header(RawTar.header("s", '2').link("x").size(512)).raw(smuggled)
                .raw(RawTar.pad(bytes("pwned"))).end();
        assertRefused(tar, HostileLayerException.class, "entry 's' is a symlink header that declares 512 bytes of data");
    }

    @Test
    @DisplayName("more entries than LayerLimits.maxEntries is refused")
    void tooManyEntries() {
        TarBuilder b = new TarBuilder();
        for (int i = 0; i < 11; i++) {
            b.file("f" + i, "");
        }
        assertRefused(List.of(layer(b.build())), Unpacker.defaults().limits(LayerLimits.DEFAULT.withMaxEntries(10)),
                LayerTooLargeException.class, "layer has more than 10 entries (entry 'f10' is number 11, LayerLimits.maxEntries)");
    }

    @Test
    @DisplayName("a gzip bomb is stopped at LayerLimits.maxUncompressedSize")
    void gzipBomb() throws IOException {
        byte[] tar = new TarBuilder().file("zeros", new byte[8 << 20], 0644, 0, 0, Map.of()).build();
        LayerSource bomb = gzipLayer(tar);
        assertRefused(List.of(bomb), Unpacker.defaults().limits(LayerLimits.DEFAULT.withMaxUncompressedSize(1 << 20)),
                LayerTooLargeException.class, "expands to more than 1048576 bytes uncompressed");
    }

    @Test
    @DisplayName("a negative base-256 size is refused")
    void negativeBase256Size() {
        byte[] minusOne = new byte[12];
        java.util.Arrays.fill(minusOne, (byte) 0xff);
        byte[] tar = new RawTar().header(RawTar.header("neg", '0').raw(124, minusOne)).end();
        assertRefused(tar, HostileLayerException.class, "declares a negative size (base-256 ffffffffffffffffffffffff)");
    }

    @Test
    @DisplayName("a base-256 size beyond 2^63 is refused")
    void hugeBase256Size() {
        byte[] huge = new byte[12];
        huge[0] = (byte) 0x80;
        huge[3] = 1; // 2^64
        byte[] tar = new RawTar().header(RawTar.header("huge", '0').raw(124, huge)).end();
        assertRefused(tar, HostileLayerException.class, "declares a size beyond 2^63");
    }

    @Test
    @DisplayName("a global PAX header renaming every later entry is refused")
    void globalPaxPath() {
        byte[] tar = new RawTar().pax('g', "path=../sentinel/victim").file("innocent", "pwned").end();
        assertRefused(tar, HostileLayerException.class, "global PAX header that sets 'path'");
    }
}
