package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.SignaturesNotSupportedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code docker://} destination says it can store, and how it refuses the rest, per
 * registries.d (no registry is contacted: the checks come before any write).
 */
class DockerSignatureSupportTest {
    private static final SimpleSignature SIMPLE = new SimpleSignature("sig".getBytes(StandardCharsets.UTF_8));
    private static final SigstoreSignature SIGSTORE = new SigstoreSignature(SigstoreSignature.PAYLOAD_MEDIA_TYPE,
            "{}".getBytes(StandardCharsets.UTF_8), Map.of());

    @TempDir
    Path tmp;

    private ImageDestination destination(String yaml) throws Exception {
        RegistriesD config = RegistriesD.none();
        if (yaml != null) {
            Path dir = Files.createDirectories(tmp.resolve("d"));
            Files.writeString(dir.resolve("x.yaml"), yaml);
            config = RegistriesD.load(dir, ContainersEnvironment.of(Map.of("HOME", tmp.toString())));
        }
        RegistryClient client = RegistryClient.builder().registriesD(config).build();
        return new DockerTransport(client).parse("//reg.test/team/app:1").openDestination();
    }

    @Test
    void withoutRegistriesDNothingIsStored() throws Exception {
        try (ImageDestination d = destination(null)) {
            assertThat(d.supportsSignatures(ImageSignature.SIMPLE_SIGNING)).isFalse();
            assertThat(d.supportsSignatures(ImageSignature.SIGSTORE_JSON)).isFalse();
            assertThatThrownBy(() -> d.putSignatures(List.of(SIMPLE), Optional.empty()))
                    .isInstanceOf(SignaturesNotSupportedException.class).hasMessageContaining("no signature storage is configured");
            d.putSignatures(List.of(), Optional.empty()); // nothing to store is fine
        }
    }

    @Test
    void aFileLookasideTakesSimpleSignaturesOnly() throws Exception {
        try (ImageDestination d = destination("docker:\n  reg.test:\n    lookaside: file://" + tmp.resolve("sigs") + "\n")) {
            assertThat(d.supportsSignatures(ImageSignature.SIMPLE_SIGNING)).isTrue();
            assertThat(d.supportsSignatures(ImageSignature.SIGSTORE_JSON)).isFalse();
            d.putSignatures(List.of(SIMPLE), Optional.empty());
            assertThatThrownBy(() -> d.putSignatures(List.of(SIMPLE, SIGSTORE), Optional.empty()))
                    .isInstanceOf(SignaturesNotSupportedException.class)
                    .hasMessageStartingWith("writing sigstore attachments is disabled by configuration");
        }
        assertThat(tmp.resolve("sigs")).doesNotExist(); // kept for the commit, which never came
    }

    @Test
    void theBuiltInDefaultIsAFileLookaside() throws Exception {
        try (ImageDestination d = destination("docker: {}\n")) {
            assertThat(d.supportsSignatures(ImageSignature.SIMPLE_SIGNING)).isTrue();
        }
    }

    @Test
    void anHttpLookasideIsNotWrittenWithContainersImagesWording() throws Exception {
        try (ImageDestination d = destination("docker:\n  reg.test/team:\n    lookaside: https://sigs.example.com/team\n")) {
            assertThat(d.supportsSignatures(ImageSignature.SIMPLE_SIGNING)).isFalse();
            assertThatThrownBy(() -> d.putSignatures(List.of(SIMPLE), Optional.empty()))
                    .isInstanceOf(SignaturesNotSupportedException.class).hasMessage("Writing directly to a https lookaside "
                            + "https://sigs.example.com/team is not supported. Configure a lookaside-staging: location");
        }
        // with a staging location, it is written there
        try (ImageDestination d = destination("docker:\n  reg.test/team:\n    lookaside: https://sigs.example.com/team\n"
                + "    lookaside-staging: file://" + tmp.resolve("staging") + "\n")) {
            assertThat(d.supportsSignatures(ImageSignature.SIMPLE_SIGNING)).isTrue();
        }
    }

    @Test
    void sigstoreAttachmentsWhereTheScopeTurnsThemOn() throws Exception {
        try (ImageDestination d = destination("docker:\n  reg.test/team/app:\n    use-sigstore-attachments: true\n")) {
            assertThat(d.supportsSignatures(ImageSignature.SIGSTORE_JSON)).isTrue();
            d.putSignatures(List.of(SIGSTORE), Optional.empty());
        }
    }

    @Test
    void aBadStorageUrlFailsTheQuestionWithTheFileAndKey() throws Exception {
        try (ImageDestination d = destination("docker:\n  reg.test:\n    lookaside-staging: s3://bucket/sigs\n")) {
            assertThatThrownBy(() -> d.supportsSignatures(ImageSignature.SIMPLE_SIGNING))
                    .isInstanceOf(ContainersConfigException.class).hasMessageContaining("docker.reg.test.lookaside-staging")
                    .hasMessageContaining("scheme \"s3\"");
        }
    }
}
