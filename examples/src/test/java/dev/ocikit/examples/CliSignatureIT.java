package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import dev.ocikit.examples.cli.Ocikit;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ocikit standalone-sign and standalone-verify against skopeo's, with keys the real gpg made. */
class CliSignatureIT {
    static final String REF = "quay.io/ocikit/app:1.0";
    static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
            + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path tmp;
    static Path home;
    static Path manifest;
    static String fingerprint;


    /**
     * Runs the CLI in a JVM of its own with {@code GNUPGHOME} set, as a user would: where the key
     * comes from the GnuPG home, the environment is the only way to name it, as for skopeo.
     */
    static Run ocikitWithGnupgHome(Path gnupgHome, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Ocikit.class.getName()));
        command.addAll(List.of(args));
        Path dir = gnupgHome.toAbsolutePath().getParent(); // the test's temporary directory
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("GNUPGHOME", gnupgHome.toString());
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static GnupgHome gnupg;

    static byte[] exec(int exit, String... command) throws Exception {
        return gnupg.run(exit, command);
    }

    static byte[] gpg(String... args) throws Exception {
        return gnupg.gpg(args);
    }

    @BeforeAll
    static void key() throws Exception {
        gnupg = GnupgHome.in(tmp);
        home = gnupg.dir();
        fingerprint = gnupg.newKey("cli <cli@example.com>", "default", "default", "pass phrase");
        manifest = Files.write(tmp.resolve("manifest.json"), MANIFEST);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (gnupg != null) {
            gnupg.close();
        }
    }

    @Test
    void verifiesWhatSkopeoSigned() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path passphrase = Files.writeString(tmp.resolve("pass"), "pass phrase\n");
        Path sig = tmp.resolve("skopeo.sig");
        exec(0, skopeo, "standalone-sign", "--passphrase-file", passphrase.toString(), manifest.toString(), REF, fingerprint,
                "-o", sig.toString());
        Run r = ocikit("standalone-verify", "--gnupg-home", home.toString(), manifest.toString(), REF, fingerprint, sig.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Signature verified using fingerprint " + fingerprint + ", digest " + Digest.sha256(MANIFEST) + "\n");
        Path exported = Files.write(tmp.resolve("pub.asc"), gpg("--export", "--armor", fingerprint));
        assertThat(ocikit("standalone-verify", "--public-key", exported.toString(), manifest.toString(), "quay.io/ocikit/app:1.0",
                fingerprint.toLowerCase(), sig.toString()).exit()).isZero();

        Run wrongName = ocikit("standalone-verify", "--gnupg-home", home.toString(), manifest.toString(), "quay.io/ocikit/app:2",
                fingerprint, sig.toString());
        assertThat(wrongName.exit()).isEqualTo(1);
        assertThat(wrongName.err()).startsWith("Error: signature refused: the signature is for \"" + REF + "\"").doesNotContain("Exception");
        Run wrongKey = ocikit("standalone-verify", "--gnupg-home", home.toString(), manifest.toString(), REF, "AB".repeat(20), sig.toString());
        assertThat(wrongKey.exit()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("no public key with fingerprint " + "AB".repeat(20));
    }

    @Test
    void signsWhatSkopeoVerifies() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path secret = Files.write(tmp.resolve("secret.gpg"), gpg("--passphrase", "pass phrase", "--export-secret-keys", fingerprint));
        Path passphrase = Files.writeString(tmp.resolve("pass2"), "pass phrase\n");
        Path sig = tmp.resolve("ocikit.sig");
        Run r = ocikit("standalone-sign", "--secret-key", secret.toString(), "--passphrase-file", passphrase.toString(),
                manifest.toString(), REF, fingerprint, "-o", sig.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        String out = new String(exec(0, skopeo, "standalone-verify", manifest.toString(), REF, fingerprint, sig.toString()),
                StandardCharsets.UTF_8);
        assertThat(out).contains("Signature verified").contains(Digest.sha256(MANIFEST).toString());

        Run wrongPassphrase = ocikit("standalone-sign", "--secret-key", secret.toString(), manifest.toString(), REF, fingerprint,
                "-o", tmp.resolve("never.sig").toString());
        assertThat(wrongPassphrase.exit()).isEqualTo(1);
        assertThat(wrongPassphrase.err()).contains("passphrase");
        assertThat(tmp.resolve("never.sig")).doesNotExist();
    }

    @Test
    void signsWithTheKeyOfTheGnupgHomeAsSkopeoDoes() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path passphrase = Files.writeString(tmp.resolve("pass3"), "pass phrase\n");
        Path sig = tmp.resolve("from-home.sig");
        Run r = ocikitWithGnupgHome(home, "standalone-sign", "--passphrase-file", passphrase.toString(), manifest.toString(), REF,
                fingerprint, "-o", sig.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        String out = new String(exec(0, skopeo, "standalone-verify", manifest.toString(), REF, fingerprint, sig.toString()),
                StandardCharsets.UTF_8);
        assertThat(out).contains("Signature verified").contains(Digest.sha256(MANIFEST).toString());

        Run noPassphrase = ocikitWithGnupgHome(home, "standalone-sign", manifest.toString(), REF, fingerprint, "-o",
                tmp.resolve("never.sig").toString());
        assertThat(noPassphrase.exit()).isEqualTo(1);
        assertThat(noPassphrase.err()).contains("protected by a passphrase, and none was given").doesNotContain("Exception");
        Path empty = Files.createDirectory(tmp.resolve("empty-gnupg"));
        Run noKey = ocikitWithGnupgHome(empty, "standalone-sign", manifest.toString(), REF, fingerprint, "-o",
                tmp.resolve("never.sig").toString());
        assertThat(noKey.exit()).isEqualTo(1);
        assertThat(noKey.err()).contains("no key with fingerprint " + fingerprint + " in the GnuPG home " + empty);
        assertThat(tmp.resolve("never.sig")).doesNotExist();
    }
}
