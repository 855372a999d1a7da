package dev.ocikit.image;

import static dev.ocikit.image.UnpackerTest.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How headers that tar readers disagree on, or that only some writers produce, are read. */
class TarGuardTest {
    @TempDir
    Path tmp;

    private UnpackReport unpack(byte[] tar) throws IOException {
        return Unpacker.defaults().unpack(List.of(layer(tar)), tmp.resolve("rootfs"));
    }

    private void assertRefused(byte[] tar, Class<? extends Exception> type, String... messageParts) {
        Path root = tmp.resolve("rootfs");
        assertThatThrownBy(() -> Unpacker.defaults().unpack(List.of(layer(tar)), root))
                .isInstanceOf(type)
                .message().contains(messageParts);
        assertThat(root).doesNotExist();
    }

    @Test
    void aGlobalHeaderWithOnlyACommentIsIgnoredAndKeepsEntryCountsInStep() throws IOException {
        // what `git archive` writes: a global header carrying the commit id
        byte[] tar = new RawTar().pax('g', "comment=4b825dc642cb6eb9a060e54bf8d69288fbee4904")
                .file("a", "1").pax('g', "comment=again").file("b", "2").end();
        UnpackReport report = unpack(tar);
        assertThat(report.entries()).isEqualTo(2);
        assertThat(tmp.resolve("rootfs/a")).hasContent("1");
        assertThat(tmp.resolve("rootfs/b")).hasContent("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"path=etc/passwd", "size=512", "uid=0", "SCHILY.xattr.user.x=1", "mtime=1"})
    void aGlobalHeaderThatSetsAnythingIsRefused(String record) {
        // commons-compress would apply these to every later entry; Go's archive/tar ignores them.
        byte[] tar = new RawTar().pax('g', record).file("a", "").file("b", "").end();
        String key = record.substring(0, record.indexOf('='));
        assertRefused(tar, HostileLayerException.class, "global PAX header that sets '" + key + "'",
                "tar readers disagree");
    }

    @Test
    void entriesAfterALoneZeroBlockAreRefused() {
        byte[] tar = new RawTar().file("a", "1").zeroBlock().file("hidden", "2").end();
        assertRefused(tar, HostileLayerException.class, "after entry 'a'", "follows a lone end-of-archive block");
    }

    @Test
    void aHeaderWithABadChecksumIsRefused() {
        RawTar.Header bad = RawTar.header("a", '0').keepChecksum();
        byte[] tar = new RawTar().header(bad).end();
        assertRefused(tar, HostileLayerException.class, "before the first entry", "checksum that does not match");
    }

    @Test
    void aSignedChecksumIsAccepted() throws IOException {
        // Old Sun tar summed signed bytes; Go and GNU tar accept either sum, so do we.
        RawTar.Header h = RawTar.header("caf\u00e9", '0');
        byte[] bytes = h.bytes();
        long signed = 0;
        for (int i = 0; i < 512; i++) {
            signed += i >= 148 && i < 156 ? ' ' : bytes[i];
        }
        byte[] sum = String.format("%06o\0 ", signed).getBytes(StandardCharsets.US_ASCII);
        byte[] tar = new RawTar().header(RawTar.header("caf\u00e9", '0').raw(148, sum).keepChecksum()).end();
        unpack(tar);
        assertThat(tmp.resolve("rootfs/caf\u00e9")).exists();
    }

    @Test
    void twoPaxHeadersForOneEntryAreRefused() {
        // commons-compress merges them (the entry is etc/passwd), Go keeps the last (harmless).
        byte[] tar = new RawTar().pax('x', "path=etc/passwd").pax('x', "mtime=1").file("harmless", "").end();
        assertRefused(tar, HostileLayerException.class, "second PAX extended header for the same entry");
    }

    @Test
    void aPaxPathAndAGnuLongNameThatDifferAreRefused() {
        byte[] tar = new RawTar().pax('x', "path=from-pax").gnuLong('L', "from-gnu").file("short", "").end();
        assertRefused(tar, HostileLayerException.class, "two different paths, 'from-pax' in a PAX header and 'from-gnu'");
    }

    @Test
    void anAbsolutePaxPathIsRefusedEvenThoughTheParserStripsTheSlash() {
        byte[] tar = new RawTar().pax('x', "path=/etc/shadow").file("innocent", "x").end();
        assertRefused(tar, HostileLayerException.class, "entry '/etc/shadow' has an absolute name");
    }

    @Test
    void libarchiveXattrsAreDecodedAndSchilyWinsOverThem() throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        // bsdtar: URL-encoded name, base64 value (no padding)
        records.put("LIBARCHIVE.xattr.user.caf%C3%A9%3Dx", "aGVsbG8".getBytes(StandardCharsets.US_ASCII));
        records.put("LIBARCHIVE.xattr.user.both", "bGli".getBytes(StandardCharsets.US_ASCII));
        records.put("SCHILY.xattr.user.both", new byte[] {'s', 0, (byte) 0xff});
        byte[] tar = new RawTar().pax('x', records).file("f", "data").end();
        unpack(tar);
        String f = tmp.resolve("rootfs/f").toString();
        assertThat(LibC.getXattr(f, "user.caf\u00e9=x")).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(LibC.getXattr(f, "user.both")).isEqualTo(new byte[] {'s', 0, (byte) 0xff});
    }

    @Test
    void aNameThatIsNotUtf8IsRefusedAsUnsupported() {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
        byte[] tar = new RawTar().entry(RawTar.header(latin1, '0'), new byte[0]).end();
        assertRefused(tar, UnsupportedLayerException.class, "name that is not UTF-8 (caf\\xe9)");
    }

    @Test
    void aSymlinkNamedWithATrailingSlashIsASymlinkAndItsTargetIsKeptVerbatim() throws IOException {
        // The parser calls anything ending in '/' a directory; the type flag decides.
        byte[] tar = new RawTar().header(RawTar.header("lib/", '2').link("usr/lib/")).end();
        unpack(tar);
        Path lib = tmp.resolve("rootfs/lib");
        assertThat(Files.isSymbolicLink(lib)).isTrue();
        // readSymbolicLink returns the stored bytes unnormalised
        assertThat(Files.readSymbolicLink(lib).toString()).isEqualTo("usr/lib/");
    }

    @Test
    void aVolumeLabelIsSkippedAndReported() throws IOException {
        byte[] tar = new RawTar().header(RawTar.header("backup 2024", 'V')).file("a", "1").end();
        UnpackReport report = unpack(tar);
        assertThat(tmp.resolve("rootfs/backup 2024")).doesNotExist();
        assertThat(report.skipped()).containsExactly("backup 2024: a tape volume label is not a file system object; skipped");
    }

    @Test
    void aMultiVolumeContinuationIsRefused() {
        byte[] tar = new RawTar().entry(RawTar.header("big", 'M'), new byte[100]).end();
        assertRefused(tar, UnsupportedLayerException.class, "entry 'big' is the continuation of a file from another volume");
    }

    @Test
    void aGnuDumpDirWithoutSlashIsADirectoryAndItsListingIsSkipped() throws IOException {
        byte[] tar = new RawTar().entry(RawTar.header("dd", 'D'), "Yfile\0\0".getBytes(StandardCharsets.US_ASCII))
                .file("dd/file", "x").end();
        unpack(tar);
        assertThat(tmp.resolve("rootfs/dd")).isDirectory();
        assertThat(tmp.resolve("rootfs/dd/file")).hasContent("x");
    }

    @Test
    void aGnuDumpDirWithSlashAndDataIsRefusedBecauseTheParserWouldReadItsDataAsHeaders() {
        byte[] tar = new RawTar().entry(RawTar.header("dd/", 'D'), "Yfile\0\0".getBytes(StandardCharsets.US_ASCII)).end();
        assertRefused(tar, HostileLayerException.class, "entry 'dd/' is a directory by its trailing '/' yet declares 7 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu-sparse", "pax0.1-sparse", "pax1.0-sparse"})
    void gnuTarSparseFilesUnpackWithTheirHoles(String resource) throws IOException {
        // made with: truncate -s 1M f; write "hello" at 600000 and "end" at the end; tar -S
        byte[] blob;
        try (InputStream in = getClass().getResourceAsStream("sparse/" + resource + ".tar.gz")) {
            blob = in.readAllBytes();
        }
        LayerSource source = new LayerSource(resource, Compression.GZIP, Optional.empty(),
                () -> new java.io.ByteArrayInputStream(blob));
        Unpacker.defaults().unpack(List.of(source), tmp.resolve("rootfs"));
        byte[] f = Files.readAllBytes(tmp.resolve("rootfs/f"));
        byte[] expected = new byte[1 << 20];
        System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, expected, 600000, 5);
        System.arraycopy("end".getBytes(StandardCharsets.US_ASCII), 0, expected, expected.length - 3, 3);
        assertThat(f).isEqualTo(expected);
        assertThat(Files.getAttribute(tmp.resolve("rootfs/f"), "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0100644);
    }

    @Test
    void aPaxHeaderPaddedWithNulsIsRefusedAsGoDoes() {
        byte[] records = RawTar.paxRecords(Map.of("path", "long/name".getBytes(StandardCharsets.UTF_8)));
        byte[] padded = java.util.Arrays.copyOf(records, records.length + 7);
        byte[] tar = new RawTar().entry(RawTar.header("PaxHeaders/x", 'x'), padded).file("short", "x").end();
        assertRefused(tar, HostileLayerException.class, "the tar header before the first entry", "Paxheader");
    }

    @Test
    void aMalformedPaxRecordIsRefused() {
        // the parser reads records as they stream, so it is the one to notice first
        byte[] tar = new RawTar().entry(RawTar.header("PaxHeaders/x", 'x'), "99 path=x\n".getBytes(StandardCharsets.US_ASCII))
                .file("a", "").end();
        assertRefused(tar, HostileLayerException.class, "the tar header before the first entry is not valid tar",
                "Paxheader value size 91");
    }

    @Test
    void aPaxRecordWithoutItsNewlineIsRefusedByOurOwnReading() {
        byte[] tar = new RawTar().entry(RawTar.header("PaxHeaders/x", 'x'), "10 path=xy".getBytes(StandardCharsets.US_ASCII))
                .file("a", "").end();
        assertRefused(tar, HostileLayerException.class, "the tar header before the first entry");
    }

    @Test
    void theUstarPrefixFieldIsPartOfTheName() throws IOException {
        byte[] tar = new RawTar().entry(RawTar.header("name", '0').raw(345, "some/prefix".getBytes(StandardCharsets.US_ASCII)),
                "p".getBytes(StandardCharsets.US_ASCII)).end();
        unpack(tar);
        assertThat(tmp.resolve("rootfs/some/prefix/name")).hasContent("p");
    }
}
