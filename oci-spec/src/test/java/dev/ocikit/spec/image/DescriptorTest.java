package dev.ocikit.spec.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.InvalidFieldException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DescriptorTest {

    @Test
    void emptyJsonDescriptorDescribesTheEmptyObject() {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        assertThat(Descriptor.EMPTY_JSON.digest()).isEqualTo(Digest.sha256(empty));
        assertThat(Descriptor.EMPTY_JSON.size()).isEqualTo(2L);
        assertThat(Descriptor.EMPTY_JSON.mediaType()).isEqualTo(MediaTypes.OCI_EMPTY);
        assertThat(Descriptor.EMPTY_JSON.data()).contains("e30=");
        assertThat(Descriptor.EMPTY_JSON.decodedData()).hasValueSatisfying(b -> assertThat(b).isEqualTo(empty));
        assertThat(new String(Descriptor.EMPTY_JSON.toJson(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":"
                        + "\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2,"
                        + "\"data\":\"e30=\"}");
        assertThat(Descriptor.of(MediaTypes.OCI_EMPTY, empty).withData(empty)).isEqualTo(Descriptor.EMPTY_JSON);
    }

    @Test
    void embeddingChecksTheContent() {
        Descriptor d = Descriptor.of("application/vnd.example+json", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(d.decodedData()).isEmpty();
        assertThatThrownBy(() -> d.withData("other".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void withersChangeOneThing() {
        Descriptor d = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(new byte[] {1}), 1)
                .withPlatform(Platform.parse("linux/amd64"))
                .withAnnotation(Annotations.REF_NAME, "v1")
                .withAnnotation("b", "2")
                .withArtifactType("application/vnd.example.sig")
                .withUrls(List.of("https://example.org/x"));
        assertThat(d.refName()).contains("v1");
        assertThat(d.annotations()).containsOnlyKeys(Annotations.REF_NAME, "b");
        assertThat(d.platform()).contains(Platform.parse("linux/amd64"));
        assertThat(d.withPlatform(null).platform()).isEmpty();
        assertThat(d.withArtifactType(null).artifactType()).isEmpty();
        assertThat(d.withMediaType(MediaTypes.DOCKER_MANIFEST).mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(Descriptor.parse(d.toJson())).isEqualTo(d);
        assertThat(new String(d.toJson(), StandardCharsets.UTF_8)).startsWith("{\"mediaType\":").endsWith(
                "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"artifactType\":\"application/vnd.example.sig\"}");
    }

    @Test
    void constructorChecksFieldsForHandBuiltDescriptors() {
        Digest digest = Digest.sha256(new byte[0]);
        assertThatThrownBy(() -> Descriptor.of("bad type", digest, 0))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("mediaType: 'bad type' is not a media type");
        assertThatThrownBy(() -> Descriptor.of(MediaTypes.OCI_EMPTY, digest, -5))
                .isInstanceOf(InvalidFieldException.class).hasMessage("size: must not be negative, got -5");
        assertThatThrownBy(() -> new Descriptor(MediaTypes.OCI_EMPTY, null, 1L, List.of(), Map.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of()))
                .isInstanceOf(InvalidFieldException.class).hasMessage("digest: required field is missing");
        assertThatThrownBy(() -> Descriptor.of(MediaTypes.OCI_EMPTY, digest, 0).withArtifactType("x y/z"))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("artifactType: 'x y/z' is not a media type");
        assertThatThrownBy(() -> Descriptor.of(MediaTypes.OCI_EMPTY, digest, 0).withAnnotations(
                java.util.Collections.singletonMap("k", null)))
                .isInstanceOf(InvalidFieldException.class).hasMessage("annotations/k: null is not allowed here");
    }

    @Test
    void configBuilderChecksWhatItIsGiven() {
        assertThatThrownBy(() -> ImageConfig.builder().created("last tuesday"))
                .isInstanceOf(InvalidFieldException.class).hasMessage("created: 'last tuesday' is not an RFC 3339 date-time");
        assertThatThrownBy(() -> ImageConfig.builder().os("linux").build())
                .isInstanceOf(InvalidFieldException.class).hasMessage("architecture: required field is missing");
        assertThat(ImageConfig.builder().created("2024-01-02T03:04:05.5+01:00").architecture("amd64").os("linux").build()
                .createdInstant()).contains(java.time.Instant.parse("2024-01-02T02:04:05.5Z"));
        assertThat(RootFs.of(List.of())).isEqualTo(new RootFs("layers", List.of(), Map.of()));
        assertThatThrownBy(() -> Healthcheck.none().withInterval(java.time.Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidFieldException.class).hasMessage("Interval: must not be negative, got -1000000000");
    }

    @Test
    void modelsRefuseAmbiguityWhenBuiltByHandToo() {
        com.fasterxml.jackson.databind.JsonNode emptyArray =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        assertThatThrownBy(() -> ImageManifest.builder().config(Descriptor.EMPTY_JSON)
                .unknownFields(Map.of("manifests", emptyArray)).build())
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("CVE-2021-41190");
        assertThatThrownBy(() -> ImageIndex.builder().unknownFields(Map.of("layers", emptyArray)).build())
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("CVE-2021-41190");
        assertThatThrownBy(() -> ImageManifest.builder().config(Descriptor.EMPTY_JSON).mediaType(MediaTypes.OCI_INDEX).build())
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("is an image index type");
        assertThatThrownBy(() -> ImageIndex.builder().mediaType(MediaTypes.DOCKER_MANIFEST).build())
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("is an image manifest type");
        assertThatThrownBy(() -> ImageIndex.builder().mediaType(MediaTypes.DOCKER_SCHEMA1_MANIFEST).build())
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("Re-push the image");
        assertThatThrownBy(() -> ImageManifest.builder().build())
                .isInstanceOf(InvalidFieldException.class).hasMessage("config: required field is missing");
        assertThatThrownBy(() -> ImageManifest.builder().config(Descriptor.EMPTY_JSON).mediaType("application/json").build())
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("is not an image manifest type");
    }
}
