package dev.ocikit.examples.cli;

import dev.ocikit.image.signature.SigstorePrivateKey;
import java.io.Console;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code skopeo generate-sigstore-key}: a new sigstore (cosign) key pair, PREFIX.pub and PREFIX.private. */
@Command(name = "generate-sigstore-key", description = "Generate a sigstore (cosign) key pair, as skopeo generate-sigstore-key does.",
        footer = {"", "Examples:", "  ocikit generate-sigstore-key --output-prefix mykey --passphrase-file pass.txt",
            "  ocikit copy --sign-by-sigstore-private-key mykey.private --sign-passphrase-file pass.txt --sign-identity quay.io/me/app:1 oci:/srv/layout:app dir:/tmp/signed"})
final class SigstoreKeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--output-prefix", required = true, paramLabel = "PREFIX",
            description = "write the key pair to PREFIX.pub and PREFIX.private (neither may exist)")
    Path prefix;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "a file whose first line is the passphrase protecting the private key (default: asked on the terminal)")
    Path passphraseFile;

    @Override
    public Integer call() throws Exception {
        char[] passphrase = passphraseFile != null ? SignatureCommands.readPassphrase(passphraseFile) : askTwice();
        try {
            SigstorePrivateKey.generateKeyPair(prefix, passphrase);
        } finally {
            Arrays.fill(passphrase, '\0');
        }
        spec.commandLine().getOut().printf("Key written to \"%s.private\" and \"%s.pub\"%n", prefix, prefix);
        return 0;
    }

    private static char[] askTwice() {
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no passphrase: give --passphrase-file FILE (there is no terminal to ask on)");
        }
        char[] first = console.readPassword("Enter a passphrase for the private key: ");
        char[] second = console.readPassword("Enter the passphrase again: ");
        if (first == null || second == null || !Arrays.equals(first, second)) {
            throw new IllegalArgumentException("the passphrases do not match");
        }
        Arrays.fill(second, '\0');
        return first;
    }
}
