package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys the real gpg just made, read from its home by {@link SigningKey#gnupgHome} (never
 * exported), sign what {@code skopeo standalone-verify} accepts with that same home: gpg's
 * default file format and protection (with its own calibrated S2K count), the older format a
 * {@code disable-extended-key-format} agent writes, and a key imported without its passphrase.
 */
class GnupgHomeSigningIT {
    static final String REF = "quay.io/ocikit/app:1.0";
    static final byte[] MANIFEST = SimpleSigningTest.MANIFEST;
    static final String PASSPHRASE = "correct horse";

    @TempDir
    static Path tmp;
    static final List<GnupgHome> homes = new ArrayList<>();
    static Path manifest;

    @BeforeAll
    static void setUp() throws Exception {
        Tools.require("gpg");
        Tools.require("skopeo");
        manifest = Files.write(tmp.resolve("manifest.json"), MANIFEST);
    }

    @AfterAll
    static void stopAgents() throws Exception {
        for (GnupgHome home : homes) {
            home.close();
        }
    }

    static GnupgHome home(String name, String... agentOptions) throws Exception {
        GnupgHome home = new GnupgHome(tmp.resolve(name));
        homes.add(home);
        if (agentOptions.length > 0) {
            Files.writeString(home.dir().resolve("gpg-agent.conf"), String.join("\n", agentOptions) + "\n");
        }
        return home;
    }

    /** skopeo standalone-verify with GNUPGHOME set to the home; asserts it accepts the signature. */
    static void skopeoAccepts(GnupgHome home, byte[] signature, String fingerprint) throws Exception {
        Path sig = Files.write(Files.createTempFile(tmp, "ocikit", ".sig"), signature);
        String out = home.exec(0, Tools.require("skopeo").toString(), "standalone-verify", manifest.toString(), REF, fingerprint,
                sig.toString());
        assertThat(out).contains("Signature verified").contains(Digest.sha256(MANIFEST).toString());
    }

    @Test
    void keysGpgJustMadeSignWhatSkopeoVerifies() throws Exception {
        GnupgHome home = home("fresh");
        String rsa = home.generateKey("rsa <rsa@example.com>", "default", ""); // RSA 3072 with an encryption subkey
        String ed = home.generateKey("ed <ed@example.com>", "ed25519", "");
        String p256 = home.generateKey("p256 <p256@example.com>", "nistp256", "");
        for (String fingerprint : new String[] {rsa, ed, p256}) {
            SigningKey key = SigningKey.gnupgHome(home.dir(), fingerprint, new char[0]);
            assertThat(key.signingKeyFingerprint()).isEqualTo(fingerprint);
            skopeoAccepts(home, SimpleSigning.sign(MANIFEST, REF, key), fingerprint);
        }
    }

    @Test
    void passphraseProtectedKeysOfBothFileFormatsSign() throws Exception {
        GnupgHome extended = home("extended"); // gpg 2.2.40's default: extended format, openpgp-s2k3-ocb-aes
        GnupgHome legacy = home("legacy", "disable-extended-key-format"); // canonical, openpgp-s2k3-sha1-aes-cbc
        String ed = extended.generateKey("ed <ed@example.com>", "ed25519", PASSPHRASE);
        String rsa = legacy.generateKey("rsa <rsa@example.com>", "rsa3072", PASSPHRASE);
        String legacyEd = legacy.generateKey("ed <ed@example.com>", "ed25519", PASSPHRASE);
        assertThat(Files.readAllBytes(extended.dir().resolve("private-keys-v1.d").resolve(keygrip(extended, ed) + ".key")))
                .startsWith("Created:".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(Files.readAllBytes(legacy.dir().resolve("private-keys-v1.d").resolve(keygrip(legacy, rsa) + ".key")))
                .startsWith("(21:protected-private-key".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (Object[] c : new Object[][] {{extended, ed}, {legacy, rsa}, {legacy, legacyEd}}) {
            GnupgHome home = (GnupgHome) c[0];
            String fingerprint = (String) c[1];
            skopeoAccepts(home, SimpleSigning.sign(MANIFEST, REF, SigningKey.gnupgHome(home.dir(), fingerprint, PASSPHRASE.toCharArray())),
                    fingerprint);
            assertThatThrownBy(() -> SigningKey.gnupgHome(home.dir(), fingerprint, "wrong".toCharArray()))
                    .isInstanceOf(OpenPgpKeyException.class).hasMessage("wrong passphrase for key " + fingerprint);
            assertThatThrownBy(() -> SigningKey.gnupgHome(home.dir(), fingerprint, new char[0]))
                    .isInstanceOf(OpenPgpKeyException.class).hasMessageContaining("protected by a passphrase, and none was given");
        }
    }

    @Test
    void aKeyImportedWithoutItsPassphraseSignsBeforeAndAfterGpgFirstUsesIt() throws Exception {
        GnupgHome maker = home("maker");
        String fingerprint = maker.generateKey("imported <imported@example.com>", "ed25519", PASSPHRASE);
        Path exported = Files.write(tmp.resolve("secret.gpg"), maker.gpgBytes("--pinentry-mode", "loopback", "--passphrase", PASSPHRASE,
                "--export-secret-keys", fingerprint));
        GnupgHome ci = home("ci"); // as a CI job imports its signing key
        ci.gpg("--import", exported.toString());
        Path file = ci.dir().resolve("private-keys-v1.d").resolve(keygrip(ci, fingerprint) + ".key");
        assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("openpgp-native");
        skopeoAccepts(ci, SimpleSigning.sign(MANIFEST, REF, SigningKey.gnupgHome(ci.dir(), fingerprint, PASSPHRASE.toCharArray())),
                fingerprint);
        assertThatThrownBy(() -> SigningKey.gnupgHome(ci.dir(), fingerprint, "wrong".toCharArray()))
                .isInstanceOf(OpenPgpKeyException.class).hasMessage("wrong passphrase for key " + fingerprint);

        // gpg re-protects the key in its own format the first time it unlocks it
        ci.gpg("--pinentry-mode", "loopback", "--passphrase", PASSPHRASE, "-u", fingerprint, "--output", tmp.resolve("x.sig").toString(),
                "--sign", manifest.toString());
        assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("openpgp-native");
        skopeoAccepts(ci, SimpleSigning.sign(MANIFEST, REF, SigningKey.gnupgHome(ci.dir(), fingerprint, PASSPHRASE.toCharArray())),
                fingerprint);
    }

    /** What gpg --with-keygrip says, so the test does not depend on ocikit's own computation. */
    static String keygrip(GnupgHome home, String fingerprint) throws Exception {
        boolean found = false;
        for (String line : home.gpg("--with-colons", "--with-keygrip", "--list-keys", fingerprint).split("\n")) {
            if (line.startsWith("fpr:")) {
                found = line.split(":")[9].equals(fingerprint);
            } else if (found && line.startsWith("grp:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no keygrip for " + fingerprint);
    }
}
