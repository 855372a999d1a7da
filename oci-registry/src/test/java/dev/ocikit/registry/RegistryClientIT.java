package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.registry.testing.TestImage;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.registry.testing.TestRegistryExtension;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client against a real docker-registry: plain http here; the auth variants have their own tests below. */
class RegistryClientIT {
    @RegisterExtension
    static final TestRegistryExtension REGISTRY = TestRegistryExtension.plain();
    static TestRegistry plain;
    static RegistryClient client;

    @BeforeAll
    static void start() {
        plain = REGISTRY.registry();
        // insecure, not plainHttp: exercises the https probe falling back to http, as --tls-verify=false
        client = RegistryClient.builder().insecure(plain.host()).build();
    }

    static void assertRoundTrip(RegistryRepository repo, TestImage image, String tag) throws IOException {
        Digest pushed = image.push(repo, tag);
        assertThat(pushed).isEqualTo(image.manifest().digest());
        ManifestBlob byTag = repo.manifest(tag);
        assertThat(byTag.digest()).isEqualTo(pushed);
        assertThat(byTag.bytes()).isEqualTo(image.manifestBytes());
        assertThat(byTag.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(repo.manifest(pushed.toString()).digest()).isEqualTo(pushed);
        Optional<Descriptor> head = repo.manifestDescriptor(tag);
        assertThat(head).isPresent();
        assertThat(head.get().digest()).isEqualTo(pushed);
        assertThat(head.get().size()).isEqualTo(image.manifestBytes().length);
        try (InputStream in = repo.openBlob(image.layerDigest(), image.layer().length)) {
            assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(image.layerDigest());
        }
        assertThat(repo.blobSize(image.configDigest())).hasValue(image.config().length);
    }

    @Test
    void pushThenPullOverPlainHttp() throws IOException {
        RegistryRepository repo = client.repository(plain.host(), "it/plain");
        assertRoundTrip(repo, TestImage.of("plain"), "v1");
        client.ping(plain.host());
    }

    @Test
    void secondPushOfABlobIsSkipped() throws IOException {
        RegistryRepository repo = client.repository(plain.host(), "it/skip");
        TestImage image = TestImage.of("skip");
        image.push(repo, "v1");
        assertThat(repo.pushBlob(image.layerDigest(), image.layer().length, RegistryRepository.Content.of(image.layer())))
                .isEqualTo(RegistryRepository.BlobPush.EXISTED);
    }

    @Test
    void chunkedUploadStoresTheSameBlob() throws IOException {
        RegistryClient chunked = RegistryClient.builder().insecure(plain.host()).chunkedUploadThreshold(0)
                .chunkSize(7).build();
        RegistryRepository repo = chunked.repository(plain.host(), "it/chunked");
        TestImage image = TestImage.of("chunked");
        assertThat(image.layer().length).isGreaterThan(3 * 7);
        assertRoundTrip(repo, image, "v1");
    }

    @Test
    void tagsAndCatalogAreListedAcrossPages() throws Exception {
        RegistryClient paged = RegistryClient.builder().insecure(plain.host()).pageSize(2).build();
        RegistryRepository repo = paged.repository(plain.host(), "it/tags");
        TestImage image = TestImage.of("tags");
        List<String> tags = List.of("a", "b", "c", "d", "e");
        repo.pushBlob(image.layerDigest(), image.layer().length, RegistryRepository.Content.of(image.layer()));
        repo.pushBlob(image.configDigest(), image.config().length, RegistryRepository.Content.of(image.config()));
        repo.putManifest(image.manifest(), tags);
        // registry 2.8 ignores n for tags (FakeRegistryTest covers tag paging); its catalog pages
        assertThat(repo.tags()).containsExactlyInAnyOrderElementsOf(tags);
        for (String extra : List.of("it/cat-a", "it/cat-b", "it/cat-c")) {
            TestImage.of("tags").push(paged.repository(plain.host(), extra), "v1");
        }
        java.net.http.HttpResponse<String> firstPage = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(plain.baseUri().resolve("/v2/_catalog?n=2")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(firstPage.headers().firstValue("Link")).as("the registry pages its catalog at n=2").isPresent();
        assertThat(paged.catalog(plain.host())).contains("it/tags", "it/cat-a", "it/cat-b", "it/cat-c")
                .doesNotHaveDuplicates();
    }

    @Test
    void blobsMountBetweenRepositories() throws IOException {
        TestImage image = TestImage.of("mount");
        image.push(client.repository(plain.host(), "it/mount-src"), "v1");
        RegistryRepository dst = client.repository(plain.host(), "it/mount-dst");
        assertThat(dst.pushBlob(image.layerDigest(), image.layer().length, RegistryRepository.Content.of(image.layer()),
                Optional.of("it/mount-src"))).isEqualTo(RegistryRepository.BlobPush.MOUNTED);
        assertThat(dst.mountBlob(image.configDigest(), "it/mount-src")).isTrue();
        assertThat(dst.mountBlob(TestImage.of("absent").layerDigest(), "it/mount-src")).isFalse();
        assertThat(dst.blobSize(image.layerDigest())).hasValue(image.layer().length);
    }

    @Test
    void missingManifestIsManifestUnknown() throws IOException {
        RegistryRepository repo = client.repository(plain.host(), "it/missing");
        TestImage.of("missing").push(repo, "exists");
        assertThatThrownBy(() -> repo.manifest("nope")).isInstanceOf(ManifestUnknownException.class)
                .hasMessageContaining("MANIFEST_UNKNOWN")
                .satisfies(e -> assertThat(((RegistryException) e).status()).isEqualTo(404));
        assertThat(repo.manifestDescriptor("nope")).isEmpty();
        assertThatThrownBy(() -> client.repository(plain.host(), "it/never-pushed").manifest("v1"))
                .isInstanceOf(ManifestUnknownException.class);
    }

    @Test
    void deleteRemovesTheManifest() throws IOException {
        RegistryRepository repo = client.repository(plain.host(), "it/delete");
        Digest d = TestImage.of("delete").push(repo, "v1");
        repo.deleteManifest(d);
        assertThat(repo.manifestDescriptor(d.toString())).isEmpty();
    }

    @Test
    void referrersFallBackToTheTagSchema() throws IOException {
        RegistryRepository repo = client.repository(plain.host(), "it/referrers");
        TestImage subject = TestImage.of("subject");
        Digest subjectDigest = subject.push(repo, "v1");
        assertThat(repo.referrers(subjectDigest, Optional.empty())).isEmpty();
        // an artifact referring to it, listed under the fallback tag as registries without the API need
        TestImage artifact = TestImage.of("sbom");
        Digest artifactDigest = artifact.push(repo, "sbom");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + artifactDigest + "\",\"size\":" + artifact.manifestBytes().length
                + ",\"artifactType\":\"application/vnd.example.sbom\"}]}";
        repo.putManifest(ManifestBlob.of(index.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_INDEX),
                List.of("sha256-" + subjectDigest.encoded()));
        assertThat(repo.referrers(subjectDigest, Optional.empty())).extracting(Descriptor::digest).containsExactly(artifactDigest);
        assertThat(repo.referrers(subjectDigest, Optional.of("application/vnd.example.sbom"))).hasSize(1);
        assertThat(repo.referrers(subjectDigest, Optional.of("application/other"))).isEmpty();
    }

    /** An artifact manifest (image spec 1.1) with one empty layer, referring to {@code subject}. */
    private static ManifestBlob artifact(RegistryRepository repo, String artifactType, Descriptor subject, String note)
            throws IOException {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        Digest emptyDigest = Digest.sha256(empty);
        repo.pushBlob(emptyDigest, empty.length, RegistryRepository.Content.of(empty));
        String emptyDescriptor = "{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + emptyDigest
                + "\",\"size\":2}";
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
                + artifactType + "\",\"config\":" + emptyDescriptor + ",\"layers\":[" + emptyDescriptor + "],\"subject\":{"
                + "\"mediaType\":\"" + subject.mediaType() + "\",\"digest\":\"" + subject.digest() + "\",\"size\":"
                + subject.size() + "},\"annotations\":{\"note\":\"" + note + "\"}}";
        return ManifestBlob.of(json.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST);
    }

    @Test
    void aManifestWithASubjectIsListedUnderTheReferrersTagByUsWhenTheRegistryDoesNotTrackIt() throws IOException {
        RegistryRepository repo = client.repository(plain.host(), "it/subject");
        TestImage image = TestImage.of("subject-image");
        image.push(repo, "v1");
        Descriptor subject = repo.manifestDescriptor("v1").orElseThrow();
        ManifestBlob sbom = artifact(repo, "application/vnd.example.sbom", subject, "first");
        ManifestBlob signature = artifact(repo, "application/vnd.example.sig", subject, "second");

        repo.putManifest(sbom, List.of()); // by digest: the tag schema is kept all the same
        repo.putManifest(signature, List.of());
        repo.putManifest(sbom, List.of()); // pushed again: listed once
        List<Descriptor> referrers = repo.referrers(subject.digest(), Optional.empty());
        assertThat(referrers).extracting(Descriptor::digest).containsExactly(signature.digest(), sbom.digest());
        assertThat(referrers.get(1).artifactType()).hasValue("application/vnd.example.sbom");
        assertThat(referrers.get(1).annotations()).containsEntry("note", "first");
        assertThat(referrers.get(1).size()).isEqualTo(sbom.bytes().length);
        assertThat(repo.referrers(subject.digest(), Optional.of("application/vnd.example.sig")))
                .extracting(Descriptor::digest).containsExactly(signature.digest());
        // the subject itself is untouched
        assertThat(repo.manifestDescriptor("v1")).hasValue(subject);
    }

    @Test
    void theRealRegistryIsToldApartOverPlainHttpAndOverTlsByTheQuickProbe() throws IOException {
        assertThat(PlainHttpProbe.answersPlainHttp(plain.host(), java.time.Duration.ofSeconds(5))).isTrue();
        try (TestRegistry tls = TestRegistry.tls()) {
            assertThat(PlainHttpProbe.answersPlainHttp(tls.host(), java.time.Duration.ofSeconds(5))).isFalse();
            // and the insecure client that probed it still reaches it over https
            RegistryClient insecure = RegistryClient.builder().insecure(tls.host()).build();
            insecure.ping(tls.host());
        }
        RegistryClient insecurePlain = RegistryClient.builder().insecure(plain.host()).build();
        insecurePlain.ping(plain.host());
    }

    @Test
    void skopeoReadsWhatWePushWithTheSameDigest() throws Exception {
        Path skopeo = Tools.require("skopeo");
        RegistryRepository repo = client.repository(plain.host(), "it/skopeo");
        Digest pushed = TestImage.of("skopeo").push(repo, "v1");
        Process p = new ProcessBuilder(skopeo.toString(), "inspect", "--tls-verify=false",
                "docker://" + plain.host() + "/it/skopeo:v1").redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("skopeo inspect: %s", err).isZero();
        JsonNode json = Json.tree(out, "skopeo inspect output");
        assertThat(json.get("Digest").asText()).isEqualTo(pushed.toString());
        assertThat(json.get("Layers").get(0).asText()).isEqualTo(TestImage.of("skopeo").layerDigest().toString());
    }

    @Test
    void wePullWhatSkopeoPushes() throws Exception {
        Path skopeo = Tools.require("skopeo");
        RegistryRepository src = client.repository(plain.host(), "it/skopeo-src");
        TestImage image = TestImage.of("skopeo-copy");
        Digest pushed = image.push(src, "v1");
        Process p = new ProcessBuilder(skopeo.toString(), "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                "docker://" + plain.host() + "/it/skopeo-src:v1", "docker://" + plain.host() + "/it/skopeo-dst:v1")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("skopeo copy: %s", out).isZero();
        RegistryRepository dst = client.repository(plain.host(), "it/skopeo-dst");
        assertThat(dst.manifest("v1").digest()).isEqualTo(pushed);
        try (InputStream in = dst.openBlob(image.layerDigest(), image.layer().length)) {
            assertThat(in.readAllBytes()).isEqualTo(image.layer());
        }
    }
}
