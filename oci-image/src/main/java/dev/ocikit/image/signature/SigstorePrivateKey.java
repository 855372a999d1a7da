package dev.ocikit.image.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * An unlocked sigstore (cosign) private key, ready to sign. Immutable and thread-safe.
 *
 * <p>Read from cosign's encrypted key file ({@code cosign.key}, or what
 * {@code skopeo generate-sigstore-key} writes as {@code PREFIX.private}): a PEM block of type
 * {@value #SIGSTORE_PEM_TYPE} (cosign 2) or {@value #COSIGN_PEM_TYPE} (cosign 1 and
 * containers/image) holding JSON: an scrypt key derivation (its parameters and salt), a NaCl
 * secretbox (its nonce), and the ciphertext, which is the PKCS #8 DER private key. An ECDSA
 * (P-256, P-384, P-521), RSA or Ed25519 key is accepted, as cosign accepts them.
 *
 * <p>{@link #generate()} makes an ECDSA P-256 key, as cosign does, and {@link #toEncryptedPem}
 * writes it in the form every cosign and containers/image version reads: type
 * {@value #COSIGN_PEM_TYPE} and scrypt N=32768, r=8, p=1 (newer versions also read and write
 * the other type and larger N; older ones read only these).
 */
public final class SigstorePrivateKey {
    /** The PEM type cosign 2 writes. */
    public static final String SIGSTORE_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";
    /** The PEM type cosign 1 and containers/image use; what {@link #toEncryptedPem} writes. */
    public static final String COSIGN_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY";

    /** The scrypt cost parameters the encrypted-key format allows (legacy, standard, OWASP), r=8 and p=1 always. */
    private static final Set<Integer> SCRYPT_N = Set.of(1 << 15, 1 << 16, 1 << 17);
    private static final int WRITE_SCRYPT_N = 1 << 15;
    private static final int SALT_SIZE = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AsymmetricKeyParameter key;
    private final SigstorePublicKey publicKey;

    private SigstorePrivateKey(AsymmetricKeyParameter key, SigstorePublicKey publicKey) {
        this.key = key;
        this.publicKey = publicKey;
    }

    /**
     * Decrypts a cosign private key.
     *
     * @param source names the data in messages (a file name)
     * @param passphrase the passphrase (may be empty, as cosign allows); not kept
     * @throws WrongPassphraseException if the passphrase does not decrypt the key
     * @throws SigstoreKeyException if the data is not such a key, or a key of a kind cosign does
     *     not accept
     */
    public static SigstorePrivateKey parse(byte[] pem, String source, char[] passphrase) {
        Objects.requireNonNull(pem, "pem");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(passphrase, "passphrase");
        Pem.Block block = Pem.first(pem).orElseThrow(() -> new SigstoreKeyException("no PEM block in " + source
                + ": a cosign private key is a \"-----BEGIN " + SIGSTORE_PEM_TYPE + "-----\" file"));
        if (!block.type().equals(SIGSTORE_PEM_TYPE) && !block.type().equals(COSIGN_PEM_TYPE)) {
            throw new SigstoreKeyException(source + " holds a PEM \"" + block.type() + "\", not a cosign private key (\""
                    + SIGSTORE_PEM_TYPE + "\" or \"" + COSIGN_PEM_TYPE + "\")"
                    + (block.type().equals("PUBLIC KEY") ? "; that is a public key" : ""));
        }
        Encrypted e = Encrypted.parse(block.bytes(), source);
        byte[] boxKey = derive(passphrase, e.salt, e.n);
        byte[] der = SecretBox.open(e.ciphertext, e.nonce, boxKey).orElseThrow(() -> new WrongPassphraseException(
                "wrong passphrase for the sigstore private key " + source + " (or the file was changed)"));
        try {
            return fromPkcs8(der, source);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** Reads and decrypts a key file; see {@link #parse}. */
    public static SigstorePrivateKey read(Path file, char[] passphrase) throws IOException {
        if (Files.size(file) > SigstorePublicKey.MAX_FILE_SIZE) {
            throw new SigstoreKeyException("refusing " + file + ": " + Files.size(file) + " bytes, larger than any key file");
        }
        return parse(Files.readAllBytes(file), file.toString(), passphrase);
    }

    /** A new ECDSA P-256 key, the kind {@code cosign generate-key-pair} makes. */
    public static SigstorePrivateKey generate() {
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1,
                ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1)), RANDOM));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        return withPublic(pair.getPrivate(), pair.getPublic(), "a new key");
    }

    /**
     * Makes a new key pair and writes it as {@code skopeo generate-sigstore-key --output-prefix}
     * does: {@code PREFIX.pub} (the public key) and {@code PREFIX.private} (the key encrypted with
     * the passphrase, readable by its owner only). Neither file may exist yet.
     *
     * @return the new key
     * @throws FileAlreadyExistsException if either file exists; nothing is written then
     */
    public static SigstorePrivateKey generateKeyPair(Path outputPrefix, char[] passphrase) throws IOException {
        Path pub = Path.of(outputPrefix + ".pub");
        Path priv = Path.of(outputPrefix + ".private");
        for (Path p : new Path[] {pub, priv}) {
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString(), null, "refusing to overwrite an existing key file");
            }
        }
        SigstorePrivateKey key = generate();
        byte[] encrypted = key.toEncryptedPem(passphrase);
        try {
            try {
                // owner-only from the moment it exists, not after a window in which others may open it
                Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(priv); // not a POSIX file system: nothing more to restrict
            }
            Files.write(priv, encrypted, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            Files.write(pub, key.publicKey().toPem(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(priv);
            throw e;
        }
        return key;
    }

    /** The matching public key. */
    public SigstorePublicKey publicKey() {
        return publicKey;
    }

    /**
     * This key encrypted with {@code passphrase}, as a PEM {@value #COSIGN_PEM_TYPE} block that
     * cosign, skopeo and Podman read (see the class comment). A new salt and nonce each call.
     */
    public byte[] toEncryptedPem(char[] passphrase) {
        Objects.requireNonNull(passphrase, "passphrase");
        byte[] salt = new byte[SALT_SIZE];
        byte[] nonce = new byte[SecretBox.NONCE_SIZE];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(nonce);
        byte[] der;
        try {
            der = PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the private key: " + e.getMessage(), e);
        }
        byte[] box = SecretBox.seal(der, nonce, derive(passphrase, salt, WRITE_SCRYPT_N));
        Arrays.fill(der, (byte) 0);
        return Pem.encode(COSIGN_PEM_TYPE, new Encrypted(WRITE_SCRYPT_N, salt, nonce, box).toJson());
    }

    /** Signs {@code data}: ECDSA or RSA over its SHA-256, or Ed25519; ECDSA signatures are ASN.1 DER. */
    byte[] sign(byte[] data) {
        return SigstorePublicKey.sign(key, data);
    }

    @Override
    public String toString() {
        return "SigstorePrivateKey[" + publicKey.algorithm() + ", " + publicKey.fingerprint() + "]";
    }

    static SigstorePrivateKey fromPkcs8(byte[] der, String source) {
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(der);
        } catch (IOException | RuntimeException e) {
            throw new SigstoreKeyException("the key in " + source + " decrypts, but is not a PKCS #8 private key ("
                    + e.getMessage() + ")", e);
        }
        AsymmetricKeyParameter pub;
        if (key instanceof ECPrivateKeyParameters ec) {
            pub = new ECPublicKeyParameters(ec.getParameters().getG().multiply(ec.getD()).normalize(), ec.getParameters());
        } else if (key instanceof RSAPrivateCrtKeyParameters rsa) {
            pub = new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
        } else if (key instanceof Ed25519PrivateKeyParameters ed) {
            pub = ed.generatePublicKey();
        } else {
            throw new SigstoreKeyException("the key in " + source + " is a " + key.getClass().getSimpleName()
                    + "; sigstore keys are ECDSA, RSA or Ed25519");
        }
        return withPublic(key, pub, source);
    }

    private static SigstorePrivateKey withPublic(AsymmetricKeyParameter key, AsymmetricKeyParameter pub, String source) {
        byte[] spki;
        try {
            spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded("DER");
        } catch (IOException | RuntimeException e) {
            throw new SigstoreKeyException("cannot derive the public key of the key in " + source + ": " + e.getMessage(), e);
        }
        return new SigstorePrivateKey(key, SigstorePublicKey.fromDer(spki, source));
    }

    private static byte[] derive(char[] passphrase, byte[] salt, int n) {
        // Go hands the passphrase over as its UTF-8 bytes.
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] bytes = new byte[utf8.remaining()];
        utf8.get(bytes);
        try {
            return SCrypt.generate(bytes, salt, n, 8, 1, SecretBox.KEY_SIZE);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (utf8.hasArray()) {
                Arrays.fill(utf8.array(), (byte) 0);
            }
        }
    }

    /** The JSON inside the PEM block (the format of go-tuf's / securesystemslib's {@code encrypted} package). */
    private record Encrypted(int n, byte[] salt, byte[] nonce, byte[] ciphertext) {
        static Encrypted parse(byte[] json, String source) {
            JsonNode root;
            try {
                root = Json.tree(json, "encrypted sigstore private key " + source);
            } catch (OciException e) {
                throw bad(source, "its content is not JSON (" + e.getMessage() + ")");
            }
            JsonNode kdf = object(root, "kdf", source);
            JsonNode cipher = object(root, "cipher", source);
            String kdfName = string(kdf, "name", "kdf.name", source);
            if (!kdfName.equals("scrypt")) {
                throw bad(source, "key derivation \"" + kdfName + "\" is not known (only scrypt is)");
            }
            JsonNode params = object(kdf, "params", source);
            int n = integer(params, "N", source);
            int r = integer(params, "r", source);
            int p = integer(params, "p", source);
            if (!SCRYPT_N.contains(n) || r != 8 || p != 1) {
                // Bounded as cosign bounds them: a file must not make us spend gigabytes or hours.
                throw bad(source, "unsupported scrypt parameters N=" + n + ", r=" + r + ", p=" + p
                        + " (accepted: N=32768, 65536 or 131072 with r=8, p=1)");
            }
            byte[] salt = base64(kdf, "salt", "kdf.salt", source);
            String cipherName = string(cipher, "name", "cipher.name", source);
            if (!cipherName.equals("nacl/secretbox")) {
                throw bad(source, "cipher \"" + cipherName + "\" is not known (only nacl/secretbox is)");
            }
            byte[] nonce = base64(cipher, "nonce", "cipher.nonce", source);
            if (nonce.length != SecretBox.NONCE_SIZE) {
                throw bad(source, "cipher.nonce is " + nonce.length + " bytes, not " + SecretBox.NONCE_SIZE);
            }
            byte[] ciphertext = base64(root, "ciphertext", "ciphertext", source);
            return new Encrypted(n, salt, nonce, ciphertext);
        }

        /** As Go's json.Marshal writes the struct: kdf{name, params{N, r, p}, salt}, cipher{name, nonce}, ciphertext. */
        byte[] toJson() {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ObjectNode kdf = root.putObject("kdf");
            kdf.put("name", "scrypt");
            ObjectNode params = kdf.putObject("params");
            params.put("N", n);
            params.put("r", 8);
            params.put("p", 1);
            kdf.put("salt", Base64.getEncoder().encodeToString(salt));
            ObjectNode cipher = root.putObject("cipher");
            cipher.put("name", "nacl/secretbox");
            cipher.put("nonce", Base64.getEncoder().encodeToString(nonce));
            root.put("ciphertext", Base64.getEncoder().encodeToString(ciphertext));
            return Json.write(root);
        }

        private static JsonNode object(JsonNode parent, String name, String source) {
            JsonNode node = parent.get(name);
            if (node == null || !node.isObject()) {
                throw bad(source, "\"" + name + "\" must be a JSON object");
            }
            return node;
        }

        private static String string(JsonNode parent, String name, String path, String source) {
            JsonNode node = parent.get(name);
            if (node == null || !node.isTextual()) {
                throw bad(source, path + " must be a string");
            }
            return node.textValue();
        }

        private static int integer(JsonNode parent, String name, String source) {
            JsonNode node = parent.get(name);
            if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
                throw bad(source, "kdf.params." + name + " must be an integer");
            }
            return node.intValue();
        }

        private static byte[] base64(JsonNode parent, String name, String path, String source) {
            try {
                return Base64.getDecoder().decode(string(parent, name, path, source));
            } catch (IllegalArgumentException e) {
                throw bad(source, path + " is not base64: " + e.getMessage());
            }
        }

        private static SigstoreKeyException bad(String source, String problem) {
            return new SigstoreKeyException("cannot read the sigstore private key " + source + ": " + problem);
        }
    }
}
