package dev.ocikit.spec.image;

import static dev.ocikit.spec.image.Examples.bytes;
import static dev.ocikit.spec.image.Examples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.testing.JsonAssert;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParsedTest {
    static final String D1 = MalformedInputTest.D1;
    static final String CONFIG = MalformedInputTest.CONFIG;

    @Test
    void digestIsOfTheExactBytesWhateverTheirWhitespace() {
        // tabs, CRLF, spaces before colons, a BOM-free leading newline and field order unlike ours
        String odd = "\n\t{ \"layers\" :\t[ ]\r\n,\r\n  \"config\"  :  " + CONFIG + " ,\"schemaVersion\"\t:2 }\r\n\r\n";
        byte[] in = utf8(odd);
        Parsed<Manifest> p = Parsed.manifest(in);
        assertThat(p.digest()).isEqualTo(Digest.sha256(in));
        assertThat(p.digest()).isNotEqualTo(Digest.sha256(p.model().toJson()));
        assertThat(p.size()).isEqualTo(in.length);
        assertThat(p.bytes()).isEqualTo(in);
        assertThat(p.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(p.descriptor()).isEqualTo(Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(in), in.length));
        assertThat(p.digest(DigestAlgorithm.SHA512)).isEqualTo(Digest.compute(DigestAlgorithm.SHA512, in));
        JsonAssert.assertSemanticallyEqual(in, p.model());
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] in = bytes("manifest.json");
        Parsed<ImageManifest> p = Parsed.imageManifest(in);
        Digest before = p.digest();
        in[10] = 'X';
        byte[] out = p.bytes();
        out[0] = 'Y';
        assertThat(p.bytes()).isEqualTo(bytes("manifest.json"));
        assertThat(Digest.sha256(p.bytes())).isEqualTo(before);
    }

    @Test
    void verifyComparesWithTheExpectedAlgorithm() {
        byte[] in = bytes("index.json");
        Parsed<ImageIndex> p = Parsed.imageIndex(in);
        assertThat(p.verify(Digest.sha256(in))).isSameAs(p);
        assertThat(p.verify(Digest.compute(DigestAlgorithm.SHA512, in))).isSameAs(p);
        Digest other = Digest.parse(D1);
        assertThatThrownBy(() -> p.verify(other))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessage("content digest mismatch: expected " + other + " but the bytes hash to " + Digest.sha256(in));
    }

    @Test
    void narrowingToTheModelType() {
        Parsed<Manifest> p = Parsed.manifest(bytes("index.json"));
        assertThat(p.as(ImageIndex.class)).isPresent();
        assertThat(p.as(ImageManifest.class)).isEmpty();
        assertThat(p.as(ImageIndex.class).orElseThrow().model().manifests()).hasSize(5);
        assertThat(p.toString()).startsWith("Parsed[application/vnd.oci.image.index.v1+json sha256:");
    }

    @Test
    void serialisedModelsKeepTheBytesTheyWereWrittenAs() {
        ImageManifest m = ImageManifest.parse(bytes("manifest.json"));
        Parsed<ImageManifest> p = Parsed.serialize(m);
        assertThat(p.bytes()).isEqualTo(m.toJson());
        assertThat(p.digest()).isEqualTo(Digest.sha256(m.toJson()));
        assertThat(p.model()).isSameAs(m);
        assertThat(Parsed.serialize(ImageConfig.parse(bytes("config.json")), MediaTypes.DOCKER_CONFIG).mediaType())
                .isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThatThrownBy(() -> Parsed.serialize(ImageConfig.parse(bytes("config.json")), "not a type"))
                .isInstanceOf(dev.ocikit.spec.InvalidFieldException.class).hasMessageContaining("is not a media type");
    }

    /** How the media type of a document is decided, and which Content-Types are ignored. */
    @ParameterizedTest(name = "{0} with Content-Type [{1}]")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            manifest.json             | -                                                         | application/vnd.oci.image.manifest.v1+json
            manifest.json             | application/vnd.oci.image.manifest.v1+json               | application/vnd.oci.image.manifest.v1+json
            manifest.json             | Application/VND.OCI.Image.Manifest.v1+json; charset=utf-8 | application/vnd.oci.image.manifest.v1+json
            manifest.json             | application/json                                          | application/vnd.oci.image.manifest.v1+json
            manifest.json             | application/octet-stream                                  | application/vnd.oci.image.manifest.v1+json
            manifest.json             | text/plain; charset=utf-8                                 | application/vnd.oci.image.manifest.v1+json
            layout-index.json         | -                                                         | application/vnd.oci.image.index.v1+json
            layout-index.json         | application/vnd.oci.image.index.v1+json                  | application/vnd.oci.image.index.v1+json
            layout-index.json         | application/vnd.docker.distribution.manifest.list.v2+json | application/vnd.docker.distribution.manifest.list.v2+json
            docker-manifest.json      | application/vnd.docker.distribution.manifest.v2+json     | application/vnd.docker.distribution.manifest.v2+json
            docker-manifest-list.json | -                                                         | application/vnd.docker.distribution.manifest.list.v2+json
            """)
    void mediaTypeComesFromTheFieldThenTheContentTypeThenTheShape(String example, String contentType, String expected) {
        Parsed<Manifest> p = Parsed.manifest(bytes(example), Optional.ofNullable(contentType));
        assertThat(p.mediaType()).isEqualTo(expected);
        assertThat(p.descriptor().mediaType()).isEqualTo(expected);
    }

    @Test
    void manifestWithoutMediaTypeTakesItFromTheContentType() {
        byte[] in = utf8("{\"schemaVersion\":2,\"config\":" + CONFIG + ",\"layers\":[]}");
        Parsed<Manifest> p = Parsed.manifest(in, Optional.of(MediaTypes.DOCKER_MANIFEST));
        assertThat(p.model()).isInstanceOf(ImageManifest.class);
        assertThat(p.model().mediaType()).isEmpty();
        assertThat(p.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(Parsed.imageManifest(in).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void configsKeepTheirBytesToo() {
        byte[] in = bytes("docker-config.json");
        Parsed<ImageConfig> p = Parsed.imageConfig(in, MediaTypes.DOCKER_CONFIG);
        assertThat(p.digest()).isEqualTo(Digest.sha256(in));
        assertThat(p.descriptor()).isEqualTo(Descriptor.of(MediaTypes.DOCKER_CONFIG, in));
        assertThat(Parsed.imageConfig(in).mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(p).isEqualTo(Parsed.imageConfig(in, MediaTypes.DOCKER_CONFIG)).isNotEqualTo(Parsed.imageConfig(in));
        assertThat(p.hashCode()).isEqualTo(Parsed.imageConfig(in, MediaTypes.DOCKER_CONFIG).hashCode());
    }
}
