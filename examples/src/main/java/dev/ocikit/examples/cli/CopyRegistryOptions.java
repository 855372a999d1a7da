package dev.ocikit.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Skopeo's registry flags for the two sides of a copy or a sync. */
final class CopyRegistryOptions {
    @Option(names = "--src-tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "require HTTPS and verify certificates when reading (default: true, or as registries.conf says)")
    Boolean srcTlsVerify;

    @Option(names = "--dest-tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "require HTTPS and verify certificates when writing (default: true, or as registries.conf says)")
    Boolean destTlsVerify;

    @Option(names = "--src-creds", paramLabel = "USER[:PASSWORD]")
    String srcCreds;

    @Option(names = "--dest-creds", paramLabel = "USER[:PASSWORD]")
    String destCreds;

    @Option(names = "--authfile", paramLabel = "PATH", description = "auth.json for both sides")
    Path authfile;
}
