package dev.ocikit.spec.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MediaTypesTest {

    /** type | manifest | index | layer | compression | non-distributable. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            application/vnd.oci.image.manifest.v1+json                        | true  | false | false | -    | false
            application/vnd.docker.distribution.manifest.v2+json              | true  | false | false | -    | false
            application/vnd.oci.image.index.v1+json                           | false | true  | false | -    | false
            application/vnd.docker.distribution.manifest.list.v2+json         | false | true  | false | -    | false
            application/vnd.docker.distribution.manifest.v1+prettyjws         | false | false | false | -    | false
            application/vnd.oci.image.config.v1+json                          | false | false | false | -    | false
            application/vnd.oci.image.layer.v1.tar                            | false | false | true  | NONE | false
            application/vnd.oci.image.layer.v1.tar+gzip                       | false | false | true  | GZIP | false
            application/vnd.oci.image.layer.v1.tar+zstd                       | false | false | true  | ZSTD | false
            application/vnd.oci.image.layer.nondistributable.v1.tar           | false | false | true  | NONE | true
            application/vnd.oci.image.layer.nondistributable.v1.tar+gzip      | false | false | true  | GZIP | true
            application/vnd.oci.image.layer.nondistributable.v1.tar+zstd      | false | false | true  | ZSTD | true
            application/vnd.docker.image.rootfs.diff.tar                      | false | false | true  | NONE | false
            application/vnd.docker.image.rootfs.diff.tar.gzip                 | false | false | true  | GZIP | false
            application/vnd.docker.image.rootfs.diff.tar.zstd                 | false | false | true  | ZSTD | false
            application/vnd.docker.image.rootfs.foreign.diff.tar.gzip         | false | false | true  | GZIP | true
            APPLICATION/VND.OCI.IMAGE.LAYER.V1.TAR+GZIP; foo=bar              | false | false | true  | GZIP | false
            application/vnd.oci.empty.v1+json                                 | false | false | false | -    | false
            application/vnd.example.sbom.v1+json                              | false | false | false | -    | false
            """)
    void classifies(String type, boolean manifest, boolean index, boolean layer, String compression,
            boolean nondistributable) {
        assertThat(MediaTypes.isManifest(type)).isEqualTo(manifest);
        assertThat(MediaTypes.isIndex(type)).isEqualTo(index);
        assertThat(MediaTypes.isLayer(type)).isEqualTo(layer);
        assertThat(MediaTypes.layerCompression(type))
                .isEqualTo(compression.equals("-") ? Optional.empty() : Optional.of(Compression.valueOf(compression)));
        assertThat(MediaTypes.isNondistributable(type)).isEqualTo(nondistributable);
    }

    @Test
    void otherQuestions() {
        assertThat(MediaTypes.isSchema1(MediaTypes.DOCKER_SCHEMA1_MANIFEST)).isTrue();
        assertThat(MediaTypes.isSchema1(MediaTypes.DOCKER_MANIFEST)).isFalse();
        assertThat(MediaTypes.isConfig(MediaTypes.DOCKER_CONFIG)).isTrue();
        assertThat(MediaTypes.isConfig(MediaTypes.OCI_CONFIG)).isTrue();
        assertThat(MediaTypes.isConfig(MediaTypes.DOCKER_PLUGIN_CONFIG)).isFalse();
        assertThat(MediaTypes.isDocker(MediaTypes.DOCKER_FOREIGN_LAYER_TAR)).isTrue();
        assertThat(MediaTypes.isDocker(MediaTypes.OCI_LAYOUT_HEADER)).isFalse();
        assertThat(MediaTypes.isManifest(null)).isFalse();
        assertThat(MediaTypes.layerCompression(null)).isEmpty();
        assertThat(MediaTypes.essence("  application/json ; charset=UTF-8")).isEqualTo("application/json");
        for (Compression c : Compression.values()) {
            assertThat(MediaTypes.layerCompression(MediaTypes.ociLayer(c))).contains(c);
            assertThat(MediaTypes.layerCompression(MediaTypes.dockerLayer(c))).contains(c);
        }
    }

    @ParameterizedTest(name = "[{0}] valid: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            application/vnd.oci.image.manifest.v1+json | true
            text/plain                                 | true
            application/x-tar                          | true
            application                                | false
            application/                               | false
            /json                                      | false
            application/vnd oci                        | false
            application/json; charset=utf-8            | false
            a/b/c                                      | false
            -app/json                                  | false
            """)
    void checksRfc6838Shape(String type, boolean valid) {
        assertThat(MediaTypes.isValid(type)).isEqualTo(valid);
    }
}
