package dev.ocikit.examples.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.ocikit.image.SourceImage;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code skopeo inspect}: what an image is, without unpacking it. */
@Command(name = "inspect", description = "Show an image's digest, platform, layers and config, as skopeo inspect does.",
        footer = {"", "Examples:", "  ocikit inspect docker://docker.io/library/busybox:latest", "  ocikit inspect --raw oci:/srv/mirror:fedora-40", "  ocikit inspect --config ocikit:localhost/app:1"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Ocikit parent;

    @Option(names = "--raw", description = "print the manifest (or with --config, the config) exactly as stored")
    boolean raw;

    @Option(names = "--config", description = "show the image config instead")
    boolean config;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "image to choose from an index (default: this machine's)")
    String platform;

    @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
            description = "print through a Go template, as skopeo: e.g. '{{.Digest}}', '{{index .Labels \"version\"}}',"
                    + " '{{range .Layers}}{{.}} {{end}}'")
    String format;

    /** The fields of skopeo's summary, which a template may name even when they are empty. */
    private static final java.util.Set<String> SUMMARY_FIELDS = java.util.Set.of("Name", "Digest", "RepoTags", "Created",
            "DockerVersion", "Labels", "Architecture", "Variant", "Os", "Layers", "LayersData", "Env");

    /** The Go field names of the image config, which skopeo's templates use instead of the JSON names. */
    private static final Map<String, String> CONFIG_FIELDS = Map.ofEntries(Map.entry("architecture", "Architecture"),
            Map.entry("os", "OS"), Map.entry("os.version", "OSVersion"), Map.entry("os.features", "OSFeatures"),
            Map.entry("variant", "Variant"), Map.entry("created", "Created"), Map.entry("author", "Author"),
            Map.entry("config", "Config"), Map.entry("rootfs", "RootFS"), Map.entry("history", "History"),
            Map.entry("type", "Type"), Map.entry("diff_ids", "DiffIDs"), Map.entry("created_by", "CreatedBy"),
            Map.entry("comment", "Comment"), Map.entry("empty_layer", "EmptyLayer"));

    @Parameters(paramLabel = "IMAGE|CONTAINER", description = "e.g. docker://quay.io/fedora/fedora:40, oci:/srv/layout:app, ocikit:busybox, or a container's id or name")
    String image;

    @picocli.CommandLine.Mixin
    RegistryOptions registry = new RegistryOptions();

    /** The summary skopeo prints, field for field. */
    @JsonPropertyOrder({"Name", "Digest", "RepoTags", "Created", "DockerVersion", "Labels", "Architecture", "Variant",
            "Os", "Layers", "LayersData", "Env", "Signatures"})
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record Summary(@JsonProperty("Name") Optional<String> name, @JsonProperty("Digest") String digest,
                   @JsonProperty("RepoTags") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> repoTags,
                   @JsonProperty("Created") Optional<String> created,
                   @JsonProperty("DockerVersion") @JsonInclude(JsonInclude.Include.ALWAYS) String dockerVersion,
                   @JsonProperty("Labels") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, String> labels,
                   @JsonProperty("Architecture") String architecture, @JsonProperty("Variant") Optional<String> variant,
                   @JsonProperty("Os") String os, @JsonProperty("Layers") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> layers,
                   @JsonProperty("LayersData") @JsonInclude(JsonInclude.Include.ALWAYS) List<LayerData> layersData,
                   @JsonProperty("Env") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> env,
                   // not in skopeo's output: only shown when the image has signatures, listed unverified
                   @JsonProperty("Signatures") Optional<List<SignatureData>> signatures) {}

    /** One signature found with the image, as stored; nothing in it has been verified. */
    @JsonPropertyOrder({"Format", "MIMEType", "Size"})
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record SignatureData(@JsonProperty("Format") String format, @JsonProperty("MIMEType") Optional<String> mimeType,
                         @JsonProperty("Size") long size) {
        static SignatureData of(dev.ocikit.image.signature.ImageSignature s) {
            return s instanceof dev.ocikit.image.signature.SigstoreSignature sigstore
                    ? new SignatureData(s.format(), Optional.of(sigstore.mimeType()), sigstore.payload().length)
                    : new SignatureData(s.format(), Optional.empty(), s.blob().length);
        }
    }

    @JsonPropertyOrder({"MIMEType", "Digest", "Size", "Annotations"})
    record LayerData(@JsonProperty("MIMEType") String mimeType, @JsonProperty("Digest") String digest,
                     @JsonProperty("Size") long size,
                     @JsonProperty("Annotations") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, String> annotations) {}

    /**
     * The signatures found, for the summary; skopeo's inspect shows none, so storage that cannot be
     * read (an unreachable lookaside, a format ocikit does not know) is a warning, not a failed inspect.
     */
    private Optional<List<SignatureData>> listedSignatures(dev.ocikit.image.spi.ImageSource src) {
        try {
            return Optional.of(src.signatures(Optional.empty()).stream().map(SignatureData::of).toList()).filter(l -> !l.isEmpty());
        } catch (java.io.IOException | dev.ocikit.spec.OciException e) {
            spec.commandLine().getErr().println("Warning: the image's signatures cannot be read: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return Optional.empty();
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!Sources.hasTransport(image)) {
            // As podman inspect: a container's id or name shows the container.
            dev.ocikit.runtime.OciRuntime runtime = ContainerCommands.runtime(parent);
            Optional<dev.ocikit.runtime.ContainerInfo> container = ContainerCommands.findContainer(runtime, image);
            if (container.isPresent()) {
                out.println(new String(Json.writePretty(Json.tree(Json.write(
                        List.of(ContainerCommands.inspectJson(runtime, container.get()))), "container")),
                        StandardCharsets.UTF_8));
                return 0;
            }
        }
        Platform wanted = parent.platform(platform);
        TransportReference ref = Sources.parse(image, parent.root(), parent.registriesD(), registry.tlsVerify, registry.creds,
                registry.authfile);
        GoTemplate template = null;
        if (format != null) {
            if (raw) {
                throw new IllegalArgumentException("raw output does not support format option");
            }
            template = GoTemplate.parse(format, config ? java.util.Set.of("Created", "Author", "Architecture", "Variant",
                    "OS", "OSVersion", "OSFeatures", "Config", "RootFS", "History") : SUMMARY_FIELDS);
        }
        try (ImageSource src = ref.openSource()) {
            if (raw && !config) {
                ManifestBlob top = src.manifest(Optional.empty());
                out.print(new String(top.bytes(), StandardCharsets.UTF_8));
                out.flush();
                return 0;
            }
            SourceImage img = SourceImage.read(src, wanted);
            if (config) {
                byte[] bytes = img.config().bytes();
                if (raw) {
                    // The blob exactly as stored, as skopeo prints it: piped to sha256sum it gives the config's digest.
                    out.print(new String(bytes, StandardCharsets.UTF_8));
                    out.flush();
                } else if (template != null) {
                    out.print(template.render(goNames(Json.tree(bytes, "image config"), false)));
                    out.flush();
                } else {
                    out.println(new String(Json.writePretty(Json.tree(bytes, "image config")), StandardCharsets.UTF_8));
                }
                return 0;
            }
            ImageConfig c = img.config().model();
            List<Descriptor> layers = img.manifest().model().layers();
            Summary summary = new Summary(
                    ref.dockerReference().map(r -> r.withoutTagOrDigest().toString()),
                    img.namedDigest().toString(), // skopeo reports the index's digest, not the chosen image's
                    repoTags(ref),
                    c.created(),
                    "",
                    c.config().labels().isEmpty() ? null : c.config().labels(),
                    c.architecture(), c.variant(), c.os(),
                    layers.stream().map(d -> d.digest().toString()).toList(),
                    layers.stream().map(d -> new LayerData(d.mediaType(), d.digest().toString(), d.size(),
                            d.annotations().isEmpty() ? null : d.annotations())).toList(),
                    c.config().env().isEmpty() ? null : c.config().env(),
                    listedSignatures(src));
            if (template != null) {
                out.print(template.render(Json.tree(Json.write(summary), "summary")));
                out.flush();
            } else {
                out.println(new String(Json.writePretty(summary), StandardCharsets.UTF_8));
            }
        }
        return 0;
    }

    /** As skopeo: a registry image's repository's tags; none for the other transports. */
    private List<String> repoTags(TransportReference ref) throws java.io.IOException {
        if (!ref.transport().name().equals(dev.ocikit.registry.DockerTransport.NAME) || ref.dockerReference().isEmpty()) {
            return List.of();
        }
        dev.ocikit.spec.ImageReference image = ref.dockerReference().get();
        return registry.client(image.domain()).repository(image).tags();
    }

    /** The config with its keys renamed to the Go names of its struct fields; map keys (labels, ports) kept. */
    private static com.fasterxml.jackson.databind.JsonNode goNames(com.fasterxml.jackson.databind.JsonNode n, boolean map) {
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            n.forEach(item -> out.add(goNames(item, false)));
            return out;
        }
        if (!n.isObject()) {
            return n;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        n.fields().forEachRemaining(e -> {
            String key = map ? e.getKey() : CONFIG_FIELDS.getOrDefault(e.getKey(), e.getKey());
            boolean inner = !map && Set.of("Labels", "ExposedPorts", "Volumes").contains(key);
            out.set(key, map ? e.getValue() : goNames(e.getValue(), inner));
        });
        return out;
    }
}
