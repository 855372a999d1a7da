package dev.ocikit.image.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.ImageReference;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DockerArchiveTransportTest {
    private final Transports transports = Transports.load();

    private DockerArchiveReference parse(String s) {
        return (DockerArchiveReference) transports.parse(s);
    }

    @Test
    void bothArchiveTransportsAreFoundOnTheClassPath() {
        assertThat(transports.names()).contains("docker-archive", "oci-archive");
    }

    @Test
    void aPathAloneNamesTheOnlyImage() {
        DockerArchiveReference r = parse("docker-archive:/tmp/a.tar");
        assertThat(r.path()).isEqualTo(Path.of("/tmp/a.tar"));
        assertThat(r.tag()).isEmpty();
        assertThat(r.index()).isEmpty();
        assertThat(TransportReference.format(r)).isEqualTo("docker-archive:/tmp/a.tar");
    }

    @Test
    void aReferenceIsNormalisedAndTaggedLatestAsSkopeoDoes() {
        DockerArchiveReference r = parse("docker-archive:rel/a.tar:busybox");
        assertThat(r.path()).isEqualTo(Path.of("rel/a.tar"));
        assertThat(r.tag()).contains(ImageReference.parse("docker.io/library/busybox:latest"));
        assertThat(r.dockerReference()).isEqualTo(r.tag());
        assertThat(r.withinTransport()).isEqualTo("rel/a.tar:docker.io/library/busybox:latest");
        assertThat(parse("docker-archive:" + r.withinTransport())).isEqualTo(r);
    }

    @Test
    void aReferenceWithAPortKeepsItsColons() {
        DockerArchiveReference r = parse("docker-archive:/a.tar:localhost:5000/app:1.0");
        assertThat(r.tag()).contains(ImageReference.parse("localhost:5000/app:1.0"));
    }

    @Test
    void anIndexPicksAnImageByPlace() {
        DockerArchiveReference r = parse("docker-archive:/a.tar:@2");
        assertThat(r.index()).isEqualTo(OptionalInt.of(2));
        assertThat(r.withinTransport()).isEqualTo("/a.tar:@2");
        assertThat(DockerArchiveTransport.reference(Path.of("/a.tar"), 2)).isEqualTo(r);
    }

    @Test
    void badReferencesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> parse("docker-archive:")).isInstanceOf(InvalidTransportReferenceException.class)
                .hasMessageContaining("PATH");
        assertThatThrownBy(() -> parse("docker-archive::busybox")).isInstanceOf(InvalidTransportReferenceException.class)
                .hasMessageContaining("path is empty");
        assertThatThrownBy(() -> parse("docker-archive:/a.tar:@x")).isInstanceOf(InvalidTransportReferenceException.class)
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> parse("docker-archive:/a.tar:@-1")).isInstanceOf(InvalidTransportReferenceException.class)
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> parse("docker-archive:/a.tar:busybox@sha256:" + "a".repeat(64)))
                .isInstanceOf(InvalidTransportReferenceException.class)
                .hasMessageContaining("does not support digest references");
        assertThatThrownBy(() -> parse("docker-archive:/a.tar:Not Valid")).isInstanceOf(InvalidTransportReferenceException.class);
    }

    @Test
    void referencesAreValues() {
        assertThat(parse("docker-archive:/a.tar:busybox")).isEqualTo(
                DockerArchiveTransport.reference(Path.of("/a.tar"), Optional.of(ImageReference.parse("busybox"))));
        assertThat(parse("docker-archive:/a.tar")).isNotEqualTo(parse("docker-archive:/b.tar"));
    }

    @Test
    void anIndexCannotBeWrittenTo() {
        assertThatThrownBy(() -> parse("docker-archive:/tmp/x.tar:@0").openDestination())
                .isInstanceOf(InvalidTransportReferenceException.class)
                .hasMessageContaining("@INDEX picks an image to read");
    }

    @Test
    void ociArchiveReferencesSplitAtTheFirstColon() {
        TransportReference r = transports.parse("oci-archive:/tmp/a.tar:app:1.0");
        assertThat(r).isInstanceOf(OciArchiveReference.class);
        assertThat(((OciArchiveReference) r).archive()).isEqualTo(Path.of("/tmp/a.tar"));
        assertThat(((OciArchiveReference) r).image()).contains("app:1.0");
        assertThat(r.withinTransport()).isEqualTo("/tmp/a.tar:app:1.0");
        assertThat(transports.parse("oci-archive:/tmp/a.tar").withinTransport()).isEqualTo("/tmp/a.tar");
        assertThatThrownBy(() -> transports.parse("oci-archive::x")).isInstanceOf(InvalidTransportReferenceException.class);
    }
}
