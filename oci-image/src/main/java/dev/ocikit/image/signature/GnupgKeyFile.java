package dev.ocikit.image.signature;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.bcpg.BCPGKey;
import org.bouncycastle.bcpg.ECDSAPublicBCPGKey;
import org.bouncycastle.bcpg.ECSecretBCPGKey;
import org.bouncycastle.bcpg.EdDSAPublicBCPGKey;
import org.bouncycastle.bcpg.EdSecretBCPGKey;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.RSAPublicBCPGKey;
import org.bouncycastle.bcpg.RSASecretBCPGKey;
import org.bouncycastle.bcpg.S2K;
import org.bouncycastle.bcpg.SecretKeyPacket;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.CBCModeCipher;
import org.bouncycastle.crypto.modes.OCBBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.util.BigIntegers;

/**
 * The secret part of one key from a file of GnuPG's {@code private-keys-v1.d}, as gpg-agent
 * writes it (GnuPG's {@code agent/keyformat.txt}), read without gpg-agent:
 *
 * <ul>
 *   <li>both file formats: the "extended" one ({@code Name: value} items, the key a text
 *       S-expression in the {@code Key:} item; GnuPG 2.2.40's default and 2.3's only one) and
 *       the older bare canonical S-expression;
 *   <li>unprotected keys ({@code private-key}), and the protections gpg-agent uses:
 *       {@code openpgp-s2k3-sha1-aes-cbc} (GnuPG up to 2.2 in the canonical format),
 *       {@code openpgp-s2k3-ocb-aes} (2.2.40 extended format, 2.3+), and
 *       {@code openpgp-native} (a key imported without its passphrase, kept in OpenPGP's own
 *       protection until gpg first uses it), which Bouncy Castle's OpenPGP code unlocks;
 *   <li>a stub for a key on a smartcard ({@code shadowed-private-key}) is named as such.
 * </ul>
 *
 * <p>Read here rather than with Bouncy Castle's {@code org.bouncycastle.gpg} (1.80): its reader
 * decodes quoted strings as UTF-8 without their escapes (gpg writes a salt that happens to be
 * mostly printable as one), loops forever on a file without {@code Key:}, and allocates what a
 * length claims before reading; its {@code OpenedPGPKeyData.getKeyData} compares gpg's Ed25519
 * keys against the wrong curve OID, fails its own SHA-1 check on CBC-protected ECC keys, and
 * answers a wrong passphrase with whatever its parser makes of the garbage.
 *
 * <p>The secret found is checked against the public key (its public half recomputed), so a file
 * that is not this key's is refused rather than making signatures nobody can verify.
 */
final class GnupgKeyFile {
    /** Key files are a few hundred bytes to a few kilobytes (RSA 4096 with OpenSSH certificates: tens). */
    static final long MAX_FILE_SIZE = 1L << 20;

    private static final String CBC = "openpgp-s2k3-sha1-aes-cbc";
    private static final String OCB = "openpgp-s2k3-ocb-aes";
    private static final String NATIVE = "openpgp-native";
    /** gpg-agent calibrates its count to ~100 ms of hashing; beyond this it would take minutes: not a key gpg wrote. */
    private static final long MAX_S2K_COUNT = 0xFFFFFFFFL;

    private GnupgKeyFile() {}

    /** The file is not a key file gpg wrote for this key; the message says what is wrong. */
    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /**
     * Unlocks {@code key}'s secret part from its key file's content.
     *
     * @param source the file, for messages
     * @param name how messages name the key ("key FPR", "subkey FPR of key FPR")
     * @param passphrase empty for none; not kept
     * @throws OpenPgpKeyException for a stub of a smartcard key, an unsupported protection, a
     *     missing or wrong passphrase, or a file that is not a key file for this key
     */
    static PGPPrivateKey unlock(byte[] data, String source, PGPPublicKey key, String name, char[] passphrase) {
        try {
            SExpr top = parse(data);
            String kind = top.label().orElseThrow(() -> new Malformed("it does not start with a key type"));
            if (top.items().size() < 2 || !top.items().get(1).isList()) {
                throw new Malformed("the " + kind + " holds no key");
            }
            SExpr algorithm = top.items().get(1);
            switch (kind) {
                case "shadowed-private-key" -> throw new OpenPgpKeyException("the secret key for " + name
                        + " is on a smartcard or another token: " + source + " only points to it. ocikit cannot use a card;"
                        + " sign with gpg (skopeo --sign-by) instead, or use a key whose secret part is on this machine");
                case "private-key", "protected-private-key" -> {
                }
                default -> throw new Malformed("it holds a \"" + kind + "\", not a private key");
            }
            requireSamePublicKey(algorithm, key);
            PGPPrivateKey unlocked;
            if (kind.equals("private-key")) {
                unlocked = privateKey(key, algorithm);
            } else {
                SExpr protection = algorithm.find("protected").orElseThrow(() -> new Malformed("a protected key without (protected ...)"));
                String mode = protection.items().size() > 1 ? protection.items().get(1).text() : "";
                if (!List.of(CBC, OCB, NATIVE).contains(mode)) {
                    throw new OpenPgpKeyException("the secret key for " + name + " in " + source + " is protected with \"" + mode
                            + "\", which ocikit does not read (it reads " + CBC + ", " + OCB + " and " + NATIVE + ")");
                }
                if (passphrase.length == 0) {
                    throw new OpenPgpKeyException("the secret key for " + name + " is protected by a passphrase, and none was given");
                }
                unlocked = switch (mode) {
                    case CBC -> privateKey(key, unprotectCbc(algorithm, protection, passphrase, name));
                    case OCB -> privateKey(key, unprotectOcb(algorithm, protection, passphrase, name));
                    default -> unprotectNative(key, protection, passphrase, name);
                };
            }
            requireMatches(key, unlocked);
            return unlocked;
        } catch (Malformed | IllegalArgumentException | IndexOutOfBoundsException | ArithmeticException e) {
            throw new OpenPgpKeyException("cannot read the secret key for " + name + " from " + source + ": " + e.getMessage(), e);
        }
    }

    /** The key's S-expression, from either file format. */
    static SExpr parse(byte[] data) {
        return SExpr.parse(data.length > 0 && data[0] == '(' ? data : keyItem(data));
    }

    /**
     * The value of the {@code Key:} item of an extended key file: a file of {@code Name: value}
     * items whose values continue on lines that start with a space or tab, one such leading
     * space being only the mark of a continuation, as GnuPG's {@code name-value.c} reads them.
     * The file is bytes, not text: quoted strings in the key may hold any byte.
     */
    static byte[] keyItem(byte[] data) {
        List<String> lines = List.of(new String(data, StandardCharsets.ISO_8859_1).split("\n", -1));
        ByteArrayOutputStream key = null;
        boolean inItem = false;
        boolean inKey = false;
        boolean afterBlank = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean blank = line.chars().allMatch(GnupgKeyFile::isBlank);
            if (inItem && (blank || line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (inKey) {
                    appendContinuation(key, line, afterBlank);
                    afterBlank = blank;
                }
                continue;
            }
            inItem = false;
            inKey = false;
            if (blank || line.strip().startsWith("#")) {
                continue; // a comment
            }
            int colon = line.indexOf(':');
            if (colon < 1 || !line.substring(0, colon).matches("[A-Za-z][A-Za-z0-9-]*")) {
                throw new Malformed("line " + (i + 1) + " is not a \"Name: value\" item of an extended key file");
            }
            inItem = true;
            if (line.substring(0, colon).equalsIgnoreCase("Key")) {
                if (key != null) {
                    throw new Malformed("it has two \"Key:\" items");
                }
                key = new ByteArrayOutputStream();
                inKey = true;
                appendContinuation(key, line.substring(colon + 1), false);
                afterBlank = false;
            }
        }
        if (key == null) {
            throw new Malformed("it is neither a canonical S-expression nor an extended key file with a \"Key:\" item");
        }
        return key.toByteArray();
    }

    /** GnuPG's ascii_isspace. */
    private static boolean isBlank(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /** One line of a value: without its first leading blank (all of them after a blank line), without trailing blanks. */
    private static void appendContinuation(ByteArrayOutputStream value, String line, boolean afterBlank) {
        int from = 0;
        if (afterBlank) {
            while (from < line.length() && isBlank(line.charAt(from))) {
                from++;
            }
        } else if (!line.isEmpty() && isBlank(line.charAt(0))) {
            from = 1;
        }
        int to = line.length();
        while (to > from && isBlank(line.charAt(to - 1))) {
            to--;
        }
        // a blank line stands for a newline
        value.writeBytes(to == from ? new byte[] {'\n'} : line.substring(from, to).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The public parameters in the file must be those of the key the keygrip named it after. */
    private static void requireSamePublicKey(SExpr algorithm, PGPPublicKey key) {
        BCPGKey params = key.getPublicKeyPacket().getKey();
        String type = algorithm.label().orElse("");
        boolean same;
        if (params instanceof RSAPublicBCPGKey rsa) {
            same = type.equals("rsa") && unsigned(algorithm.value("n")).equals(rsa.getModulus())
                    && unsigned(algorithm.value("e")).equals(rsa.getPublicExponent());
        } else if (params instanceof ECDSAPublicBCPGKey ec) {
            same = type.equals("ecc") && unsigned(algorithm.value("q")).equals(ec.getEncodedPoint());
        } else if (params instanceof EdDSAPublicBCPGKey ed) {
            same = type.equals("ecc") && Arrays.equals(edPoint(algorithm.value("q")),
                    edPoint(BigIntegers.asUnsignedByteArray(ed.getEncodedPoint())));
        } else {
            throw new Malformed("keys of this algorithm are not read");
        }
        if (!same) {
            throw new Malformed("it holds another key (a " + type + " key whose public part is not this key's);"
                    + " it is not the file gpg made for this keygrip");
        }
    }

    /** An Ed25519 point without the 0x40 prefix OpenPGP (and usually gpg-agent) puts in front. */
    private static byte[] edPoint(byte[] q) {
        return q.length == 33 && q[0] == 0x40 ? Arrays.copyOfRange(q, 1, 33) : q;
    }

    /** The secret key from the lists of its parameters ((d ...) for ECC; (d ...)(p ...)(q ...)(u ...) for RSA). */
    private static PGPPrivateKey privateKey(PGPPublicKey key, SExpr params) {
        BCPGKey pub = key.getPublicKeyPacket().getKey();
        BigInteger d = unsigned(params.value("d"));
        BCPGKey secret;
        if (pub instanceof RSAPublicBCPGKey) {
            // libgcrypt keeps p < q, as OpenPGP does; Bouncy Castle derives u and the CRT exponents itself
            secret = new RSASecretBCPGKey(d, unsigned(params.value("p")), unsigned(params.value("q")));
        } else if (pub instanceof ECDSAPublicBCPGKey) {
            secret = new ECSecretBCPGKey(d);
        } else {
            secret = new EdSecretBCPGKey(d);
        }
        return new PGPPrivateKey(key.getKeyID(), key.getPublicKeyPacket(), secret);
    }

    /** A secret that does not belong to the public key would make signatures that never verify: refuse it now. */
    private static void requireMatches(PGPPublicKey key, PGPPrivateKey privateKey) {
        BCPGKey pub = key.getPublicKeyPacket().getKey();
        BCPGKey secret = privateKey.getPrivateKeyDataPacket();
        boolean matches;
        if (pub instanceof RSAPublicBCPGKey rsa && secret instanceof RSASecretBCPGKey s) {
            matches = s.getModulus().equals(rsa.getModulus());
        } else if (pub instanceof ECDSAPublicBCPGKey ec && secret instanceof ECSecretBCPGKey s) {
            var curve = Keygrip.curve(ec.getCurveOID()).orElseThrow(() -> new Malformed("an unknown curve"));
            BigInteger d = s.getX();
            matches = d.signum() > 0 && d.compareTo(curve.getN()) < 0
                    && Arrays.equals(curve.getG().multiply(d).normalize().getEncoded(false), BigIntegers.asUnsignedByteArray(ec.getEncodedPoint()));
        } else if (pub instanceof EdDSAPublicBCPGKey ed && secret instanceof EdSecretBCPGKey s) {
            byte[] seed = s.getX().bitLength() > 256 ? new byte[0] : BigIntegers.asUnsignedByteArray(32, s.getX());
            matches = seed.length == 32 && Arrays.equals(new Ed25519PrivateKeyParameters(seed).generatePublicKey().getEncoded(),
                    edPoint(BigIntegers.asUnsignedByteArray(ed.getEncodedPoint())));
            Arrays.fill(seed, (byte) 0);
        } else {
            matches = false;
        }
        if (!matches) {
            throw new Malformed("its secret key does not belong to the public key");
        }
    }

    private record S2kParams(byte[] salt, long count, byte[] iv) {}

    /** ((sha1 SALT COUNT) IV) of the CBC and OCB protections. */
    private static S2kParams s2kParams(SExpr protection, int ivLength) {
        if (protection.items().size() != 4) {
            throw new Malformed("(protected ...) does not have its parameters and data");
        }
        SExpr params = protection.items().get(2);
        SExpr s2k = params.items().get(0);
        if (!s2k.label().filter("sha1"::equals).isPresent() || s2k.items().size() != 3) {
            throw new Malformed("the protection's S2K is not (sha1 SALT COUNT)");
        }
        byte[] salt = s2k.items().get(1).bytes();
        long count = Long.parseLong(s2k.items().get(2).text());
        byte[] iv = params.items().get(1).bytes();
        if (salt.length != 8 || count < 1 || count > MAX_S2K_COUNT || iv.length != ivLength) {
            throw new Malformed("the protection's parameters are out of range (salt " + salt.length + " bytes, count " + count
                    + ", IV " + iv.length + " bytes)");
        }
        return new S2kParams(salt, count, iv);
    }

    /**
     * openpgp-s2k3-sha1-aes-cbc: AES-128-CBC under the iterated and salted SHA-1 S2K; the plain
     * text is ((PARAMS...)(hash sha1 MIC)) and padding, the MIC a SHA-1 over the whole key.
     */
    private static SExpr unprotectCbc(SExpr algorithm, SExpr protection, char[] passphrase, String name) {
        S2kParams s2k = s2kParams(protection, 16);
        byte[] encrypted = protection.items().get(3).bytes();
        if (encrypted.length == 0 || encrypted.length % 16 != 0) {
            throw new Malformed("the protected data is not whole AES blocks");
        }
        byte[] key = s2k(passphrase, s2k.salt(), s2k.count());
        byte[] plain = new byte[encrypted.length];
        try {
            CBCModeCipher cbc = CBCBlockCipher.newInstance(AESEngine.newInstance());
            cbc.init(false, new ParametersWithIV(new KeyParameter(key), s2k.iv()));
            for (int i = 0; i < encrypted.length; i += 16) {
                cbc.processBlock(encrypted, i, plain, i);
            }
            SExpr decrypted;
            SExpr params;
            byte[] mic;
            try {
                decrypted = SExpr.parse(plain);
                params = parameterLists(decrypted);
                SExpr hash = decrypted.find("hash").orElseThrow(() -> new IllegalArgumentException("no hash"));
                if (!hash.items().get(1).text().equals("sha1")) {
                    throw new IllegalArgumentException("not sha1");
                }
                mic = hash.items().get(2).bytes();
            } catch (RuntimeException e) {
                throw wrongPassphrase(name); // what a wrong key decrypts to is noise
            }
            List<SExpr> all = new ArrayList<>(publicLists(algorithm));
            all.addAll(params.items());
            algorithm.find("protected-at").ifPresent(all::add);
            if (!MessageDigest.isEqual(mic, sha1(withLabel(algorithm, all).canonical()))) {
                throw wrongPassphrase(name);
            }
            return params;
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * openpgp-s2k3-ocb-aes: AES-128-OCB (96-bit nonce, 128-bit tag) under the same S2K; the
     * associated data is the key's public part with its protected-at, so the tag checks both the
     * passphrase and that the public part was not swapped.
     */
    private static SExpr unprotectOcb(SExpr algorithm, SExpr protection, char[] passphrase, String name) {
        S2kParams s2k = s2kParams(protection, 12);
        byte[] encrypted = protection.items().get(3).bytes();
        if (encrypted.length <= 16) {
            throw new Malformed("the protected data is shorter than its authentication tag");
        }
        List<SExpr> authenticated = new ArrayList<>(publicLists(algorithm));
        algorithm.find("protected-at").ifPresent(authenticated::add);
        byte[] key = s2k(passphrase, s2k.salt(), s2k.count());
        OCBBlockCipher ocb = new OCBBlockCipher(AESEngine.newInstance(), AESEngine.newInstance());
        ocb.init(false, new AEADParameters(new KeyParameter(key), 128, s2k.iv(), withLabel(algorithm, authenticated).canonical()));
        byte[] plain = new byte[ocb.getOutputSize(encrypted.length)];
        try {
            int length = ocb.processBytes(encrypted, 0, encrypted.length, plain, 0);
            length += ocb.doFinal(plain, length);
            // authenticated: gpg wrote this, so a shape we do not know is a malformed file, not a wrong passphrase
            return parameterLists(SExpr.parse(Arrays.copyOf(plain, length)));
        } catch (InvalidCipherTextException e) {
            throw wrongPassphrase(name);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * openpgp-native: the key as an OpenPGP secret key packet had it (gpg keeps an imported key so
     * until it first uses it): (openpgp-private-key (version 4) (skey _ PUB... e ENCRYPTED)
     * (protection sha1|sum CIPHER IV S2KMODE S2KHASH SALT CODED-COUNT)). Bouncy Castle unlocks it
     * as it unlocks any OpenPGP secret key.
     */
    private static PGPPrivateKey unprotectNative(PGPPublicKey key, SExpr protection, char[] passphrase, String name) {
        SExpr transfer = protection.items().size() > 2 ? protection.items().get(2) : SExpr.list(List.of());
        if (!transfer.label().filter("openpgp-private-key"::equals).isPresent()) {
            throw new Malformed("the openpgp-native protection holds no (openpgp-private-key ...)");
        }
        if (!new String(transfer.value("version"), StandardCharsets.US_ASCII).equals("4")) {
            throw new Malformed("the openpgp-native key is not an OpenPGP version 4 key");
        }
        List<SExpr> skey = transfer.find("skey").orElseThrow(() -> new Malformed("no (skey ...)")).items();
        byte[] encrypted = null;
        for (int i = 1; i + 1 < skey.size(); i += 2) {
            if (skey.get(i).text().equals("e")) {
                encrypted = skey.get(i + 1).bytes();
            }
        }
        List<SExpr> p = transfer.find("protection").orElseThrow(() -> new Malformed("no (protection ...)")).items();
        if (encrypted == null || p.size() != 8) {
            throw new Malformed("the openpgp-native key is not protected as gpg protects imported keys");
        }
        int usage = switch (p.get(1).text()) {
            case "sha1" -> SecretKeyPacket.USAGE_SHA1;
            case "sum" -> SecretKeyPacket.USAGE_CHECKSUM;
            default -> throw new Malformed("an openpgp-native protection of type \"" + p.get(1).text() + "\"");
        };
        int cipher = nativeCipher(p.get(2).text());
        byte[] iv = p.get(3).bytes();
        int hash = nativeHash(p.get(5).text());
        byte[] salt = p.get(6).bytes();
        S2K s2k = switch (p.get(4).text()) {
            case "0" -> new S2K(hash);
            case "1" -> new S2K(hash, salt);
            case "3" -> new S2K(hash, salt, Integer.parseInt(p.get(7).text()));
            default -> throw new Malformed("an S2K mode of " + p.get(4).text());
        };
        if ((!p.get(4).text().equals("0") && salt.length != 8) || (p.get(4).text().equals("3")
                && (s2k.getIterationCount() < 0 || Integer.parseInt(p.get(7).text()) > 255))) {
            throw new Malformed("the openpgp-native S2K parameters are out of range");
        }
        SecretKeyPacket packet = new SecretKeyPacket(key.getPublicKeyPacket(), cipher, usage, s2k, iv, encrypted);
        try {
            return new PGPSecretKey(packet, key).extractPrivateKey(
                    new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase));
        } catch (PGPException | RuntimeException e) {
            throw wrongPassphrase(name);
        }
    }

    private static final Map<String, Integer> NATIVE_CIPHERS = Map.of(
            "AES", SymmetricKeyAlgorithmTags.AES_128, "AES192", SymmetricKeyAlgorithmTags.AES_192,
            "AES256", SymmetricKeyAlgorithmTags.AES_256, "3DES", SymmetricKeyAlgorithmTags.TRIPLE_DES,
            "CAST5", SymmetricKeyAlgorithmTags.CAST5, "BLOWFISH", SymmetricKeyAlgorithmTags.BLOWFISH,
            "TWOFISH", SymmetricKeyAlgorithmTags.TWOFISH, "CAMELLIA128", SymmetricKeyAlgorithmTags.CAMELLIA_128,
            "CAMELLIA192", SymmetricKeyAlgorithmTags.CAMELLIA_192, "CAMELLIA256", SymmetricKeyAlgorithmTags.CAMELLIA_256);

    private static final Map<String, Integer> NATIVE_HASHES = Map.of(
            "SHA1", HashAlgorithmTags.SHA1, "RIPEMD160", HashAlgorithmTags.RIPEMD160, "SHA224", HashAlgorithmTags.SHA224,
            "SHA256", HashAlgorithmTags.SHA256, "SHA384", HashAlgorithmTags.SHA384, "SHA512", HashAlgorithmTags.SHA512);

    /** libgcrypt's cipher names, as gpg writes them in the transfer format. */
    private static int nativeCipher(String name) {
        Integer tag = NATIVE_CIPHERS.get(name.toUpperCase(Locale.ROOT));
        if (tag == null) {
            throw new Malformed("an openpgp-native key encrypted with " + name);
        }
        return tag;
    }

    private static int nativeHash(String name) {
        Integer tag = NATIVE_HASHES.get(name.toUpperCase(Locale.ROOT));
        if (tag == null) {
            throw new Malformed("an openpgp-native key whose S2K hashes with " + name);
        }
        return tag;
    }

    /** The key's public parameter lists: everything in (ALGORITHM ...) but the protection. */
    private static List<SExpr> publicLists(SExpr algorithm) {
        List<SExpr> lists = new ArrayList<>();
        for (SExpr item : algorithm.items().subList(1, algorithm.items().size())) {
            String label = item.label().orElse("");
            if (!label.equals("protected") && !label.equals("protected-at")) {
                lists.add(item);
            }
        }
        return lists;
    }

    private static SExpr withLabel(SExpr algorithm, List<SExpr> lists) {
        List<SExpr> items = new ArrayList<>();
        items.add(algorithm.items().get(0));
        items.addAll(lists);
        return SExpr.list(items);
    }

    /** The list whose items are (d ...) and friends: decrypted data wraps it in one or two more lists. */
    private static SExpr parameterLists(SExpr decrypted) {
        SExpr params = decrypted;
        while (params.label().isEmpty() && !params.items().isEmpty() && params.items().get(0).isList()
                && params.items().get(0).label().isEmpty()) {
            params = params.items().get(0);
        }
        params.value("d"); // every key type has one
        return params;
    }

    /** OpenPGP's iterated and salted S2K with SHA-1 (RFC 4880 3.7.1.3), for AES-128's 16-byte key. */
    static byte[] s2k(char[] passphrase, byte[] salt, long count) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] unit = new byte[salt.length + encoded.remaining()];
        System.arraycopy(salt, 0, unit, 0, salt.length);
        encoded.get(unit, salt.length, encoded.remaining());
        Arrays.fill(encoded.array(), (byte) 0);
        // hash the repeated salt|passphrase in large slices: gpg's counts run to hundreds of megabytes
        byte[] block = new byte[unit.length * Math.max(1, 65536 / unit.length)];
        for (int i = 0; i < block.length; i += unit.length) {
            System.arraycopy(unit, 0, block, i, unit.length);
        }
        MessageDigest sha1 = sha1Digest();
        long todo = Math.max(count, unit.length);
        while (todo >= block.length) {
            sha1.update(block);
            todo -= block.length;
        }
        sha1.update(block, 0, (int) todo);
        Arrays.fill(unit, (byte) 0);
        Arrays.fill(block, (byte) 0);
        return Arrays.copyOf(sha1.digest(), 16);
    }

    private static OpenPgpKeyException wrongPassphrase(String name) {
        return new OpenPgpKeyException("wrong passphrase for " + name);
    }

    private static BigInteger unsigned(byte[] bytes) {
        return new BigInteger(1, bytes);
    }

    private static byte[] sha1(byte[] data) {
        return sha1Digest().digest(data);
    }

    private static MessageDigest sha1Digest() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }
}
