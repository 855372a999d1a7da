package dev.ocikit.examples.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.ocikit.registry.AuthFiles;
import dev.ocikit.registry.CredentialProvider;
import dev.ocikit.registry.Credentials;
import dev.ocikit.registry.DockerTransport;
import dev.ocikit.registry.RegistryClient;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Skopeo's and Podman's registry commands: {@code list-tags}, {@code login}, {@code logout}. */
final class RegistryCommands {
    private RegistryCommands() {}

    @Command(name = "list-tags", description = "List a repository's tags, as skopeo list-tags does.",
        footer = {"", "Examples:", "  ocikit list-tags docker://docker.io/library/busybox"})
    static final class ListTags implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions registry = new RegistryOptions();

        @Parameters(paramLabel = "docker://REPOSITORY")
        String repository;

        @JsonPropertyOrder({"Repository", "Tags"})
        record TagListing(@JsonProperty("Repository") String repository, @JsonProperty("Tags") List<String> tags) {}

        @Override
        public Integer call() throws Exception {
            if (!repository.startsWith(DockerTransport.NAME + "://")) {
                throw new IllegalArgumentException("list-tags needs a docker:// repository, not " + repository);
            }
            ImageReference ref = ImageReference.parse(repository.substring(DockerTransport.NAME.length() + 3));
            if (ref.tag().isPresent() || ref.digest().isPresent()) {
                throw new IllegalArgumentException("list-tags takes a repository without a tag or digest: " + repository);
            }
            List<String> tags = registry.client(ref.domain()).repository(ref).tags();
            PrintWriter out = spec.commandLine().getOut();
            out.println(new String(Json.writePretty(new TagListing(ref.repository(), tags)), StandardCharsets.UTF_8));
            return 0;
        }
    }

    @Command(name = "login", description = "Log in to a registry and store the credentials in auth.json, as podman login does.",
        footer = {"", "Examples:", "  ocikit login -u alice registry.example.com", "  echo $TOKEN | ocikit login -u alice --password-stdin registry.example.com"})
    static final class Login implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions registry = new RegistryOptions();

        @Option(names = {"-u", "--username"})
        String username;

        @Option(names = {"-p", "--password"})
        String password;

        @Option(names = "--password-stdin", description = "read the password from standard input")
        boolean passwordStdin;

        @Parameters(paramLabel = "REGISTRY")
        String server;

        @Override
        public Integer call() throws Exception {
            if (username == null) {
                throw new IllegalArgumentException("--username is required (ocikit never prompts)");
            }
            String secret = password;
            if (passwordStdin) {
                secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
            if (secret == null) {
                throw new IllegalArgumentException("give the password with --password or --password-stdin");
            }
            Credentials credentials = Credentials.of(username, secret);
            // Prove the credentials first, as podman login does: nothing is stored if they are wrong.
            RegistryClient.Builder b = RegistryClient.builder().credentials(CredentialProvider.fixed(credentials));
            if (Boolean.FALSE.equals(registry.tlsVerify)) {
                b.insecure(server);
            }
            b.build().ping(server);
            RegistryOptions.authFiles(registry.authfile).login(server, credentials);
            spec.commandLine().getOut().println("Login Succeeded!");
            return 0;
        }
    }

    @Command(name = "logout", description = "Remove stored credentials, as podman logout does.",
        footer = {"", "Examples:", "  ocikit logout registry.example.com", "  ocikit logout --all"})
    static final class Logout implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--authfile", paramLabel = "PATH")
        java.nio.file.Path authfile;

        @Option(names = {"-a", "--all"}, description = "remove the credentials of every registry")
        boolean all;

        @Parameters(arity = "0..1", paramLabel = "REGISTRY")
        String server;

        @Override
        public Integer call() throws Exception {
            AuthFiles files = RegistryOptions.authFiles(authfile);
            PrintWriter out = spec.commandLine().getOut();
            if (all) {
                files.logoutAll();
                out.println("Removed login credentials for all registries");
                return 0;
            }
            if (server == null) {
                throw new IllegalArgumentException("name a registry, or use --all");
            }
            if (!files.logout(server)) {
                throw new IllegalArgumentException("not logged into " + server);
            }
            out.println("Removed login credentials for " + server);
            return 0;
        }
    }
}
