package dev.ocikit.image.signature;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
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
 * <p>Read from what {@code gpg --export-secret-keys [--armor] FINGERPRINT} writes (armored or
 * binary; passphrase-protected or not). GnuPG keeps its own secret keys in
 * {@code private-keys-v1.d} in another format, which is not read here: export the key once.
 *
 * <p>Which key signs, as gpg chooses it for {@code --sign -u FINGERPRINT}: the key with that
 * fingerprint if it names a subkey; for a primary key's fingerprint, its newest subkey that may
 * sign, otherwise the primary key itself.
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
            PGPSecretKey primary = ring.getSecretKey();
            PGPSecretKey chosen = null;
            if (fingerprint.isEmpty() || fingerprint.get().equals(PublicKeyring.fingerprint(primary.getPublicKey()))) {
                for (Iterator<PGPSecretKey> it = ring.getSecretKeys(); it.hasNext(); ) {
                    PGPSecretKey k = it.next();
                    if (!k.isMasterKey() && !k.isPrivateKeyEmpty()
                            && KeyChecks.canSign(primary.getPublicKey(), k.getPublicKey(), now)
                            && (chosen == null || k.getPublicKey().getCreationTime().after(chosen.getPublicKey().getCreationTime()))) {
                        chosen = k;
                    }
                }
                if (chosen == null) {
                    chosen = primary;
                }
            } else {
                for (Iterator<PGPSecretKey> it = ring.getSecretKeys(); it.hasNext(); ) {
                    PGPSecretKey k = it.next();
                    if (fingerprint.get().equals(PublicKeyring.fingerprint(k.getPublicKey()))) {
                        chosen = k;
                    }
                }
            }
            if (chosen != null) {
                return unlock(primary.getPublicKey(), chosen, source, passphrase, now);
            }
        }
        throw new OpenPgpKeyException("no secret key with fingerprint " + fingerprint.orElse("") + " in " + source);
    }

    private static SigningKey unlock(PGPPublicKey primary, PGPSecretKey key, String source, char[] passphrase, Instant now) {
        String name = PublicKeyring.fingerprint(key.getPublicKey());
        if (key.isPrivateKeyEmpty()) {
            throw new OpenPgpKeyException("the secret part of key " + name + " is not in " + source
                    + " (a stub, as gpg --export-secret-subkeys writes for the primary key)");
        }
        if (!KeyChecks.canSign(primary, key.getPublicKey(), now)) {
            throw new OpenPgpKeyException("key " + name + " may not sign now: it is expired, revoked, or not a signing key");
        }
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
