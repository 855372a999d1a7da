package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.policy.PolicyTarget;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.ImageReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTargetOfTransportTest {
    /** A reference of a transport this module does not have, such as docker: from oci-registry. */
    record Fake(String name, String within, Optional<ImageReference> docker) implements TransportReference, Transport {
        @Override
        public Transport transport() {
            return this;
        }

        @Override
        public String withinTransport() {
            return within;
        }

        @Override
        public Optional<ImageReference> dockerReference() {
            return docker;
        }

        @Override
        public TransportReference parse(String reference) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImageSource openSource() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImageDestination openDestination() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void mapsEachTransportToItsPolicyScopes(@TempDir Path tmp) {
        assertThat(PolicyTarget.of(DirTransport.reference(tmp.resolve("img"))))
                .isEqualTo(PolicyTarget.dir(tmp.resolve("img")));
        assertThat(PolicyTarget.of(new OciTransport().parse(tmp + ":app:1")))
                .isEqualTo(PolicyTarget.oci(tmp, Optional.of("app:1")));
        ImageReference quay = ImageReference.parse("quay.io/team/app:1");
        assertThat(PolicyTarget.of(new Fake("docker", "//quay.io/team/app:1", Optional.of(quay))))
                .isEqualTo(PolicyTarget.docker(quay));
        assertThat(PolicyTarget.of(new Fake("oci-archive", tmp + "/a.tar:app", Optional.empty())))
                .isEqualTo(PolicyTarget.ociArchive(Path.of(tmp + "/a.tar"), Optional.of("app")));
        assertThat(PolicyTarget.of(new Fake("docker-archive", tmp + "/a.tar", Optional.of(quay))))
                .isEqualTo(PolicyTarget.dockerArchive(Optional.of(quay)));
        assertThat(PolicyTarget.of(new Fake("ocikit", "app:1", Optional.empty())))
                .isEqualTo(PolicyTarget.of("ocikit", "app:1", List.of(), Optional.empty()));
    }
}
