package dev.ocikit.examples.cli;

import dev.ocikit.image.Copy;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.registry.RegistryClient;
import dev.ocikit.registry.Sync;
import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skopeo sync}: every tag of a repository (or one image), or every image directory under
 * a directory, to a registry namespace or a directory, named as skopeo names them.
 */
@Command(name = "sync", description = "Synchronize images between registry repositories and local directories, as skopeo sync does.",
        footer = {"", "Examples:", "  ocikit sync --src docker --dest dir docker.io/library/busybox /srv/mirror", "  ocikit sync --src dir --dest docker /srv/mirror registry.example.com/mirror"})
final class SyncCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Ocikit parent;

    @Option(names = {"-s", "--src"}, required = true, paramLabel = "docker|dir", description = "the source's transport")
    String src;

    @Option(names = {"-d", "--dest"}, required = true, paramLabel = "docker|dir", description = "the destination's transport")
    String dest;

    @Option(names = {"-a", "--all"}, description = "copy every image of an index, not just this machine's")
    boolean all;

    @Option(names = "--scoped", description = "keep the images' full names (registry and path) under the destination")
    boolean scoped;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "the trust policy (policy.json) every image must satisfy (default: the machine's, when it has one)")
    Path policy;

    @Option(names = "--remove-signatures", description = "do not copy the images' signatures")
    boolean removeSignatures;

    @picocli.CommandLine.Mixin
    CopyRegistryOptions registry = new CopyRegistryOptions();

    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "DESTINATION")
    String destination;

    @Override
    public Integer call() throws IOException {
        Sync sync = switch (transport(src, "--src")) {
            case "docker" -> Sync.fromRegistry(client(source, registry.srcTlsVerify, registry.srcCreds), source);
            default -> Sync.fromDirectory(Path.of(source));
        };
        sync = switch (transport(dest, "--dest")) {
            // The destination is a namespace, not an image: the registry is its first component.
            case "docker" -> sync.toRegistry(client(destination + "/x", registry.destTlsVerify, registry.destCreds), destination);
            default -> sync.toDirectory(Path.of(destination));
        };
        if (scoped) {
            sync = sync.scoped();
        }
        // As skopeo sync: every image is judged by the policy before anything of it is written.
        Optional<TrustPolicy> trust = policy != null ? Optional.of(TrustPolicy.read(policy)) : TrustPolicy.loadIfPresent();
        sync = sync.configure(c -> {
            Copy each = all ? c.allPlatforms() : c;
            each = trust.isPresent() ? each.policy(trust.get()) : each;
            return removeSignatures ? each.removeSignatures() : each;
        });
        PrintWriter out = spec.commandLine().getOut();
        List<Sync.Item> items = sync.plan();
        int n = 0;
        for (Sync.Item item : items) {
            n++;
            out.printf("Copying image ref %d/%d from \"%s\" to \"%s\"%n", n, items.size(),
                    display(item.source()), display(item.destination()));
            out.flush();
            sync.copy(item).run();
        }
        out.printf("Synced %d images from 1 sources%n", items.size());
        return 0;
    }

    private static String transport(String name, String option) {
        String t = name.toLowerCase(Locale.ROOT);
        if (!t.equals("docker") && !t.equals("dir")) {
            throw new IllegalArgumentException(option + " must be docker or dir, not " + name);
        }
        return t;
    }

    private RegistryClient client(String name, Boolean tlsVerify, String creds) throws IOException {
        return RegistryOptions.client(ImageReference.parse(name).domain(), tlsVerify, creds, registry.authfile,
                parent == null ? Optional.empty() : parent.registriesD());
    }

    /** {@code docker://...} and {@code dir:...}, as skopeo prints references. */
    private static String display(TransportReference ref) {
        return ref.transport().name() + ":" + ref.withinTransport();
    }
}
