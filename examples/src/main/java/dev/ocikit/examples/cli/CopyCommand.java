package dev.ocikit.examples.cli;

import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.signature.SigningKey;
import dev.ocikit.image.signature.SigstorePrivateKey;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code skopeo copy}: an image or a whole index from any transport to any other, verified. */
@Command(name = "copy", description = "Copy an image from one place to another, as skopeo copy does.",
        footer = {"", "Examples:", "  ocikit copy docker://quay.io/fedora/fedora:40 oci:/srv/mirror:fedora-40", "  ocikit copy --all docker://docker.io/library/busybox:latest dir:/tmp/busybox", "  ocikit copy oci:/srv/mirror:app docker-archive:/tmp/app.tar:localhost/app:1"})
final class CopyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Ocikit parent;

    @Option(names = {"-a", "--all"}, description = "copy every image of an index, not just this machine's")
    boolean all;

    @Option(names = "--preserve-digests", description = "fail rather than change any digest")
    boolean preserveDigests;

    @Option(names = "--dest-compress-format", paramLabel = "gzip|zstd|none", description = "recompress layers")
    String compression;

    @Option(names = {"-f", "--format"}, paramLabel = "oci|v2s2", description = "manifest format to write")
    String format;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "image to choose from an index (default: this machine's); given more than once, an index of those images")
    List<String> platforms = List.of();

    @Option(names = "--multi-arch", paramLabel = "system|all|index-only",
            description = "for an index: copy this machine's image (system, the default) or all of them (all, as --all)")
    String multiArch;

    @Option(names = {"-q", "--quiet"}, description = "print nothing but errors")
    boolean quiet;

    @Option(names = "--policy", paramLabel = "FILE", description = "the trust policy (policy.json) the source must satisfy")
    Path policy;

    @Option(names = "--remove-signatures", description = "do not copy the source's signatures")
    boolean removeSignatures;

    @Option(names = "--sign-by", paramLabel = "FINGERPRINT",
            description = "sign the written image with this key, from the GnuPG home ($GNUPGHOME or ~/.gnupg) as skopeo finds it")
    String signBy;

    @Option(names = "--sign-key", paramLabel = "FILE",
            description = "take the --sign-by key from this file (gpg --export-secret-keys [--armor]) instead of the GnuPG home")
    Path signKey;

    @Option(names = "--sign-passphrase-file", paramLabel = "FILE", description = "a file whose first line is the signing key's passphrase")
    Path signPassphraseFile;

    @Option(names = "--sign-by-sigstore-private-key", paramLabel = "FILE",
            description = "sign the written image with this sigstore (cosign) private key, as skopeo generate-sigstore-key or cosign generate-key-pair writes it")
    Path signBySigstorePrivateKey;

    @Option(names = "--sign-identity", paramLabel = "REFERENCE",
            description = "the Docker reference the signature claims (default: the destination's; required for dir:, oci: ...)")
    String signIdentity;

    @picocli.CommandLine.Mixin
    CopyRegistryOptions registry = new CopyRegistryOptions();

    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "DESTINATION")
    String destination;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Copy copy = Copy.from(Sources.parse(source, parent.root(), parent.registriesD(), registry.srcTlsVerify, registry.srcCreds,
                        registry.authfile))
                .to(Sources.parse(destination, parent.root(), parent.registriesD(), registry.destTlsVerify, registry.destCreds,
                        registry.authfile));
        String multi = multiArch == null ? "system" : multiArch.toLowerCase(Locale.ROOT);
        switch (multi) {
            case "system", "all" -> { }
            case "index-only" -> throw new IllegalArgumentException("--multi-arch index-only is not supported: ocikit"
                    + " copies an index only with its images (--multi-arch all)");
            default -> throw new IllegalArgumentException("--multi-arch must be system, all or index-only, not " + multiArch);
        }
        if (all || multi.equals("all")) {
            if (!platforms.isEmpty()) {
                throw new IllegalArgumentException("--platform chooses images out of an index; --all copies every one");
            }
            copy = copy.allPlatforms();
        } else if (platforms.size() > 1) {
            copy = copy.platforms(platforms.stream().map(Platform::parse).toList());
        } else {
            copy = copy.platform(parent.platform(platforms.isEmpty() ? null : platforms.get(0)));
        }
        if (preserveDigests) {
            copy = copy.preserveDigests();
        }
        if (compression != null) {
            copy = copy.compression(switch (compression.toLowerCase(Locale.ROOT)) {
                case "gzip" -> Compression.GZIP;
                case "zstd" -> Compression.ZSTD;
                case "none", "uncompressed" -> Compression.NONE;
                default -> throw new IllegalArgumentException("--dest-compress-format must be gzip, zstd or none, not " + compression);
            });
        }
        if (format != null) {
            copy = copy.manifestFormat(switch (format.toLowerCase(Locale.ROOT)) {
                case "oci" -> ManifestFormat.OCI;
                case "v2s2", "docker" -> ManifestFormat.DOCKER_V2S2;
                default -> throw new IllegalArgumentException("--format must be oci or v2s2, not " + format);
            });
        }
        Optional<TrustPolicy> trust = policy != null ? Optional.of(TrustPolicy.read(policy)) : TrustPolicy.loadIfPresent();
        if (trust.isPresent()) {
            copy = copy.policy(trust.get());
        }
        if (removeSignatures) {
            copy = copy.removeSignatures();
        }
        if (signBy != null || signKey != null || (signBySigstorePrivateKey == null && (signIdentity != null || signPassphraseFile != null))) {
            if (signBy == null) {
                throw new IllegalArgumentException("signing needs --sign-by FINGERPRINT");
            }
            char[] passphrase = signPassphraseFile == null ? new char[0] : SignatureCommands.readPassphrase(signPassphraseFile);
            try {
                SigningKey key = signKey != null ? SigningKey.read(signKey, signBy, passphrase) : SigningKey.gnupgHome(signBy, passphrase);
                copy = copy.signBy(key, Optional.ofNullable(signIdentity));
            } finally {
                Arrays.fill(passphrase, '\0');
            }
        }
        if (signBySigstorePrivateKey != null) {
            char[] passphrase = signPassphraseFile == null ? new char[0] : SignatureCommands.readPassphrase(signPassphraseFile);
            try {
                copy = copy.signBySigstore(SigstorePrivateKey.read(signBySigstorePrivateKey, passphrase), Optional.ofNullable(signIdentity));
            } finally {
                Arrays.fill(passphrase, '\0');
            }
        }
        copy = copy.onProgress(Sources.progress(out, quiet));
        CopyResult result = copy.run();
        Sources.manifestWritten(out, quiet);
        if (!quiet) {
            out.printf("%s (%d blobs copied, %d reused)%n", result.manifestDigest(), result.blobsCopied(), result.blobsReused());
        }
        return 0;
    }
}
