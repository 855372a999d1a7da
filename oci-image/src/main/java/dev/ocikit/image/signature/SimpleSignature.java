package dev.ocikit.image.signature;

import java.util.Arrays;
import java.util.Objects;

/**
 * A simple ("atomic container") signature: the exact bytes of an OpenPGP signed message whose
 * content is a {@link SimpleSigningPayload}. Made by {@link SimpleSigning#sign}, checked by
 * {@link SimpleSigning#verify}. Immutable and thread-safe: the bytes are copied in and out.
 */
public final class SimpleSignature implements ImageSignature {
    private final byte[] message;

    /** A signature of these message bytes (copied; nothing is checked until it is verified). */
    public SimpleSignature(byte[] message) {
        this.message = Objects.requireNonNull(message, "message").clone();
    }

    /** The OpenPGP signed message, as stored (a copy). */
    public byte[] message() {
        return message.clone();
    }

    @Override
    public String format() {
        return SIMPLE_SIGNING;
    }

    /** The message itself: simple signatures are stored without a format prefix. */
    @Override
    public byte[] blob() {
        return message.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimpleSignature other && Arrays.equals(message, other.message);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(message);
    }

    @Override
    public String toString() {
        return "SimpleSignature[" + message.length + " bytes]";
    }
}
