package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ocikit.image.Copy;
import dev.ocikit.image.DirTransport;
import dev.ocikit.image.policy.PolicyRejectedException;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SigningKey;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.SignaturesNotSupportedException;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.registry.testing.TestImage;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.testing.Tools;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures of registry images where skopeo keeps them, against a real registry, skopeo and gpg:
 * lookaside storage per {@code registries.d} (file:// and http://) written by one and read by the
 * other under a signedBy policy, tampered and misplaced signatures refused before anything is
 * written, and sigstore attachments written and read by both, byte for byte.
 */
class DockerSignaturesIT {
    @TempDir
    static Path tmp;
    static TestRegistry registry;
    static RegistryClient plain;
    static Path gnupg;
    static String signer;
    static String other;
    static Path signerKey;
    static Path otherKey;
    static Path acceptAll;

    @BeforeAll
    static void setUp() throws Exception {
        Tools.require("gpg");
        Tools.require("skopeo");
        registry = TestRegistry.plain();
        plain = RegistryClient.builder().plainHttp(registry.host()).build();
        gnupg = Files.createDirectory(tmp.resolve("gnupg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        signer = newKey("signer <signer@example.com>");
        other = newKey("other <other@example.com>");
        signerKey = Files.write(tmp.resolve("signer.asc"), gpg("--export", "--armor", signer));
        otherKey = Files.write(tmp.resolve("other.asc"), gpg("--export", "--armor", other));
        acceptAll = Files.writeString(tmp.resolve("accept.json"), "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (gnupg != null) {
            ProcessBuilder pb = new ProcessBuilder("gpgconf", "--kill", "gpg-agent").inheritIO();
            pb.environment().put("GNUPGHOME", gnupg.toString());
            pb.start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Runs a command with GNUPGHOME set; asserts its exit code; returns stdout and stderr. */
    static String[] exec(int exit, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().put("GNUPGHOME", gnupg.toString());
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err);
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + stderr).isEqualTo(exit);
        return new String[] {new String(out, StandardCharsets.UTF_8), stderr};
    }

    static byte[] gpg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Tools.require("gpg").toString(), "--batch", "--yes", "--no-tty",
                "--pinentry-mode", "loopback"));
        command.addAll(List.of(args));
        return exec(0, command.toArray(String[]::new))[0].getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] gpgBytes(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Tools.require("gpg").toString(), "--batch", "--yes", "--no-tty",
                "--pinentry-mode", "loopback"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("GNUPGHOME", gnupg.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out;
    }

    static String newKey(String uid) throws Exception {
        gpg("--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never");
        for (String line : new String(gpg("--with-colons", "--list-keys", uid), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no key " + uid);
    }

    static String skopeo() {
        return Tools.require("skopeo").toString();
    }

    /** A registries.d directory with one file of this content. */
    static Path registriesD(String name, String yaml) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("registries.d-" + name));
        Files.writeString(dir.resolve("test.yaml"), yaml);
        return dir;
    }

    static RegistryClient client(Path registriesD) throws Exception {
        return RegistryClient.builder().plainHttp(registry.host())
                .registriesD(RegistriesD.load(registriesD, ContainersEnvironment.of(Map.of("HOME", tmp.toString())))).build();
    }

    static TransportReference docker(RegistryClient client, String repoAndTag) {
        return new DockerTransport(client).parse("//" + registry.host() + "/" + repoAndTag);
    }

    /** A policy for docker images of the test registry: signed by {@code key}, else rejected. */
    static Path policy(Path key) throws Exception {
        Path p = tmp.resolve("policy-" + key.getFileName() + ".json");
        Files.writeString(p, "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"" + registry.host()
                + "\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"" + key + "\"}]}}}");
        return p;
    }

    static Digest push(String seed, String repo) throws Exception {
        return TestImage.of(seed).push(plain.repository(registry.host(), repo), "1");
    }

    // ---------------------------------------------------------------- lookaside

    @Test
    void whatSkopeoSignsIntoTheLookasideIsFoundAndTrusted() throws Exception {
        Path sigs = tmp.resolve("sigs-a");
        Path d = registriesD("a", "docker:\n  " + registry.host() + ":\n    lookaside: file://" + sigs + "\n");
        push("a", "lookaside/base");
        exec(0, skopeo(), "--registries.d", d.toString(), "--policy", acceptAll.toString(), "copy", "--src-tls-verify=false",
                "--dest-tls-verify=false", "--sign-by", signer, "docker://" + registry.host() + "/lookaside/base:1",
                "docker://" + registry.host() + "/lookaside/signed:1");
        Digest digest = plain.repository(registry.host(), "lookaside/signed").manifest("1").digest();
        Path file = sigs.resolve("lookaside/signed@sha256=" + digest.encoded() + "/signature-1");
        assertThat(file).exists();

        RegistryClient client = client(d);
        try (ImageSource source = docker(client, "lookaside/signed:1").openSource()) {
            List<ImageSignature> found = source.signatures(Optional.empty());
            assertThat(found).hasSize(1);
            assertThat(found.get(0).blob()).isEqualTo(Files.readAllBytes(file));
            // another manifest's (an index's image, say) are looked up by its own digest
            assertThat(source.signatures(Optional.of(Digest.sha256(new byte[0])))).isEmpty();
        }

        Path accepted = tmp.resolve("accepted-a");
        Copy.from(docker(client, "lookaside/signed:1")).to(DirTransport.reference(accepted))
                .policy(TrustPolicy.read(policy(signerKey))).run();
        assertThat(accepted.resolve("signature-1")).hasBinaryContent(Files.readAllBytes(file));

        Path refused = tmp.resolve("refused-a");
        assertThatThrownBy(() -> Copy.from(docker(client, "lookaside/signed:1")).to(DirTransport.reference(refused))
                .policy(TrustPolicy.read(policy(otherKey))).run()).isInstanceOf(PolicyRejectedException.class);
        assertThat(refused).doesNotExist();

        // without registries.d configuration the client reads no signatures: the policy refuses
        assertThatThrownBy(() -> Copy.from(docker(plain, "lookaside/signed:1")).to(DirTransport.reference(refused))
                .policy(TrustPolicy.read(policy(signerKey))).run()).isInstanceOf(PolicyRejectedException.class);
        assertThat(refused).doesNotExist();
    }

    @Test
    void whatWeSignIntoTheRegistryPassesSkopeosPolicy() throws Exception {
        Path staging = tmp.resolve("sigs-b");
        Path d = registriesD("b", "docker:\n  " + registry.host() + ":\n    lookaside: file:///nonexistent/never-read\n"
                + "    lookaside-staging: file://" + staging + "\n");
        Path readable = registriesD("b-read", "docker:\n  " + registry.host() + ":\n    lookaside: file://" + staging + "\n");
        push("b", "ours/base");
        Path secret = Files.write(tmp.resolve("signer.gpg"), gpgBytes("--passphrase", "", "--export-secret-keys", signer));
        SigningKey key = SigningKey.read(secret, signer, new char[0]);
        Digest written = Copy.from(docker(plain, "ours/base:1")).to(docker(client(d), "ours/signed:1"))
                .signBy(key, Optional.empty()).run().manifestDigest();
        Path file = staging.resolve("ours/signed@sha256=" + written.encoded() + "/signature-1");
        assertThat(file).exists();

        Path out = tmp.resolve("skopeo-b");
        exec(0, skopeo(), "--registries.d", readable.toString(), "--policy", policy(signerKey).toString(), "copy",
                "--src-tls-verify=false", "docker://" + registry.host() + "/ours/signed:1", "dir:" + out);
        assertThat(out.resolve("signature-1")).hasBinaryContent(Files.readAllBytes(file));
        String refused = exec(1, skopeo(), "--registries.d", readable.toString(), "--policy", policy(otherKey).toString(), "copy",
                "--src-tls-verify=false", "docker://" + registry.host() + "/ours/signed:1", "dir:" + tmp.resolve("skopeo-b-no"))[1];
        assertThat(refused).contains("Source image rejected");

        // signing again replaces the signatures of that digest
        Copy.from(docker(plain, "ours/base:1")).to(docker(client(d), "ours/signed:1")).signBy(key, Optional.empty()).run();
        assertThat(file.getParent().resolve("signature-2")).doesNotExist();

        // deleting the image deletes its signatures from the storage written to, as skopeo delete does
        ImageReference signed = ImageReference.parse(registry.host() + "/ours/signed:1");
        assertThat(client(d).deleteImage(signed)).isEqualTo(written);
        assertThat(file).doesNotExist();
        assertThat(file.getParent()).doesNotExist();
        assertThatThrownBy(() -> plain.repository(signed).manifest("1")).isInstanceOf(ManifestUnknownException.class);
        // one whose signatures are kept where they cannot be changed: the manifest goes, then the refusal, as skopeo
        push("b2", "ours/http-signed");
        Path httpOnly = registriesD("b-http", "docker:\n  " + registry.host() + ":\n    lookaside: http://127.0.0.1:1/sigs\n");
        ImageReference httpSigned = ImageReference.parse(registry.host() + "/ours/http-signed:1");
        assertThatThrownBy(() -> client(httpOnly).deleteImage(httpSigned)).isInstanceOf(LookasideException.class)
                .hasMessageContaining("Unsupported scheme when deleting signature");
        assertThatThrownBy(() -> plain.repository(httpSigned).manifest("1")).isInstanceOf(ManifestUnknownException.class);
    }

    @Test
    void aTamperedOrMisplacedSignatureFailsThePolicyBeforeAnythingIsWritten() throws Exception {
        Path staging = tmp.resolve("sigs-c");
        Path d = registriesD("c", "docker:\n  " + registry.host() + ":\n    lookaside: file://" + staging + "\n");
        Digest a = push("c1", "tamper/a");
        Digest b = push("c2", "tamper/b");
        Path secret = Files.write(tmp.resolve("signer-c.gpg"), gpgBytes("--passphrase", "", "--export-secret-keys", signer));
        SigningKey key = SigningKey.read(secret, signer, new char[0]);
        RegistryClient client = client(d);
        Copy.from(docker(plain, "tamper/a:1")).to(docker(client, "tamper/a:1")).signBy(key, Optional.empty()).run();
        Path sigA = staging.resolve("tamper/a@sha256=" + a.encoded() + "/signature-1");
        TrustPolicy trust = TrustPolicy.read(policy(signerKey));

        // a's signature, put where b's would be (b has its own name and digest): refused
        Path sigB = Files.createDirectories(staging.resolve("tamper/b@sha256=" + b.encoded())).resolve("signature-1");
        Files.copy(sigA, sigB);
        Path outB = tmp.resolve("out-c-b");
        assertThatThrownBy(() -> Copy.from(docker(client, "tamper/b:1")).to(DirTransport.reference(outB)).policy(trust).run())
                .isInstanceOf(PolicyRejectedException.class);
        assertThat(outB).doesNotExist();

        // a's signature with one byte changed: refused
        byte[] bytes = Files.readAllBytes(sigA);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(sigA, bytes);
        Path outA = tmp.resolve("out-c-a");
        assertThatThrownBy(() -> Copy.from(docker(client, "tamper/a:1")).to(DirTransport.reference(outA)).policy(trust).run())
                .isInstanceOf(PolicyRejectedException.class);
        assertThat(outA).doesNotExist();
    }

    @Test
    void anHttpLookasideIsReadAndItsFailuresStopTheCopy() throws Exception {
        Path staging = tmp.resolve("sigs-d");
        HttpServer files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        files.createContext("/sigs/", ex -> {
            try (ex) {
                Path f = staging.resolve(ex.getRequestURI().getPath().substring("/sigs/".length())).normalize();
                if (!f.startsWith(staging) || !Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(f);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        files.createContext("/broken/", ex -> {
            try (ex) {
                ex.sendResponseHeaders(500, -1);
            }
        });
        files.start();
        try {
            String base = "http://127.0.0.1:" + files.getAddress().getPort();
            Path d = registriesD("d", "docker:\n  " + registry.host() + ":\n    lookaside: " + base + "/sigs\n"
                    + "    lookaside-staging: file://" + staging + "\n");
            push("d", "http/base");
            Path secret = Files.write(tmp.resolve("signer-d.gpg"), gpgBytes("--passphrase", "", "--export-secret-keys", signer));
            RegistryClient client = client(d);
            Copy.from(docker(plain, "http/base:1")).to(docker(client, "http/signed:1"))
                    .signBy(SigningKey.read(secret, signer, new char[0]), Optional.empty()).run();

            Path out = tmp.resolve("out-d");
            Copy.from(docker(client, "http/signed:1")).to(DirTransport.reference(out)).policy(TrustPolicy.read(policy(signerKey))).run();
            assertThat(out.resolve("signature-1")).exists();
            // skopeo reads the same server
            exec(0, skopeo(), "--registries.d", d.toString(), "--policy", policy(signerKey).toString(), "copy",
                    "--src-tls-verify=false", "docker://" + registry.host() + "/http/signed:1", "dir:" + tmp.resolve("skopeo-d"));

            Path broken = registriesD("d-broken", "docker:\n  " + registry.host() + ":\n    lookaside: " + base + "/broken\n");
            RegistryClient brokenClient = RegistryClient.builder().plainHttp(registry.host()).maxAttempts(1)
                    .registriesD(RegistriesD.load(broken, ContainersEnvironment.of(Map.of("HOME", tmp.toString())))).build();
            Path notWritten = tmp.resolve("out-d-broken");
            assertThatThrownBy(() -> Copy.from(docker(brokenClient, "http/signed:1")).to(DirTransport.reference(notWritten)).run())
                    .isInstanceOf(LookasideException.class).hasMessageContaining("failed with HTTP 500");
            assertThat(notWritten).doesNotExist();

            // and writing to an http lookaside is refused, as containers/image refuses it
            Path httpOnly = registriesD("d-http", "docker:\n  " + registry.host() + ":\n    lookaside: " + base + "/sigs\n");
            assertThatThrownBy(() -> Copy.from(docker(plain, "http/base:1")).to(docker(client(httpOnly), "http/other:1"))
                    .signBy(SigningKey.read(secret, signer, new char[0]), Optional.empty()).run())
                    .isInstanceOf(SignaturesNotSupportedException.class);
            assertThat(plain.repository(registry.host(), "http/other").manifestDescriptor("1")).isEmpty();
        } finally {
            files.stop(0);
        }
    }

    @Test
    void signaturesOfAnIndexAndOfItsImagesAreKeyedByTheirOwnDigests() throws Exception {
        Path sigs = tmp.resolve("sigs-f");
        RegistryClient client = client(registriesD("f", "docker:\n  " + registry.host() + ":\n    lookaside: file://" + sigs + "\n"));
        TestImage image = TestImage.of("f");
        Digest instance = image.push(plain.repository(registry.host(), "index/app"), "image");
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + instance + "\",\"size\":" + image.manifestBytes().length
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}").getBytes(StandardCharsets.UTF_8);
        ManifestBlob indexBlob = ManifestBlob.of(index, MediaTypes.OCI_INDEX);
        SimpleSignature ofImage = new SimpleSignature("of the image".getBytes(StandardCharsets.UTF_8));
        SimpleSignature ofIndex = new SimpleSignature("of the index".getBytes(StandardCharsets.UTF_8));
        try (ImageDestination dest = docker(client, "index/app:1").openDestination()) {
            dest.putManifest(image.manifest(), Optional.of(instance));
            dest.putManifest(indexBlob, Optional.empty());
            dest.putSignatures(List.of(ofImage), Optional.of(instance));
            dest.putSignatures(List.of(ofIndex), Optional.empty());
            assertThat(sigs).doesNotExist(); // not before the commit has put the index
            dest.commit();
        }
        assertThat(sigs.resolve("index/app@sha256=" + instance.encoded() + "/signature-1")).hasContent("of the image");
        assertThat(sigs.resolve("index/app@sha256=" + indexBlob.digest().encoded() + "/signature-1")).hasContent("of the index");
        try (ImageSource source = docker(client, "index/app:1").openSource()) {
            assertThat(source.signatures(Optional.empty())).containsExactly(ofIndex);
            assertThat(source.signatures(Optional.of(instance))).containsExactly(ofImage);
        }
        // deleting the index deletes its signatures and those of its images
        client.deleteImage(ImageReference.parse(registry.host() + "/index/app:1"));
        assertThat(sigs.resolve("index/app@sha256=" + indexBlob.digest().encoded())).doesNotExist();
        assertThat(sigs.resolve("index/app@sha256=" + instance.encoded())).doesNotExist();
    }

    // ---------------------------------------------------------------- sigstore attachments

    static SigstoreSignature sigstore(String n) {
        return new SigstoreSignature(SigstoreSignature.PAYLOAD_MEDIA_TYPE,
                ("{\"critical\":{\"identity\":{\"docker-reference\":\"x\"},\"image\":{\"docker-manifest-digest\":\"sha256:"
                        + "0".repeat(64) + "\"},\"type\":\"cosign container image signature\"},\"optional\":{\"n\":\"" + n + "\"}}")
                        .getBytes(StandardCharsets.UTF_8),
                Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, "MEUCIQ" + n + "=="));
    }

    @Test
    void sigstoreAttachmentsRoundTripAndMatchWhatSkopeoWrites() throws Exception {
        Path d = registriesD("e", "default-docker:\n  lookaside: file://" + tmp.resolve("sigs-e") + "\ndocker:\n  "
                + registry.host() + ":\n    use-sigstore-attachments: true\n  " + registry.host() + "/nosigstore:\n"
                + "    use-sigstore-attachments: false\n");
        RegistryClient client = client(d);
        Digest digest = push("e", "sigstore/base");
        Path signedDir = tmp.resolve("dir-e");
        Copy.from(docker(plain, "sigstore/base:1")).to(DirTransport.reference(signedDir)).run();
        Files.write(signedDir.resolve("signature-1"), sigstore("1").blob());

        // we write, skopeo writes the same image with the same signature: the same attachment, byte for byte
        Copy.from(DirTransport.reference(signedDir)).to(docker(client, "sigstore/ours:1")).run();
        exec(0, skopeo(), "--registries.d", d.toString(), "--policy", acceptAll.toString(), "copy", "--dest-tls-verify=false",
                "dir:" + signedDir, "docker://" + registry.host() + "/sigstore/skopeo:1");
        String tag = "sha256-" + digest.encoded() + ".sig";
        RegistryRepository ours = plain.repository(registry.host(), "sigstore/ours");
        RegistryRepository theirs = plain.repository(registry.host(), "sigstore/skopeo");
        byte[] manifest = ours.manifest(tag).bytes();
        assertThat(new String(manifest, StandardCharsets.UTF_8)).isEqualTo(new String(theirs.manifest(tag).bytes(), StandardCharsets.UTF_8));
        ImageManifest m = ImageManifest.parse(manifest);
        assertThat(m.mediaType()).contains(MediaTypes.OCI_MANIFEST);
        assertThat(m.layers()).hasSize(1);
        assertThat(m.layers().get(0).mediaType()).isEqualTo(SigstoreSignature.PAYLOAD_MEDIA_TYPE);
        assertThat(m.layers().get(0).annotations()).isEqualTo(sigstore("1").annotations());
        try (InputStream in = ours.openBlob(m.config().digest(), m.config().size())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"architecture\":\"\",\"os\":\"\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                            + m.layers().get(0).digest() + "\"]}}");
        }

        // each reads what the other wrote
        try (ImageSource source = docker(client, "sigstore/skopeo:1").openSource()) {
            assertThat(source.signatures(Optional.empty())).containsExactly(sigstore("1"));
        }
        Path skopeoRead = tmp.resolve("skopeo-e");
        exec(0, skopeo(), "--registries.d", d.toString(), "--policy", acceptAll.toString(), "copy", "--src-tls-verify=false",
                "docker://" + registry.host() + "/sigstore/ours:1", "dir:" + skopeoRead);
        assertThat(skopeoRead.resolve("signature-1")).hasBinaryContent(sigstore("1").blob());

        // writing the same signature again adds nothing; a new one is appended after it
        Copy.from(DirTransport.reference(signedDir)).to(docker(client, "sigstore/ours:1")).run();
        assertThat(ours.manifest(tag).bytes()).isEqualTo(manifest);
        Files.write(signedDir.resolve("signature-2"), sigstore("2").blob());
        Copy.from(DirTransport.reference(signedDir)).to(docker(client, "sigstore/ours:1")).run();
        exec(0, skopeo(), "--registries.d", d.toString(), "--policy", acceptAll.toString(), "copy", "--dest-tls-verify=false",
                "dir:" + signedDir, "docker://" + registry.host() + "/sigstore/skopeo:1");
        byte[] two = ours.manifest(tag).bytes();
        assertThat(new String(two, StandardCharsets.UTF_8)).isEqualTo(new String(theirs.manifest(tag).bytes(), StandardCharsets.UTF_8));
        assertThat(ImageManifest.parse(two).layers()).hasSize(2).first().isEqualTo(m.layers().get(0));
        try (ImageSource source = docker(client, "sigstore/ours:1").openSource()) {
            assertThat(source.signatures(Optional.empty())).containsExactly(sigstore("1"), sigstore("2"));
        }

        // where the scope turns attachments off, sigstore signatures cannot be written (nor are they read)
        assertThatThrownBy(() -> Copy.from(DirTransport.reference(signedDir)).to(docker(client, "nosigstore/x:1")).run())
                .isInstanceOf(SignaturesNotSupportedException.class).hasMessageContaining("sigstore-json");
        assertThat(plain.repository(registry.host(), "nosigstore/x").manifestDescriptor("1")).isEmpty();
        try (ImageSource source = docker(client(registriesD("e-off", "docker: {}\n")), "sigstore/ours:1").openSource()) {
            assertThat(source.signatures(Optional.empty())).isEmpty();
        }
        assertThat(Json.tree(manifest, "attachment").has("subject")).isFalse();
    }

    /** Pushes a referrer of {@code subject}: an artifact manifest of this type with these layers (blob, annotations). */
    static void pushReferrer(RegistryRepository repo, ManifestBlob subject, String artifactType, String layerMediaType,
            byte[] layer, Map<String, String> annotations) throws Exception {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        repo.pushBlob(Digest.sha256(empty), empty.length, RegistryRepository.Content.of(empty));
        repo.pushBlob(Digest.sha256(layer), layer.length, RegistryRepository.Content.of(layer));
        var node = Json.tree(("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
                + artifactType + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\""
                + Digest.sha256(empty) + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + layerMediaType + "\",\"digest\":\""
                + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}],\"subject\":{\"mediaType\":\""
                + subject.mediaType() + "\",\"digest\":\"" + subject.digest() + "\",\"size\":" + subject.bytes().length
                + "}}").getBytes(StandardCharsets.UTF_8), "referrer");
        var layerNode = (com.fasterxml.jackson.databind.node.ObjectNode) node.get("layers").get(0);
        var a = layerNode.putObject("annotations");
        annotations.forEach(a::put);
        repo.putManifest(ManifestBlob.of(Json.write(node), MediaTypes.OCI_MANIFEST), List.of());
    }

    @Test
    void sigstoreSignaturesStoredAsReferrersAreFoundAndBundlesAreSkipped() throws Exception {
        RegistryClient client = client(registriesD("g", "docker:\n  " + registry.host() + ":\n    use-sigstore-attachments: true\n"));
        push("g", "sigstore/referred");
        RegistryRepository repo = plain.repository(registry.host(), "sigstore/referred");
        ManifestBlob image = repo.manifest("1");
        String identity = registry.host() + "/sigstore/referred:1";
        dev.ocikit.image.signature.SigstorePrivateKey key = dev.ocikit.image.signature.SigstorePrivateKey.generate();
        SigstoreSignature signature = dev.ocikit.image.signature.SigstoreSigning.sign(image.bytes(), identity, key);

        // as cosign --registry-referrers-mode=oci-1-1 stores it, next to a bundle ocikit cannot verify
        pushReferrer(repo, image, dev.ocikit.image.signature.SigstoreReferrers.COSIGN_SIGNATURE_ARTIFACT_TYPE,
                signature.mimeType(), signature.payload(), signature.annotations());
        pushReferrer(repo, image, dev.ocikit.image.signature.SigstoreReferrers.BUNDLE_V03_MEDIA_TYPE,
                dev.ocikit.image.signature.SigstoreReferrers.BUNDLE_V03_MEDIA_TYPE, "{\"mediaType\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                Map.of());
        try (ImageSource source = docker(client, "sigstore/referred:1").openSource()) {
            List<ImageSignature> found = source.signatures(Optional.empty());
            assertThat(found).containsExactly(signature);
            assertThat(dev.ocikit.image.signature.SigstoreSigning.verifyFor((SigstoreSignature) found.get(0), image.bytes(), identity,
                    List.of(key.publicKey())).payload().dockerReference()).isEqualTo(identity);
        }

        // and a policy requiring the key accepts a copy of the image
        Path pub = Files.write(tmp.resolve("referred.pub"), key.publicKey().toPem());
        TrustPolicy policy = TrustPolicy.parse(("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\""
                + registry.host() + "\": [{\"type\": \"sigstoreSigned\", \"keyPath\": \"" + pub + "\"}]}}}")
                .getBytes(StandardCharsets.UTF_8), "policy");
        Path out = tmp.resolve("referred-out");
        Copy.from(docker(client, "sigstore/referred:1")).to(DirTransport.reference(out)).policy(policy).run();
        assertThat(out.resolve("signature-1")).hasBinaryContent(signature.blob());
    }
}
