package dev.ocikit.image.signature;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Reads GnuPG's keybox file ({@code pubring.kbx}): a sequence of blobs, each a 4-byte big-endian
 * length (the whole blob), a type byte and a version byte, then type-specific fields. OpenPGP
 * blobs (type 2) hold, at a 4-byte offset and length found at bytes 8 and 12, the key block as
 * ordinary OpenPGP packets; the header blob (type 1), empty blobs (0) and X.509 blobs (3) are
 * skipped. The rest of a blob (key and user ID tables, flags, checksum) is an index gpg keeps
 * for itself and is not needed to read the keys.
 */
final class Keybox {
    static final int TYPE_EMPTY = 0;
    static final int TYPE_HEADER = 1;
    static final int TYPE_OPENPGP = 2;
    static final int TYPE_X509 = 3;

    private Keybox() {}

    /** Whether these bytes start with a keybox header blob (its magic is "KBXf" at byte 8). */
    static boolean looksLikeKeybox(byte[] data) {
        return data.length >= 12 && data[4] == TYPE_HEADER && data[8] == 'K' && data[9] == 'B' && data[10] == 'X'
                && data[11] == 'f';
    }

    /**
     * The OpenPGP key blocks of a keybox, concatenated: a binary keyring.
     *
     * @throws OpenPgpKeyException naming the offset of a blob that does not fit the file
     */
    static byte[] openPgpKeyBlocks(byte[] data, String source) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
        ByteBuffer buf = ByteBuffer.wrap(data); // big-endian, as keybox is
        int pos = 0;
        while (pos < data.length) {
            if (data.length - pos < 6) {
                throw bad(source, pos, "a truncated blob header");
            }
            long length = Integer.toUnsignedLong(buf.getInt(pos));
            if (length < 6 || length > data.length - pos) {
                throw bad(source, pos, "a blob length of " + length + " bytes, which does not fit the file");
            }
            int type = data[pos + 4] & 0xff;
            if (type == TYPE_OPENPGP) {
                if (length < 16) {
                    throw bad(source, pos, "an OpenPGP blob too short for its key block offset");
                }
                long offset = Integer.toUnsignedLong(buf.getInt(pos + 8));
                long blockLength = Integer.toUnsignedLong(buf.getInt(pos + 12));
                if (offset > length || blockLength > length - offset) {
                    throw bad(source, pos, "a key block outside its blob");
                }
                out.write(data, pos + (int) offset, (int) blockLength);
            }
            pos += (int) length;
        }
        return out.toByteArray();
    }

    private static OpenPgpKeyException bad(String source, int pos, String what) {
        return new OpenPgpKeyException("cannot read keybox " + source + ": at byte " + pos + " there is " + what);
    }
}
