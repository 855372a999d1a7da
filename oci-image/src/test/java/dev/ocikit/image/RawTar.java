package dev.ocikit.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tar streams block by block, with every field under the test's control: for layers no
 * well-behaved writer produces (lying sizes, bad checksums, global headers, raw byte names).
 */
final class RawTar {
    static final long MTIME = TarBuilder.T0.toInstant().getEpochSecond();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** One 512-byte header, checksummed when {@link #bytes()} is called. */
    static final class Header {
        final byte[] h = new byte[512];
        private boolean fixChecksum = true;

        Header(byte[] name, char type) {
            System.arraycopy(name, 0, h, 0, Math.min(name.length, 100));
            octal(100, 8, type == '5' ? 0755 : 0644);
            octal(108, 8, 0);
            octal(116, 8, 0);
            octal(124, 12, 0);
            octal(136, 12, MTIME);
            h[156] = (byte) type;
            System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
            h[263] = '0';
            h[264] = '0';
        }

        Header size(long size) {
            octal(124, 12, size);
            return this;
        }

        Header mode(int mode) {
            octal(100, 8, mode);
            return this;
        }

        Header owner(int uid, int gid) {
            octal(108, 8, uid);
            octal(116, 8, gid);
            return this;
        }

        Header link(String target) {
            byte[] t = target.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(t, 0, h, 157, Math.min(t.length, 100));
            return this;
        }

        Header mtime(long epochSeconds) {
            octal(136, 12, epochSeconds);
            return this;
        }

        Header device(int major, int minor) {
            octal(329, 8, major);
            octal(337, 8, minor);
            return this;
        }

        /** Sets raw bytes at an offset (base-256 sizes, prefixes, corrupt fields). */
        Header raw(int offset, byte... bytes) {
            System.arraycopy(bytes, 0, h, offset, bytes.length);
            return this;
        }

        /** Keeps whatever checksum field the header has, instead of computing the right one. */
        Header keepChecksum() {
            fixChecksum = false;
            return this;
        }

        byte[] bytes() {
            if (fixChecksum) {
                for (int i = 148; i < 156; i++) {
                    h[i] = ' ';
                }
                long sum = 0;
                for (byte b : h) {
                    sum += b & 0xff;
                }
                octal(148, 7, sum);
                h[155] = ' ';
            }
            return h.clone();
        }

        private void octal(int off, int len, long v) {
            String s = Long.toOctalString(v);
            while (s.length() < len - 1) {
                s = "0" + s;
            }
            System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
            h[off + len - 1] = 0;
        }
    }

    static Header header(String name, char type) {
        return new Header(name.getBytes(StandardCharsets.UTF_8), type);
    }

    static Header header(byte[] name, char type) {
        return new Header(name, type);
    }

    /** A header and its data, padded to the block size; the header's size is set to the data's. */
    RawTar entry(Header header, byte[] data) {
        header.size(data.length);
        out.writeBytes(header.bytes());
        out.writeBytes(pad(data));
        return this;
    }

    RawTar file(String name, String content) {
        return entry(header(name, '0'), content.getBytes(StandardCharsets.UTF_8));
    }

    /** An entry preceded by a PAX header with these records (binary values allowed). */
    RawTar entry(Header header, byte[] data, Map<String, byte[]> pax) {
        if (!pax.isEmpty()) {
            pax('x', pax);
        }
        return entry(header, data);
    }

    /** A header only, whatever size it declares; data, if any, must follow with {@link #raw}. */
    RawTar header(Header header) {
        out.writeBytes(header.bytes());
        return this;
    }

    /** A PAX extended ('x') or global ('g') header with string records. */
    RawTar pax(char type, String... keyValues) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            records.put(kv.substring(0, eq), kv.substring(eq + 1).getBytes(StandardCharsets.UTF_8));
        }
        return pax(type, records);
    }

    RawTar pax(char type, Map<String, byte[]> records) {
        byte[] data = paxRecords(records);
        return entry(header(type == 'g' ? "pax_global_header" : "PaxHeaders/x", type), data);
    }

    /** A GNU long name ('L') or long link ('K') header. */
    RawTar gnuLong(char type, String value) {
        byte[] v = (value + "\0").getBytes(StandardCharsets.UTF_8);
        return entry(header("././@LongLink", type), v);
    }

    RawTar raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    RawTar zeroBlock() {
        out.writeBytes(new byte[512]);
        return this;
    }

    /** The stream with its two end-of-archive blocks. */
    byte[] end() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    static byte[] paxRecords(Map<String, byte[]> records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1; // ' ' key '=' value '\n'
            int len = body + String.valueOf(body).length();
            if (String.valueOf(len).length() != String.valueOf(body).length()) {
                len++;
            }
            data.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            data.writeBytes(key);
            data.write('=');
            data.writeBytes(r.getValue());
            data.write('\n');
        }
        return data.toByteArray();
    }

    static byte[] pad(byte[] data) {
        byte[] out = new byte[(data.length + 511) / 512 * 512];
        System.arraycopy(data, 0, out, 0, data.length);
        return out;
    }
}
