package dev.ocikit.image.signature;

import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl's {@code crypto_secretbox} (XSalsa20 and Poly1305), the cipher of cosign's encrypted keys:
 * the first 32 bytes of the XSalsa20 key stream are the one-time Poly1305 key, the rest encrypts
 * the message, and the box is the 16-byte tag followed by the ciphertext (Go's
 * {@code secretbox.Seal} layout).
 */
final class SecretBox {
    static final int KEY_SIZE = 32;
    static final int NONCE_SIZE = 24;
    static final int TAG_SIZE = 16;

    private SecretBox() {}

    static byte[] seal(byte[] message, byte[] nonce, byte[] key) {
        XSalsa20Engine stream = stream(nonce, key);
        byte[] box = new byte[TAG_SIZE + message.length];
        stream.processBytes(message, 0, message.length, box, TAG_SIZE);
        byte[] tag = tag(polyKey(nonce, key), box, TAG_SIZE, message.length);
        System.arraycopy(tag, 0, box, 0, TAG_SIZE);
        return box;
    }

    /** The message, or empty if the box was not sealed with this key and nonce (or was changed). */
    static Optional<byte[]> open(byte[] box, byte[] nonce, byte[] key) {
        if (box.length < TAG_SIZE) {
            return Optional.empty();
        }
        byte[] expected = tag(polyKey(nonce, key), box, TAG_SIZE, box.length - TAG_SIZE);
        if (!org.bouncycastle.util.Arrays.constantTimeAreEqual(expected, Arrays.copyOf(box, TAG_SIZE))) {
            return Optional.empty();
        }
        XSalsa20Engine stream = stream(nonce, key);
        byte[] message = new byte[box.length - TAG_SIZE];
        stream.processBytes(box, TAG_SIZE, message.length, message, 0);
        return Optional.of(message);
    }

    /** A cipher positioned after the 32 bytes that made the Poly1305 key. */
    private static XSalsa20Engine stream(byte[] nonce, byte[] key) {
        XSalsa20Engine engine = init(nonce, key);
        engine.processBytes(new byte[32], 0, 32, new byte[32], 0);
        return engine;
    }

    private static byte[] polyKey(byte[] nonce, byte[] key) {
        byte[] polyKey = new byte[32];
        init(nonce, key).processBytes(new byte[32], 0, 32, polyKey, 0);
        return polyKey;
    }

    private static XSalsa20Engine init(byte[] nonce, byte[] key) {
        if (key.length != KEY_SIZE || nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("secretbox needs a 32-byte key and a 24-byte nonce");
        }
        XSalsa20Engine engine = new XSalsa20Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        return engine;
    }

    private static byte[] tag(byte[] polyKey, byte[] data, int offset, int length) {
        // Bouncy Castle's Poly1305 without a cipher takes r || s and clamps r itself, as NaCl does.
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(data, offset, length);
        byte[] tag = new byte[TAG_SIZE];
        mac.doFinal(tag, 0);
        return tag;
    }
}
