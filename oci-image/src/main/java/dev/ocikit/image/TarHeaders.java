package dev.ocikit.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes POSIX (pax) tar headers byte by byte. We do not use commons-compress here because it
 * encodes PAX values as UTF-8 text, which corrupts binary extended attributes such as
 * {@code security.capability}, and because the exact bytes must not depend on a library's
 * choices: they decide the layer's DiffID.
 *
 * <p>Every entry gets a ustar header; a PAX extended header precedes it only when the ustar fields
 * cannot hold something: a long or non-ASCII name or link target, an id, size or time out of
 * octal range, long owner names, or extended attributes. Out-of-range numbers are also written in
 * GNU base-256 form in the ustar header, so that readers without PAX still find the entry's end.
 */
final class TarHeaders {
    static final int BLOCK = 512;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;

    private TarHeaders() {}

    /** The header blocks for {@code e}: an optional PAX header with its data, then the ustar header. */
    static byte[] headers(PackEntry e) {
        Map<String, byte[]> pax = new TreeMap<>();
        byte[] h = new byte[BLOCK];

        byte[] name = utf8(e.tarName());
        if (isAscii(name) && name.length <= 100) {
            put(h, 0, name, 100);
        } else {
            int split = isAscii(name) ? ustarSplit(name) : -1;
            if (split > 0) {
                put(h, 345, java.util.Arrays.copyOfRange(name, 0, split), 155);
                put(h, 0, java.util.Arrays.copyOfRange(name, split + 1, name.length), 100);
            } else {
                pax.put("path", name);
                put(h, 0, asciiFallback(name, 100), 100);
            }
        }
        octal(h, 100, 8, e.mode() & 07777);
        number(h, 108, 8, e.uid(), MAX_OCTAL_7, "uid", pax);
        number(h, 116, 8, e.gid(), MAX_OCTAL_7, "gid", pax);
        number(h, 124, 12, e.size(), MAX_OCTAL_11, "size", pax);
        number(h, 136, 12, e.mtime(), MAX_OCTAL_11, "mtime", pax);
        h[156] = (byte) e.type().flag;
        byte[] link = utf8(e.linkName());
        if (isAscii(link) && link.length <= 100) {
            put(h, 157, link, 100);
        } else {
            pax.put("linkpath", link);
            put(h, 157, asciiFallback(link, 100), 100);
        }
        put(h, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII), 6);
        h[263] = '0';
        h[264] = '0';
        ownerName(h, 265, e.uname(), "uname", pax);
        ownerName(h, 297, e.gname(), "gname", pax);
        octal(h, 329, 8, e.devMajor());
        octal(h, 337, 8, e.devMinor());
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        checksum(h);

        if (pax.isEmpty()) {
            return h;
        }
        byte[] records = paxRecords(pax);
        byte[] p = new byte[BLOCK];
        put(p, 0, asciiFallback(utf8(paxName(e.name())), 100), 100);
        octal(p, 100, 8, 0644);
        octal(p, 108, 8, 0);
        octal(p, 116, 8, 0);
        octal(p, 124, 12, records.length);
        octal(p, 136, 12, e.mtime() >= 0 && e.mtime() <= MAX_OCTAL_11 ? e.mtime() : 0);
        p[156] = 'x';
        put(p, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII), 6);
        p[263] = '0';
        p[264] = '0';
        octal(p, 329, 8, 0);
        octal(p, 337, 8, 0);
        checksum(p);

        int padded = (records.length + BLOCK - 1) / BLOCK * BLOCK;
        byte[] out = new byte[BLOCK + padded + BLOCK];
        System.arraycopy(p, 0, out, 0, BLOCK);
        System.arraycopy(records, 0, out, BLOCK, records.length);
        System.arraycopy(h, 0, out, BLOCK + padded, BLOCK);
        return out;
    }

    /** The two zero blocks that end an archive. */
    static byte[] trailer() {
        return new byte[2 * BLOCK];
    }

    /** Zero bytes that pad {@code size} bytes of content to a whole block. */
    static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    /**
     * PAX records, {@code "<length> <key>=<value>\n"}, where the length counts the whole record,
     * its own digits included. Values are written as raw bytes.
     */
    static byte[] paxRecords(Map<String, byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = utf8(r.getKey());
            byte[] value = r.getValue();
            int rest = 1 + key.length + 1 + value.length + 1; // ' ', '=', '\n'
            int length = rest + digits(rest);
            if (digits(length) != digits(rest)) {
                length = rest + digits(length); // adding the digits carried the length over a power of ten
            }
            out.writeBytes(Integer.toString(length).getBytes(StandardCharsets.US_ASCII));
            out.write(' ');
            out.writeBytes(key);
            out.write('=');
            out.writeBytes(value);
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }

    /** Where to split a long ASCII name into ustar prefix and name, or -1 if it cannot be. */
    private static int ustarSplit(byte[] name) {
        // The split slash is dropped; a directory's trailing slash must stay in the name part.
        int last = name.length - 1;
        if (name[last] == '/') {
            last--;
        }
        for (int i = Math.min(155, last); i > 0; i--) {
            if (name[i] == '/') {
                int rest = name.length - i - 1;
                return rest <= 100 && rest > 0 && i < last ? i : -1;
            }
        }
        return -1;
    }

    /** The PAX header's own name: never interpreted, but fixed so the output is reproducible. */
    private static String paxName(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "PaxHeaders.0/" + name : name.substring(0, slash) + "/PaxHeaders.0/" + name.substring(slash + 1);
    }

    /** What readers without PAX see for a name PAX carries: ASCII, truncated. */
    private static byte[] asciiFallback(byte[] bytes, int max) {
        byte[] out = java.util.Arrays.copyOf(bytes, Math.min(bytes.length, max));
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0x20 || out[i] == 0x7f) { // negative: non-ASCII
                out[i] = '_';
            }
        }
        return out;
    }

    private static void ownerName(byte[] h, int off, String value, String key, Map<String, byte[]> pax) {
        byte[] b = utf8(value);
        if (isAscii(b) && b.length <= 32) {
            put(h, off, b, 32);
        } else {
            pax.put(key, b);
        }
    }

    /** A numeric field: octal when it fits, else base-256 in the header and the exact value in PAX. */
    private static void number(byte[] h, int off, int len, long v, long maxOctal, String key, Map<String, byte[]> pax) {
        if (v >= 0 && v <= maxOctal) {
            octal(h, off, len, v);
            return;
        }
        pax.put(key, Long.toString(v).getBytes(StandardCharsets.US_ASCII));
        base256(h, off, len, v);
    }

    /** GNU base-256: big-endian two's complement with the top bit of the first byte set. */
    static void base256(byte[] h, int off, int len, long v) {
        for (int i = len - 1; i >= 0; i--) {
            h[off + i] = (byte) v;
            v >>= 8; // arithmetic: a negative value fills with 0xff
        }
        h[off] |= (byte) 0x80;
    }

    /** {@code len - 1} zero-padded octal digits and a NUL. */
    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value " + v + " does not fit a " + len + "-byte tar field");
        }
        int pad = len - 1 - s.length();
        for (int i = 0; i < pad; i++) {
            h[off + i] = '0';
        }
        for (int i = 0; i < s.length(); i++) {
            h[off + pad + i] = (byte) s.charAt(i);
        }
        h[off + len - 1] = 0;
    }

    private static void checksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
    }

    private static void put(byte[] h, int off, byte[] value, int max) {
        System.arraycopy(value, 0, h, off, Math.min(value.length, max));
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) {
            if (x < 0x20 || x == 0x7f) { // control characters and non-ASCII (negative) bytes
                return false;
            }
        }
        return true;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
