package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signing with keys from GnuPG homes that the real gpg 2.2.40 made (see
 * {@code src/test/resources/signature/make-gnupg-homes.sh}): every key type, file format and
 * protection, and each refusal. No gpg is run.
 */
class GnupgHomeKeysTest {
    static final char[] PASS = "correct horse".toCharArray();
    static final char[] NONE = new char[0];
    static final byte[] MANIFEST = SimpleSigningTest.MANIFEST;
    static final String REF = "quay.io/ocikit/app:1.0";

    // gpg 2.2.40's defaults: extended key files, openpgp-s2k3-ocb-aes
    static final String RSA = "874DA6C8EFD4AE927DE9659239D9FC4337212B9D";
    static final String ED25519 = "CCB18602F4025B2FA3C9F3D2B5EF6B9ABE78F4B1";
    static final String P256 = "823C43D31E9E29549402478A7FD1EA8BF2D34061";
    static final String P384 = "82D1B6D7BA560B357881D91F55CD5CDC17E49FC7";
    static final String P521 = "E812C271D3D7EA681902A3D2B5900FFF459D41AA";
    static final String BRAINPOOL = "F19BE75E15703FCE128E382024AECD3C3C7D42DB";
    static final String OPEN = "2B94373C4EE039201BA81CFF7BE0DDF66AE1B5C9"; // %no-protection (ed25519)
    static final String DSA = "E3665BCBED6EAB762B43EB5B654F57A562A8ADCE";
    static final String CERTIFY_ONLY = "3585529874541177F90945C50B414625610EB7A2";
    static final String SIGNING_SUBKEY = "1C5398B3700B237E22689F2FA49A9BE457D2723A";
    static final String IMPORTED = "7C420C98AD7F094AA7AA0095B8470371CCF4C2DF"; // openpgp-native
    // disable-extended-key-format: canonical S-expressions, openpgp-s2k3-sha1-aes-cbc
    static final String LEGACY_RSA = "7F9D9C24628F90253668451CC995CE29E3446391";
    static final String LEGACY_ED25519 = "E3F7C8FB82DFD4325FB6811FAAC9B777A6042872";
    static final String LEGACY_P256 = "C94C1EF54C8E4FF2AC6FB163061508EF502AF782";
    static final String LEGACY_OPEN = "621BDACFAAFC05B302CF44C8E48B87CC5AEC8280"; // %no-protection (nistp256)

    /** What gpg --with-keygrip -K printed for each key. */
    static final Map<String, String> KEYGRIPS = new LinkedHashMap<>();

    static {
        KEYGRIPS.put(RSA, "9849659583A5350DFB939B85C5EE7FC8D81D3985");
        KEYGRIPS.put(ED25519, "47A903D03CA9EE32DF88DDE3C873F0A36CFB1731");
        KEYGRIPS.put(P256, "D89AB9305785AF8AFCFE02050C095EC9E6E04E35");
        KEYGRIPS.put(P384, "C8FAD5A57E124A91CDF16EE563697457AE90ECD0");
        KEYGRIPS.put(P521, "A1D59FB1341C61FAF66AFC6CDD1DB783B308B5C2");
        KEYGRIPS.put(BRAINPOOL, "95971C4C26D367CFBF76CDA4E33489039B51F5E3");
        KEYGRIPS.put(OPEN, "F154DAB32A111002844776C6151C05923002E573");
        KEYGRIPS.put(CERTIFY_ONLY, "8CFF15FBF7833728A085B8ADC98934E7A70FF5B4");
        KEYGRIPS.put(SIGNING_SUBKEY, "B704BDC6379C49A618C4331B9B5DFFC4BFA0169C");
        KEYGRIPS.put(IMPORTED, "4B5CE75726C052F8C708DBB693732CE39D50AD7E");
        KEYGRIPS.put(LEGACY_RSA, "D4685CBAB90076E3860845D1F8A74AFD9D07AC22");
        KEYGRIPS.put(LEGACY_ED25519, "D11EC99B9053C3135327D0CD7DF3FD08EA0ABE42");
        KEYGRIPS.put(LEGACY_P256, "0FD8AC28EF7C905F09B0BC1BDC4E1C1CCBB7A947");
        KEYGRIPS.put(LEGACY_OPEN, "18E0FFFE426A142D06E01EA6CD27CE7E52B3C189");
    }

    @TempDir
    Path tmp;

    static Path extended() {
        return resource("gnupg-home-extended");
    }

    static Path legacy() {
        return resource("gnupg-home-legacy");
    }

    static Path resource(String name) {
        try {
            return Path.of(GnupgHomeKeysTest.class.getResource("/signature/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of a fixture home the test may change. */
    Path copy(Path home) throws IOException {
        Path to = tmp.resolve(home.getFileName());
        Files.createDirectories(to.resolve("private-keys-v1.d"));
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Files.copy(f, to.resolve(home.relativize(f).toString()));
            }
        }
        return to;
    }

    static Path keyFile(Path home, String fingerprint) {
        return home.resolve("private-keys-v1.d").resolve(KEYGRIPS.get(fingerprint) + ".key");
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(ThrowingCallable call) {
        return assertThatThrownBy(call).isInstanceOf(OpenPgpKeyException.class);
    }

    static Stream<Arguments> everyKey() {
        return Stream.of(
                Arguments.of("extended", RSA, PASS), Arguments.of("extended", ED25519, PASS), Arguments.of("extended", P256, PASS),
                Arguments.of("extended", P384, PASS), Arguments.of("extended", P521, PASS), Arguments.of("extended", BRAINPOOL, PASS),
                Arguments.of("extended", OPEN, NONE), Arguments.of("extended", IMPORTED, PASS),
                Arguments.of("legacy", LEGACY_RSA, PASS), Arguments.of("legacy", LEGACY_ED25519, PASS),
                Arguments.of("legacy", LEGACY_P256, PASS), Arguments.of("legacy", LEGACY_OPEN, NONE));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyKey")
    void signsWithEveryKindOfKeyAndTheHomeVerifies(String home, String fingerprint, char[] passphrase) throws Exception {
        Path dir = resource("gnupg-home-" + home);
        SigningKey key = SigningKey.gnupgHome(dir, fingerprint, passphrase);
        assertThat(key.fingerprint()).isEqualTo(fingerprint);
        assertThat(key.signingKeyFingerprint()).isEqualTo(fingerprint);
        byte[] signature = SimpleSigning.sign(MANIFEST, REF, key);
        VerifiedSignature verified = SimpleSigning.verifyFor(signature, MANIFEST, REF, PublicKeyring.gnupgHome(dir).only(fingerprint));
        assertThat(verified.keyFingerprint()).isEqualTo(fingerprint);
    }

    @Test
    void keygripsAreThoseGpgComputes() throws Exception {
        int checked = 0;
        for (Path home : new Path[] {extended(), legacy()}) {
            for (PGPPublicKeyRing ring : PublicKeyring.gnupgHome(home).rings()) {
                for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
                    PGPPublicKey key = it.next();
                    String fingerprint = PublicKeyring.fingerprint(key);
                    if (fingerprint.equals(DSA)) {
                        assertThatThrownBy(() -> Keygrip.of(key)).hasMessageContaining("is a DSA key");
                        continue;
                    }
                    assertThat(Keygrip.of(key)).as(fingerprint).isEqualTo(KEYGRIPS.get(fingerprint));
                    assertThat(home.resolve("private-keys-v1.d/" + Keygrip.of(key) + ".key")).exists();
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(KEYGRIPS.size());
    }

    @Test
    void aPrimaryKeyThatOnlyCertifiesSignsWithItsSigningSubkeyAsGpgDoes() throws Exception {
        for (String named : new String[] {CERTIFY_ONLY, SIGNING_SUBKEY, CERTIFY_ONLY.toLowerCase().replaceAll("(.{4})", "$1 ")}) {
            SigningKey key = SigningKey.gnupgHome(extended(), named, PASS);
            assertThat(key.fingerprint()).isEqualTo(CERTIFY_ONLY);
            assertThat(key.signingKeyFingerprint()).isEqualTo(SIGNING_SUBKEY);
            byte[] signature = SimpleSigning.sign(MANIFEST, REF, key);
            assertThat(SimpleSigning.verify(signature, PublicKeyring.gnupgHome(extended()).only(CERTIFY_ONLY)).keyFingerprint())
                    .isEqualTo(CERTIFY_ONLY);
        }
        // without the subkey's secret the primary key is what is left, and it may not sign
        Path home = copy(extended());
        Files.delete(keyFile(home, SIGNING_SUBKEY));
        refused(() -> SigningKey.gnupgHome(home, CERTIFY_ONLY, PASS))
                .hasMessage("key " + CERTIFY_ONLY + " may not sign now: it is expired, revoked, or not a signing key");
        refused(() -> SigningKey.gnupgHome(home, SIGNING_SUBKEY, PASS))
                .hasMessageContaining("the secret key for subkey " + SIGNING_SUBKEY + " of key " + CERTIFY_ONLY + " is not in");
    }

    @Test
    void refusesAFingerprintTheHomeDoesNotHave() throws Exception {
        refused(() -> SigningKey.gnupgHome(extended(), "AB".repeat(20), PASS))
                .hasMessage("no key with fingerprint " + "AB".repeat(20) + " in the GnuPG home " + extended()
                        + " (gpg --list-secret-keys shows the keys there)");
        refused(() -> SigningKey.gnupgHome(tmp.resolve("no-such-home"), RSA, PASS))
                .hasMessageContaining("no key with fingerprint " + RSA).hasMessageContaining("it has no public keyring");
        refused(() -> SigningKey.gnupgHome(extended(), "not hex", PASS)).hasMessageContaining("not a key fingerprint");
    }

    @Test
    void refusesAKeyWhoseSecretIsNotThere() throws Exception {
        Path home = copy(extended());
        Files.delete(keyFile(home, ED25519));
        refused(() -> SigningKey.gnupgHome(home, ED25519, PASS))
                .hasMessage("the secret key for key " + ED25519 + " is not in " + home.resolve("private-keys-v1.d") + " (keygrip "
                        + KEYGRIPS.get(ED25519) + "); is it on a smartcard or another machine?");
    }

    @Test
    void refusesASmartcardStub() throws Exception {
        Path home = copy(extended());
        // what gpg --card-edit keytocard leaves behind: the public part and where the card has the key
        String stub = Files.readString(keyFile(home, ED25519), StandardCharsets.ISO_8859_1);
        stub = stub.substring(0, stub.indexOf("Key:")) + "Key: (shadowed-private-key (ecc (curve Ed25519)(flags eddsa)(q #"
                + HexFormat.of().withUpperCase().formatHex(edQ(home))
                + "#)(shadowed t1-v1 (#D2760001240103040006123456780000# OPENPGP.1))))\n";
        Files.writeString(keyFile(home, ED25519), stub, StandardCharsets.ISO_8859_1);
        refused(() -> SigningKey.gnupgHome(home, ED25519, PASS))
                .hasMessageStartingWith("the secret key for key " + ED25519 + " is on a smartcard or another token: "
                        + keyFile(home, ED25519) + " only points to it");
    }

    private static byte[] edQ(Path home) throws IOException {
        SExpr key = GnupgKeyFile.parse(Files.readAllBytes(keyFile(home, ED25519)));
        return key.items().get(1).value("q");
    }

    @Test
    void refusesAWrongOrMissingPassphraseForEveryProtection() {
        for (Object[] c : new Object[][] {{extended(), P256, "openpgp-s2k3-ocb-aes"}, {legacy(), LEGACY_ED25519, "cbc"},
                {legacy(), LEGACY_RSA, "cbc"}, {extended(), IMPORTED, "openpgp-native"}}) {
            Path home = (Path) c[0];
            String fingerprint = (String) c[1];
            refused(() -> SigningKey.gnupgHome(home, fingerprint, "wrong".toCharArray()))
                    .as(c[2].toString()).hasMessage("wrong passphrase for key " + fingerprint);
            refused(() -> SigningKey.gnupgHome(home, fingerprint, NONE))
                    .as(c[2].toString()).hasMessage("the secret key for key " + fingerprint + " is protected by a passphrase, and none was given");
        }
    }

    @Test
    void refusesKeysOfOtherAlgorithmsNamingTheAlgorithm() {
        refused(() -> SigningKey.gnupgHome(extended(), DSA, NONE))
                .hasMessageStartingWith("key " + DSA + " is a DSA key, which ocikit cannot sign with from a GnuPG home");
    }

    @Test
    void refusesDamagedKeyFiles() throws Exception {
        Path home = copy(legacy());
        Path file = keyFile(home, LEGACY_P256);
        byte[] good = Files.readAllBytes(file);
        Map<String, byte[]> damaged = new LinkedHashMap<>();
        damaged.put("truncated", Arrays.copyOf(good, good.length / 2));
        damaged.put("a value longer than the data", "(11:private-key(3:ecc(1:q999999999:".getBytes(StandardCharsets.US_ASCII));
        damaged.put("not an S-expression", "just text\n".getBytes(StandardCharsets.US_ASCII));
        damaged.put("extended without Key:", "Created: 20240101T000000\nLabel: x\n".getBytes(StandardCharsets.US_ASCII));
        damaged.put("extended, a length beyond the file", "Key: (private-key (ecc (q 999999999:x)))\n".getBytes(StandardCharsets.US_ASCII));
        damaged.put("extended, not a list", "Key: #00#\n".getBytes(StandardCharsets.US_ASCII));
        damaged.put("another key's file", Files.readAllBytes(keyFile(legacy(), LEGACY_ED25519)));
        damaged.put("nested too deep", ("(11:private-key" + "(".repeat(40) + ")".repeat(41)).getBytes(StandardCharsets.US_ASCII));
        damaged.put("no secret", "(11:private-key(3:ecc(5:curve10:NIST P-256)))".getBytes(StandardCharsets.US_ASCII));
        damaged.put("unknown kind", "(10:public-key(3:ecc))".getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, byte[]> e : damaged.entrySet()) {
            Files.write(file, e.getValue());
            refused(() -> SigningKey.gnupgHome(home, LEGACY_P256, NONE)).as(e.getKey())
                    .hasMessageStartingWith("cannot read the secret key for key " + LEGACY_P256 + " from " + file + ": ");
        }
        // the public point matches, the secret does not: refused before it makes signatures nobody can verify
        SExpr open = GnupgKeyFile.parse(Files.readAllBytes(keyFile(legacy(), LEGACY_OPEN)));
        SExpr p256 = GnupgKeyFile.parse(good);
        String wrongSecret = "(11:private-key(3:ecc(5:curve10:NIST P-256)" + canonical(p256.items().get(1).find("q").get())
                + canonical(open.items().get(1).find("d").get()) + "))";
        Files.write(file, wrongSecret.getBytes(StandardCharsets.ISO_8859_1));
        refused(() -> SigningKey.gnupgHome(home, LEGACY_P256, NONE)).hasMessageContaining("does not belong to the public key");
    }

    private static String canonical(SExpr e) {
        return new String(e.canonical(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void refusesAProtectionItDoesNotKnow() throws Exception {
        Path home = copy(extended());
        Path file = keyFile(home, ED25519);
        Files.writeString(file, Files.readString(file, StandardCharsets.ISO_8859_1).replace("openpgp-s2k3-ocb-aes", "openpgp-s2k9-xyz"),
                StandardCharsets.ISO_8859_1);
        refused(() -> SigningKey.gnupgHome(home, ED25519, PASS)).hasMessageContaining("is protected with \"openpgp-s2k9-xyz\"");
    }

    @Test
    void readsBothSyntaxesGpgWritesAndChecksEveryLength() {
        assertThat(SExpr.parse(bytes("(3:abc(1:x0:))padding")).toString()).isEqualTo("(abc (x ))");
        // the advanced syntax: tokens, hex with blanks, quoted strings holding any byte, base64, raw values
        SExpr advanced = SExpr.parse(bytes("(sha1 #0A 0b#\n \"a\\x00\\\"\\101\\\n\u00c4\" |YWJj| 3:a c)"));
        assertThat(advanced.items()).hasSize(5);
        assertThat(advanced.items().get(0).text()).isEqualTo("sha1");
        assertThat(advanced.items().get(1).bytes()).containsExactly(0x0a, 0x0b);
        assertThat(advanced.items().get(2).bytes()).containsExactly('a', 0, '"', 'A', 0xc4);
        assertThat(advanced.items().get(3).text()).isEqualTo("abc");
        assertThat(advanced.items().get(4).text()).isEqualTo("a c");
        assertThat(advanced.canonical()).isEqualTo(SExpr.parse(advanced.canonical()).canonical());
        for (String bad : new String[] {"", "3:abc", "(3:ab", "(03:abc)", "(3abc)", "(99999999999999999999:x)", "(1:a", "(#0#)",
                "(#0g#)", "(\"abc", "(\"\\q\")", "(\"\\x4\")", "(\"\\777\")", "(|YWJj)", "(".repeat(40) + ")".repeat(40),
                "(,)"}) {
            assertThatThrownBy(() -> SExpr.parse(bytes(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readsTheKeyItemOfAnExtendedKeyFileAsGnupgDoes() {
        // one leading blank only marks a continuation; lines may break anywhere, even inside a word
        byte[] file = bytes("Created: 20240101T000000\nDescription: a key\n  spanning lines\n\n# comment\n"
                + "Key: (private-key (ecc (curve Ed25519)(q\n  #4001\n 02#)(prote\n cted-at \"x\")))\nLabel: y\n");
        assertThat(new String(GnupgKeyFile.keyItem(file), StandardCharsets.ISO_8859_1))
                .isEqualTo("(private-key (ecc (curve Ed25519)(q #400102#)(protected-at \"x\")))");
        refused(() -> GnupgKeyFile.unlock(bytes("Key: (a)\nKey: (b)\n"), "f", null, "key X", NONE))
                .hasMessageContaining("two \"Key:\" items");
        refused(() -> GnupgKeyFile.unlock(bytes("Created: 1\nno colon here\n"), "f", null, "key X", NONE))
                .hasMessageContaining("line 2 is not a \"Name: value\" item");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
