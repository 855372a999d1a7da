package dev.ocikit.image.signature;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * An S-expression as gpg-agent keeps keys in: lists whose items are byte strings (atoms) or
 * lists. Immutable. Reads both the canonical form ({@code (3:rsa(1:n3:...))}) and the "advanced"
 * text form of extended key files, with every length checked against the input before anything
 * is allocated, as it also reads what a decryption with a wrong passphrase produced.
 */
final class SExpr {
    /** gpg's keys nest three or four lists deep; this is ample and keeps hostile input cheap. */
    private static final int MAX_DEPTH = 16;

    private final byte[] atom; // null for a list
    private final List<SExpr> items;

    private SExpr(byte[] atom, List<SExpr> items) {
        this.atom = atom;
        this.items = items;
    }

    static SExpr atom(byte[] bytes) {
        return new SExpr(bytes.clone(), List.of());
    }

    static SExpr atom(String text) {
        return new SExpr(text.getBytes(StandardCharsets.UTF_8), List.of());
    }

    static SExpr list(List<SExpr> items) {
        return new SExpr(null, List.copyOf(items));
    }

    boolean isList() {
        return atom == null;
    }

    /** An atom's bytes. */
    byte[] bytes() {
        if (atom == null) {
            throw new IllegalArgumentException("a list where a value was expected");
        }
        return atom.clone();
    }

    /** An atom as text (labels, names and numbers are ASCII). */
    String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** A list's items (empty for an atom). */
    List<SExpr> items() {
        return items;
    }

    /** The first item of a list if it is an atom: the list's label, as {@code rsa} in {@code (rsa (n ...))}. */
    Optional<String> label() {
        return isList() && !items.isEmpty() && !items.get(0).isList() ? Optional.of(items.get(0).text()) : Optional.empty();
    }

    /** The first list among this list's items that is labelled so. */
    Optional<SExpr> find(String label) {
        for (SExpr item : items) {
            if (item.label().filter(label::equals).isPresent()) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    /** The atom after the label of the item list labelled so, as {@code n}'s value in {@code (rsa (n #00C5...#))}. */
    byte[] value(String label) {
        SExpr list = find(label).orElseThrow(() -> new IllegalArgumentException("no (" + label + " ...) in the key"));
        if (list.items.size() < 2) {
            throw new IllegalArgumentException("(" + label + ") has no value");
        }
        return list.items.get(1).bytes();
    }

    /** The canonical encoding, the form gpg hashes and authenticates. */
    byte[] canonical() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeCanonical(out);
        return out.toByteArray();
    }

    void writeCanonical(ByteArrayOutputStream out) {
        if (atom != null) {
            out.writeBytes((atom.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(atom);
            return;
        }
        out.write('(');
        for (SExpr item : items) {
            item.writeCanonical(out);
        }
        out.write(')');
    }

    /**
     * Reads the first S-expression of the data, written canonically or in libgcrypt's "advanced"
     * text syntax (tokens, {@code "quoted strings"} with C escapes, {@code #hex#},
     * {@code |base64|}, {@code 3:raw}, whitespace between items); what follows it (padding after
     * decrypted key parameters) is ignored. Quoted strings are bytes, not text: gpg writes binary
     * salts as quoted strings when they happen to be mostly printable.
     *
     * @throws IllegalArgumentException saying what is wrong, at which byte
     */
    static SExpr parse(byte[] data) {
        Reader reader = new Reader(data);
        reader.skipSpace();
        if (reader.pos >= data.length || data[reader.pos] != '(') {
            throw new IllegalArgumentException("not an S-expression (it does not start with a list)");
        }
        return reader.item(0);
    }

    /** A cursor over the input; every length is checked against what is left before anything is allocated. */
    private static final class Reader {
        private static final String TOKEN_SPECIALS = "-./_:*+=";
        private final byte[] data;
        private int pos;

        Reader(byte[] data) {
            this.data = data;
        }

        void skipSpace() {
            while (pos < data.length && isSpace(data[pos])) {
                pos++;
            }
        }

        SExpr item(int depth) {
            if (pos >= data.length) {
                throw new IllegalArgumentException("truncated at byte " + pos);
            }
            int c = data[pos] & 0xff;
            int start = pos;
            if (c == '(') {
                if (depth >= MAX_DEPTH) {
                    throw new IllegalArgumentException("lists nested deeper than " + MAX_DEPTH);
                }
                pos++;
                List<SExpr> items = new ArrayList<>();
                while (true) {
                    skipSpace();
                    if (pos >= data.length) {
                        throw new IllegalArgumentException("truncated: the list at byte " + start + " is not closed");
                    }
                    if (data[pos] == ')') {
                        pos++;
                        return new SExpr(null, List.copyOf(items));
                    }
                    items.add(item(depth + 1));
                }
            }
            byte[] value;
            if (c >= '0' && c <= '9') {
                value = raw();
            } else if (c == '#') {
                value = hex();
            } else if (c == '"') {
                value = quoted();
            } else if (c == '|') {
                value = base64();
            } else if (isTokenStart(c)) {
                while (pos < data.length && (isTokenStart(data[pos] & 0xff) || isDigit(data[pos]))) {
                    pos++;
                }
                value = Arrays.copyOfRange(data, start, pos);
            } else {
                throw new IllegalArgumentException("unexpected byte 0x" + Integer.toHexString(c) + " at " + pos);
            }
            return new SExpr(value, List.of());
        }

        /** {@code 3:abc}: a length, a colon, that many bytes. */
        private byte[] raw() {
            int start = pos;
            long length = 0;
            while (pos < data.length && isDigit(data[pos])) {
                length = length * 10 + (data[pos] - '0');
                if (length > data.length) {
                    throw new IllegalArgumentException("the value at byte " + start + " claims to be longer than the data");
                }
                pos++;
            }
            if (pos >= data.length || data[pos] != ':') {
                throw new IllegalArgumentException("a number at byte " + start + " that is not the length of a value");
            }
            if (pos - start > 1 && data[start] == '0') {
                throw new IllegalArgumentException("a length with a leading zero at byte " + start);
            }
            pos++;
            if (length > data.length - pos) {
                throw new IllegalArgumentException("truncated: the value at byte " + start + " is longer than the data");
            }
            byte[] value = Arrays.copyOfRange(data, pos, pos + (int) length);
            pos += (int) length;
            return value;
        }

        /** {@code #0A1b#}, whitespace allowed between the digits. */
        private byte[] hex() {
            int start = pos++;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int high = -1;
            while (true) {
                if (pos >= data.length) {
                    throw new IllegalArgumentException("truncated: the hex string at byte " + start + " is not closed");
                }
                byte c = data[pos++];
                if (c == '#') {
                    break;
                }
                if (isSpace(c)) {
                    continue;
                }
                int digit = Character.digit(c & 0xff, 16);
                if (digit < 0) {
                    throw new IllegalArgumentException("the hex string at byte " + start + " holds the byte 0x"
                            + Integer.toHexString(c & 0xff));
                }
                if (high < 0) {
                    high = digit;
                } else {
                    out.write(high << 4 | digit);
                    high = -1;
                }
            }
            if (high >= 0) {
                throw new IllegalArgumentException("the hex string at byte " + start + " has an odd number of digits");
            }
            return out.toByteArray();
        }

        /** {@code "text"} with libgcrypt's escapes: \b \t \v \n \f \r \" \' \\, \xHH, \ooo, and backslash-newline. */
        private byte[] quoted() {
            int start = pos++;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (pos >= data.length) {
                    throw new IllegalArgumentException("truncated: the string at byte " + start + " is not closed");
                }
                int c = data[pos++] & 0xff;
                if (c == '"') {
                    return out.toByteArray();
                }
                if (c != '\\') {
                    out.write(c); // bytes above 0xA0 are written raw, not as UTF-8
                    continue;
                }
                if (pos >= data.length) {
                    throw new IllegalArgumentException("truncated: the string at byte " + start + " ends in a backslash");
                }
                int e = data[pos++] & 0xff;
                switch (e) {
                    case 'b' -> out.write('\b');
                    case 't' -> out.write('\t');
                    case 'v' -> out.write(0x0b);
                    case 'n' -> out.write('\n');
                    case 'f' -> out.write('\f');
                    case 'r' -> out.write('\r');
                    case '"', '\'', '\\' -> out.write(e);
                    case 'x' -> out.write(digits(16, 2, start));
                    case '\n', '\r' -> {
                        // a line continuation: nothing; \r\n and \n\r are one line end
                        if (pos < data.length && (data[pos] == '\n' || data[pos] == '\r') && data[pos] != e) {
                            pos++;
                        }
                    }
                    default -> {
                        if (e < '0' || e > '7') {
                            throw new IllegalArgumentException("the string at byte " + start + " has an unknown escape \\" + (char) e);
                        }
                        pos--;
                        out.write(digits(8, 3, start));
                    }
                }
            }
        }

        private int digits(int radix, int count, int start) {
            int value = 0;
            for (int i = 0; i < count; i++) {
                int digit = pos < data.length ? Character.digit(data[pos] & 0xff, radix) : -1;
                if (digit < 0) {
                    throw new IllegalArgumentException("the string at byte " + start + " has a broken escape");
                }
                value = value * radix + digit;
                pos++;
            }
            if (value > 0xff) {
                throw new IllegalArgumentException("the string at byte " + start + " escapes a value above 255");
            }
            return value;
        }

        /** {@code |YWJj|}. */
        private byte[] base64() {
            int start = pos++;
            int end = pos;
            while (end < data.length && data[end] != '|') {
                end++;
            }
            if (end >= data.length) {
                throw new IllegalArgumentException("truncated: the base64 string at byte " + start + " is not closed");
            }
            String text = new String(data, pos, end - pos, StandardCharsets.ISO_8859_1).replaceAll("\\s", "");
            pos = end + 1;
            return Base64.getDecoder().decode(text);
        }

        private static boolean isTokenStart(int c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || TOKEN_SPECIALS.indexOf(c) >= 0;
        }

        private static boolean isDigit(byte c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isSpace(byte c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
        }
    }

    @Override
    public String toString() {
        if (atom != null) {
            return atom.length <= 32 && new String(atom, StandardCharsets.ISO_8859_1).chars().allMatch(c -> c > 32 && c < 127)
                    ? new String(atom, StandardCharsets.US_ASCII) : "<" + atom.length + " bytes>";
        }
        StringBuilder b = new StringBuilder("(");
        for (SExpr item : items) {
            b.append(b.length() > 1 ? " " : "").append(item);
        }
        return b.append(')').toString();
    }
}
