package dev.ocikit.image.signature;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * An unlocked OpenPGP secret key, ready to sign. Immutable and thread-safe; unlock once, sign many
 * manifests.
 *
 * <p>Two sources, neither of which runs gpg or talks to gpg-agent:
 * <ul>
 *   <li>{@link #gnupgHome(String, char[])}: GnuPG's own key store, as {@code skopeo --sign-by
 *       FINGERPRINT} finds the key: the public key in {@code pubring.kbx} (or
 *       {@code pubring.gpg}) of {@code $GNUPGHOME} or {@code ~/.gnupg}, its secret part in
 *       {@code private-keys-v1.d/KEYGRIP.key}, in either file format GnuPG 2.1 to 2.4 writes,
 *       unprotected or protected as gpg-agent protects keys ({@code openpgp-s2k3-sha1-aes-cbc},
 *       {@code openpgp-s2k3-ocb-aes}, or {@code openpgp-native} for a key imported without its
 *       passphrase). RSA, ECDSA (NIST P-256, P-384, P-521, brainpool) and Ed25519 keys, the ones
 *       {@code gpg --quick-gen-key} makes. A key on a smartcard cannot be used: its file is only a
 *       stub.
 *   <li>{@link #read}/{@link #parse}: what {@code gpg --export-secret-keys [--armor] FINGERPRINT}
 *       writes (armored or binary; passphrase-protected or not), for a key kept outside a GnuPG
 *       home.
 * </ul>
 *
 * <p>Which key signs, as gpg chooses it for {@code --sign -u FINGERPRINT}: the key with that
 * fingerprint if it names a subkey; for a primary key's fingerprint, its newest subkey that may
 * sign and whose secret part is there, otherwise the primary key itself.
 */
public final class SigningKey {
    private static final long MAX_FILE_SIZE = 16L << 20;

    private final PGPPublicKey primary;
    private final PGPPublicKey publicKey;
    private final PGPPrivateKey privateKey;

    private SigningKey(PGPPublicKey primary, PGPPublicKey publicKey, PGPPrivateKey privateKey) {
        this.primary = primary;
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /**
     * Unlocks the key with this fingerprint (primary key or subkey; case and spaces do not matter)
     * from secret key data.
     *
     * @param passphrase the key's passphrase; empty for an unprotected key. Not kept.
     * @throws OpenPgpKeyException if the data holds no such key, the passphrase is wrong, or
     *     the key may not sign
     */
    public static SigningKey parse(byte[] secretKeys, String source, String fingerprint, char[] passphrase) {
        return select(readRings(secretKeys, source), source, Optional.of(PublicKeyring.normalizeFingerprint(fingerprint)), passphrase);
    }

    /** Unlocks the only secret key in the data; see {@link #parse(byte[], String, String, char[])}. */
    public static SigningKey parse(byte[] secretKeys, String source, char[] passphrase) {
        return select(readRings(secretKeys, source), source, Optional.empty(), passphrase);
    }

    /** Reads and unlocks a key file; see {@link #parse(byte[], String, String, char[])}. */
    public static SigningKey read(Path file, String fingerprint, char[] passphrase) throws IOException {
        return parse(readFile(file), file.toString(), fingerprint, passphrase);
    }

    /** Reads and unlocks the only key of a key file. */
    public static SigningKey read(Path file, char[] passphrase) throws IOException {
        return parse(readFile(file), file.toString(), passphrase);
    }

    /**
     * Unlocks the key with this fingerprint from the user's GnuPG home, {@code $GNUPGHOME} or
     * {@code ~/.gnupg} ({@link PublicKeyring#defaultGnupgHome()}), as {@code skopeo --sign-by}
     * does; see {@link #gnupgHome(Path, String, char[])}.
     */
    public static SigningKey gnupgHome(String fingerprint, char[] passphrase) throws IOException {
        return gnupgHome(PublicKeyring.defaultGnupgHome(), fingerprint, passphrase);
    }

    /**
     * Unlocks the key with this fingerprint (primary key or subkey; case and spaces do not
     * matter) from a GnuPG home directory: the public key from its keyring, the secret part from
     * {@code private-keys-v1.d}. Only reads files: gpg need not be installed, no agent is asked
     * or started, nothing is written.
     *
     * @param passphrase the key's passphrase; empty for an unprotected key. Not kept.
     * @throws OpenPgpKeyException if the home has no such key, its secret part is not there (on a
     *     smartcard, or on another machine), the passphrase is missing or wrong, the key may not
     *     sign, is of an algorithm not read, or its key file is damaged; the message says which
     * @throws IOException if a file of the home cannot be read
     */
    public static SigningKey gnupgHome(Path home, String fingerprint, char[] passphrase) throws IOException {
        String wanted = PublicKeyring.normalizeFingerprint(fingerprint);
        PublicKeyring keyring = PublicKeyring.gnupgHome(home);
        Path secrets = home.resolve("private-keys-v1.d");
        Instant now = Instant.now();
        for (PGPPublicKeyRing ring : keyring.rings()) {
            List<PGPPublicKey> keys = new ArrayList<>();
            ring.getPublicKeys().forEachRemaining(keys::add);
            Optional<PGPPublicKey> chosen = choose(ring.getPublicKey(), keys, Optional.of(wanted),
                    k -> Keygrip.supported(k) && Files.isRegularFile(secrets.resolve(Keygrip.of(k) + ".key")), now);
            if (chosen.isPresent()) {
                return fromGnupgHome(secrets, ring.getPublicKey(), chosen.get(), passphrase, now);
            }
        }
        throw new OpenPgpKeyException("no key with fingerprint " + wanted + " in the GnuPG home " + home
                + (keyring.isEmpty() ? " (it has no public keyring, pubring.kbx or pubring.gpg, with keys in it)"
                        : " (gpg --list-secret-keys shows the keys there)"));
    }

    /** An already unlocked key, checked by nobody: for tests that sign with keys that may no longer sign. */
    static SigningKey unchecked(PGPPublicKey primary, PGPPublicKey publicKey, PGPPrivateKey privateKey) {
        return new SigningKey(primary, publicKey, privateKey);
    }

    /** The primary key's fingerprint: the one trust decisions and Skopeo name the signer by. */
    public String fingerprint() {
        return PublicKeyring.fingerprint(primary);
    }

    /** The fingerprint of the key that signs (a subkey's, or the primary key's). */
    public String signingKeyFingerprint() {
        return PublicKeyring.fingerprint(publicKey);
    }

    PGPPublicKey publicKey() {
        return publicKey;
    }

    PGPPrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "SigningKey[" + fingerprint() + (publicKey == primary ? "" : ", subkey " + signingKeyFingerprint()) + "]";
    }

    private static byte[] readFile(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_SIZE) {
            throw new OpenPgpKeyException("refusing " + file + ": larger than any secret key file (" + Files.size(file) + " bytes)");
        }
        return Files.readAllBytes(file);
    }

    private static List<PGPSecretKeyRing> readRings(byte[] data, String source) {
        List<PGPSecretKeyRing> rings = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
            BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
            Object o;
            while ((o = factory.nextObject()) != null) {
                if (o instanceof PGPSecretKeyRing ring) {
                    rings.add(ring);
                } else if (!(o instanceof PGPMarker)) {
                    throw new OpenPgpKeyException("cannot read a secret key from " + source + ": it holds "
                            + o.getClass().getSimpleName().replace("PGP", "an OpenPGP ")
                            + " (export the key with gpg --export-secret-keys FINGERPRINT)");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof OpenPgpKeyException k) {
                throw k;
            }
            throw new OpenPgpKeyException("cannot read a secret key from " + source + ": not OpenPGP secret key data, or damaged ("
                    + e.getMessage() + ")", e);
        }
        if (rings.isEmpty()) {
            throw new OpenPgpKeyException("no OpenPGP secret key in " + source);
        }
        return rings;
    }

    private static SigningKey select(List<PGPSecretKeyRing> rings, String source, Optional<String> fingerprint, char[] passphrase) {
        if (fingerprint.isEmpty() && rings.size() != 1) {
            throw new OpenPgpKeyException(source + " holds " + rings.size() + " secret keys: name the one to sign with by its fingerprint");
        }
        Instant now = Instant.now();
        for (PGPSecretKeyRing ring : rings) {
            List<PGPPublicKey> keys = new ArrayList<>();
            ring.getSecretKeys().forEachRemaining(k -> keys.add(k.getPublicKey()));
            Optional<PGPPublicKey> chosen = choose(ring.getPublicKey(), keys, fingerprint,
                    k -> !ring.getSecretKey(k.getKeyID()).isPrivateKeyEmpty(), now);
            if (chosen.isPresent()) {
                return unlock(ring.getPublicKey(), ring.getSecretKey(chosen.get().getKeyID()), source, passphrase, now);
            }
        }
        throw new OpenPgpKeyException("no secret key with fingerprint " + fingerprint.orElse("") + " in " + source);
    }

    /**
     * The key of one ring that signs for a fingerprint, as gpg chooses it: a subkey named by its
     * fingerprint; for the primary key's fingerprint (or none), the newest subkey that may sign
     * now and whose secret part is there, otherwise the primary key (which then may still be
     * refused). Empty if the fingerprint names no key of this ring.
     *
     * @param keys the ring's keys with the primary first
     * @param hasSecret whether a key's secret part is available
     */
    private static Optional<PGPPublicKey> choose(PGPPublicKey primary, List<PGPPublicKey> keys, Optional<String> fingerprint,
            Predicate<PGPPublicKey> hasSecret, Instant now) {
        if (fingerprint.isEmpty() || fingerprint.get().equals(PublicKeyring.fingerprint(primary))) {
            PGPPublicKey chosen = null;
            for (PGPPublicKey k : keys) {
                if (!k.isMasterKey() && hasSecret.test(k) && KeyChecks.canSign(primary, k, now)
                        && (chosen == null || k.getCreationTime().after(chosen.getCreationTime()))) {
                    chosen = k;
                }
            }
            return Optional.of(chosen == null ? primary : chosen);
        }
        PGPPublicKey named = null;
        for (PGPPublicKey k : keys) {
            if (fingerprint.get().equals(PublicKeyring.fingerprint(k))) {
                named = k;
            }
        }
        return Optional.ofNullable(named);
    }

    private static SigningKey fromGnupgHome(Path secrets, PGPPublicKey primary, PGPPublicKey key, char[] passphrase, Instant now)
            throws IOException {
        String name = describe(primary, key);
        requireCanSign(primary, key, name, now);
        String keygrip = Keygrip.of(key);
        Path file = secrets.resolve(keygrip + ".key");
        byte[] data;
        try {
            if (Files.size(file) > GnupgKeyFile.MAX_FILE_SIZE) {
                throw new OpenPgpKeyException("refusing " + file + ": larger than any key file gpg writes (" + Files.size(file) + " bytes)");
            }
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new OpenPgpKeyException("the secret key for " + name + " is not in " + secrets + " (keygrip " + keygrip
                    + "); is it on a smartcard or another machine?", e);
        }
        return new SigningKey(primary, key, GnupgKeyFile.unlock(data, file.toString(), key, name, passphrase));
    }

    /** "key FPR", or "subkey FPR of key PRIMARY", for messages. */
    private static String describe(PGPPublicKey primary, PGPPublicKey key) {
        return key == primary || key.getKeyID() == primary.getKeyID() ? "key " + PublicKeyring.fingerprint(key)
                : "subkey " + PublicKeyring.fingerprint(key) + " of key " + PublicKeyring.fingerprint(primary);
    }

    private static void requireCanSign(PGPPublicKey primary, PGPPublicKey key, String name, Instant now) {
        if (!KeyChecks.canSign(primary, key, now)) {
            throw new OpenPgpKeyException(name + " may not sign now: it is expired, revoked, or not a signing key");
        }
    }

    private static SigningKey unlock(PGPPublicKey primary, PGPSecretKey key, String source, char[] passphrase, Instant now) {
        String name = PublicKeyring.fingerprint(key.getPublicKey());
        if (key.isPrivateKeyEmpty()) {
            throw new OpenPgpKeyException("the secret part of key " + name + " is not in " + source
                    + " (a stub, as gpg --export-secret-subkeys writes for the primary key)");
        }
        requireCanSign(primary, key.getPublicKey(), "key " + name, now);
        try {
            PGPPrivateKey privateKey = key.extractPrivateKey(
                    new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase));
            if (privateKey == null) {
                throw new OpenPgpKeyException("key " + name + " in " + source + " has no private part");
            }
            return new SigningKey(primary, key.getPublicKey(), privateKey);
        } catch (PGPException | RuntimeException e) {
            if (e instanceof OpenPgpKeyException k) {
                throw k;
            }
            throw new OpenPgpKeyException("cannot unlock key " + name + " from " + source
                    + (passphrase.length == 0 ? ": it is protected by a passphrase, and none was given" : ": wrong passphrase"), e);
        }
    }
}
