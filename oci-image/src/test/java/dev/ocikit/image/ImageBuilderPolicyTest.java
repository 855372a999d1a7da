package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.image.policy.PolicyRejectedException;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.testing.MemoryTransport;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A base read through a transport is judged before anything but its manifest is read. */
class ImageBuilderPolicyTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64");

    private static TrustPolicy policy(String json) {
        return TrustPolicy.parse(json.getBytes(StandardCharsets.UTF_8), "test policy");
    }

    @Test
    void aRejectedBaseHasNothingButItsManifestRead() throws Exception {
        MemoryTransport mem = new MemoryTransport();
        mem.put("base", dev.ocikit.image.testing.TestImages.image(ManifestFormat.OCI, Compression.GZIP, 1, AMD64, "base"));
        assertThatThrownBy(() -> ImageBuilder.from(mem.ref("base"), AMD64, policy("{\"default\": [{\"type\": \"reject\"}]}")))
                .isInstanceOf(PolicyRejectedException.class);
        assertThat(mem.blobReads.get()).isZero();

        ImageBuilder accepted = ImageBuilder.from(mem.ref("base"), AMD64,
                policy("{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}"));
        assertThat(accepted).isNotNull();
        assertThat(mem.blobReads.get()).isEqualTo(1); // its config, once accepted
    }

    @Test
    void aBaseChosenOutOfAnIndexIsJudgedAsThatImage() throws Exception {
        MemoryTransport mem = new MemoryTransport();
        Platform arm64 = dev.ocikit.image.testing.TestImages.ARM64;
        dev.ocikit.image.testing.TestImages.Index index = dev.ocikit.image.testing.TestImages.index(ManifestFormat.OCI,
                Compression.GZIP, List.of(AMD64, arm64));
        mem.put("multi", index);
        dev.ocikit.spec.Digest arm = index.images().get(1).manifest().digest();
        // the transport has no signatures: a signedBy policy must refuse, naming the image chosen
        assertThatThrownBy(() -> ImageBuilder.from(mem.ref("multi"), arm64, policy("{\"default\": [{\"type\": \"signedBy\","
                + " \"keyType\": \"GPGKeys\", \"keyData\": \"" + java.util.Base64.getEncoder().encodeToString(
                dev.ocikit.image.policy.PolicyKeys.generate("k <k@example.com>").armoredPublic()) + "\"}]}")))
                .isInstanceOf(PolicyRejectedException.class)
                .hasMessageContaining("(image " + arm + ")");
        assertThat(mem.blobReads.get()).isZero();
    }
}
