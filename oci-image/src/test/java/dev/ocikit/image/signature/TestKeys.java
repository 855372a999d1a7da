package dev.ocikit.image.signature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/** Ed25519 OpenPGP keys made in the test (fast, and with any creation time and expiry). */
final class TestKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {}

    /** A key that certifies and signs, created at {@code created}, expiring after {@code valid} (zero: never). */
    static PGPSecretKeyRing generate(String uid, Instant created, Duration valid, char[] passphrase) throws PGPException {
        return generate(uid, created, valid, passphrase, false, true);
    }

    /**
     * @param signingSubkey add a signing subkey (and make the primary certify only)
     * @param backSignature whether the subkey's binding carries its back signature
     */
    static PGPSecretKeyRing generate(String uid, Instant created, Duration valid, char[] passphrase, boolean signingSubkey,
            boolean backSignature) throws PGPException {
        PGPKeyPair primary = keyPair(created);
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, Date.from(created));
        hashed.setKeyFlags(false, signingSubkey ? KeyFlags.CERTIFY_OTHER : KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        if (!valid.isZero()) {
            hashed.setKeyExpirationTime(false, valid.getSeconds());
        }
        PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
        PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary, uid, sha1,
                hashed.generate(), null, signer(primary),
                passphrase.length == 0 ? null : new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256, sha1).build(passphrase));
        if (signingSubkey) {
            PGPKeyPair sub = keyPair(created.plusSeconds(1));
            PGPSignatureSubpacketGenerator subHashed = new PGPSignatureSubpacketGenerator();
            subHashed.setSignatureCreationTime(false, Date.from(created.plusSeconds(1)));
            subHashed.setKeyFlags(false, KeyFlags.SIGN_DATA);
            gen.addSubKey(sub, subHashed.generate(), null, backSignature ? signer(sub) : null);
        }
        return gen.generateSecretKeyRing();
    }

    static PGPKeyPair keyPair(Instant created) throws PGPException {
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(RANDOM));
        return new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, g.generateKeyPair(), Date.from(created));
    }

    static BcPGPContentSignerBuilder signer(PGPKeyPair pair) {
        return new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256);
    }

    static PGPPublicKeyRing publicRing(PGPSecretKeyRing secret) {
        List<PGPPublicKey> keys = new ArrayList<>();
        for (Iterator<PGPPublicKey> it = secret.getPublicKeys(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return new PGPPublicKeyRing(keys);
    }

    static PublicKeyring keyring(PGPSecretKeyRing... secrets) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (PGPSecretKeyRing s : secrets) {
            publicRing(s).encode(out, true);
        }
        return PublicKeyring.parse(out.toByteArray(), "test keys");
    }

    static byte[] armoredPublic(PGPSecretKeyRing secret) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream armor = ArmoredOutputStream.builder().build(out)) {
            publicRing(secret).encode(armor, true);
        }
        return out.toByteArray();
    }

    static byte[] secretBytes(PGPSecretKeyRing secret) throws IOException {
        return secret.getEncoded();
    }

    /** The key that signs (the subkey if there is one), unlocked without any validity check. */
    static SigningKey unchecked(PGPSecretKeyRing ring, char[] passphrase) throws PGPException {
        PGPSecretKey chosen = ring.getSecretKey();
        for (Iterator<PGPSecretKey> it = ring.getSecretKeys(); it.hasNext(); ) {
            chosen = it.next();
        }
        PGPPrivateKey priv = chosen.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase));
        return SigningKey.unchecked(ring.getPublicKey(), chosen.getPublicKey(), priv);
    }

    /** The ring with its primary key revoked by itself. */
    static PGPSecretKeyRing revoked(PGPSecretKeyRing ring, char[] passphrase) throws PGPException {
        PGPSecretKey primary = ring.getSecretKey();
        PGPPrivateKey priv = primary.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase));
        PGPSignatureGenerator gen = new PGPSignatureGenerator(new BcPGPContentSignerBuilder(primary.getPublicKey().getAlgorithm(),
                HashAlgorithmTags.SHA256), primary.getPublicKey());
        gen.init(PGPSignature.KEY_REVOCATION, priv);
        PGPSignature revocation = gen.generateCertification(primary.getPublicKey());
        PGPPublicKey revokedKey = PGPPublicKey.addCertification(primary.getPublicKey(), revocation);
        return PGPSecretKeyRing.replacePublicKeys(ring, new PGPPublicKeyRing(replaceFirst(publicRing(ring), revokedKey)));
    }

    private static List<PGPPublicKey> replaceFirst(PGPPublicKeyRing ring, PGPPublicKey first) {
        List<PGPPublicKey> keys = new ArrayList<>();
        keys.add(first);
        for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
            PGPPublicKey k = it.next();
            if (!k.isMasterKey()) {
                keys.add(k);
            }
        }
        return keys;
    }
}
