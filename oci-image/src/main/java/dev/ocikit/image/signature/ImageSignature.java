package dev.ocikit.image.signature;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A signature of an image, as stored beside it, not yet verified: either a simple signature (an
 * OpenPGP signed message) or a sigstore signature (a payload with its signature in annotations).
 * Immutable and thread-safe.
 *
 * <p>{@link #blob()} and {@link #fromBlob} convert to and from the one-file form that
 * containers/image keeps in {@code dir:} directories and in {@code containers-storage}: a
 * simple signature is its message bytes as they are (the form older tools wrote and read),
 * every other format is a zero byte, the format's name, a newline, then the format's own bytes.
 * So {@code signature-N} files written by skopeo read here, and the other way round.
 */
public sealed interface ImageSignature permits SimpleSignature, SigstoreSignature {

    /** The format name of {@link SimpleSignature}. */
    String SIMPLE_SIGNING = "simple-signing";

    /** The format name of {@link SigstoreSignature}. */
    String SIGSTORE_JSON = "sigstore-json";

    /** {@value #SIMPLE_SIGNING} or {@value #SIGSTORE_JSON}. */
    String format();

    /** This signature in the one-file storage form (a new array each call). */
    byte[] blob();

    /**
     * Reads a signature from its one-file storage form.
     *
     * @param source where the bytes came from, for error messages
     * @throws SignatureVerificationException ({@link Reason#MALFORMED}) if the bytes are empty,
     *     name a format ocikit does not know, or hold a malformed sigstore signature
     */
    static ImageSignature fromBlob(byte[] blob, String source) {
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(source, "source");
        if (blob.length == 0) {
            throw new SignatureVerificationException(Reason.MALFORMED, source + " is empty");
        }
        if (blob[0] != 0) {
            return new SimpleSignature(blob);
        }
        int newline = -1;
        for (int i = 1; i < blob.length && i < 64; i++) {
            if (blob[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            throw new SignatureVerificationException(Reason.MALFORMED, source + " starts with a zero byte but names no format");
        }
        String format = new String(blob, 1, newline - 1, StandardCharsets.UTF_8);
        byte[] rest = java.util.Arrays.copyOfRange(blob, newline + 1, blob.length);
        return switch (format) {
            case SIMPLE_SIGNING -> new SimpleSignature(rest);
            case SIGSTORE_JSON -> SigstoreSignature.fromJson(rest, source);
            default -> throw new SignatureVerificationException(Reason.MALFORMED, source + " has signature format \""
                    + format + "\", which ocikit does not know (known: " + SIMPLE_SIGNING + ", " + SIGSTORE_JSON + ")");
        };
    }
}
