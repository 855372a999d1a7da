package dev.ocikit.image;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Watches a raw tar stream on its way to the tar parser, block by block, to do what the parser
 * cannot: bound metadata it would hold in memory (PAX and GNU long-name headers), bound the
 * number of entries, refuse header-only entries that claim data (a classic way to desynchronise
 * two tar readers), and keep extended attributes as raw bytes (PAX values are binary for
 * {@code SCHILY.xattr.*}, which a parser decoding UTF-8 would corrupt, {@code security.capability}
 * first among them).
 */
final class TarGuard extends FilterInputStream {
    private enum State { HEADER, SPARSE_EXTENSION, DATA, ENDED }

    private final LayerLimits limits;
    private final byte[] block = new byte[512];
    private int blockFill;
    private State state = State.HEADER;
    private long dataLeft;
    private long padLeft;
    private ByteArrayOutputStream capture;
    private char captureType;
    private int zeroBlocks;
    private long entries;
    private long sizeOverride = -1;
    private Map<String, byte[]> pendingXattrs = new LinkedHashMap<>();
    private Map<String, byte[]> lastXattrs = Map.of();
    private String lastName = "";

    TarGuard(InputStream in, LayerLimits limits) {
        super(in);
        this.limits = limits;
    }

    /** How many file-system entries (not metadata headers) have been seen. */
    long entries() {
        return entries;
    }

    /** The raw {@code SCHILY.xattr.*} values of the last entry seen, keyed by attribute name. */
    Map<String, byte[]> lastXattrs() {
        return lastXattrs;
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
        byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
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
                            state = State.DATA;
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
            if (++zeroBlocks == 2) {
                state = State.ENDED;
            }
            return;
        }
        zeroBlocks = 0;
        char type = (char) (block[156] & 0xff);
        long size = size();
        switch (type) {
            case 'x', 'g', 'L', 'K' -> {
                if (size > limits.maxPaxHeaderSize()) {
                    throw new HostileLayerException(lastName + "'s successor", "has a " + describe(type)
                            + " of " + size + " bytes, more than the " + limits.maxPaxHeaderSize() + " allowed");
                }
                capture = type == 'x' ? new ByteArrayOutputStream((int) size) : null;
                captureType = type;
                startData(size);
                if (size == 0 && capture != null) {
                    captured();
                }
            }
            default -> {
                String name = name();
                if (++entries > limits.maxEntries()) {
                    throw new HostileLayerException(name, "is entry number " + entries + ", more than the "
                            + limits.maxEntries() + " entries a layer may have");
                }
                long effective = sizeOverride >= 0 ? sizeOverride : size;
                sizeOverride = -1;
                lastXattrs = pendingXattrs.isEmpty() ? Map.of() : pendingXattrs;
                pendingXattrs = new LinkedHashMap<>();
                lastName = name;
                boolean headerOnly = type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
                if (headerOnly && effective != 0) {
                    throw new HostileLayerException(name, "is a " + (type == '5' ? "directory" : "link or special file")
                            + " header that declares " + effective + " bytes of data");
                }
                capture = null;
                if (type == 'S' && block[482] != 0) {
                    startData(effective);
                    state = State.SPARSE_EXTENSION;
                    return;
                }
                startData(effective);
            }
        }
    }

    private void startData(long size) {
        dataLeft = size;
        padLeft = (512 - size % 512) % 512;
        state = size == 0 ? State.HEADER : State.DATA;
    }

    /** A complete PAX extended header: keep raw xattrs and a size override for the next entry. */
    private void captured() {
        byte[] data = capture.toByteArray();
        capture = null;
        if (captureType != 'x') {
            return;
        }
        int p = 0;
        while (p < data.length) {
            int space = indexOf(data, (byte) ' ', p);
            if (space < 0) {
                return; // the parser will report a malformed header
            }
            int recordLength;
            try {
                recordLength = Integer.parseInt(new String(data, p, space - p, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return;
            }
            int recordEnd = p + recordLength;
            if (recordLength <= 0 || recordEnd > data.length || recordEnd <= space + 1) {
                return;
            }
            int eq = indexOf(data, (byte) '=', space + 1);
            if (eq < 0 || eq >= recordEnd) {
                return;
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            int valueEnd = recordEnd - 1; // the record ends with '\n'
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, Math.max(eq + 1, valueEnd));
            if (key.startsWith("SCHILY.xattr.")) {
                pendingXattrs.put(key.substring("SCHILY.xattr.".length()), value);
            } else if (key.equals("size")) {
                try {
                    sizeOverride = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    throw new HostileLayerException(lastName + "'s successor", "has a PAX size that is not a number");
                }
                if (sizeOverride < 0) {
                    throw new HostileLayerException(lastName + "'s successor", "has a negative PAX size");
                }
            }
            p = recordEnd;
        }
    }

    private long size() {
        if ((block[124] & 0x80) != 0) {
            // GNU base-256: the remaining 11 bytes, big-endian; a negative size is hostile.
            if ((block[124] & 0xff) != 0x80) {
                throw new HostileLayerException(name(), "has a negative size in its header");
            }
            long v = 0;
            for (int i = 125; i < 136; i++) {
                if ((v >>> 55) != 0) {
                    throw new HostileLayerException(name(), "has a size beyond 2^63 in its header");
                }
                v = (v << 8) | (block[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        for (int i = 124; i < 136; i++) {
            int c = block[i] & 0xff;
            if (c == 0 || c == ' ') {
                if (v > 0) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                return 0; // not a valid header; leave the complaint to the parser
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private String name() {
        int n = 0;
        while (n < 100 && block[n] != 0) {
            n++;
        }
        return new String(block, 0, n, StandardCharsets.UTF_8);
    }

    private static String describe(char type) {
        return switch (type) {
            case 'x' -> "PAX extended header";
            case 'g' -> "PAX global header";
            case 'L' -> "GNU long name";
            default -> "GNU long link name";
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
