package dev.ocikit.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.OciLayout;
import dev.ocikit.spec.image.Parsed;
import dev.ocikit.spec.runtime.Features;
import dev.ocikit.spec.runtime.Spec;
import dev.ocikit.spec.runtime.State;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Reads OCI documents strictly and says what each one is, or exactly what is wrong with it:
 * image manifests and indexes (OCI and Docker), image configs, runtime configs, runtime state,
 * {@code runc features} output and {@code oci-layout} files.
 */
@Command(name = "validate", description = "Check OCI JSON documents against the specs and name what each one is.",
        footer = {"", "Examples:", "  ocikit validate config.json index.json manifest.json"})
final class ValidateCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "JSON documents to check")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            out.printf("%s: %s%n", file, describe(bytes, file.toString()));
        }
        return 0;
    }

    /** Decides the kind from the document's own fields, then parses it strictly as that kind. */
    static String describe(byte[] bytes, String name) {
        JsonNode tree = Json.tree(bytes, name);
        if (tree.has("imageLayoutVersion")) {
            OciLayout layout = OciLayout.parse(bytes);
            return "oci-layout file, version " + layout.imageLayoutVersion();
        }
        if (tree.has("ociVersionMin")) {
            Features f = Features.parse(bytes);
            return "runtime features, runtime-spec " + f.ociVersionMin() + " to " + f.ociVersionMax();
        }
        if (tree.has("ociVersion") && tree.has("status")) {
            State s = State.parse(bytes);
            return "runtime state of " + s.id() + ", " + s.status();
        }
        if (tree.has("ociVersion")) {
            Spec s = Spec.parse(bytes);
            return "runtime config, runtime-spec " + s.ociVersion() + ", runs "
                    + s.process().map(p -> String.join(" ", p.args())).orElse("nothing");
        }
        if (tree.has("schemaVersion")) {
            Parsed<Manifest> parsed = Parsed.manifest(bytes);
            if (parsed.model() instanceof ImageIndex index) {
                return "image index (" + parsed.mediaType() + "), " + parsed.digest() + ", "
                        + index.manifests().size() + " manifests";
            }
            ImageManifest manifest = (ImageManifest) parsed.model();
            return "image manifest (" + parsed.mediaType() + "), " + parsed.digest() + ", "
                    + manifest.layers().size() + " layers";
        }
        if (tree.has("rootfs") || tree.has("architecture")) {
            Parsed<ImageConfig> parsed = Parsed.imageConfig(bytes);
            ImageConfig config = parsed.model();
            return "image config, " + parsed.digest() + " (the image ID), " + config.platform() + ", "
                    + config.diffIds().size() + " layers";
        }
        if (tree.has("digest") && tree.has("mediaType")) {
            Descriptor d = Descriptor.parse(bytes);
            return "content descriptor of " + d.mediaType() + ", " + d.digest() + ", " + d.size() + " bytes";
        }
        return "not an OCI document ocikit knows (no schemaVersion, ociVersion, rootfs or imageLayoutVersion)";
    }
}
