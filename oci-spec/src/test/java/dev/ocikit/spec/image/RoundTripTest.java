package dev.ocikit.spec.image;

import static dev.ocikit.spec.image.Examples.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.testing.JsonAssert;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every example parses, says the same thing when written back, and keeps its unknown fields. */
class RoundTripTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"manifest.json", "artifact-manifest.json", "index.json", "docker-manifest.json",
            "docker-manifest-list.json", "layout-index.json"})
    void manifestsRoundTrip(String name) {
        byte[] in = bytes(name);
        Manifest m = Manifest.parse(in);
        JsonAssert.assertSemanticallyEqual(in, m);
        JsonAssert.assertSemanticallyEqual(in, m.toJson());
        // what we write reads back to an equal model
        assertThat(Manifest.parse(m.toJson())).isEqualTo(m);
        // and a builder copy changes nothing
        Manifest copy = m instanceof ImageManifest im ? im.toBuilder().build() : ((ImageIndex) m).toBuilder().build();
        assertThat(copy).isEqualTo(m);
        Parsed<Manifest> p = Parsed.manifest(in);
        assertThat(p.digest()).isEqualTo(Digest.sha256(in));
        assertThat(p.size()).isEqualTo(in.length);
        assertThat(p.bytes()).isEqualTo(in);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"config.json", "docker-config.json"})
    void configsRoundTrip(String name) {
        byte[] in = bytes(name);
        ImageConfig c = ImageConfig.parse(in);
        JsonAssert.assertSemanticallyEqual(in, c);
        assertThat(ImageConfig.parse(c.toJson())).isEqualTo(c);
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(Parsed.imageConfig(in).digest()).isEqualTo(Digest.sha256(in));
    }

    @Test
    void ociLayoutRoundTrips() {
        byte[] in = bytes("oci-layout");
        OciLayout layout = OciLayout.parse(in);
        assertThat(layout).isEqualTo(OciLayout.CURRENT);
        assertThat(layout.supported()).isTrue();
        JsonAssert.assertSemanticallyEqual(in, layout);
        assertThat(new String(OciLayout.CURRENT.toJson())).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        OciLayout future = OciLayout.parse(Examples.utf8("{\"imageLayoutVersion\":\"2.0.0\",\"extra\":1}"));
        assertThat(future.supported()).isFalse();
        assertThat(future.unknownFields()).containsKey("extra");
    }

    @Test
    void descriptorRoundTripsWithDataUrlsAnnotationsAndPlatform() {
        byte[] in = bytes("descriptor.json");
        Descriptor d = Descriptor.parse(in);
        JsonAssert.assertSemanticallyEqual(in, d);
        assertThat(d.urls()).hasSize(2);
        assertThat(d.annotations()).containsEntry(Annotations.TITLE, "small.json");
        assertThat(d.artifactType()).contains("application/vnd.example.thing.v1");
        assertThat(d.platform()).map(Platform::toString).contains("linux/riscv64");
        assertThat(d.decodedData()).hasValueSatisfying(b ->
                assertThat(new String(b)).isEqualTo("{\"example\":\"embedded content for ocikit\"}"));
        assertThat(d.unknownFields()).containsKey("x-descriptor-extra");
        assertThat(d.withoutData().data()).isEmpty();
        assertThat(d.withoutData().withData(d.decodedData().orElseThrow())).isEqualTo(d);
    }

    @Test
    void manifestFieldsAreRead() {
        ImageManifest m = ImageManifest.parse(bytes("manifest.json"));
        assertThat(m.schemaVersion()).isEqualTo(2);
        assertThat(m.mediaType()).contains(MediaTypes.OCI_MANIFEST);
        assertThat(m.docker()).isFalse();
        assertThat(m.config().mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(m.layers()).extracting(Descriptor::mediaType)
                .containsExactly(MediaTypes.OCI_LAYER_TAR_GZIP, MediaTypes.OCI_LAYER_TAR_ZSTD);
        assertThat(m.layers().get(1).size()).isEqualTo(88211L);
        assertThat(m.annotations()).containsKeys(Annotations.CREATED, Annotations.SOURCE, Annotations.BASE_NAME,
                Annotations.BASE_DIGEST);
        assertThat(m.subject()).isEmpty();
        assertThat(m.artifactType()).isEmpty();
        assertThat(m.effectiveArtifactType()).isEqualTo(MediaTypes.OCI_CONFIG);
    }

    @Test
    void unknownFieldsSurviveAtEveryLevel() {
        ImageManifest m = ImageManifest.parse(bytes("manifest.json"));
        assertThat(m.unknownFields()).containsKey("x-top-level");
        assertThat(m.config().unknownFields()).containsEntry("x-config-hint",
                com.fasterxml.jackson.databind.node.TextNode.valueOf("kept"));
        JsonNode deep = m.layers().get(1).unknownFields().get("x-layer-extra");
        assertThat(deep.get("nested").get(2).get("deep").asBoolean()).isTrue();

        ImageIndex index = ImageIndex.parse(bytes("index.json"));
        assertThat(index.unknownFields()).containsKey("x-index-extra");
        assertThat(index.manifests().get(1).platform().orElseThrow().unknownFields()).containsKey("x-platform-extra");

        ImageConfig c = ImageConfig.parse(bytes("config.json"));
        assertThat(c.unknownFields()).containsKey("x-top-extra");
        assertThat(c.config().unknownFields()).containsKey("x-config-extra");
        assertThat(c.rootfs().unknownFields()).containsKey("x-rootfs-extra");
        assertThat(c.history().get(2).unknownFields()).containsKey("x-history-extra");
        // and they are written back at the same places
        JsonNode written = dev.ocikit.spec.Json.tree(c.toJson(), "config");
        assertThat(written.at("/config/x-config-extra/a").asInt()).isEqualTo(1);
        assertThat(written.at("/rootfs/x-rootfs-extra").asInt()).isEqualTo(7);
        assertThat(written.at("/history/2/x-history-extra").asText()).isEqualTo("kept");
    }

    @Test
    void artifactManifestHasTypeEmptyConfigAndSubject() {
        Parsed<ImageManifest> p = Parsed.imageManifest(bytes("artifact-manifest.json"));
        ImageManifest m = p.model();
        assertThat(m.artifactType()).contains("application/vnd.example.sbom.v1+json");
        assertThat(m.config()).isEqualTo(Descriptor.EMPTY_JSON);
        assertThat(m.config().decodedData()).hasValueSatisfying(b -> assertThat(b).isEqualTo(new byte[] {'{', '}'}));
        assertThat(m.subject()).map(Descriptor::size).contains(1089L);
        assertThat(p.descriptor().artifactType()).contains("application/vnd.example.sbom.v1+json");
        assertThat(p.descriptor().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.effectiveArtifactType()).isEqualTo("application/vnd.example.sbom.v1+json");
    }

    @Test
    void indexPlatformsAreReadAndSelectable() {
        ImageIndex index = ImageIndex.parse(bytes("index.json"));
        assertThat(index.manifests()).hasSize(5);
        Platform windows = index.manifests().get(3).platform().orElseThrow();
        assertThat(windows.osVersion()).contains("10.0.20348.2340");
        assertThat(windows.osFeatures()).containsExactly("win32k");
        assertThat(index.manifestFor(Platform.parse("linux/arm64"))).map(Descriptor::size).contains(1202L);
        assertThat(index.manifestFor(Platform.parse("linux/amd64"))).map(Descriptor::size).contains(1201L);
        assertThat(index.manifestsFor(Platform.parse("linux/arm/v8"))).extracting(Descriptor::size)
                .containsExactly(1203L);
        assertThat(index.manifestFor(Platform.parse("linux/s390x"))).isEmpty();
    }

    @Test
    void dockerManifestAndListAreRecognised() {
        Parsed<Manifest> manifest = Parsed.manifest(bytes("docker-manifest.json"));
        assertThat(manifest.model()).isInstanceOf(ImageManifest.class);
        assertThat(manifest.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        ImageManifest m = (ImageManifest) manifest.model();
        assertThat(m.docker()).isTrue();
        Descriptor foreign = m.layers().get(2);
        assertThat(MediaTypes.isNondistributable(foreign.mediaType())).isTrue();
        assertThat(foreign.urls()).containsExactly("https://downloads.example.org/layers/base-1.tar.gz");

        Parsed<Manifest> list = Parsed.manifest(bytes("docker-manifest-list.json"));
        assertThat(list.model()).isInstanceOf(ImageIndex.class);
        assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        ImageIndex index = (ImageIndex) list.model();
        assertThat(index.docker()).isTrue();
        assertThat(index.manifests().get(1).platform().orElseThrow().features()).containsExactly("sse4");
        assertThat(index.manifestFor(Platform.parse("linux/arm/v7"))).map(Descriptor::size).contains(7690L);
    }

    @Test
    void referrersResponseIsAnIndexOfArtifactDescriptors() {
        String d1 = "sha256:" + "ab".repeat(32);
        String d2 = "sha256:" + "cd".repeat(32);
        byte[] in = Examples.utf8("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + d1
                + "\",\"size\":512,\"annotations\":{\"org.opencontainers.image.created\":\"2024-05-06T07:10:00Z\"},"
                + "\"artifactType\":\"application/vnd.example.sbom.v1+json\"},{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + d2 + "\",\"size\":600,"
                + "\"artifactType\":\"application/vnd.example.signature.v1\"}]}");
        Parsed<Manifest> p = Parsed.manifest(in, Optional.of("application/vnd.oci.image.index.v1+json"));
        ImageIndex referrers = p.as(ImageIndex.class).orElseThrow().model();
        assertThat(referrers.manifests()).extracting(d -> d.artifactType().orElseThrow())
                .containsExactly("application/vnd.example.sbom.v1+json", "application/vnd.example.signature.v1");
        JsonAssert.assertSemanticallyEqual(in, referrers);
    }

    @Test
    void layoutIndexListsTags() {
        Parsed<ImageIndex> p = Parsed.imageIndex(bytes("layout-index.json"));
        ImageIndex index = p.model();
        assertThat(index.mediaType()).isEmpty();
        assertThat(p.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(index.manifests()).extracting(d -> d.refName().orElse("-")).containsExactly("1.0", "latest", "-");
        assertThat(index.manifestsNamed("latest")).singleElement()
                .satisfies(d -> assertThat(d.annotations()).containsKey("io.containerd.image.name"));
        assertThat(index.manifestsNamed("nope")).isEmpty();
    }

    @Test
    void configFieldsAreRead() {
        ImageConfig c = ImageConfig.parse(bytes("config.json"));
        assertThat(c.created()).contains("2024-05-06T07:08:09.123456789Z");
        assertThat(c.createdInstant()).contains(Instant.parse("2024-05-06T07:08:09.123456789Z"));
        assertThat(c.author()).contains("Ocikit Tests <tests@example.org>");
        assertThat(c.platform().toString()).isEqualTo("linux/arm64/v8");
        assertThat(c.osVersion()).contains("6.1.0");
        assertThat(c.osFeatures()).containsExactly("feature-a");
        ContainerConfig cc = c.config();
        assertThat(cc.user()).contains("app:app");
        assertThat(cc.exposedPorts()).containsExactly("8080/tcp", "5353/udp");
        assertThat(cc.envMap()).containsEntry("APP_MODE", "production");
        assertThat(cc.envValue("PATH")).contains("/usr/local/bin:/usr/bin:/bin");
        assertThat(cc.entrypoint()).containsExactly("/usr/local/bin/app", "--config");
        assertThat(cc.cmd()).containsExactly("/etc/app/app.toml");
        assertThat(cc.volumes()).containsExactly("/var/lib/app", "/var/log/app");
        assertThat(cc.workingDir()).contains("/srv/app");
        assertThat(cc.labels()).containsEntry("com.example.team", "platform").containsEntry("com.example.flag", "");
        assertThat(cc.stopSignal()).contains("SIGINT");
        assertThat(cc.argsEscaped()).contains(false);
        Healthcheck h = cc.healthcheck().orElseThrow();
        assertThat(h.test()).containsExactly("CMD", "/usr/local/bin/app", "health");
        assertThat(h.intervalDuration()).contains(Duration.ofSeconds(30));
        assertThat(h.timeoutDuration()).contains(Duration.ofSeconds(5));
        assertThat(h.startPeriodDuration()).contains(Duration.ofSeconds(10));
        assertThat(h.startIntervalDuration()).contains(Duration.ofSeconds(1));
        assertThat(h.retries()).contains(3);
        assertThat(c.diffIds()).hasSize(2);
        assertThat(c.history()).hasSize(3);
        assertThat(c.history().get(1).madeNoLayer()).isTrue();
        assertThat(c.history().get(1).createdInstant()).contains(Instant.parse("2024-04-30T22:00:01Z"));
        assertThat(c.history().get(0).author()).contains("base builders");
        assertThat(c.history().get(0).comment()).contains("base system");
        // sets written as objects of empty objects (JsonAssert cannot see these: {} counts as absent)
        JsonNode written = dev.ocikit.spec.Json.tree(c.toJson(), "config");
        assertThat(written.at("/config/ExposedPorts").toString()).isEqualTo("{\"8080/tcp\":{},\"5353/udp\":{}}");
        assertThat(written.at("/config/Volumes").toString()).isEqualTo("{\"/var/lib/app\":{},\"/var/log/app\":{}}");
        assertThat(written.at("/config/ArgsEscaped").isBoolean()).isTrue();
    }

    @Test
    void dockerConfigKeepsItsExtraFields() {
        byte[] in = bytes("docker-config.json");
        ImageConfig c = ImageConfig.parse(in);
        assertThat(c.unknownFields()).containsKeys("container", "container_config", "docker_version");
        assertThat(c.config().unknownFields()).containsKeys("Hostname", "Domainname", "AttachStdin", "AttachStdout",
                "AttachStderr", "Tty", "OpenStdin", "StdinOnce", "Image", "OnBuild", "Shell", "StopTimeout");
        assertThat(c.config().user()).contains("");
        assertThat(c.config().healthcheck().orElseThrow().retries()).contains(5);
        assertThat(c.config().labels()).isEmpty();
        JsonNode written = dev.ocikit.spec.Json.tree(c.toJson(), "config");
        assertThat(written.at("/config/User").isTextual()).isTrue();
        assertThat(written.at("/config/Shell/1").asText()).isEqualTo("-c");
        assertThat(written.at("/container_config/Cmd/3").asText()).isEqualTo("CMD [\"kv-server\"]");
        assertThat(Parsed.imageConfig(in, MediaTypes.DOCKER_CONFIG).descriptor().mediaType())
                .isEqualTo(MediaTypes.DOCKER_CONFIG);
        // editing one thing keeps the rest
        ImageConfig edited = c.toBuilder().config(c.config().toBuilder().env("KV_VERSION", "7.2.5").build()).build();
        assertThat(edited.config().env()).containsExactly(
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "KV_VERSION=7.2.5");
        assertThat(edited.config().unknownFields()).isEqualTo(c.config().unknownFields());
        assertThat(edited.unknownFields()).isEqualTo(c.unknownFields());
    }

    @Test
    void emptyStringAnnotationsAndLabelsAreKept() {
        Descriptor d = Descriptor.of("application/vnd.example+json", new byte[] {1}).withAnnotation("flag", "");
        assertThat(Descriptor.parse(d.toJson()).annotations()).containsEntry("flag", "");
        ImageManifest m = ImageManifest.builder().config(Descriptor.EMPTY_JSON).annotation("empty", "").build();
        assertThat(ImageManifest.parse(m.toJson()).annotations()).containsEntry("empty", "");
    }

    @Test
    void builtDocumentsRoundTrip() {
        Descriptor layer = Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, Digest.sha256(new byte[] {7}), 1234);
        ImageConfig config = ImageConfig.builder()
                .created(Instant.parse("2024-01-02T03:04:05Z"))
                .author("someone")
                .platform(Platform.parse("linux/arm64/v8"))
                .config(ContainerConfig.builder()
                        .user("1000:1000")
                        .env("PATH", "/bin")
                        .env("A", "1")
                        .env("PATH", "/usr/bin:/bin")
                        .entrypoint("/app")
                        .cmd("--serve")
                        .exposePort("8080/tcp")
                        .addVolume("/data")
                        .workingDir("/")
                        .label("a", "b")
                        .stopSignal("SIGTERM")
                        .healthcheck(Healthcheck.of(List.of("CMD", "/app", "--ping"))
                                .withInterval(Duration.ofSeconds(15)).withRetries(2))
                        .build())
                .addLayer(Digest.sha256(new byte[] {8}), HistoryEntry.of(Instant.parse("2024-01-02T03:04:05Z"), "COPY app /app"))
                .addEmptyLayer(HistoryEntry.of(Instant.parse("2024-01-02T03:04:06Z"), "ENTRYPOINT [\"/app\"]"))
                .build();
        assertThat(config.created()).contains("2024-01-02T03:04:05Z");
        assertThat(config.config().env()).containsExactly("PATH=/usr/bin:/bin", "A=1");
        assertThat(config.history()).extracting(HistoryEntry::madeNoLayer).containsExactly(false, true);
        assertThat(config.diffIds()).hasSize(1);
        Parsed<ImageConfig> pc = Parsed.serialize(config);
        assertThat(ImageConfig.parse(pc.bytes())).isEqualTo(config);
        String json = new String(pc.bytes());
        assertThat(json).startsWith("{\"created\":\"2024-01-02T03:04:05Z\",\"author\":\"someone\",\"architecture\":\"arm64\","
                + "\"os\":\"linux\",\"variant\":\"v8\",\"config\":{\"User\":\"1000:1000\",\"ExposedPorts\":{\"8080/tcp\":{}},");
        assertThat(json).contains("\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:");

        ImageManifest manifest = ImageManifest.builder().config(pc.descriptor()).addLayer(layer)
                .annotation(Annotations.CREATED, "2024-01-02T03:04:05Z").build();
        Parsed<ImageManifest> pm = Parsed.serialize(manifest);
        assertThat(pm.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(new String(pm.bytes())).startsWith(
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{");
        assertThat(Parsed.imageManifest(pm.bytes())).isEqualTo(pm);

        ImageIndex index = ImageIndex.builder()
                .addManifest(pm.descriptor().withPlatform(config.platform()))
                .annotation(Annotations.REF_NAME, "v1").build();
        Parsed<ImageIndex> pi = Parsed.serialize(index);
        assertThat(ImageIndex.parse(pi.bytes())).isEqualTo(index);
        assertThat(index.manifestFor(Platform.parse("linux/arm64"))).contains(index.manifests().get(0));

        // an empty manifest list and layer list are still written, as the spec requires them
        assertThat(new String(ImageIndex.builder().build().toJson()))
                .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
        assertThat(new String(ImageManifest.builder().config(Descriptor.EMPTY_JSON).build().toJson()))
                .endsWith("\"layers\":[]}");
        assertThat(new String(ImageConfig.builder().architecture("amd64").os("linux").build().toJson()))
                .isEqualTo("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
    }

    @Test
    void dockerBuildersUseDockerMediaTypes() {
        ImageManifest m = ImageManifest.builder().docker()
                .config(Descriptor.of(MediaTypes.DOCKER_CONFIG, new byte[] {1}))
                .addLayer(Descriptor.of(MediaTypes.dockerLayer(Compression.GZIP), new byte[] {2}))
                .build();
        assertThat(Parsed.serialize(m).mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        ImageIndex i = ImageIndex.builder().docker().build();
        assertThat(i.mediaTypeOrDefault()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(m.withSubject(null).subject()).isEmpty();
        assertThat(m.withAnnotations(Map.of("a", "b")).annotations()).containsEntry("a", "b");
        assertThat(m.withLayers(List.of()).layers()).isEmpty();
        assertThat(m.withConfig(Descriptor.EMPTY_JSON).config()).isEqualTo(Descriptor.EMPTY_JSON);
        assertThat(m.toBuilder().mediaType(null).build().mediaType()).isEqualTo(Optional.empty());
    }
}
