package dev.ocikit.examples.cli;

import dev.ocikit.image.signature.OpenPgpKeyException;
import dev.ocikit.image.signature.PublicKeyring;
import dev.ocikit.image.signature.SigningKey;
import dev.ocikit.image.signature.SimpleSigning;
import dev.ocikit.image.signature.VerifiedSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Skopeo's {@code standalone-sign} and {@code standalone-verify}: simple signatures of local files. */
final class SignatureCommands {
    private SignatureCommands() {}

    @Command(name = "standalone-sign", description = "Sign a manifest file as an image name (simple signing, as skopeo standalone-sign).",
            footer = {"", "The key comes from the GnuPG home ($GNUPGHOME or ~/.gnupg), as skopeo finds it, without running gpg;",
                "--secret-key takes it from a file gpg --export-secret-keys wrote instead.",
                "", "Examples:", "  ocikit standalone-sign manifest.json quay.io/me/app:1 FINGERPRINT -o app.sig",
                "  ocikit standalone-sign --secret-key key.gpg manifest.json quay.io/me/app:1 FINGERPRINT -o app.sig"})
    static final class StandaloneSign implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MANIFEST", description = "the manifest file, signed byte for byte")
        Path manifest;

        @Parameters(index = "1", paramLabel = "DOCKER-REFERENCE", description = "the name to sign the image as, e.g. quay.io/me/app:1")
        String reference;

        @Parameters(index = "2", paramLabel = "KEY-FINGERPRINT", description = "the signing key's fingerprint (or a signing subkey's)")
        String fingerprint;

        @Option(names = {"-o", "--output"}, paramLabel = "SIGNATURE", required = true, description = "write the signature to SIGNATURE")
        Path output;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "a file whose first line is the key's passphrase")
        Path passphraseFile;

        @Option(names = "--secret-key", paramLabel = "FILE",
                description = "take the key from this file (gpg --export-secret-keys [--armor]) instead of the GnuPG home")
        Path secretKey;

        @Override
        public Integer call() throws IOException {
            char[] passphrase = passphraseFile == null ? new char[0] : readPassphrase(passphraseFile);
            try {
                SigningKey key = secretKey != null ? SigningKey.read(secretKey, fingerprint, passphrase)
                        : SigningKey.gnupgHome(fingerprint, passphrase);
                byte[] signature = SimpleSigning.sign(Files.readAllBytes(manifest), reference, key);
                Path tmp = Files.createTempFile(output.toAbsolutePath().getParent(), ".ocikit-sig", ".tmp");
                try {
                    Files.write(tmp, signature);
                    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } finally {
                Arrays.fill(passphrase, '\0');
            }
            return 0;
        }
    }

    @Command(name = "standalone-verify", description = "Verify a simple signature of a manifest file (as skopeo standalone-verify).",
            footer = {"", "KEY-FINGERPRINT may list several fingerprints, separated by commas; the signature must be by one of them.",
                "Keys come from the GnuPG home ($GNUPGHOME or ~/.gnupg) unless --public-key names key files.",
                "", "Examples:", "  ocikit standalone-verify manifest.json quay.io/me/app:1 FINGERPRINT app.sig",
                "  ocikit standalone-verify --public-key key.asc manifest.json quay.io/me/app:1 FINGERPRINT app.sig"})
    static final class StandaloneVerify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MANIFEST", description = "the manifest file")
        Path manifest;

        @Parameters(index = "1", paramLabel = "DOCKER-REFERENCE", description = "the name the image must be signed as")
        String reference;

        @Parameters(index = "2", paramLabel = "KEY-FINGERPRINT", description = "the fingerprint(s) of the keys to accept")
        String fingerprints;

        @Parameters(index = "3", paramLabel = "SIGNATURE", description = "the signature file")
        Path signature;

        @Option(names = "--public-key", paramLabel = "FILE",
                description = "a public key file (gpg --export [--armor]); repeatable; instead of the GnuPG home")
        List<Path> publicKeys;

        @Option(names = "--gnupg-home", paramLabel = "DIR", description = "the GnuPG home to read public keys from (default: $GNUPGHOME or ~/.gnupg)")
        Path gnupgHome;

        @Override
        public Integer call() throws IOException {
            PublicKeyring keys = publicKeys != null && !publicKeys.isEmpty() ? PublicKeyring.read(publicKeys)
                    : PublicKeyring.gnupgHome(gnupgHome != null ? gnupgHome : PublicKeyring.defaultGnupgHome());
            List<String> accepted = Arrays.stream(fingerprints.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            if (accepted.isEmpty()) {
                throw new OpenPgpKeyException("no key fingerprint given");
            }
            VerifiedSignature verified = SimpleSigning.verifyFor(Files.readAllBytes(signature), Files.readAllBytes(manifest),
                    reference, keys.only(accepted));
            spec.commandLine().getOut().printf("Signature verified using fingerprint %s, digest %s%n", verified.keyFingerprint(),
                    verified.payload().dockerManifestDigest());
            return 0;
        }
    }

    /** The first line of the file, as skopeo reads --passphrase-file. */
    static char[] readPassphrase(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).toCharArray();
    }
}
