package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.testing.Tools;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway GnuPG home for the signature ITs: gpg, skopeo and the rest run with
 * {@code GNUPGHOME} set to it, in its parent directory; closing it stops the gpg-agent gpg started.
 */
final class GnupgHome implements AutoCloseable {
    private final Path dir;

    private GnupgHome(Path dir) {
        this.dir = dir;
    }

    /** A new, empty home {@code parent/gnupg}, owner-only as gpg wants it. */
    static GnupgHome in(Path parent) throws IOException {
        Tools.require("gpg");
        return new GnupgHome(Files.createDirectory(parent.resolve("gnupg"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    }

    Path dir() {
        return dir;
    }

    /** Runs a command in this home; returns its stdout, asserting its exit code. */
    byte[] run(int exit, String... command) throws Exception {
        return runBoth(exit, command)[0];
    }

    /** stdout and stderr of a command run in this home, asserting its exit code. */
    byte[][] runBoth(int exit, String... command) throws Exception {
        Path parent = dir.getParent();
        ProcessBuilder pb = new ProcessBuilder(command).directory(parent.toFile());
        pb.environment().put("GNUPGHOME", dir.toString());
        Path err = Files.createTempFile(parent, "err", ".txt");
        pb.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + Files.readString(err)).isEqualTo(exit);
        return new byte[][] {out, Files.readAllBytes(err)};
    }

    /** gpg in batch mode with loopback pinentry, which must succeed; returns its stdout. */
    byte[] gpg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Tools.require("gpg").toString(), "--batch", "--yes", "--no-tty",
                "--pinentry-mode", "loopback"));
        command.addAll(List.of(args));
        return run(0, command.toArray(String[]::new));
    }

    /** Makes a key ({@code gpg --quick-gen-key}) and returns its primary fingerprint. */
    String newKey(String uid, String algorithm, String usage, String passphrase) throws Exception {
        gpg("--passphrase", passphrase, "--quick-gen-key", uid, algorithm, usage, "never");
        for (String line : new String(gpg("--with-colons", "--list-keys", uid), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("gpg made no key for " + uid);
    }

    @Override
    public void close() throws Exception {
        stopAgent(dir);
    }

    /** Stops the gpg-agent gpg started for {@code home}, if there is one. */
    static void stopAgent(Path home) throws Exception {
        if (home != null) {
            ProcessBuilder pb = new ProcessBuilder("gpgconf", "--kill", "gpg-agent").inheritIO();
            pb.environment().put("GNUPGHOME", home.toString());
            pb.start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
