package dev.ocikit.image;

import dev.ocikit.spec.internal.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a layer's tar stream for unpacking: each header (PAX records, GNU long names and sparse
 * maps applied) becomes one {@link Entry}, and {@link #data()} streams that entry's stored bytes.
 * It is the one reading of every header, and strict exactly where tar readers disagree, which is
 * how a layer shows one thing to a scanner written in Go and another to us:
 *
 * <ul>
 *   <li>header checksums that do not match (Go's archive/tar and GNU tar refuse them);
 *   <li>entries after a single zero block (some readers stop there, Go fails);
 *   <li>global PAX headers that set anything (commons-compress applies them to every later entry,
 *       Go ignores them), two PAX headers or two GNU long names for one entry (merged or
 *       first-wins in one reader, last-wins in another), a PAX path and a GNU long name that differ;
 *   <li>header-only entries that declare data, and directories by a trailing slash that declare
 *       data (some readers skip it, others read it as headers).
 * </ul>
 *
 * <p>Numbers are read as Go reads them: octal with spaces and NULs trimmed, or GNU base-256; PAX
 * times as decimal seconds. It bounds what it holds in memory (PAX headers, GNU long names and
 * sparse maps, by {@link LayerLimits#maxPaxHeaderSize}), counts entries against the limit, and
 * keeps extended attributes as raw bytes: {@code SCHILY.xattr.*} values are binary
 * ({@code security.capability} first among them), and libarchive's {@code LIBARCHIVE.xattr.*}
 * (URL-encoded name, base64 value) are decoded. Not thread-safe.
 */
final class TarReader {
    /**
     * One file-system entry as its headers describe it.
     *
     * @param size the bytes stored in the archive after the header (for a sparse file, its data
     *     segments and, in GNU's PAX 1.0 form, the map before them)
     * @param atime null when the headers give none
     * @param sparse the data segments of a sparse file, in order; empty for any other entry
     * @param realSize the file's length once unpacked: {@code size} unless sparse
     */
    record Entry(String name, String linkName, char type, long size, int mode, long uid, long gid, FileTime mtime,
            FileTime atime, int devMajor, int devMinor, List<Segment> sparse, long realSize,
            Map<String, byte[]> xattrs) {
        boolean isSparse() {
            return type == 'S' || !sparse.isEmpty() || realSize != size;
        }
    }

    /** One run of data in a sparse file; everything between runs is a hole. */
    record Segment(long offset, long length) {}

    /** Global PAX keys no reader gives a meaning to an entry; any other key is refused. */
    private static final Set<String> HARMLESS_GLOBAL_KEYS = Set.of("comment", "charset", "hdrcharset");

    private final InputStream in;
    private final LayerLimits limits;
    private final byte[] block = new byte[512];
    private final InputStream data = new EntryData();
    private boolean zeroBlockSeen;
    private boolean ended;
    private long entries;
    private Entry last;
    /** The entry whose data is being read, for messages before {@link #last} is made. */
    private String current = "";
    /** Stored bytes of the current entry not yet read, and the padding after them. */
    private long dataLeft;
    private long padLeft;
    // Metadata headers waiting for the entry they describe.
    private Map<String, byte[]> pax;
    private List<Long> paxSparse00;
    private byte[] longName;
    private byte[] longLink;

    TarReader(InputStream in, LayerLimits limits) {
        this.in = in;
        this.limits = limits;
    }

    /** How many file-system entries (not metadata headers) have been read. */
    long entries() {
        return entries;
    }

    /** The last entry read. */
    Optional<Entry> last() {
        return Optional.ofNullable(last);
    }

    /** The current entry's stored bytes; reads past them return -1. */
    InputStream data() {
        return data;
    }

    /**
     * The next entry, skipping what is left of the current one's data; null at the end of the
     * archive (two zero blocks, or the end of the stream where a header would start).
     */
    Entry next() throws IOException {
        if (ended) {
            return null;
        }
        skipFully(dataLeft + padLeft);
        dataLeft = 0;
        padLeft = 0;
        current = "";
        while (true) {
            int n = in.readNBytes(block, 0, 512);
            if (n == 0) {
                ended = true;
                return null;
            }
            if (n < 512) {
                throw HostileLayerException.header(where(), "is cut short: the layer ends " + n + " bytes into it");
            }
            if (isZero(block)) {
                if (zeroBlockSeen) {
                    ended = true;
                    return null;
                }
                zeroBlockSeen = true;
                continue;
            }
            if (zeroBlockSeen) {
                throw HostileLayerException.header(where(), "follows a lone end-of-archive block; some tar readers"
                        + " stop at that block and never see it, others fail");
            }
            checkChecksum();
            char type = (char) (block[156] & 0xff);
            long size = number(124, 12, "size");
            if (size < 0) {
                throw HostileLayerException.header(where(), "declares a negative size (base-256 " + hex(124, 12) + ")");
            }
            switch (type) {
                case 'x', 'X', 'g', 'L', 'K' -> metadataHeader(type, size);
                default -> {
                    return entry(type, size);
                }
            }
        }
    }

    private void metadataHeader(char type, long size) throws IOException {
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
        byte[] content = in.readNBytes((int) size);
        if (content.length < size) {
            throw HostileLayerException.header(where(), "is a " + describe(type) + " cut short: the layer ends "
                    + content.length + " bytes into its " + size);
        }
        skipFully(padding(size));
        switch (type) {
            case 'x', 'X' -> pax = parsePax(content, true);
            case 'g' -> {
                for (String key : parsePax(content, false).keySet()) {
                    if (!HARMLESS_GLOBAL_KEYS.contains(key)) {
                        throw HostileLayerException.header(where(), "is a global PAX header that sets '"
                                + HostileLayerException.printable(key) + "'; tar readers disagree on whether global"
                                + " headers apply to later entries (commons-compress applies them, Go's archive/tar"
                                + " ignores them)");
                    }
                }
            }
            case 'L' -> longName = trimNuls(content);
            default -> longLink = trimNuls(content);
        }
    }

    private Entry entry(char type, long headerSize) throws IOException {
        entries++;
        String name = decodeName(pick("path", longName, ustarName()), "name");
        String linkName = decodeName(pick("linkpath", longLink, field(157, 100)), "link name");
        byte[] sparseName = paxValue("GNU.sparse.name");
        if (sparseName != null) {
            // GNU tar's PAX sparse formats keep the real name here.
            name = decodeName(sparseName, "name");
        }
        if (entries > limits.maxEntries()) {
            throw new LayerTooLargeException("layer has more than " + limits.maxEntries() + " entries (entry '"
                    + HostileLayerException.printable(name) + "' is number " + entries
                    + ", LayerLimits.maxEntries); refusing it as a likely inode bomb");
        }
        current = name;
        long size = paxNumber("size").orElse(headerSize);
        int mode = (int) (number(100, 8, "mode") & 07777);
        long uid = paxNumber("uid").orElseGet(() -> number(108, 8, "owner"));
        long gid = paxNumber("gid").orElseGet(() -> number(116, 8, "group"));
        FileTime mtime = paxTime("mtime").orElseGet(() -> time(number(136, 12, "mtime"), 0, "mtime"));
        FileTime atime = paxTime("atime").orElseGet(this::gnuAtime);
        boolean device = type == '3' || type == '4';
        long major = device ? number(329, 8, "device major number") : 0;
        long minor = device ? number(337, 8, "device minor number") : 0;
        if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff) {
            // Linux has 12 bits for a major number and 20 for a minor; mknod refuses the rest.
            throw fieldError("is a device node " + major + ":" + minor + ", numbers no Linux device has");
        }
        int devMajor = (int) major;
        int devMinor = (int) minor;
        Map<String, byte[]> xattrs = xattrs();
        boolean headerOnly = type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
        if (headerOnly && size != 0) {
            throw new HostileLayerException(name, "is a " + describeEntry(type) + " header that declares " + size
                    + " bytes of data; tar readers disagree on whether to skip them or read them as headers");
        }
        if (name.endsWith("/") && size != 0) {
            throw new HostileLayerException(name, "is a directory by its trailing '/' yet declares " + size
                    + " bytes of data; tar readers disagree on whether to skip them or read them as headers");
        }
        if (type == 'M') {
            throw new UnsupportedLayerException("entry '" + HostileLayerException.printable(name) + "' is the"
                    + " continuation of a file from another volume of a multi-volume archive; a layer must be"
                    + " complete on its own");
        }
        dataLeft = size;
        padLeft = padding(size);
        List<Segment> sparse = List.of();
        long realSize = size;
        boolean paxSparse = paxValue("GNU.sparse.major") != null || paxValue("GNU.sparse.map") != null
                || paxSparse00 != null;
        if (type == 'S') {
            realSize = number(483, 12, "sparse file size");
            sparse = oldGnuSparseMap(name);
        } else if (paxSparse) {
            realSize = paxNumber("GNU.sparse.realsize").or(() -> paxNumber("GNU.sparse.size"))
                    .orElseThrow(() -> fieldError("is a GNU sparse file without its size"));
            sparse = paxSparseMap(name);
        }
        if (type == 'S' || paxSparse) { // an empty map too: a file that is one hole
            checkSparse(name, sparse, realSize);
            if (realSize > limits.maxUncompressedSize()) {
                throw new LayerTooLargeException("entry '" + HostileLayerException.printable(name) + "' is a sparse file"
                        + " of " + realSize + " bytes, more than the " + limits.maxUncompressedSize() + " a layer may"
                        + " expand to (LayerLimits.maxUncompressedSize); refusing it as a likely sparse bomb");
            }
        }
        pax = null;
        paxSparse00 = null;
        longName = null;
        longLink = null;
        last = new Entry(name, linkName, type, size, mode, uid, gid, mtime, atime, devMajor, devMinor, sparse, realSize,
                xattrs);
        return last;
    }

    /** Old GNU sparse ('S'): four runs in the header, 21 in each extension block that follows. */
    private List<Segment> oldGnuSparseMap(String name) throws IOException {
        List<Segment> runs = new ArrayList<>();
        sparseRuns(386, 4, runs);
        boolean extended = block[482] != 0;
        long extensionBytes = 0;
        while (extended) {
            extensionBytes += 512;
            if (extensionBytes > limits.maxPaxHeaderSize()) {
                throw new LayerTooLargeException("entry '" + HostileLayerException.printable(name) + "' has a sparse map"
                        + " of more than " + limits.maxPaxHeaderSize() + " bytes (LayerLimits.maxPaxHeaderSize);"
                        + " refusing it as a likely memory bomb");
            }
            if (in.readNBytes(block, 0, 512) < 512) {
                throw new HostileLayerException(name, "is cut short: the layer ends inside its sparse map");
            }
            sparseRuns(0, 21, runs);
            extended = block[504] != 0;
        }
        return runs;
    }

    private void sparseRuns(int offset, int count, List<Segment> runs) {
        for (int i = 0; i < count; i++) {
            int at = offset + i * 24;
            if (block[at] == 0 && block[at + 12] == 0) {
                continue; // an unused slot
            }
            runs.add(new Segment(number(at, 12, "sparse offset"), number(at + 12, 12, "sparse length")));
        }
    }

    /** GNU's PAX sparse forms: 0.0 (repeated offset/numbytes records), 0.1 (one map record), 1.0 (map in the data). */
    private List<Segment> paxSparseMap(String name) throws IOException {
        byte[] major = paxValue("GNU.sparse.major");
        byte[] minor = paxValue("GNU.sparse.minor");
        List<Long> numbers = new ArrayList<>();
        if (major != null && "1".equals(ascii(major)) && minor != null && "0".equals(ascii(minor))) {
            numbers = sparseMapInData(name);
        } else if (paxValue("GNU.sparse.map") != null) {
            String map = ascii(paxValue("GNU.sparse.map"));
            if (!map.isEmpty()) {
                for (String n : map.split(",", -1)) {
                    numbers.add(decimal(n, "GNU.sparse.map"));
                }
            }
        } else if (paxSparse00 != null) {
            numbers = paxSparse00;
        } else {
            throw new UnsupportedLayerException("entry '" + HostileLayerException.printable(name) + "' is a GNU sparse"
                    + " file in format " + ascii(major) + "." + (minor == null ? "?" : ascii(minor))
                    + ", which ocikit does not know (it reads 0.0, 0.1, 1.0 and the old GNU form)");
        }
        if (numbers.size() % 2 != 0) {
            throw new HostileLayerException(name, "is a GNU sparse file whose map has an odd count of numbers");
        }
        List<Segment> runs = new ArrayList<>(numbers.size() / 2);
        for (int i = 0; i < numbers.size(); i += 2) {
            runs.add(new Segment(numbers.get(i), numbers.get(i + 1)));
        }
        return runs;
    }

    /** PAX sparse 1.0: decimal lines (count, then offset and length pairs) padded to a block, before the data. */
    private List<Long> sparseMapInData(String name) throws IOException {
        List<Long> numbers = new ArrayList<>();
        long count = -1;
        StringBuilder digits = new StringBuilder();
        long consumed = 0;
        while (count < 0 || numbers.size() < count * 2) {
            int c = data.read();
            if (c < 0) {
                throw new HostileLayerException(name, "is a GNU sparse file whose map runs past its data");
            }
            if (++consumed > limits.maxPaxHeaderSize()) {
                throw new LayerTooLargeException("entry '" + HostileLayerException.printable(name) + "' has a sparse map"
                        + " of more than " + limits.maxPaxHeaderSize() + " bytes (LayerLimits.maxPaxHeaderSize);"
                        + " refusing it as a likely memory bomb");
            }
            if (c != '\n') {
                if (digits.length() > 19) {
                    throw new HostileLayerException(name, "is a GNU sparse file with a malformed map");
                }
                digits.append((char) c);
                continue;
            }
            long v = decimal(digits.toString(), "sparse map");
            digits.setLength(0);
            if (count < 0) {
                count = v;
            } else {
                numbers.add(v);
            }
        }
        long pad = padding(consumed);
        if (Streams.skipByReading(data, pad) < pad) {
            throw new HostileLayerException(name, "is a GNU sparse file whose map runs past its data");
        }
        return numbers;
    }

    /** Runs in order, inside the file, not overlapping, and holding exactly the stored bytes (as Go checks). */
    private void checkSparse(String name, List<Segment> runs, long realSize) {
        if (realSize < 0) {
            throw new HostileLayerException(name, "is a sparse file with a negative size");
        }
        long end = 0;
        long stored = 0;
        for (Segment s : runs) {
            if (s.offset() < end || s.length() < 0 || s.offset() > realSize - s.length()) {
                throw new HostileLayerException(name, "is a sparse file whose map has a run at " + s.offset()
                        + " of " + s.length() + " bytes that overlaps another or lies outside its " + realSize + " bytes");
            }
            end = s.offset() + s.length();
            stored += s.length();
        }
        if (stored != dataLeft) {
            throw new HostileLayerException(name, "is a sparse file whose map holds " + stored + " bytes of data but "
                    + dataLeft + " are stored");
        }
    }

    /** PAX records, {@code "<length> <key>=<value>\n"}, values kept as raw bytes. */
    private Map<String, byte[]> parsePax(byte[] content, boolean perEntry) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        int p = 0;
        while (p < content.length) {
            int space = indexOf(content, (byte) ' ', p);
            if (space <= p || space - p > 10) {
                throw malformedPax(p);
            }
            long length = 0;
            for (int i = p; i < space; i++) {
                if (content[i] < '0' || content[i] > '9') {
                    throw malformedPax(p);
                }
                length = length * 10 + (content[i] - '0');
            }
            long recordEnd = p + length;
            int eq = indexOf(content, (byte) '=', space + 1);
            if (recordEnd > content.length || eq < 0 || eq >= recordEnd || eq == space + 1
                    || content[(int) recordEnd - 1] != '\n') {
                throw malformedPax(p);
            }
            String key = new String(content, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(content, eq + 1, (int) recordEnd - 1);
            if (perEntry && (key.equals("GNU.sparse.offset") || key.equals("GNU.sparse.numbytes"))) {
                // sparse 0.0 repeats these two keys, one pair per run, in order
                if (paxSparse00 == null) {
                    paxSparse00 = new ArrayList<>();
                }
                boolean offset = key.equals("GNU.sparse.offset");
                if (offset != (paxSparse00.size() % 2 == 0)) {
                    throw HostileLayerException.header(where(), "is a PAX header whose GNU sparse offsets and lengths"
                            + " do not alternate");
                }
                paxSparse00.add(decimal(ascii(value), key));
            }
            records.put(key, value);
            p = (int) recordEnd;
        }
        return records;
    }

    private HostileLayerException malformedPax(int offset) {
        return HostileLayerException.header(where(), "is a PAX header with a malformed record at byte " + offset);
    }

    private byte[] paxValue(String key) {
        return pax == null ? null : pax.get(key);
    }

    private Optional<Long> paxNumber(String key) {
        byte[] value = paxValue(key);
        return value == null ? Optional.empty() : Optional.of(decimal(ascii(value), "PAX " + key));
    }

    /** A non-negative decimal, as PAX sizes, ids and sparse maps are written. */
    private long decimal(String s, String what) {
        if (s.isEmpty() || s.length() > 19) {
            throw notANumber(what, s);
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw notANumber(what, s);
            }
            v = v * 10 + (c - '0');
        }
        if (v < 0) {
            throw notANumber(what, s);
        }
        return v;
    }

    private HostileLayerException notANumber(String what, String s) {
        return fieldError("has a " + what + " '" + HostileLayerException.printable(s) + "' that is not a number");
    }

    /** A PAX time: decimal seconds, optionally negative, with an optional fraction (nanoseconds kept). */
    private Optional<FileTime> paxTime(String key) {
        byte[] value = paxValue(key);
        if (value == null) {
            return Optional.empty();
        }
        String s = ascii(value);
        boolean negative = s.startsWith("-");
        String unsigned = negative ? s.substring(1) : s;
        int dot = unsigned.indexOf('.');
        String whole = dot < 0 ? unsigned : unsigned.substring(0, dot);
        if (whole.isEmpty() || whole.length() > 18) {
            throw notANumber("PAX " + key, s);
        }
        long seconds = decimal(whole, "PAX " + key);
        // Nanoseconds: the fraction's first nine digits, the rest checked and dropped (read once per entry).
        long nanos = 0;
        int digits = 0;
        for (int i = dot < 0 ? unsigned.length() : dot + 1; i < unsigned.length(); i++, digits++) {
            char c = unsigned.charAt(i);
            if (c < '0' || c > '9') {
                throw notANumber("PAX " + key, s);
            }
            if (digits < 9) {
                nanos = nanos * 10 + (c - '0');
            }
        }
        for (; digits < 9; digits++) {
            nanos *= 10;
        }
        return Optional.of(negative ? time(-seconds, -nanos, key) : time(seconds, nanos, key));
    }

    /** The GNU format's own atime field; POSIX headers hold the name prefix there. */
    private FileTime gnuAtime() {
        boolean gnu = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
                && block[261] == 'r' && block[262] == ' ' && block[263] == ' ' && block[264] == 0;
        if (!gnu) {
            return null;
        }
        long seconds = number(345, 12, "atime");
        return seconds == 0 ? null : time(seconds, 0, "atime");
    }

    private FileTime time(long seconds, long nanos, String what) {
        try {
            return FileTime.from(Instant.ofEpochSecond(seconds, nanos));
        } catch (java.time.DateTimeException e) {
            throw fieldError("has a " + what + " of " + seconds + " seconds, beyond any date");
        }
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
        byte[] fromPax = paxValue(paxKey);
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
        if (isAscii(raw)) {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
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

    private static boolean isAscii(byte[] raw) {
        for (byte b : raw) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
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
            boolean inField = i >= 148 && i < 156;
            unsigned += inField ? ' ' : block[i] & 0xff;
            signed += inField ? ' ' : block[i];
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

    /**
     * A numeric header field as Go reads it: GNU base-256 when the top bit of its first byte is
     * set (two's complement), else octal between optional spaces and NULs.
     */
    private long number(int offset, int length, String what) {
        if ((block[offset] & 0x80) != 0) {
            boolean negative = (block[offset] & 0x40) != 0;
            long v = negative ? -1 : 0;
            for (int i = offset; i < offset + length; i++) {
                int b = block[i] & 0xff;
                if (i == offset) {
                    b &= 0x7f;
                    b |= negative ? 0x80 : 0;
                }
                if (i > offset && (v >> 55) != (negative ? -1 : 0)) {
                    throw fieldError("declares a " + what + " beyond 2^63 (base-256 " + hex(offset, length) + ")");
                }
                v = (v << 8) | b;
            }
            return v;
        }
        int a = offset;
        int z = offset + length;
        while (a < z && (block[a] == ' ' || block[a] == 0)) {
            a++;
        }
        while (z > a && (block[z - 1] == ' ' || block[z - 1] == 0)) {
            z--;
        }
        long v = 0;
        for (int i = a; i < z; i++) {
            int c = block[i];
            if (c < '0' || c > '7') {
                throw fieldError("declares a " + what + " that is not an octal number ('"
                        + HostileLayerException.printable(new String(block, a, z - a, StandardCharsets.ISO_8859_1)) + "')");
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    /** About a field of the entry being read, or of a header before it is known. */
    private HostileLayerException fieldError(String tried) {
        return current.isEmpty() ? HostileLayerException.header(where(), tried) : new HostileLayerException(current, tried);
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

    private void skipFully(long n) throws IOException {
        if (n > 0 && Streams.skipByReading(in, n) < n) {
            throw new HostileLayerException(current, "is cut short: the layer ends inside its data");
        }
    }

    private static long padding(long size) {
        return (512 - size % 512) % 512;
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

    /** The current entry's stored bytes; the end of the layer inside them is an error, not a short file. */
    private final class EntryData extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (dataLeft == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, dataLeft));
            if (n < 0) {
                throw new HostileLayerException(current, "is cut short: the layer ends " + dataLeft
                        + " bytes before the end of its data");
            }
            dataLeft -= n;
            return n;
        }
    }
}
