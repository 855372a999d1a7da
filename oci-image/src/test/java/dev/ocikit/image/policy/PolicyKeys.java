package dev.ocikit.image.policy;

import dev.ocikit.image.signature.SigningKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/** An Ed25519 OpenPGP key made in the test: its armored public key (for policy.json) and its signing key. */
public record PolicyKeys(byte[] armoredPublic, SigningKey signingKey) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public static PolicyKeys generate(String uid) {
        try {
            Instant created = Instant.now().minusSeconds(3600);
            Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
            g.init(new Ed25519KeyGenerationParameters(RANDOM));
            PGPKeyPair pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, g.generateKeyPair(), Date.from(created));
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, Date.from(created));
            hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, uid,
                    new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), hashed.generate(), null,
                    new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256), null);
            PGPSecretKeyRing secret = gen.generateSecretKeyRing();
            List<PGPPublicKey> keys = new ArrayList<>();
            for (Iterator<PGPPublicKey> it = secret.getPublicKeys(); it.hasNext(); ) {
                keys.add(it.next());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream armor = ArmoredOutputStream.builder().build(out)) {
                new PGPPublicKeyRing(keys).encode(armor, true);
            }
            return new PolicyKeys(out.toByteArray(), SigningKey.parse(secret.getEncoded(), uid, new char[0]));
        } catch (PGPException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
