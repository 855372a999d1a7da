package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cosign's key files: NaCl secretbox, the encrypted private key, public keys of each kind cosign accepts. */
class SigstoreKeysTest {
    static final char[] PASS = "test passphrase".toCharArray();
    static final HexFormat HEX = HexFormat.of();
    static SigstorePrivateKey generated;
    static byte[] generatedPem;

    @BeforeAll
    static void generate() {
        generated = SigstorePrivateKey.generate();
        generatedPem = generated.toEncryptedPem(PASS);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = SigstoreKeysTest.class.getResourceAsStream("/signature/sigstore/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static char[] passphraseOf(String name) throws IOException {
        return new String(resource(name), StandardCharsets.UTF_8).lines().findFirst().orElseThrow().toCharArray();
    }

    // ---- NaCl secretbox ----------------------------------------------------------------------

    /** The vector of NaCl's own tests (tests/secretbox.c): key, nonce, 131-byte message, tag || ciphertext. */
    static final byte[] NACL_KEY = HEX.parseHex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    static final byte[] NACL_NONCE = HEX.parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
    static final byte[] NACL_MESSAGE = HEX.parseHex("be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc"
            + "e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b"
            + "1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705");
    static final byte[] NACL_BOX = HEX.parseHex("f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea"
            + "7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab"
            + "932164548e526ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb"
            + "45a74e355a5");

    @Test
    void secretBoxMatchesNaclsKnownAnswer() {
        assertThat(SecretBox.seal(NACL_MESSAGE, NACL_NONCE, NACL_KEY)).isEqualTo(NACL_BOX);
        assertThat(SecretBox.open(NACL_BOX, NACL_NONCE, NACL_KEY)).hasValueSatisfying(m -> assertThat(m).isEqualTo(NACL_MESSAGE));
        // libsodium (PyNaCl) for an empty message: the tag alone
        byte[] key = new byte[32];
        byte[] nonce = new byte[24];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        for (int i = 0; i < 24; i++) {
            nonce[i] = (byte) (0x40 + i);
        }
        assertThat(SecretBox.seal(new byte[0], nonce, key)).isEqualTo(HEX.parseHex("25ad7f4489ddd636717f1a6bbc7daf99"));
    }

    @Test
    void secretBoxRefusesAChangedBoxOrAnotherKey() {
        for (int i : new int[] {0, 15, 16, NACL_BOX.length - 1}) {
            byte[] changed = NACL_BOX.clone();
            changed[i] ^= 1;
            assertThat(SecretBox.open(changed, NACL_NONCE, NACL_KEY)).as("byte " + i).isEmpty();
        }
        byte[] otherKey = NACL_KEY.clone();
        otherKey[31] ^= 1;
        assertThat(SecretBox.open(NACL_BOX, NACL_NONCE, otherKey)).isEmpty();
        assertThat(SecretBox.open(new byte[15], NACL_NONCE, NACL_KEY)).isEmpty();
    }

    // ---- encrypted private keys --------------------------------------------------------------

    @Test
    void generatedKeyIsP256AndRoundTripsThroughTheEncryptedFormat() {
        assertThat(generated.publicKey().algorithm()).isEqualTo("ECDSA P-256");
        String pem = new String(generatedPem, StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n")
                .endsWith("-----END ENCRYPTED COSIGN PRIVATE KEY-----\n");
        assertThat(pem.lines().skip(1).filter(l -> !l.startsWith("-----"))).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(64));
        var json = Json.tree(Pem.first(generatedPem).orElseThrow().bytes(), "key");
        assertThat(json.toString()).matches("\\{\"kdf\":\\{\"name\":\"scrypt\",\"params\":\\{\"N\":32768,\"r\":8,\"p\":1\\},"
                + "\"salt\":\"[A-Za-z0-9+/=]{44}\"\\},\"cipher\":\\{\"name\":\"nacl/secretbox\",\"nonce\":\"[A-Za-z0-9+/=]{32}\"\\},"
                + "\"ciphertext\":\"[A-Za-z0-9+/=]+\"\\}");
        SigstorePrivateKey back = SigstorePrivateKey.parse(generatedPem, "generated", PASS);
        assertThat(back.publicKey()).isEqualTo(generated.publicKey());
        assertThat(SigstorePublicKey.parse(generated.publicKey().toPem(), "pub")).isEqualTo(generated.publicKey());
        assertThat(generated.publicKey().fingerprint()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void wrongPassphraseIsTyped() {
        assertThatThrownBy(() -> SigstorePrivateKey.parse(generatedPem, "k.private", "other".toCharArray()))
                .isInstanceOf(WrongPassphraseException.class).hasMessageContaining("wrong passphrase").hasMessageContaining("k.private");
        assertThatThrownBy(() -> SigstorePrivateKey.parse(generatedPem, "k.private", new char[0]))
                .isInstanceOf(WrongPassphraseException.class);
    }

    @Test
    void keysMadeByLibsodiumAndOpensslDecrypt() throws IOException {
        // cosign 1's PEM type with scrypt N=2^15, and cosign 2's with N=2^16, made by independent/make.py
        for (String name : new String[] {"cosign-type", "sigstore-type"}) {
            SigstorePrivateKey key = SigstorePrivateKey.parse(resource("independent/" + name + ".private"), name,
                    passphraseOf("independent/passphrase"));
            assertThat(key.publicKey()).as(name).isEqualTo(SigstorePublicKey.parse(resource("independent/" + name + ".pub"), name));
        }
    }

    @Test
    void theCommittedTestKeyPairDecrypts() throws IOException {
        SigstorePrivateKey key = SigstorePrivateKey.parse(resource("ocikit-test.private"), "ocikit-test.private",
                passphraseOf("ocikit-test.passphrase"));
        assertThat(key.publicKey()).isEqualTo(SigstorePublicKey.parse(resource("ocikit-test.pub"), "ocikit-test.pub"));
    }

    static byte[] pem(String type, String json) {
        return Pem.encode(type, json.getBytes(StandardCharsets.UTF_8));
    }

    static String encryptedJson(int n, String nonceBase64) {
        return "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":" + n + ",\"r\":8,\"p\":1},\"salt\":\"c2FsdA==\"},"
                + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"" + nonceBase64 + "\"},\"ciphertext\":\"AAAA\"}";
    }

    @Test
    void malformedPrivateKeysAreTyped() {
        String nonce = Base64.getEncoder().encodeToString(new byte[24]);
        record Case(byte[] pem, String message) {}
        for (Case c : new Case[] {
            new Case("not a key".getBytes(StandardCharsets.UTF_8), "no PEM block"),
            new Case(generated.publicKey().toPem(), "that is a public key"),
            new Case(pem("EC PRIVATE KEY", "x"), "not a cosign private key"),
            new Case(pem(SigstorePrivateKey.SIGSTORE_PEM_TYPE, "{not json"), "not JSON"),
            new Case(pem(SigstorePrivateKey.SIGSTORE_PEM_TYPE, "{}"), "\"kdf\" must be a JSON object"),
            // refused before any work: a file cannot make us spend a gigabyte
            new Case(pem(SigstorePrivateKey.SIGSTORE_PEM_TYPE, encryptedJson(1 << 20, nonce)), "unsupported scrypt parameters N=1048576"),
            new Case(pem(SigstorePrivateKey.SIGSTORE_PEM_TYPE, encryptedJson(32768, "AAAA")), "nonce is 3 bytes"),
            new Case(pem(SigstorePrivateKey.SIGSTORE_PEM_TYPE, encryptedJson(32768, nonce).replace("scrypt", "pbkdf2")), "pbkdf2"),
            new Case(pem(SigstorePrivateKey.SIGSTORE_PEM_TYPE, encryptedJson(32768, nonce).replace("nacl/secretbox", "aes")), "cipher \"aes\""),
            new Case(pem(SigstorePrivateKey.SIGSTORE_PEM_TYPE, encryptedJson(32768, nonce).replace("\"AAAA\"}", "\"A!\"}")), "ciphertext is not base64"),
        }) {
            assertThatThrownBy(() -> SigstorePrivateKey.parse(c.pem, "bad.key", PASS)).as(c.message)
                    .isInstanceOf(SigstoreKeyException.class).isNotInstanceOf(WrongPassphraseException.class)
                    .hasMessageContaining(c.message);
        }
    }

    @Test
    void aBoxThatDoesNotHoldAPkcs8KeyIsTyped() {
        assertThatThrownBy(() -> SigstorePrivateKey.fromPkcs8(new byte[] {1, 2, 3}, "odd.key"))
                .isInstanceOf(SigstoreKeyException.class).hasMessageContaining("not a PKCS #8 private key");
    }

    @Test
    void generateKeyPairWritesBothFilesAndRefusesToOverwrite(@TempDir Path dir) throws IOException {
        Path prefix = dir.resolve("mykey");
        SigstorePrivateKey key = SigstorePrivateKey.generateKeyPair(prefix, PASS);
        Path priv = dir.resolve("mykey.private");
        assertThat(SigstorePrivateKey.read(priv, PASS).publicKey()).isEqualTo(key.publicKey());
        assertThat(SigstorePublicKey.read(dir.resolve("mykey.pub"))).isEqualTo(key.publicKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        byte[] before = Files.readAllBytes(priv);
        Files.delete(dir.resolve("mykey.pub"));
        assertThatThrownBy(() -> SigstorePrivateKey.generateKeyPair(prefix, PASS)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(priv).hasBinaryContent(before);
        assertThat(dir.resolve("mykey.pub")).doesNotExist();
    }

    // ---- public keys -------------------------------------------------------------------------

    static byte[] jdkPublicPem(String algorithm, Object spec) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (spec instanceof Integer bits) {
            g.initialize(bits);
        } else if (spec != null) {
            g.initialize(new ECGenParameterSpec((String) spec));
        }
        return Pem.encode("PUBLIC KEY", g.generateKeyPair().getPublic().getEncoded());
    }

    @Test
    void publicKeysOfTheKindsCosignAccepts() throws Exception {
        assertThat(SigstorePublicKey.parse(jdkPublicPem("EC", "secp384r1"), "p384").algorithm()).isEqualTo("ECDSA P-384");
        assertThat(SigstorePublicKey.parse(jdkPublicPem("EC", "secp521r1"), "p521").algorithm()).isEqualTo("ECDSA P-521");
        assertThat(SigstorePublicKey.parse(jdkPublicPem("RSA", 2048), "rsa").algorithm()).isEqualTo("RSA 2048");
        assertThat(SigstorePublicKey.parse(jdkPublicPem("Ed25519", null), "ed").algorithm()).isEqualTo("Ed25519");
        // PKCS #1 "RSA PUBLIC KEY" reads as the same key
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        var rsa = g.generateKeyPair().getPublic();
        byte[] pkcs1 = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(rsa.getEncoded()).parsePublicKey().getEncoded();
        assertThat(SigstorePublicKey.parse(Pem.encode("RSA PUBLIC KEY", pkcs1), "pkcs1"))
                .isEqualTo(SigstorePublicKey.parse(Pem.encode("PUBLIC KEY", rsa.getEncoded()), "spki"));
        // text around the block, as in a file with comments, and later blocks are ignored as cosign ignores them
        byte[] withText = ("my key\n" + new String(generated.publicKey().toPem(), StandardCharsets.US_ASCII) + "junk\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(SigstorePublicKey.parse(withText, "t")).isEqualTo(generated.publicKey());
    }

    @Test
    void publicKeysCosignRefusesAreTyped() throws Exception {
        assertThatThrownBy(() -> SigstorePublicKey.parse(jdkPublicPem("RSA", 1024), "small")).isInstanceOf(SigstoreKeyException.class)
                .hasMessageContaining("1024 bits");
        assertThatThrownBy(() -> SigstorePublicKey.parse(Pem.encode("PUBLIC KEY",
                KeyPairGenerator.getInstance("X25519").generateKeyPair().getPublic().getEncoded()), "x"))
                .isInstanceOf(SigstoreKeyException.class).hasMessageContaining("ECDSA, RSA or Ed25519");
        assertThatThrownBy(() -> SigstorePublicKey.parse(generatedPem, "k.private")).isInstanceOf(SigstoreKeyException.class)
                .hasMessageContaining("not the private key");
        assertThatThrownBy(() -> SigstorePublicKey.parse("hello".getBytes(StandardCharsets.UTF_8), "h"))
                .isInstanceOf(SigstoreKeyException.class).hasMessageContaining("no PEM block in h");
        assertThatThrownBy(() -> SigstorePublicKey.parse(Pem.encode("PUBLIC KEY", new byte[] {48, 3, 1, 1, 0}), "junk"))
                .isInstanceOf(SigstoreKeyException.class).hasMessageContaining("not a valid SubjectPublicKeyInfo");
    }
}
