package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away GnuPG home for tests: keys made by the real gpg, and gpg and skopeo run with
 * {@code GNUPGHOME} pointing here. {@link #close()} stops the agent gpg started for it.
 */
final class GnupgHome implements AutoCloseable {
    private final Path dir;
    private final String gpg;

    GnupgHome(Path dir) throws IOException {
        this.gpg = Tools.require("gpg").toString();
        this.dir = Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    Path dir() {
        return dir;
    }

    /** Makes a key without a passphrase (or with one) and returns its fingerprint. */
    String generateKey(String uid, String algorithm, String passphrase, String... extra) throws Exception {
        return generateExpiringKey(uid, algorithm, passphrase, "never", extra);
    }

    /** Makes a key that expires after {@code expire} (gpg's notation: 1d, 2y, never). */
    String generateExpiringKey(String uid, String algorithm, String passphrase, String expire, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of("--passphrase", passphrase, "--pinentry-mode", "loopback", "--quick-gen-key", uid, algorithm,
                algorithm.equals("default") ? "default" : "sign", expire));
        gpg(args.toArray(String[]::new));
        return fingerprint(uid);
    }

    /** The primary-key fingerprint of the key with this user ID. */
    String fingerprint(String uid) throws Exception {
        for (String line : gpg("--with-colons", "--list-keys", uid).split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no key " + uid);
    }

    /** Runs gpg in batch mode in this home; fails the test if it fails. Returns stdout. */
    String gpg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(gpg, "--batch", "--yes", "--no-tty"));
        command.addAll(List.of(args));
        return new String(run(command, 0), StandardCharsets.UTF_8);
    }

    /** Runs gpg and returns its stdout bytes (for --export). */
    byte[] gpgBytes(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(gpg, "--batch", "--yes", "--no-tty"));
        command.addAll(List.of(args));
        return run(command, 0);
    }

    /** Runs any command with GNUPGHOME set here; returns stdout+stderr and asserts the exit code. */
    String exec(int expectedExit, String... command) throws Exception {
        return new String(run(List.of(command), expectedExit), StandardCharsets.UTF_8);
    }

    private byte[] run(List<String> command, int expectedExit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("GNUPGHOME", dir.toString());
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err);
        Files.delete(err);
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + new String(out, StandardCharsets.UTF_8) + stderr)
                .isEqualTo(expectedExit);
        if (expectedExit != 0) {
            return (new String(out, StandardCharsets.UTF_8) + stderr).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("gpgconf", "--kill", "gpg-agent").inheritIO();
        pb.environment().put("GNUPGHOME", dir.toString());
        Process p = pb.start();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
