package dev.ocikit.examples.cli;

import dev.ocikit.image.SourceImage;
import dev.ocikit.image.UnpackReport;
import dev.ocikit.image.Unpacker;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.spec.Platform;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.ocikit.runtime.bundle.BundleSpec;
import dev.ocikit.runtime.bundle.IdMappings;
import dev.ocikit.runtime.bundle.NoCommandException;
import dev.ocikit.spec.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code umoci unpack}: an image's layers applied, verified, into {@code BUNDLE/rootfs}. */
@Command(name = "unpack", description = "Unpack an image into a runtime bundle, BUNDLE_DIR/rootfs and BUNDLE_DIR/config.json, as umoci unpack does.",
        footer = {"", "Examples:", "  ocikit unpack oci:/srv/mirror:fedora-40 /tmp/bundle && runc run --bundle /tmp/bundle demo"})
final class UnpackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Ocikit parent;

    @Option(names = "--rootless", description = "leave files owned by the caller and record ownership in the"
            + " user.rootlesscontainers xattr; skip device nodes (default: when not root)")
    Boolean rootless;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "image to choose from an index (default: this machine's)")
    String platform;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "image, e.g. oci:/srv/layout:app or ocikit:busybox")
    String source;

    @Parameters(index = "1", paramLabel = "BUNDLE_DIR", description = "directory to create; the root file system goes in its rootfs/")
    Path bundle;

    @picocli.CommandLine.Mixin
    RegistryOptions registry = new RegistryOptions();

    @Override
    public Integer call() throws Exception {
        Platform wanted = parent.platform(platform);
        Unpacker unpacker = Unpacker.defaults();
        if (rootless != null) {
            unpacker = unpacker.rootless(rootless);
        }
        boolean made = !Files.exists(bundle);
        Files.createDirectories(bundle);
        UnpackReport report;
        Path rootfs = bundle.resolve("rootfs");
        // what was there before this run is never removed by its failure (a second unpack is refused, not undone)
        boolean hadRootfs = Files.exists(rootfs, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        boolean hadConfig = Files.exists(bundle.resolve("config.json"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        boolean done = false;
        try (ImageSource src = Sources.parse(source, parent.root(), parent.registriesD(), registry.tlsVerify,
                registry.creds, registry.authfile).openSource()) {
            SourceImage image = SourceImage.read(src, wanted);
            report = unpacker.unpack(image.layers(), rootfs);
            Files.write(bundle.resolve("config.json"), Json.writePretty(runtimeConfig(image.config().model(), unpacker,
                    rootfs)));
            done = true;
        } finally {
            if (!done) {
                // nothing half made stays to refuse the next try: the bundle, or what went into it
                if (made) {
                    dev.ocikit.image.internal.FileTrees.deleteRecursively(bundle);
                } else {
                    if (!hadRootfs) {
                        dev.ocikit.image.internal.FileTrees.deleteRecursively(rootfs);
                    }
                    if (!hadConfig) {
                        Files.deleteIfExists(bundle.resolve("config.json"));
                    }
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("unpacked %d layers (%d entries) into %s, runtime config in %s%n", report.diffIds().size(),
                report.entries(), rootfs, bundle.resolve("config.json"));
        for (String skipped : report.skipped()) {
            out.println("  skipped: " + skipped);
        }
        return 0;
    }

    /**
     * As umoci's: a runtime config beside the rootfs, so that {@code runc run} takes the bundle as
     * is, with the image's labels and facts as annotations and a tmpfs at each of its volumes;
     * rootless, the host's network and its resolv.conf, since no one will set up a network.
     */
    static dev.ocikit.spec.runtime.Spec runtimeConfig(dev.ocikit.spec.image.ImageConfig image, Unpacker unpacker,
            Path rootfs) throws java.io.IOException {
        BundleSpec runtimeSpec = BundleSpec.from(image).hostname("ocikit");
        for (java.util.Map.Entry<String, String> label : image.config().labels().entrySet()) {
            runtimeSpec = runtimeSpec.annotation(label.getKey(), label.getValue());
        }
        runtimeSpec = runtimeSpec.annotation("org.opencontainers.image.architecture", image.architecture())
                .annotation("org.opencontainers.image.os", image.os())
                .annotation("org.opencontainers.image.exposedPorts", String.join(",", image.config().exposedPorts()))
                .annotation("org.opencontainers.image.stopSignal", image.config().stopSignal().orElse(""));
        if (image.author().isPresent()) {
            runtimeSpec = runtimeSpec.annotation("org.opencontainers.image.author", image.author().get());
        }
        if (image.created().isPresent()) {
            runtimeSpec = runtimeSpec.annotation("org.opencontainers.image.created", image.created().get());
        }
        for (String volume : new java.util.TreeSet<>(image.config().volumes())) {
            runtimeSpec = runtimeSpec.tmpfs(volume);
        }
        if (unpacker.isRootless()) {
            runtimeSpec = runtimeSpec.rootless(IdMappings.forCurrentUser()).hostNetwork();
            if (Files.isRegularFile(Path.of("/etc/resolv.conf"))) {
                runtimeSpec = runtimeSpec.bind(Path.of("/etc/resolv.conf"), "/etc/resolv.conf", true);
            }
        }
        dev.ocikit.spec.runtime.Spec spec;
        try {
            spec = runtimeSpec.build(rootfs);
        } catch (NoCommandException e) {
            // an image with nothing to run still makes a bundle, with runc spec's default command
            runtimeSpec = runtimeSpec.command("sh");
            spec = runtimeSpec.build(rootfs);
        }
        runtimeSpec.prepareRootfs(rootfs);
        return spec;
    }
}
