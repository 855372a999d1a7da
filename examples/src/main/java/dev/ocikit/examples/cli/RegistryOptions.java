package dev.ocikit.examples.cli;

import dev.ocikit.registry.AuthFiles;
import dev.ocikit.registry.ContainersEnvironment;
import dev.ocikit.registry.CredentialProvider;
import dev.ocikit.registry.Credentials;
import dev.ocikit.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Skopeo's registry flags for one side of an operation, turned into a configured client: the
 * machine's containers files first, then what the flags say.
 */
final class RegistryOptions {
    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "require HTTPS and verify certificates (default: true, or as registries.conf says)")
    Boolean tlsVerify;

    @Option(names = "--creds", paramLabel = "USER[:PASSWORD]", description = "credentials for the registry")
    String creds;

    @Option(names = "--authfile", paramLabel = "PATH", description = "auth.json to use instead of the default ones")
    Path authfile;

    /** The client for {@code registry} with these options applied. */
    static RegistryClient client(String registry, Boolean tlsVerify, String creds, Path authfile) throws IOException {
        return client(registry, tlsVerify, creds, authfile, java.util.Optional.empty());
    }

    /** The client for {@code registry} with these options applied, and another registries.d directory if given. */
    static RegistryClient client(String registry, Boolean tlsVerify, String creds, Path authfile,
            java.util.Optional<Path> registriesD) throws IOException {
        ContainersEnvironment env = ContainersEnvironment.system();
        if (authfile != null) {
            env = env.with("REGISTRY_AUTH_FILE", authfile.toString());
        }
        RegistryClient.Builder b = RegistryClient.builder().containersConfig(env);
        if (registriesD.isPresent()) {
            b.registriesD(dev.ocikit.registry.RegistriesD.load(registriesD.get(), env));
        }
        if (Boolean.FALSE.equals(tlsVerify)) {
            b.insecure(registry);
        }
        if (creds != null) {
            int colon = creds.indexOf(':');
            Credentials c = colon < 0 ? Credentials.of(creds, "") : Credentials.of(creds.substring(0, colon), creds.substring(colon + 1));
            b.credentials(CredentialProvider.fixed(c));
        }
        return b.build();
    }

    RegistryClient client(String registry) throws IOException {
        return client(registry, tlsVerify, creds, authfile);
    }

    static AuthFiles authFiles(Path authfile) {
        return authfile != null ? AuthFiles.at(authfile) : AuthFiles.forEnvironment();
    }
}
