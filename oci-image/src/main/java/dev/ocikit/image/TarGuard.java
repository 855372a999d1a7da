package dev.ocikit.image;

import dev.ocikit.spec.internal.Streams;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a raw tar stream block by block on its way to the tar parser (commons-compress), and is
 * the authority on what each entry is: its name, link name, type, size and extended attributes
 * come from here, the parser only streams the data. Doing the header work ourselves lets us
 * refuse what tar readers disagree on, which is how a layer shows one thing to a scanner written
 * in Go and another to us:
 *
 * <ul>
 *   <li>header checksums that do not match (Go's archive/tar and GNU tar refuse them; the parser
 *       does not look);
 *   <li>entries after a single zero block (the parser stops there, Go fails);
 *   <li>global PAX headers that set anything (the parser applies them to every later entry, Go
 *       ignores them), two PAX headers or two GNU long names for one entry (merged or first-wins
 *       in one reader, last-wins in the other), a PAX path and a GNU long name that differ;
 *   <li>header-only entries that declare data, and directories by a trailing slash that declare
 *       data (the parser does not skip it, so it would read the data as headers).
 * </ul>
 *
 * <p>It also bounds what would be held in memory (PAX and GNU long-name headers), counts entries
 * against the limit, and keeps extended attributes as raw bytes: {@code SCHILY.xattr.*} values
 * are binary ({@code security.capability} first among them), and libarchive's
 * {@code LIBARCHIVE.xattr.*} (URL-encoded name, base64 value) are decoded. Not thread-safe.
 */
final class TarGuard extends FilterInputStream {
    /** One file-system entry as its raw headers describe it, PAX and GNU long names applied. */
    record Header(String name, String linkName, char type, long size, Map<String, byte[]> xattrs) {}

    private enum State { HEADER, SPARSE_EXTENSION, DATA, ENDED }

    /** Global PAX keys no reader gives a meaning to an entry; any other key is refused. */
    private static final Set<String> HARMLESS_GLOBAL_KEYS = Set.of("comment", "charset", "hdrcharset");

    private final LayerLimits limits;
    private final byte[] block = new byte[512];
    private int blockFill;
    private State state = State.HEADER;
    private long dataLeft;
    private long padLeft;
    private ByteArrayOutputStream capture;
    private char captureType;
    private boolean zeroBlockSeen;
    private long entries;
    private Header last;
    // Metadata headers waiting for the entry they describe.
    private Map<String, byte[]> pax;
    private byte[] longName;
    private byte[] longLink;

    TarGuard(InputStream in, LayerLimits limits) {
        super(in);
        this.limits = limits;
    }

    /** How many file-system entries (not metadata headers) have been seen. */
    long entries() {
        return entries;
    }

    /** The last entry seen. */
    Optional<Header> last() {
        return Optional.ofNullable(last);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            feed(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return Streams.skipByReading(this, n);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void feed(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case ENDED -> i = end;
                case HEADER, SPARSE_EXTENSION -> {
                    int take = Math.min(512 - blockFill, end - i);
                    System.arraycopy(b, i, block, blockFill, take);
                    blockFill += take;
                    i += take;
                    if (blockFill == 512) {
                        blockFill = 0;
                        if (state == State.HEADER) {
                            header();
                        } else if (block[504] == 0) {
                            // the last old-GNU sparse extension block; the data follows
                            state = dataLeft + padLeft > 0 ? State.DATA : State.HEADER;
                        }
                    }
                }
                case DATA -> {
                    if (dataLeft > 0) {
                        int take = (int) Math.min(dataLeft, end - i);
                        if (capture != null) {
                            capture.write(b, i, take);
                        }
                        dataLeft -= take;
                        i += take;
                        if (dataLeft == 0 && capture != null) {
                            captured();
                        }
                    } else if (padLeft > 0) {
                        int take = (int) Math.min(padLeft, end - i);
                        padLeft -= take;
                        i += take;
                    }
                    if (dataLeft == 0 && padLeft == 0) {
                        state = State.HEADER;
                    }
                }
            }
        }
    }

    private void header() {
        if (isZero(block)) {
            if (zeroBlockSeen) {
                state = State.ENDED;
            }
            zeroBlockSeen = true;
            return;
        }
        if (zeroBlockSeen) {
            throw HostileLayerException.header(where(), "follows a lone end-of-archive block; some tar readers"
                    + " stop at that block and never see it, others fail");
        }
        checkChecksum();
        char type = (char) (block[156] & 0xff);
        long size = headerSize();
        switch (type) {
            case 'x', 'X', 'g', 'L', 'K' -> metadataHeader(type, size);
            default -> entry(type, size);
        }
    }

    private void metadataHeader(char type, long size) {
        if (size > limits.maxPaxHeaderSize()) {
            throw new LayerTooLargeException("the tar header " + where() + " is a " + describe(type) + " of " + size
                    + " bytes, more than the " + limits.maxPaxHeaderSize() + " allowed (LayerLimits.maxPaxHeaderSize);"
                    + " refusing it as a likely memory bomb");
        }
        boolean again = switch (type) {
            case 'x', 'X' -> pax != null;
            case 'L' -> longName != null;
            case 'K' -> longLink != null;
            default -> false;
        };
        if (again) {
            throw HostileLayerException.header(where(), "is a second " + describe(type) + " for the same entry;"
                    + " tar readers disagree on which one applies");
        }
        capture = new ByteArrayOutputStream((int) Math.min(size, 8192));
        captureType = type;
        startData(size);
        if (size == 0) {
            captured();
        }
    }

    private void entry(char type, long headerSize) {
        entries++;
        String name = decodeName(pick("path", longName, ustarName()), "name");
        String linkName = decodeName(pick("linkpath", longLink, field(157, 100)), "link name");
        byte[] sparseName = pax == null ? null : pax.get("GNU.sparse.name");
        if (sparseName != null) {
            // GNU tar's PAX sparse formats keep the real name here; both readers honour it.
            name = decodeName(sparseName, "name");
        }
        if (entries > limits.maxEntries()) {
            throw new LayerTooLargeException("layer has more than " + limits.maxEntries() + " entries (entry '"
                    + HostileLayerException.printable(name) + "' is number " + entries
                    + ", LayerLimits.maxEntries); refusing it as a likely inode bomb");
        }
        long size = paxSize().orElse(headerSize);
        Map<String, byte[]> xattrs = xattrs();
        pax = null;
        longName = null;
        longLink = null;
        last = new Header(name, linkName, type, size, xattrs);

        if (type == 'M') {
            throw new UnsupportedLayerException("entry '" + HostileLayerException.printable(name) + "' is the"
                    + " continuation of a file from another volume of a multi-volume archive; a layer must be"
                    + " complete on its own");
        }
        boolean headerOnly = type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
        if (headerOnly && size != 0) {
            throw new HostileLayerException(name, "is a " + describeEntry(type) + " header that declares " + size
                    + " bytes of data; tar readers disagree on whether to skip them or read them as headers");
        }
        if (name.endsWith("/") && size != 0) {
            throw new HostileLayerException(name, "is a directory by its trailing '/' yet declares " + size
                    + " bytes of data; tar readers disagree on whether to skip them or read them as headers");
        }
        if (type == 'S' && block[482] != 0) {
            startData(size);
            state = State.SPARSE_EXTENSION;
            return;
        }
        startData(size);
    }

    private void startData(long size) {
        dataLeft = size;
        padLeft = (512 - size % 512) % 512;
        state = size == 0 ? State.HEADER : State.DATA;
    }

    /** A metadata header's data is complete. */
    private void captured() {
        byte[] data = capture.toByteArray();
        capture = null;
        switch (captureType) {
            case 'x', 'X' -> pax = parsePax(data);
            case 'g' -> {
                for (String key : parsePax(data).keySet()) {
                    if (!HARMLESS_GLOBAL_KEYS.contains(key)) {
                        throw HostileLayerException.header(where(), "is a global PAX header that sets '"
                                + HostileLayerException.printable(key) + "'; tar readers disagree on whether global"
                                + " headers apply to later entries (commons-compress applies them, Go's archive/tar"
                                + " ignores them)");
                    }
                }
            }
            case 'L' -> longName = trimNuls(data);
            case 'K' -> longLink = trimNuls(data);
            default -> throw new IllegalStateException("not a metadata header: " + captureType);
        }
    }

    /** PAX records, {@code "<length> <key>=<value>\n"}, values kept as raw bytes. */
    private Map<String, byte[]> parsePax(byte[] data) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        int p = 0;
        while (p < data.length) {
            int space = indexOf(data, (byte) ' ', p);
            if (space <= p || space - p > 10) {
                throw malformedPax(p);
            }
            long length = 0;
            for (int i = p; i < space; i++) {
                if (data[i] < '0' || data[i] > '9') {
                    throw malformedPax(p);
                }
                length = length * 10 + (data[i] - '0');
            }
            long recordEnd = p + length;
            int eq = indexOf(data, (byte) '=', space + 1);
            if (recordEnd > data.length || eq < 0 || eq >= recordEnd || eq == space + 1
                    || data[(int) recordEnd - 1] != '\n') {
                throw malformedPax(p);
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            records.put(key, Arrays.copyOfRange(data, eq + 1, (int) recordEnd - 1));
            p = (int) recordEnd;
        }
        return records;
    }

    private HostileLayerException malformedPax(int offset) {
        return HostileLayerException.header(where(), "is a PAX header with a malformed record at byte " + offset);
    }

    private Optional<Long> paxSize() {
        byte[] value = pax == null ? null : pax.get("size");
        if (value == null) {
            return Optional.empty();
        }
        if (value.length == 0 || value.length > 19) {
            throw HostileLayerException.header(where(), "is a PAX header whose size '"
                    + new String(value, StandardCharsets.UTF_8) + "' is not a byte count");
        }
        long v = 0;
        for (byte c : value) {
            if (c < '0' || c > '9') {
                throw HostileLayerException.header(where(), "is a PAX header whose size '"
                        + HostileLayerException.printable(new String(value, StandardCharsets.UTF_8))
                        + "' is not a byte count");
            }
            v = v * 10 + (c - '0');
        }
        return Optional.of(v);
    }

    /** Extended attributes from the pending PAX header; {@code SCHILY.xattr} wins over libarchive's form. */
    private Map<String, byte[]> xattrs() {
        if (pax == null) {
            return Map.of();
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> r : pax.entrySet()) {
            String key = r.getKey();
            if (key.startsWith("LIBARCHIVE.xattr.")) {
                String attr = urlDecode(key.substring("LIBARCHIVE.xattr.".length()));
                try {
                    out.putIfAbsent(attr, Base64.getDecoder().decode(r.getValue()));
                } catch (IllegalArgumentException e) {
                    throw HostileLayerException.header(where(), "is a PAX header whose xattr '"
                            + HostileLayerException.printable(attr) + "' is not valid base64");
                }
            }
        }
        for (Map.Entry<String, byte[]> r : pax.entrySet()) {
            if (r.getKey().startsWith("SCHILY.xattr.")) {
                out.put(r.getKey().substring("SCHILY.xattr.".length()), r.getValue());
            }
        }
        for (String attr : out.keySet()) {
            if (attr.isEmpty() || attr.indexOf('\0') >= 0) {
                throw HostileLayerException.header(where(), "is a PAX header with an xattr name that is empty"
                        + " or holds a NUL byte");
            }
        }
        return out.isEmpty() ? Map.of() : out;
    }

    /** libarchive's encoding of xattr names: {@code %XX} for bytes outside printable ASCII, {@code %} and {@code =}. */
    private String urlDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '%' && i + 2 < b.length && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                out.write(hex(b[i + 1]) << 4 | hex(b[i + 2]));
                i += 2;
            } else {
                out.write(b[i]);
            }
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static int hex(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** A PAX value if present, else the GNU long form, else the header field; refuses two that differ. */
    private byte[] pick(String paxKey, byte[] gnuLong, byte[] field) {
        byte[] fromPax = pax == null ? null : pax.get(paxKey);
        if (fromPax != null && gnuLong != null && !Arrays.equals(fromPax, gnuLong)) {
            throw HostileLayerException.header(where(), "gives its entry two different " + paxKey + "s, '"
                    + HostileLayerException.printable(new String(fromPax, StandardCharsets.UTF_8)) + "' in a PAX header"
                    + " and '" + HostileLayerException.printable(new String(gnuLong, StandardCharsets.UTF_8))
                    + "' in a GNU long name; tar readers disagree on which wins");
        }
        return fromPax != null ? fromPax : gnuLong != null ? gnuLong : field;
    }

    /** The ustar name: the prefix field (POSIX ustar only; GNU keeps times there) joined to the name field. */
    private byte[] ustarName() {
        byte[] name = field(0, 100);
        boolean posix = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
                && block[261] == 'r' && block[262] == 0;
        if (!posix || block[345] == 0) {
            return name;
        }
        boolean xstar = block[508] == 't' && block[509] == 'a' && block[510] == 'r' && block[511] == 0;
        byte[] prefix = field(345, xstar ? 131 : 155);
        byte[] joined = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
        joined[prefix.length] = '/';
        System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
        return joined;
    }

    private byte[] field(int offset, int length) {
        int n = 0;
        while (n < length && block[offset + n] != 0) {
            n++;
        }
        return Arrays.copyOfRange(block, offset, offset + n);
    }

    private String decodeName(byte[] raw, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new UnsupportedLayerException("the tar entry " + where() + " has a " + what + " that is not UTF-8 ("
                    + escaped(raw) + "); ocikit unpacks only UTF-8 names, as OCI layers written by Go tools have");
        }
    }

    private static String escaped(byte[] raw) {
        StringBuilder b = new StringBuilder();
        for (byte x : raw) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02x", c));
            }
            if (b.length() > 200) {
                b.append('…');
                break;
            }
        }
        return b.toString();
    }

    private static byte[] trimNuls(byte[] data) {
        int n = data.length;
        while (n > 0 && data[n - 1] == 0) {
            n--;
        }
        return n == data.length ? data : Arrays.copyOf(data, n);
    }

    private void checkChecksum() {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < 512; i++) {
            int b = i >= 148 && i < 156 ? ' ' : block[i];
            unsigned += b & 0xff;
            signed += i >= 148 && i < 156 ? ' ' : block[i];
        }
        long stored = -1;
        int i = 148;
        while (i < 156 && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        if (i < 156) {
            stored = 0;
            while (i < 156 && block[i] >= '0' && block[i] <= '7') {
                stored = stored * 8 + (block[i] - '0');
                i++;
            }
            while (i < 156 && (block[i] == ' ' || block[i] == 0)) {
                i++;
            }
            if (i < 156) {
                stored = -1;
            }
        }
        if (stored != unsigned && stored != signed) {
            throw HostileLayerException.header(where(), "has a checksum that does not match its contents (corrupt or"
                    + " crafted); tar readers disagree on whether to trust such a header");
        }
    }

    private long headerSize() {
        if ((block[124] & 0x80) != 0) {
            // GNU base-256: the remaining 11 bytes, big-endian; a negative size is hostile.
            if ((block[124] & 0xff) != 0x80) {
                throw HostileLayerException.header(where(), "declares a negative size (base-256 " + hex(124, 12) + ")");
            }
            long v = 0;
            for (int i = 125; i < 136; i++) {
                if ((v >>> 55) != 0) {
                    throw HostileLayerException.header(where(), "declares a size beyond 2^63 (base-256 " + hex(124, 12) + ")");
                }
                v = (v << 8) | (block[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = 124;
        while (i < 136 && block[i] == ' ') {
            i++;
        }
        for (; i < 136; i++) {
            int c = block[i] & 0xff;
            if (c == 0 || c == ' ') {
                break;
            }
            if (c < '0' || c > '7') {
                throw HostileLayerException.header(where(), "declares a size that is not an octal number");
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private String hex(int offset, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = offset; i < offset + length; i++) {
            b.append(String.format("%02x", block[i] & 0xff));
        }
        return b.toString();
    }

    /** Where the current header is, for messages about headers that precede their entry's name. */
    private String where() {
        return last == null ? "before the first entry" : "after entry '" + HostileLayerException.printable(last.name()) + "'";
    }

    private static String describe(char type) {
        return switch (type) {
            case 'x', 'X' -> "PAX extended header";
            case 'g' -> "PAX global header";
            case 'L' -> "GNU long name";
            default -> "GNU long link name";
        };
    }

    private static String describeEntry(char type) {
        return switch (type) {
            case '1' -> "hard link";
            case '2' -> "symlink";
            case '3' -> "character device";
            case '4' -> "block device";
            case '5' -> "directory";
            default -> "fifo";
        };
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] data, byte c, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
