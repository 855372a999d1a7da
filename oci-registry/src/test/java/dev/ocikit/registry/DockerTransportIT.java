package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.OciTransport;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.registry.testing.TestImage;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker: transport through the copy engine: registry to OCI layout and back, digests kept. */
class DockerTransportIT {

    @Test
    void isFoundOnTheClassPathAndParsesAsSkopeoDoes() {
        Transports transports = Transports.load();
        assertThat(transports.get("docker")).containsInstanceOf(DockerTransport.class);
        TransportReference ref = transports.parse("docker://busybox");
        assertThat(ref.withinTransport()).isEqualTo("//docker.io/library/busybox:latest");
        assertThat(TransportReference.format(transports.parse("docker://127.0.0.1:5000/a/b:v1")))
                .isEqualTo("docker://127.0.0.1:5000/a/b:v1");
        assertThatThrownBy(() -> transports.parse("docker:busybox")).isInstanceOf(InvalidTransportReferenceException.class);
    }

    @Test
    void registryToLayoutToRegistryKeepsDigests(@TempDir Path tmp) throws Exception {
        try (TestRegistry r = TestRegistry.plain()) {
            RegistryClient client = RegistryClient.builder().plainHttp(r.host()).build();
            DockerTransport docker = new DockerTransport(client);
            TestImage image = TestImage.of("transport");
            Digest pushed = image.push(client.repository(r.host(), "tr/src"), "v1");

            Path layout = tmp.resolve("layout");
            CopyResult pulled = Copy.from(docker.parse("//" + r.host() + "/tr/src:v1"))
                    .to(OciTransport.reference(layout, Optional.of("v1"))).run();
            assertThat(pulled.manifestDigest()).isEqualTo(pushed);

            CopyResult back = Copy.from(OciTransport.reference(layout, Optional.of("v1")))
                    .to(docker.parse("//" + r.host() + "/tr/dst:v2")).run();
            assertThat(back.manifestDigest()).isEqualTo(pushed);
            RegistryRepository dst = client.repository(r.host(), "tr/dst");
            assertThat(dst.manifest("v2").digest()).isEqualTo(pushed);
            try (InputStream in = dst.openBlob(image.layerDigest(), image.layer().length)) {
                assertThat(in.readAllBytes()).isEqualTo(image.layer());
            }
        }
    }

    @Test
    void streamedBlobWithTheWrongDigestIsNotStored() throws Exception {
        try (TestRegistry r = TestRegistry.plain()) {
            RegistryClient client = RegistryClient.builder().plainHttp(r.host()).build();
            RegistryRepository repo = client.repository(r.host(), "tr/bad");
            byte[] content = "some content".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Digest claimed = Digest.sha256("other content".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThatThrownBy(() -> repo.pushBlob(new ByteArrayInputStream(content), Optional.of(claimed), content.length))
                    .isInstanceOf(DigestMismatchException.class);
            assertThat(repo.blobSize(claimed)).isEmpty();
            assertThat(repo.blobSize(Digest.sha256(content))).isEmpty();
            // and the right one is stored, with its digest computed when not given
            assertThat(repo.pushBlob(new ByteArrayInputStream(content), Optional.empty(), -1).digest())
                    .isEqualTo(Digest.sha256(content));
            assertThat(repo.blobSize(Digest.sha256(content))).hasValue(content.length);
        }
    }

    @Test
    void aCopyBetweenRepositoriesOfOneRegistryMountsBlobsInsteadOfUploadingThem() throws Exception {
        try (TestRegistry r = TestRegistry.plain();
                dev.ocikit.registry.testing.FaultProxy proxy = dev.ocikit.registry.testing.FaultProxy.start(r)) {
            RegistryClient client = RegistryClient.builder().plainHttp(proxy.host()).build();
            DockerTransport docker = new DockerTransport(client);
            TestImage image = TestImage.of("mounted");
            Digest pushed = image.push(client.repository(proxy.host(), "team-a/app"), "v1");
            proxy.clearRules();
            int before = proxy.requests().size();

            // each end with its own client, as the CLI and Copy.from(String).to(String) make them
            DockerTransport other = new DockerTransport(RegistryClient.builder().plainHttp(proxy.host()).build());
            CopyResult copied = Copy.from(docker.parse("//" + proxy.host() + "/team-a/app:v1"))
                    .to(other.parse("//" + proxy.host() + "/team-b/app:v1")).run();
            assertThat(copied.manifestDigest()).isEqualTo(pushed);
            var requests = proxy.requests().subList(before, proxy.requests().size());
            assertThat(requests).filteredOn(q -> q.method().equals("POST"))
                    .isNotEmpty().allMatch(q -> q.path().contains("?mount=") && q.path().contains("from=team-a%2Fapp"));
            assertThat(requests).noneMatch(q -> q.method().equals("PATCH"));
            assertThat(requests).filteredOn(q -> q.method().equals("GET") && q.path().contains("/blobs/"))
                    .as("the layer's bytes are not read from the source either (the config is, for its DiffIDs)")
                    .noneMatch(q -> q.path().endsWith(image.layerDigest().toString()));
            RegistryRepository dst = client.repository(proxy.host(), "team-b/app");
            try (InputStream in = dst.openBlob(image.layerDigest(), image.layer().length)) {
                assertThat(in.readAllBytes()).isEqualTo(image.layer());
            }

            // a second copy finds everything there already: no mount, no upload
            int second = proxy.requests().size();
            Copy.from(docker.parse("//" + proxy.host() + "/team-a/app:v1")).to(docker.parse("//" + proxy.host() + "/team-b/app:v2")).run();
            assertThat(proxy.requests().subList(second, proxy.requests().size())).noneMatch(q -> q.method().equals("POST"));
        }
    }
}
