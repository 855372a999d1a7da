package dev.ocikit.spec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** The digest algorithms the image spec registers and ocikit supports. */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String id;
    private final String jcaName;
    private final int encodedLength;

    DigestAlgorithm(String id, String jcaName, int encodedLength) {
        this.id = id;
        this.jcaName = jcaName;
        this.encodedLength = encodedLength;
    }

    /** The identifier as written in a digest string, for example {@code sha256}. */
    public String id() {
        return id;
    }

    /** Length of the lowercase hex encoding. */
    public int encodedLength() {
        return encodedLength;
    }

    /** A fresh hasher; not thread-safe, one per stream. */
    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE platform must provide SHA-256 and SHA-512.
            throw new IllegalStateException(jcaName + " missing from this JVM", e);
        }
    }

    /** The algorithm with that identifier, if supported. */
    public static Optional<DigestAlgorithm> fromId(String id) {
        for (DigestAlgorithm a : values()) {
            if (a.id.equals(id)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
