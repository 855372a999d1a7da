package dev.ocikit.image.signature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * A public key that sigstore (cosign) signatures are checked with: a PEM {@code PUBLIC KEY}
 * (SubjectPublicKeyInfo), as {@code cosign generate-key-pair} writes {@code cosign.pub}, or a
 * PEM {@code RSA PUBLIC KEY} (PKCS #1). The key kinds cosign accepts: ECDSA on P-256 (what cosign
 * makes), P-384 or P-521; RSA of 2048 to 4096 bits; Ed25519. Immutable and thread-safe.
 *
 * <p>Signatures are checked as containers/image checks them: SHA-256 of the payload for ECDSA
 * (ASN.1 DER signature) and RSA (PKCS #1 v1.5), plain Ed25519 over the payload itself.
 */
public final class SigstorePublicKey {
    /** Key files are a few hundred bytes. */
    static final long MAX_FILE_SIZE = 1L << 20;
    private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "P-256", SECObjectIdentifiers.secp384r1, "P-384",
            SECObjectIdentifiers.secp521r1, "P-521");

    private final byte[] der;
    private final AsymmetricKeyParameter key;
    private final String algorithm;

    private SigstorePublicKey(byte[] der, AsymmetricKeyParameter key, String algorithm) {
        this.der = der;
        this.key = key;
        this.algorithm = algorithm;
    }

    /**
     * Reads the first PEM block of the data, as cosign does (later blocks are ignored).
     *
     * @param source names the data in messages (a file name)
     * @throws SigstoreKeyException if there is no PEM block, it is not a public key, or the key
     *     is of a kind or size cosign does not accept
     */
    public static SigstorePublicKey parse(byte[] pem, String source) {
        Objects.requireNonNull(pem, "pem");
        Objects.requireNonNull(source, "source");
        Pem.Block block = Pem.first(pem).orElseThrow(() -> new SigstoreKeyException("no PEM block in " + source
                + ": a sigstore public key is a \"-----BEGIN PUBLIC KEY-----\" file, as cosign generate-key-pair writes"));
        byte[] spki;
        switch (block.type()) {
            case "PUBLIC KEY" -> spki = block.bytes();
            case "RSA PUBLIC KEY" -> {
                try {
                    RSAPublicKey rsa = RSAPublicKey.getInstance(ASN1Primitive.fromByteArray(block.bytes()));
                    spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                            org.bouncycastle.asn1.DERNull.INSTANCE), rsa).getEncoded();
                } catch (IOException | RuntimeException e) {
                    throw new SigstoreKeyException("cannot read the RSA public key in " + source + ": " + e.getMessage(), e);
                }
            }
            default -> throw new SigstoreKeyException(source + " holds a PEM \"" + block.type() + "\", not a \"PUBLIC KEY\""
                    + (block.type().contains("PRIVATE") ? " (give the public key, the .pub file, not the private key)" : ""));
        }
        return fromDer(spki, source);
    }

    /** Reads a key file; see {@link #parse}. */
    public static SigstorePublicKey read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_SIZE) {
            throw new SigstoreKeyException("refusing " + file + ": " + Files.size(file) + " bytes, larger than any public key file");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** A key from its DER SubjectPublicKeyInfo. */
    static SigstorePublicKey fromDer(byte[] spki, String source) {
        SubjectPublicKeyInfo info;
        AsymmetricKeyParameter key;
        try {
            info = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(spki));
            key = PublicKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new SigstoreKeyException("cannot read the public key in " + source + ": not a valid SubjectPublicKeyInfo ("
                    + e.getMessage() + ")", e);
        }
        ASN1ObjectIdentifier oid = info.getAlgorithm().getAlgorithm();
        String algorithm;
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            Object params = info.getAlgorithm().getParameters();
            String curve = params instanceof ASN1ObjectIdentifier named ? CURVES.get(named) : null;
            if (curve == null) {
                throw new SigstoreKeyException("the ECDSA key in " + source + " is on curve " + params
                        + "; cosign accepts P-256, P-384 and P-521 only");
            }
            algorithm = "ECDSA " + curve;
        } else if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            int bits = ((RSAKeyParameters) key).getModulus().bitLength();
            if (bits < 2048 || bits > 4096) {
                throw new SigstoreKeyException("the RSA key in " + source + " has " + bits + " bits; cosign accepts 2048 to 4096");
            }
            algorithm = "RSA " + bits;
        } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            algorithm = "Ed25519";
        } else {
            throw new SigstoreKeyException("the key in " + source + " is of algorithm " + oid
                    + "; sigstore keys are ECDSA, RSA or Ed25519");
        }
        // Kept in canonical DER, so that the fingerprint and a Rekor entry compare as cosign compares them.
        try {
            return new SigstorePublicKey(info.getEncoded("DER"), key, algorithm);
        } catch (IOException e) {
            throw new SigstoreKeyException("cannot encode the key in " + source + ": " + e.getMessage(), e);
        }
    }

    /** For example {@code ECDSA P-256}, {@code RSA 3072}, {@code Ed25519}. */
    public String algorithm() {
        return algorithm;
    }

    /**
     * {@code sha256:} and the hex SHA-256 of the key's DER SubjectPublicKeyInfo: how messages and
     * {@link VerifiedSignature#keyFingerprint()} name a sigstore key.
     */
    public String fingerprint() {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DER SubjectPublicKeyInfo (a copy). */
    public byte[] der() {
        return der.clone();
    }

    /** The key as a PEM {@code PUBLIC KEY}, as cosign writes {@code cosign.pub}. */
    public byte[] toPem() {
        return Pem.encode("PUBLIC KEY", der);
    }

    /** Whether {@code signature} is this key's signature of {@code data}, checked as containers/image does. */
    boolean verifies(byte[] data, byte[] signature) {
        Signer verifier = signer(key, false);
        verifier.update(data, 0, data.length);
        try {
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false; // a malformed DER signature is just a signature that does not verify
        }
    }

    /** The signer or verifier for a key: ECDSA and RSA over SHA-256, Ed25519 over the data itself. */
    static Signer signer(AsymmetricKeyParameter key, boolean forSigning) {
        Signer s;
        if (key instanceof org.bouncycastle.crypto.params.ECKeyParameters) {
            s = new DSADigestSigner(new ECDSASigner(new org.bouncycastle.crypto.signers.HMacDSAKCalculator(new SHA256Digest())),
                    new SHA256Digest(), StandardDSAEncoding.INSTANCE);
        } else if (key instanceof RSAKeyParameters) {
            s = new RSADigestSigner(new SHA256Digest());
        } else {
            s = new Ed25519Signer();
        }
        s.init(forSigning, key);
        return s;
    }

    /** Signs with a private key; see {@link #signer}. */
    static byte[] sign(AsymmetricKeyParameter privateKey, byte[] data) {
        Signer s = signer(privateKey, true);
        s.update(data, 0, data.length);
        try {
            return s.generateSignature();
        } catch (CryptoException e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigstorePublicKey other && java.util.Arrays.equals(der, other.der);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(der);
    }

    @Override
    public String toString() {
        return "SigstorePublicKey[" + algorithm + ", " + fingerprint() + "]";
    }
}
