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

    @Override
    public Integer call() throws Exception {
        Platform wanted = parent.platform(platform);
        Unpacker unpacker = Unpacker.defaults();
        if (rootless != null) {
            unpacker = unpacker.rootless(rootless);
        }
        Files.createDirectories(bundle);
        UnpackReport report;
        Path rootfs = bundle.resolve("rootfs");
        try (ImageSource src = Sources.parse(source, parent.root(), null, null, null).openSource()) {
            SourceImage image = SourceImage.read(src, wanted);
            report = unpacker.unpack(image.layers(), rootfs);
            // As umoci: a runtime config beside the rootfs, so that `runc run` takes the bundle as is.
            BundleSpec runtimeSpec = BundleSpec.from(image.config().model()).hostname("ocikit");
            if (unpacker.isRootless()) {
                runtimeSpec = runtimeSpec.rootless(IdMappings.forCurrentUser());
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
            Files.write(bundle.resolve("config.json"), Json.writePretty(spec));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("unpacked %d layers (%d entries) into %s, runtime config in %s%n", report.diffIds().size(),
                report.entries(), rootfs, bundle.resolve("config.json"));
        for (String skipped : report.skipped()) {
            out.println("  skipped: " + skipped);
        }
        return 0;
    }
}
