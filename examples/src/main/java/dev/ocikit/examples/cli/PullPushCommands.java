package dev.ocikit.examples.cli;

import dev.ocikit.image.Copy;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoreTransport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.registry.DockerTransport;
import dev.ocikit.registry.ManifestUnknownException;
import dev.ocikit.registry.RegistriesConf;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Podman's {@code pull} and {@code push}, and Skopeo's {@code delete}. */
final class PullPushCommands {
    private PullPushCommands() {}

    static Path storeRoot(Ocikit parent) {
        return parent.root().orElseGet(ImageStore::defaultRoot);
    }

    @Command(name = "pull", description = "Copy an image into the local store, as podman pull does:"
            + " a bare name means a registry (short names resolved through registries.conf), a transport prefix any source.",
        footer = {"", "Examples:", "  ocikit pull busybox", "  ocikit pull --platform linux/arm64 docker.io/library/alpine:3.20", "  ocikit pull oci:/srv/mirror:fedora-40"})
    static final class Pull implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Mixin
        RegistryOptions registry = new RegistryOptions();

        @Option(names = {"-q", "--quiet"})
        boolean quiet;

        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "image to choose from an index (default: this machine's)")
        String platform;

        @Option(names = "--signature-policy", paramLabel = "FILE",
                description = "the trust policy (policy.json) the image must satisfy (default: the machine's, when it has one)")
        Path signaturePolicy;

        @Parameters(paramLabel = "IMAGE")
        String image;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<String> candidates = new ArrayList<>();
            boolean hasTransport = Sources.hasTransport(image);
            if (hasTransport) {
                candidates.add(image);
            } else {
                for (ImageReference r : RegistriesConf.load().resolveShortName(image)) {
                    candidates.add("docker://" + r);
                }
            }
            // parsed before any network traffic, so a malformed platform fails fast
            Optional<Platform> wanted = Optional.ofNullable(platform).map(Platform::parse);
            Optional<TrustPolicy> trust = signaturePolicy != null ? Optional.of(TrustPolicy.read(signaturePolicy))
                    : TrustPolicy.loadIfPresent();
            IOException last = null;
            for (String candidate : candidates) {
                TransportReference from = Sources.parse(candidate, parent.root(), parent.registriesD(), registry.tlsVerify,
                        registry.creds, registry.authfile);
                if (!quiet) {
                    out.println("Trying to pull " + from.dockerReference().map(ImageReference::toString).orElse(candidate)
                            + "...");
                    out.flush();
                }
                try {
                    List<String> names = podmanNames(from);
                    String name = names.isEmpty() ? "" : names.get(0);
                    Copy copy = Copy.from(from).to(StoreTransport.reference(storeRoot(parent), name));
                    if (wanted.isPresent()) {
                        copy = copy.platform(wanted.get());
                    }
                    if (trust.isPresent()) {
                        copy = copy.policy(trust.get());
                    }
                    CopyResult result = copy.onProgress(Sources.progress(out, quiet)).run();
                    Sources.manifestWritten(out, quiet);
                    ImageStore store = ImageStore.open(storeRoot(parent));
                    for (String more : names.subList(Math.min(1, names.size()), names.size())) {
                        store.tag(name, more);
                    }
                    out.println(store.resolve(name.isEmpty() ? result.manifestDigest().toString() : name).id().encoded());
                    return 0;
                } catch (ManifestUnknownException e) {
                    last = new IOException(candidate + ": " + e.getMessage(), e);
                } catch (IOException e) {
                    last = e;
                }
                if (candidates.size() == 1) {
                    break;
                }
            }
            throw last != null ? last : new IOException("nothing to pull for " + image);
        }
    }

    /**
     * The names Podman gives an image it pulls from {@code from}: a registry's reference; for an OCI
     * layout, its path under {@code localhost/} (whatever tag chose the image); the names an archive
     * records (a docker-archive's RepoTags, an oci-archive's ref name); none for a {@code dir:}.
     */
    static List<String> podmanNames(TransportReference from) throws IOException {
        if (from.dockerReference().isPresent()) {
            return List.of(from.dockerReference().get().toString());
        }
        String transport = from.transport().name();
        List<String> out = new ArrayList<>();
        try {
            if (transport.equals("oci")) {
                String path = from.withinTransport();
                int colon = path.indexOf(':');
                String dir = colon < 0 ? path : path.substring(0, colon);
                out.add(ImageStore.normalizeName("localhost/" + dir.replaceFirst("^/+", "")).toString());
                return out;
            }
            for (String recorded : from.recordedNames()) {
                // RepoTags are Docker's names (docker.io by default); an OCI ref name is a local one
                out.add((transport.equals("docker-archive") ? ImageReference.parse(recorded).withDefaultTag()
                        : ImageStore.normalizeName(recorded)).toString());
            }
        } catch (dev.ocikit.spec.InvalidReferenceException e) {
            // a path or a recorded name that is no image name: the image is stored unnamed, as Podman stores it
            return List.of();
        }
        return out;
    }

    @Command(name = "push", description = "Copy an image from the local store to a registry or any transport, as podman push does.",
        footer = {"", "Examples:", "  ocikit push localhost/app:1 docker://registry.example.com/team/app:1", "  ocikit push localhost/app:1 oci-archive:/tmp/app.tar"})
    static final class Push implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Mixin
        RegistryOptions registry = new RegistryOptions();

        @Option(names = {"-q", "--quiet"})
        boolean quiet;

        @Option(names = "--remove-signatures", description = "do not copy the image's signatures (a destination without"
                + " signature storage, such as oci:, refuses a signed image otherwise)")
        boolean removeSignatures;

        @Parameters(index = "0", paramLabel = "IMAGE")
        String image;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DESTINATION",
                description = "default: the image's own name in its registry")
        String destination;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String target = destination;
            if (target == null) {
                target = "docker://" + ImageStore.normalizeName(image);
            } else if (!Sources.hasTransport(target)) {
                target = "docker://" + target; // as Podman: no known transport prefix means a registry
            }
            TransportReference to = Sources.parse(target, parent.root(), parent.registriesD(), registry.tlsVerify, registry.creds,
                    registry.authfile);
            Copy push = Copy.from(StoreTransport.reference(storeRoot(parent), image)).to(to);
            push = removeSignatures ? push.removeSignatures() : push;
            push.onProgress(Sources.progress(out, quiet)).run();
            Sources.manifestWritten(out, quiet);
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete an image from a registry, as skopeo delete does.",
        footer = {"", "Examples:", "  ocikit delete docker://registry.example.com/team/app:old"})
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        Ocikit parent;

        @Mixin
        RegistryOptions registry = new RegistryOptions();

        @Parameters(paramLabel = "docker://IMAGE")
        String image;

        @Override
        public Integer call() throws Exception {
            if (!image.startsWith(DockerTransport.NAME + "://")) {
                throw new IllegalArgumentException("delete needs a docker:// image, not " + image);
            }
            ImageReference ref = ImageReference.parse(image.substring(DockerTransport.NAME.length() + 3)).withDefaultTag();
            RegistryOptions.client(ref.domain(), registry.tlsVerify, registry.creds, registry.authfile, parent.registriesD())
                    .deleteImage(ref);
            return 0;
        }
    }
}
