package dev.ocikit.image.signature;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.gnu.GNUObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.bcpg.BCPGKey;
import org.bouncycastle.bcpg.ECDSAPublicBCPGKey;
import org.bouncycastle.bcpg.EdDSAPublicBCPGKey;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.RSAPublicBCPGKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.util.BigIntegers;

/**
 * The keygrip of a public key: the name gpg-agent files its secret part under
 * ({@code private-keys-v1.d/KEYGRIP.key}), libgcrypt's {@code gcry_pk_get_keygrip}, 40 upper-case
 * hex digits as {@code gpg --with-keygrip} shows them. Checked against gpg 2.2.40 / libgcrypt
 * 1.10 for every kind below.
 *
 * <ul>
 *   <li>RSA: SHA-1 of the modulus n as libgcrypt's S-expressions carry it: big-endian, with a
 *       leading zero byte when the top bit is set (gpg moduli always have it, so always one more
 *       byte than the key size).
 *   <li>ECC: SHA-1 over {@code (1:p<len>:<bytes>)} for the curve's p, a, b, g (the uncompressed
 *       point 04|x|y) and n, then the public point q, each value unsigned big-endian without
 *       leading zeros. The cofactor is not hashed.
 *   <li>Ed25519 (EdDSA as gpg 2.2 makes it, OpenPGP algorithm 22): libgcrypt's own curve table
 *       writes a and b as negative numbers (-1 and -d) and hashes their magnitudes, 1 and
 *       0x2DFC...874A; q is the 32-byte point without the 0x40 prefix OpenPGP puts in front.
 * </ul>
 */
final class Keygrip {
    private static final BigInteger ED25519_P = hex("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFED");
    /** libgcrypt writes a = -1 and b = -d; the keygrip hashes the magnitudes. */
    private static final BigInteger ED25519_A_MAGNITUDE = BigInteger.ONE;
    private static final BigInteger ED25519_B_MAGNITUDE = hex("2DFC9311D490018C7338BF8688861767FF8FF5B2BEBE27548A14B235ECA6874A");
    private static final BigInteger ED25519_G = hex("04"
            + "216936D3CD6E53FEC0A4E231FDD6DC5C692CC7609525A7B2C9562D608F25D51A"
            + "6666666666666666666666666666666666666666666666666666666666666658");
    private static final BigInteger ED25519_N = hex("1000000000000000000000000000000014DEF9DEA2F79CD65812631A5CF5D3ED");

    private Keygrip() {}

    /**
     * The keygrip of a signing key gpg can make: RSA, ECDSA on a named curve Bouncy Castle knows
     * (NIST P-256, P-384, P-521, brainpool), or Ed25519 (EdDSA legacy).
     *
     * @throws OpenPgpKeyException naming the algorithm of any other key
     */
    static String of(PGPPublicKey key) {
        BCPGKey params = key.getPublicKeyPacket().getKey();
        ByteArrayOutputStream hashed = new ByteArrayOutputStream();
        if (params instanceof RSAPublicBCPGKey rsa) {
            hashed.writeBytes(rsa.getModulus().toByteArray()); // two's complement: the leading zero libgcrypt keeps
        } else if (params instanceof EdDSAPublicBCPGKey ed && key.getAlgorithm() == PublicKeyAlgorithmTags.EDDSA_LEGACY
                && ed.getCurveOID().equals(GNUObjectIdentifiers.Ed25519)) {
            byte[] q = BigIntegers.asUnsignedByteArray(ed.getEncodedPoint());
            if (q.length != 33 || q[0] != 0x40) {
                throw new OpenPgpKeyException("key " + PublicKeyring.fingerprint(key) + " has a malformed Ed25519 point");
            }
            part(hashed, 'p', unsigned(ED25519_P));
            part(hashed, 'a', unsigned(ED25519_A_MAGNITUDE));
            part(hashed, 'b', unsigned(ED25519_B_MAGNITUDE));
            part(hashed, 'g', unsigned(ED25519_G));
            part(hashed, 'n', unsigned(ED25519_N));
            part(hashed, 'q', Arrays.copyOfRange(q, 1, q.length));
        } else if (params instanceof ECDSAPublicBCPGKey ec && key.getAlgorithm() == PublicKeyAlgorithmTags.ECDSA
                && curve(ec.getCurveOID()).isPresent()) {
            X9ECParameters curve = curve(ec.getCurveOID()).get();
            part(hashed, 'p', unsigned(curve.getCurve().getField().getCharacteristic()));
            part(hashed, 'a', unsigned(curve.getCurve().getA().toBigInteger()));
            part(hashed, 'b', unsigned(curve.getCurve().getB().toBigInteger()));
            part(hashed, 'g', curve.getG().getEncoded(false));
            part(hashed, 'n', unsigned(curve.getN()));
            part(hashed, 'q', unsigned(ec.getEncodedPoint()));
        } else {
            throw new OpenPgpKeyException("key " + PublicKeyring.fingerprint(key) + " is " + describe(key)
                    + ", which ocikit cannot sign with from a GnuPG home (it reads RSA, ECDSA on NIST or brainpool curves,"
                    + " and Ed25519 keys)");
        }
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(hashed.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    /** Whether {@link #of} can name this key's secret key file. */
    static boolean supported(PGPPublicKey key) {
        try {
            of(key);
            return true;
        } catch (OpenPgpKeyException e) {
            return false;
        }
    }

    /** The curve of an ECDSA key, if Bouncy Castle knows it by that OID. */
    static Optional<X9ECParameters> curve(ASN1ObjectIdentifier oid) {
        return Optional.ofNullable(ECNamedCurveTable.getByOID(oid));
    }

    /** The algorithm of a key, as a person would name it ("a DSA key", "an ECDSA key on curve 1.3.132.0.10"). */
    static String describe(PGPPublicKey key) {
        BCPGKey params = key.getPublicKeyPacket().getKey();
        return switch (key.getAlgorithm()) {
            case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN, PublicKeyAlgorithmTags.RSA_ENCRYPT -> "an RSA key";
            case PublicKeyAlgorithmTags.DSA -> "a DSA key";
            case PublicKeyAlgorithmTags.ELGAMAL_ENCRYPT, PublicKeyAlgorithmTags.ELGAMAL_GENERAL -> "an ElGamal key";
            case PublicKeyAlgorithmTags.ECDH -> "an ECDH (encryption) key";
            case PublicKeyAlgorithmTags.ECDSA -> "an ECDSA key on curve "
                    + (params instanceof ECDSAPublicBCPGKey ec ? curveName(ec.getCurveOID()) : "?");
            case PublicKeyAlgorithmTags.EDDSA_LEGACY -> "an EdDSA key on curve "
                    + (params instanceof EdDSAPublicBCPGKey ed ? curveName(ed.getCurveOID()) : "?");
            case PublicKeyAlgorithmTags.Ed25519 -> "an Ed25519 key in the new OpenPGP format (algorithm 27)";
            case PublicKeyAlgorithmTags.Ed448 -> "an Ed448 key";
            case PublicKeyAlgorithmTags.X25519, PublicKeyAlgorithmTags.X448 -> "an X25519/X448 (encryption) key";
            default -> "a key of OpenPGP algorithm " + key.getAlgorithm();
        };
    }

    private static String curveName(ASN1ObjectIdentifier oid) {
        if (oid.equals(GNUObjectIdentifiers.Ed25519)) {
            return "Ed25519";
        }
        String name = ECNamedCurveTable.getName(oid);
        return name != null ? name : oid.getId();
    }

    private static void part(ByteArrayOutputStream out, char name, byte[] value) {
        out.writeBytes(("(1:" + name + value.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(value);
        out.write(')');
    }

    private static byte[] unsigned(BigInteger value) {
        return BigIntegers.asUnsignedByteArray(value);
    }

    private static BigInteger hex(String digits) {
        return new BigInteger(digits, 16);
    }
}
