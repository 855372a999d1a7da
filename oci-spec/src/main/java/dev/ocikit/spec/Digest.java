package dev.ocikit.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.ocikit.spec.internal.Text;
import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest, {@code algorithm:encoded}, as the image spec defines it. Immutable.
 *
 * <p>Only well-formed digests of a supported algorithm can exist: the encoded part is exactly
 * the algorithm's length of lowercase hex, so a {@code Digest} is always safe to use as a file
 * name or a URL path segment.
 */
public record Digest(DigestAlgorithm algorithm, String encoded) implements Comparable<Digest> {

    private static final Comparator<Digest> ORDER =
            Comparator.comparing(Digest::algorithm).thenComparing(Digest::encoded);

    // JSON reads these only from their string form, never from an object of their components.
    @JsonCreator(mode = JsonCreator.Mode.DISABLED)
    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(encoded, "encoded");
        if (!isLowerHex(encoded, algorithm.encodedLength())) {
            throw new InvalidDigestException("invalid " + algorithm.id() + " digest: encoded part must be "
                    + algorithm.encodedLength() + " lowercase hex characters, got '" + Text.printable(encoded, 80) + "'");
        }
    }

    /**
     * Parses {@code algorithm:encoded}. The algorithm must follow the spec's grammar and be one
     * ocikit supports; the encoded part must match that algorithm exactly.
     *
     * @throws InvalidDigestException naming what was wrong
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Digest parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidDigestException("invalid digest: empty");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new InvalidDigestException("invalid digest '" + Text.printable(text, 80) + "': expected algorithm:encoded");
        }
        String algorithm = text.substring(0, colon);
        String encoded = text.substring(colon + 1);
        if (!isAlgorithmGrammar(algorithm)) {
            throw new InvalidDigestException("invalid digest '" + Text.printable(text, 80)
                    + "': algorithm must be lowercase letters and digits, optionally separated by + . _ -");
        }
        if (!isEncodedGrammar(encoded)) {
            throw new InvalidDigestException("invalid digest '" + Text.printable(text, 80)
                    + "': encoded part must be one or more of [a-zA-Z0-9=_-]");
        }
        DigestAlgorithm a = DigestAlgorithm.fromId(algorithm).orElseThrow(() -> new InvalidDigestException(
                "unsupported digest algorithm '" + algorithm + "' in '" + Text.printable(text, 80) + "': ocikit supports sha256 and sha512"));
        return new Digest(a, encoded);
    }

    /** The digest of {@code algorithm} over the given raw hash bytes. */
    public static Digest of(DigestAlgorithm algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** SHA-256 of the given bytes. */
    public static Digest sha256(byte[] content) {
        return compute(DigestAlgorithm.SHA256, content);
    }

    /** The digest of the given bytes with the given algorithm. */
    public static Digest compute(DigestAlgorithm algorithm, byte[] content) {
        return of(algorithm, algorithm.newMessageDigest().digest(content));
    }

    /** Reads the stream to its end (without closing it) and returns the digest of what was read. */
    public static Digest compute(DigestAlgorithm algorithm, InputStream in) throws IOException {
        DigestingInputStream digesting = new DigestingInputStream(in, algorithm);
        digesting.transferTo(java.io.OutputStream.nullOutputStream());
        return digesting.digest();
    }

    /** Whether {@code content} hashes to this digest. */
    public boolean matches(byte[] content) {
        return equals(compute(algorithm, content));
    }

    /** Throws {@link DigestMismatchException} unless {@code content} hashes to this digest. */
    public void verify(byte[] content) {
        Digest actual = compute(algorithm, content);
        if (!equals(actual)) {
            throw new DigestMismatchException(this, actual);
        }
    }

    // equals and hashCode written out: the record's generated ones bootstrap method handles on
    // first use, some tens of milliseconds of every command's start, and a digest is compared in all.
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && algorithm == d.algorithm && encoded.equals(d.encoded);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + encoded.hashCode();
    }

    /** {@code algorithm:encoded}; {@link #parse} reads it back. */
    @JsonValue
    @Override
    public String toString() {
        return algorithm.id() + ":" + encoded;
    }

    /** The first 12 hex characters, as Podman and Docker show image IDs. */
    public String shortId() {
        return encoded.substring(0, 12);
    }

    @Override
    public int compareTo(Digest other) {
        return ORDER.compare(this, other);
    }

    private static boolean isLowerHex(String s, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    // algorithm ::= component (separator component)*, component ::= [a-z0-9]+, separator ::= [+._-]
    private static boolean isAlgorithmGrammar(String s) {
        if (s.isEmpty()) {
            return false;
        }
        boolean afterSeparator = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                afterSeparator = false;
            } else if (c == '+' || c == '.' || c == '_' || c == '-') {
                if (afterSeparator) {
                    return false;
                }
                afterSeparator = true;
            } else {
                return false;
            }
        }
        return !afterSeparator;
    }

    private static boolean isEncodedGrammar(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '=' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

}
