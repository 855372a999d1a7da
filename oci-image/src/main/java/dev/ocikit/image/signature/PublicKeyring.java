package dev.ocikit.image.signature;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * The OpenPGP public keys a verification trusts, each a primary key with its subkeys, named by
 * the primary key's fingerprint (upper-case hex, 40 digits for the v4 keys gpg makes, as
 * {@code gpg --list-keys} and Skopeo show them). Immutable and thread-safe.
 *
 * <p>Reads what {@code gpg --export} writes, armored or binary, several keys per file, and the
 * public part of secret key files; and GnuPG's own public keyrings, {@code pubring.kbx} (keybox)
 * or the older {@code pubring.gpg}, without running gpg. A keyring trusts every key in it:
 * narrow it with {@link #only} to the keys a decision should accept.
 */
public final class PublicKeyring {
    private static final String ARMOR_BEGIN = "-----BEGIN PGP ";
    /** No keyring a person keeps comes near this; refusing early keeps hostile input cheap. */
    private static final long MAX_FILE_SIZE = 64L << 20;

    private final Map<String, PGPPublicKeyRing> rings; // by primary fingerprint, in reading order

    private PublicKeyring(Map<String, PGPPublicKeyRing> rings) {
        this.rings = Collections.unmodifiableMap(new LinkedHashMap<>(rings));
    }

    /** A keyring without keys; every verification against it fails with an unknown key. */
    public static PublicKeyring empty() {
        return new PublicKeyring(Map.of());
    }

    /**
     * Reads keys from bytes: an armored or binary keyring ({@code gpg --export [--armor]}),
     * secret keys (only their public part is kept), or a GnuPG keybox.
     *
     * @param source names the data in error messages (a file name, "keyData")
     * @throws OpenPgpKeyException if the data is not a keyring, naming the source
     */
    public static PublicKeyring parse(byte[] data, String source) {
        Map<String, PGPPublicKeyRing> rings = new LinkedHashMap<>();
        if (Keybox.looksLikeKeybox(data)) {
            readBinary(Keybox.openPgpKeyBlocks(data, source), source, rings);
        } else if (isArmored(data)) {
            String text = new String(data, StandardCharsets.ISO_8859_1);
            // ArmoredInputStream stops at the end of one block; a file of several exported keys has several.
            for (int at = text.indexOf(ARMOR_BEGIN); at >= 0; at = text.indexOf(ARMOR_BEGIN, at + 1)) {
                try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(data, at, data.length - at))) {
                    readBinary(in.readAllBytes(), source, rings);
                } catch (IOException | RuntimeException e) {
                    throw new OpenPgpKeyException("cannot read keys from " + source + ": broken ASCII armor ("
                            + e.getMessage() + ")", e);
                }
            }
        } else {
            readBinary(data, source, rings);
        }
        if (rings.isEmpty()) {
            throw new OpenPgpKeyException("no OpenPGP public key in " + source);
        }
        return new PublicKeyring(rings);
    }

    /** Reads a key file; see {@link #parse}. */
    public static PublicKeyring read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_SIZE) {
            throw new OpenPgpKeyException("refusing " + file + ": larger than any keyring (" + Files.size(file) + " bytes)");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Reads several key files into one keyring (as policy.json's {@code keyPaths}). */
    public static PublicKeyring read(Collection<Path> files) throws IOException {
        PublicKeyring all = empty();
        for (Path file : files) {
            all = all.plus(read(file));
        }
        return all;
    }

    /**
     * The public keys of the user's GnuPG home: {@code $GNUPGHOME}, or {@code ~/.gnupg}, as
     * Skopeo finds them.
     *
     * @see #gnupgHome(Path)
     */
    public static PublicKeyring gnupgHome() throws IOException {
        return gnupgHome(defaultGnupgHome());
    }

    /** The directory {@link #gnupgHome()} reads: {@code $GNUPGHOME}, or {@code ~/.gnupg}. */
    public static Path defaultGnupgHome() {
        String env = System.getenv("GNUPGHOME");
        return env != null && !env.isEmpty() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".gnupg");
    }

    /**
     * The public keys of a GnuPG home directory: {@code pubring.kbx} if it exists (GnuPG 2.1 and
     * later), otherwise {@code pubring.gpg}. A home without either has no keys (an empty keyring).
     * The files are only read; gpg need not be installed, and no agent is started.
     */
    public static PublicKeyring gnupgHome(Path home) throws IOException {
        for (String name : List.of("pubring.kbx", "pubring.gpg")) {
            Path file = home.resolve(name);
            try {
                byte[] data = Files.readAllBytes(file);
                return data.length == 0 || (Keybox.looksLikeKeybox(data) && Keybox.openPgpKeyBlocks(data, file.toString()).length == 0)
                        ? empty() : parse(data, file.toString());
            } catch (NoSuchFileException e) {
                // the next candidate
            }
        }
        return empty();
    }

    /** This keyring and that one; a key in both is kept once (this keyring's copy). */
    public PublicKeyring plus(PublicKeyring other) {
        Map<String, PGPPublicKeyRing> all = new LinkedHashMap<>(rings);
        other.rings.forEach(all::putIfAbsent);
        return new PublicKeyring(all);
    }

    /**
     * Only the keys with these primary-key fingerprints (case and spaces do not matter).
     *
     * @throws OpenPgpKeyException naming a fingerprint this keyring does not hold
     */
    public PublicKeyring only(Collection<String> fingerprints) {
        Map<String, PGPPublicKeyRing> kept = new LinkedHashMap<>();
        for (String f : fingerprints) {
            String normal = normalizeFingerprint(f);
            PGPPublicKeyRing ring = rings.get(normal);
            if (ring == null) {
                throw new OpenPgpKeyException("no public key with fingerprint " + normal + " (the keyring has "
                        + (rings.isEmpty() ? "no keys" : String.join(", ", fingerprints())) + ")");
            }
            kept.put(normal, ring);
        }
        return new PublicKeyring(kept);
    }

    /** {@link #only(Collection)} for one fingerprint. */
    public PublicKeyring only(String fingerprint) {
        return only(List.of(fingerprint));
    }

    /** Whether a key with this primary-key fingerprint is in the keyring. */
    public boolean contains(String fingerprint) {
        return rings.containsKey(normalizeFingerprint(fingerprint));
    }

    /** The primary-key fingerprints, upper-case hex, in the order the keys were read. */
    public List<String> fingerprints() {
        return List.copyOf(rings.keySet());
    }

    public boolean isEmpty() {
        return rings.isEmpty();
    }

    @Override
    public String toString() {
        return "PublicKeyring" + fingerprints();
    }

    /** The keys, each a primary key with its subkeys, in the order they were read. */
    Collection<PGPPublicKeyRing> rings() {
        return rings.values();
    }

    /** The key (primary or subkey) with this key ID and the ring it belongs to. */
    Optional<Map.Entry<PGPPublicKeyRing, PGPPublicKey>> findKey(long keyId) {
        for (PGPPublicKeyRing ring : rings.values()) {
            PGPPublicKey key = ring.getPublicKey(keyId);
            if (key != null) {
                return Optional.of(Map.entry(ring, key));
            }
        }
        return Optional.empty();
    }

    /** Upper-case hex without spaces; refuses anything that is not hex. */
    static String normalizeFingerprint(String fingerprint) {
        String f = fingerprint.replace(" ", "").toUpperCase(Locale.ROOT);
        if (f.isEmpty() || !f.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
            throw new OpenPgpKeyException("not a key fingerprint: \"" + fingerprint
                    + "\" (expected hex digits, as gpg --list-keys shows them)");
        }
        return f;
    }

    static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
    }

    private static boolean isArmored(byte[] data) {
        String head = new String(data, 0, Math.min(data.length, 4096), StandardCharsets.ISO_8859_1);
        return head.contains(ARMOR_BEGIN);
    }

    private static void readBinary(byte[] data, String source, Map<String, PGPPublicKeyRing> rings) {
        try {
            BcPGPObjectFactory factory = new BcPGPObjectFactory(data);
            Object o;
            while ((o = factory.nextObject()) != null) {
                if (o instanceof PGPPublicKeyRing ring) {
                    rings.putIfAbsent(fingerprint(ring.getPublicKey()), ring);
                } else if (o instanceof PGPSecretKeyRing secret) {
                    List<PGPPublicKey> keys = new ArrayList<>();
                    for (Iterator<PGPPublicKey> it = secret.getPublicKeys(); it.hasNext(); ) {
                        keys.add(it.next());
                    }
                    PGPPublicKeyRing ring = new PGPPublicKeyRing(keys);
                    rings.putIfAbsent(fingerprint(ring.getPublicKey()), ring);
                } else if (!(o instanceof PGPMarker)) {
                    throw new OpenPgpKeyException("cannot read keys from " + source + ": it holds "
                            + o.getClass().getSimpleName().replace("PGP", "an OpenPGP ") + ", not keys");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof OpenPgpKeyException k) {
                throw k;
            }
            // Bouncy Castle reports hostile or truncated packets with assorted runtime exceptions.
            throw new OpenPgpKeyException("cannot read keys from " + source + ": not an OpenPGP keyring, or a damaged one ("
                    + e.getMessage() + ")", e);
        }
    }
}
