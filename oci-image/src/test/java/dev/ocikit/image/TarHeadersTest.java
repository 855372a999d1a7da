package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class TarHeadersTest {
    static PackEntry file(String name, long size) {
        return new PackEntry(name, PackEntry.Type.FILE, 0644, 0, 0, "", "", 1_600_000_000L, size, "", 0, 0, null,
                Optional.empty());
    }

    /** Parses headers (without content) with commons-compress. */
    static TarArchiveEntry parse(byte[] headers) throws IOException {
        byte[] tar = Arrays.copyOf(headers, headers.length + 1024);
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            return in.getNextEntry();
        }
    }

    static String field(byte[] h, int off, int len) {
        return new String(h, off, len, StandardCharsets.US_ASCII);
    }

    @Test
    void aPlainEntryIsOneUstarHeader() throws IOException {
        byte[] h = TarHeaders.headers(file("etc/passwd", 1234));
        assertThat(h).hasSize(512);
        assertThat(field(h, 100, 8)).isEqualTo("0000644\0");
        assertThat(field(h, 124, 12)).isEqualTo("00000002322\0");
        assertThat(field(h, 257, 8)).isEqualTo("ustar\0" + "00");
        TarArchiveEntry e = parse(h);
        assertThat(e.getName()).isEqualTo("etc/passwd");
        assertThat(e.getSize()).isEqualTo(1234);
        assertThat(e.getLastModifiedTime().toMillis()).isEqualTo(1_600_000_000_000L);
        assertThat(e.isCheckSumOK()).isTrue();
    }

    @Test
    void aSizeOfEightGibibytesOrMoreGoesIntoPaxAndBase256() throws IOException {
        long size = 9L << 30;
        byte[] h = TarHeaders.headers(file("huge.img", size));
        assertThat(h.length).isEqualTo(3 * 512); // PAX header, its records, the ustar header
        assertThat(h[156]).isEqualTo((byte) 'x');
        assertThat(new String(h, 512, 512, StandardCharsets.US_ASCII)).startsWith("19 size=" + size + "\n");
        byte[] ustar = Arrays.copyOfRange(h, 1024, 1536);
        assertThat(ustar[124] & 0xff).isEqualTo(0x80); // GNU base-256 for readers without PAX
        TarArchiveEntry e = parse(h);
        assertThat(e.getName()).isEqualTo("huge.img");
        assertThat(e.getSize()).isEqualTo(size);

        // The largest size that still fits octal needs no PAX.
        assertThat(TarHeaders.headers(file("edge", 077777777777L))).hasSize(512);
        assertThat(TarHeaders.headers(file("edge", 077777777777L + 1))).hasSize(1536);
    }

    @Test
    void ourUnpackersReaderReadsThePaxSizeAndOwnerWeWrite() throws IOException {
        // The unpacker's own tar reader finds where entries start from the PAX size.
        long size = 5000;
        PackEntry big = new PackEntry("a", PackEntry.Type.FILE, 0644, 3_000_000, 0, "", "", 0, size, "", 0, 0, null,
                Optional.empty());
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.writeBytes(TarHeaders.headers(big));
        tar.writeBytes(new byte[(int) size + TarHeaders.padding(size)]);
        tar.writeBytes(TarHeaders.headers(file("b", 0)));
        tar.writeBytes(TarHeaders.trailer());
        TarReader reader = new TarReader(new ByteArrayInputStream(tar.toByteArray()), LayerLimits.DEFAULT);
        TarReader.Entry a = reader.next();
        assertThat(a.uid()).isEqualTo(3_000_000);
        assertThat(a.size()).isEqualTo(size);
        assertThat(reader.next().name()).isEqualTo("b");
        assertThat(reader.next()).isNull();
        assertThat(reader.entries()).isEqualTo(2);
    }

    @Test
    void longNamesUseTheUstarPrefixWhenTheyCanAndPaxWhenTheyCannot() throws IOException {
        String splittable = "d".repeat(120) + "/" + "f".repeat(90);
        byte[] h = TarHeaders.headers(file(splittable, 0));
        assertThat(h).hasSize(512);
        assertThat(parse(h).getName()).isEqualTo(splittable);

        String dir = "d".repeat(120) + "/" + "e".repeat(99);
        PackEntry d = new PackEntry(dir, PackEntry.Type.DIRECTORY, 0755, 0, 0, "", "", 0, 0, "", 0, 0, null,
                Optional.empty());
        assertThat(TarHeaders.headers(d)).hasSize(512); // "eee.../" is 100 bytes with its slash
        assertThat(parse(TarHeaders.headers(d)).getName()).isEqualTo(dir + "/");

        String unsplittable = "x".repeat(300);
        byte[] p = TarHeaders.headers(file(unsplittable, 0));
        assertThat(p.length).isGreaterThan(512);
        assertThat(parse(p).getName()).isEqualTo(unsplittable);

        String unicode = "caf\u00e9/\u00fcber.txt";
        byte[] u = TarHeaders.headers(file(unicode, 0));
        assertThat(new String(u, 512, 512, StandardCharsets.UTF_8)).contains("path=" + unicode + "\n");
        assertThat(parse(u).getName()).isEqualTo(unicode);
    }

    @Test
    void paxRecordLengthsCountTheirOwnDigitsAcrossPowersOfTen() {
        // Records of 9, 10, 99, 100, 999 and 1000 bytes: the length's digit count changes the length.
        for (int total : new int[] {10, 11, 99, 100, 101, 999, 1000, 1001}) {
            for (int valueLength = 0; valueLength < total; valueLength++) {
                byte[] r = TarHeaders.paxRecords(Map.of("k", new byte[valueLength]));
                String prefix = new String(r, 0, r.length, StandardCharsets.ISO_8859_1);
                int declared = Integer.parseInt(prefix.substring(0, prefix.indexOf(' ')));
                assertThat(declared).isEqualTo(r.length);
            }
        }
    }

    @Test
    void binaryXattrValuesAreWrittenRawAndSorted() {
        TreeMap<String, byte[]> x = new TreeMap<>();
        x.put("user.z", new byte[] {0, (byte) 0xff});
        x.put("security.capability", PackTrees.CAPABILITY);
        PackEntry e = new PackEntry("ping", PackEntry.Type.FILE, 0755, 0, 0, "", "", 0, 0, "", 0, 0, x,
                Optional.empty());
        byte[] h = TarHeaders.headers(e);
        TreeMap<String, byte[]> expected = new TreeMap<>();
        expected.put("SCHILY.xattr.security.capability", PackTrees.CAPABILITY);
        expected.put("SCHILY.xattr.user.z", new byte[] {0, (byte) 0xff});
        byte[] records = TarHeaders.paxRecords(expected);
        assertThat(Arrays.copyOfRange(h, 512, 512 + records.length)).isEqualTo(records);
        String text = new String(records, StandardCharsets.ISO_8859_1);
        assertThat(text.indexOf("security.capability")).isLessThan(text.indexOf("user.z"));
        assertThat(text).startsWith("57 SCHILY.xattr.security.capability=");
    }

    @Test
    void devicesSymlinksAndHardLinksCarryTheirFields() throws IOException {
        PackEntry dev = new PackEntry("dev/sda", PackEntry.Type.BLOCK_DEVICE, 0660, 0, 6, "", "", 0, 0, "", 8, 1,
                null, Optional.empty());
        TarArchiveEntry d = parse(TarHeaders.headers(dev));
        assertThat(d.isBlockDevice()).isTrue();
        assertThat(d.getDevMajor()).isEqualTo(8);
        assertThat(d.getDevMinor()).isEqualTo(1);
        assertThat(d.getLongGroupId()).isEqualTo(6);

        String target = "t/".repeat(80) + "end";
        PackEntry link = new PackEntry("l", PackEntry.Type.SYMLINK, 0777, 0, 0, "", "", 0, 0, target, 0, 0, null,
                Optional.empty());
        TarArchiveEntry l = parse(TarHeaders.headers(link));
        assertThat(l.isSymbolicLink()).isTrue();
        assertThat(l.getLinkName()).isEqualTo(target);

        PackEntry named = new PackEntry("n", PackEntry.Type.FILE, 0644, 1000, 1000, "someone-with-a-very-long-user-name",
                "staff", -5, 0, "", 0, 0, null, Optional.empty());
        TarArchiveEntry n = parse(TarHeaders.headers(named));
        assertThat(n.getUserName()).isEqualTo("someone-with-a-very-long-user-name");
        assertThat(n.getGroupName()).isEqualTo("staff");
        assertThat(n.getLastModifiedTime().toMillis()).isEqualTo(-5000);
    }
}
