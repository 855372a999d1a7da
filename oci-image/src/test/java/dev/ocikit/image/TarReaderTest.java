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
class TarReaderTest {
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
    void anAbsolutePaxPathIsRefusedNotStripped() {
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
        // commons-compress calls anything ending in '/' a directory; the type flag decides.
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
    void aGnuDumpDirWithSlashAndDataIsRefusedBecauseSomeReadersReadItsDataAsHeaders() {
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
        assertRefused(tar, HostileLayerException.class, "the tar header before the first entry",
                "is a PAX header with a malformed record at byte 18");
    }

    @Test
    void aMalformedPaxRecordIsRefused() {
        byte[] tar = new RawTar().entry(RawTar.header("PaxHeaders/x", 'x'), "99 path=x\n".getBytes(StandardCharsets.US_ASCII))
                .file("a", "").end();
        assertRefused(tar, HostileLayerException.class,
                "the tar header before the first entry is a PAX header with a malformed record at byte 0");
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

    private static byte[] octal(long v, int width) {
        return (String.format("%0" + (width - 1) + "o", v) + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] records(String... keyValues) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            out.writeBytes(RawTar.paxRecords(Map.of(kv.substring(0, eq), kv.substring(eq + 1).getBytes(StandardCharsets.UTF_8))));
        }
        return out.toByteArray();
    }

    private void assertSparse(Path file, long length, Map<Long, String> runs) throws IOException {
        byte[] expected = new byte[(int) length];
        runs.forEach((at, text) -> System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, expected, at.intValue(),
                text.length()));
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void gnuPaxSparse00RepeatsOffsetAndLengthRecordsPerRun() throws IOException {
        byte[] pax = records("GNU.sparse.size=10000", "GNU.sparse.numblocks=2", "GNU.sparse.offset=0",
                "GNU.sparse.numbytes=3", "GNU.sparse.offset=9000", "GNU.sparse.numbytes=2", "GNU.sparse.name=f");
        byte[] tar = new RawTar().entry(RawTar.header("PaxHeaders/f", 'x'), pax)
                .entry(RawTar.header("GNUSparseFile.0/f", '0'), "abcde".getBytes(StandardCharsets.US_ASCII)).end();
        unpack(tar);
        assertSparse(tmp.resolve("rootfs/f"), 10000, Map.of(0L, "abc", 9000L, "de"));
    }

    @Test
    void oldGnuSparseReadsRunsFromExtensionBlocks() throws IOException {
        // four runs in the header, two more in one extension block, then the data of all six
        RawTar.Header h = RawTar.header("f", 'S');
        for (int i = 0; i < 4; i++) {
            h.raw(386 + i * 24, octal(i * 1000L, 12)).raw(386 + i * 24 + 12, octal(1, 12));
        }
        h.raw(482, (byte) 1).raw(483, octal(8192, 12)).size(6);
        byte[] extension = new byte[512];
        System.arraycopy(octal(5000, 12), 0, extension, 0, 12);
        System.arraycopy(octal(1, 12), 0, extension, 12, 12);
        System.arraycopy(octal(8191, 12), 0, extension, 24, 12);
        System.arraycopy(octal(1, 12), 0, extension, 36, 12);
        byte[] tar = new RawTar().header(h).raw(extension).raw(RawTar.pad("abcdef".getBytes(StandardCharsets.US_ASCII)))
                .end();
        unpack(tar);
        assertSparse(tmp.resolve("rootfs/f"), 8192,
                Map.of(0L, "a", 1000L, "b", 2000L, "c", 3000L, "d", 5000L, "e", 8191L, "f"));
    }

    /** A GNU PAX 0.1 sparse file 'f' of {@code size} bytes with this map and this many stored bytes. */
    private static byte[] sparse01(long size, String map, int stored) {
        byte[] pax = records("GNU.sparse.major=0", "GNU.sparse.minor=1", "GNU.sparse.size=" + size,
                "GNU.sparse.map=" + map, "GNU.sparse.name=f");
        return new RawTar().entry(RawTar.header("PaxHeaders/f", 'x'), pax)
                .entry(RawTar.header("GNUSparseFile.0/f", '0'), new byte[stored]).end();
    }

    @Test
    void aSparseMapWhoseRunsOverlapIsRefused() {
        assertRefused(sparse01(100, "0,4,2,2", 6), HostileLayerException.class, "entry 'f' is a sparse file whose map"
                + " has a run at 2 of 2 bytes that overlaps another or lies outside its 100 bytes");
    }

    @Test
    void aSparseMapThatDoesNotAccountForTheStoredBytesIsRefused() {
        assertRefused(sparse01(100, "10,4", 600), HostileLayerException.class, "map holds 4 bytes of data but 600 are stored");
    }

    @Test
    void aSparseRunBeyondTheFileIsRefused() {
        assertRefused(sparse01(100, "99,2", 2), HostileLayerException.class,
                "run at 99 of 2 bytes that overlaps another or lies outside");
    }

    @Test
    void aLayerThatEndsInsideAnEntrysDataIsRefused() {
        byte[] whole = new RawTar().entry(RawTar.header("f", '0'), new byte[2000]).end();
        byte[] cut = java.util.Arrays.copyOf(whole, 512 + 1000);
        assertRefused(cut, HostileLayerException.class, "entry 'f' is cut short");
    }

    @Test
    void aLayerThatEndsInsideAHeaderIsRefused() {
        byte[] whole = new RawTar().file("a", "1").file("b", "2").end();
        byte[] cut = java.util.Arrays.copyOf(whole, 1024 + 100);
        assertRefused(cut, HostileLayerException.class, "the tar header after entry 'a' is cut short: the layer ends"
                + " 100 bytes into it");
    }

    @Test
    void aLayerWithoutEndBlocksEndsWhereTheNextHeaderWouldStart() throws IOException {
        // Go's archive/tar and GNU tar accept this; so do we.
        byte[] whole = new RawTar().file("a", "1").end();
        UnpackReport report = unpack(java.util.Arrays.copyOf(whole, 1024));
        assertThat(report.entries()).isEqualTo(1);
        assertThat(tmp.resolve("rootfs/a")).hasContent("1");
    }

    @Test
    void paxTimesKeepTheirFractionAndMayBeNegative() throws IOException {
        byte[] tar = new RawTar().pax('x', "mtime=1700000000.123456789").file("new", "")
                .pax('x', "mtime=-1.25").file("old", "").end();
        unpack(tar);
        assertThat(Files.getLastModifiedTime(tmp.resolve("rootfs/new")).toInstant())
                .isEqualTo(java.time.Instant.ofEpochSecond(1700000000, 123456789));
        assertThat(Files.getLastModifiedTime(tmp.resolve("rootfs/old")).toInstant())
                .isEqualTo(java.time.Instant.ofEpochSecond(-2, 750_000_000));
    }

    @Test
    void aPaxTimeThatIsNotANumberIsRefused() {
        byte[] tar = new RawTar().pax('x', "mtime=12:00").file("f", "").end();
        assertRefused(tar, HostileLayerException.class, "entry 'f' has a PAX mtime '12:00' that is not a number");
    }

    @Test
    void aModeThatIsNotOctalIsRefused() {
        byte[] tar = new RawTar().entry(RawTar.header("f", '0').raw(100, "06x4   \0".getBytes(StandardCharsets.US_ASCII)),
                new byte[0]).end();
        assertRefused(tar, HostileLayerException.class, "entry 'f' declares a mode that is not an octal number ('06x4')");
    }

    @Test
    void numericFieldsPaddedWithSpacesAndNulsReadAsGoReadsThem() throws IOException {
        byte[] tar = new RawTar().entry(RawTar.header("f", '0').raw(100, " 4755 \0\0".getBytes(StandardCharsets.US_ASCII)),
                "x".getBytes(StandardCharsets.US_ASCII)).end();
        unpack(tar);
        assertThat(Files.getAttribute(tmp.resolve("rootfs/f"), "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0104755);
    }

    @Test
    void anMtimeBeyondAnyDateIsRefused() {
        byte[] huge = new byte[12];
        huge[0] = (byte) 0x80;
        huge[4] = 0x7f; // about 2^63 seconds
        byte[] tar = new RawTar().entry(RawTar.header("f", '0').raw(136, huge), new byte[0]).end();
        assertRefused(tar, HostileLayerException.class, "entry 'f' has a mtime of", "beyond any date");
    }

    @Test
    void aNegativeBase256OwnerIsRefused() {
        byte[] minusTwo = new byte[8];
        java.util.Arrays.fill(minusTwo, (byte) 0xff);
        minusTwo[7] = (byte) 0xfe;
        byte[] tar = new RawTar().entry(RawTar.header("f", '0').raw(108, minusTwo), new byte[0]).end();
        assertRefused(tar, HostileLayerException.class, "entry 'f' has an owner -2:0 outside the valid range");
    }

    @Test
    void aSparseFileThatIsOneHoleUnpacks() throws IOException {
        byte[] pax = records("GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.realsize=3000",
                "GNU.sparse.name=hole");
        byte[] map = "0\n".getBytes(StandardCharsets.US_ASCII);
        byte[] tar = new RawTar().entry(RawTar.header("PaxHeaders/hole", 'x'), pax)
                .entry(RawTar.header("GNUSparseFile.0/hole", '0'), java.util.Arrays.copyOf(map, 512)).end();
        unpack(tar);
        assertThat(Files.readAllBytes(tmp.resolve("rootfs/hole"))).isEqualTo(new byte[3000]);
    }

    @Test
    void aSparseFileThatIsOneHoleIsStillBoundedAndAccountedFor() {
        byte[] map = "0\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bomb = records("GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.realsize=" + (1L << 60),
                "GNU.sparse.name=bomb");
        byte[] hidden = java.util.Arrays.copyOf(map, 1024); // a second block the empty map does not account for
        assertRefused(new RawTar().entry(RawTar.header("PaxHeaders/bomb", 'x'), bomb)
                .entry(RawTar.header("GNUSparseFile.0/bomb", '0'), hidden).end(), HostileLayerException.class,
                "map holds 0 bytes of data but 512 are stored");
        assertRefused(new RawTar().entry(RawTar.header("PaxHeaders/bomb", 'x'), bomb)
                .entry(RawTar.header("GNUSparseFile.0/bomb", '0'), java.util.Arrays.copyOf(map, 512)).end(),
                LayerTooLargeException.class, "entry 'bomb' is a sparse file of 1152921504606846976 bytes");
    }

    @Test
    void aSparseFileLargerThanALayerMayExpandToIsRefused() {
        assertRefused(sparse01(1L << 50, "0,1", 1), LayerTooLargeException.class,
                "entry 'f' is a sparse file of 1125899906842624 bytes", "likely sparse bomb");
    }

    /**
     * Damaged headers of every kind, made by changing bytes of a layer that uses each header form
     * (PAX records, GNU long names, the ustar prefix, old-GNU and PAX sparse files, devices,
     * links), with the checksum put right half of the time so that the damage reaches the fields.
     * Whatever the reader makes of them, it answers with the typed exceptions of a bad layer,
     * never with a stray IndexOutOfBounds or NumberFormat exception.
     */
    @Test
    void damagedHeadersAreRefusedWithTypedExceptionsOnly() throws IOException {
        byte[] pax01 = records("GNU.sparse.major=0", "GNU.sparse.minor=1", "GNU.sparse.size=5000",
                "GNU.sparse.map=0,3,4000,2", "GNU.sparse.name=sp", "mtime=1700000000.5", "uid=1000",
                "SCHILY.xattr.user.a=1");
        RawTar.Header old = RawTar.header("old", 'S');
        old.raw(386, octal(10, 12)).raw(398, octal(2, 12)).raw(483, octal(100, 12)).size(2);
        byte[] good = new RawTar().gnuLong('L', "l".repeat(120)).file("short", "long").file("x", "x")
                .entry(RawTar.header("name", '0').raw(345, "pre/fix".getBytes(StandardCharsets.US_ASCII)), new byte[3])
                .entry(RawTar.header("PaxHeaders/sp", 'x'), pax01)
                .entry(RawTar.header("GNUSparseFile.0/sp", '0'), "abcde".getBytes(StandardCharsets.US_ASCII))
                .header(old).raw(RawTar.pad("zz".getBytes(StandardCharsets.US_ASCII)))
                .header(RawTar.header("dev", '3').device(1, 3)).header(RawTar.header("ln", '2').link("x"))
                .header(RawTar.header("hard", '1').link("x")).end();
        unpack(good); // the undamaged layer unpacks
        // More cases, and other seeds, on demand: -Docikit.fuzz.cases=20000 -Docikit.fuzz.seed=7
        int cases = Integer.getInteger("ocikit.fuzz.cases", 400);
        java.util.Random random = new java.util.Random(Long.getLong("ocikit.fuzz.seed", 20261127));
        int refused = 0;
        for (int i = 0; i < cases; i++) {
            byte[] bad = good.clone();
            int changes = 1 + random.nextInt(4);
            int block = random.nextInt(bad.length / 512);
            for (int c = 0; c < changes; c++) {
                int at = block * 512 + random.nextInt(512);
                bad[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : "0123456789 \0\u0080\u00ff".charAt(random.nextInt(14)));
            }
            if (random.nextBoolean()) {
                fixChecksum(bad, block * 512);
            }
            Path root = tmp.resolve("fuzz-" + i);
            try {
                Unpacker.defaults().unpack(List.of(layer(bad)), root);
            } catch (HostileLayerException | UnsupportedLayerException | LayerTooLargeException expected) {
                refused++;
                assertThat(root).as("case %d: %s", i, expected.getMessage()).doesNotExist();
            } catch (RuntimeException | IOException other) {
                throw new AssertionError("case " + i + " (block " + block + ") threw " + other, other);
            }
        }
        assertThat(refused).as("damaged layers refused").isGreaterThan(cases / 5);
    }

    private static void fixChecksum(byte[] tar, int offset) {
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : tar[offset + i] & 0xff;
        }
        byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, tar, offset + 148, 8);
    }
}
