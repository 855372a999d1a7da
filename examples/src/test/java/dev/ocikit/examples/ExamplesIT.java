package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable samples, run as a user runs them: a JVM each, against a real registry and runc. */
class ExamplesIT {
    @TempDir
    Path tmp;

    record Result(int exit, String output) {}

    /** Runs a sample's main in its own JVM, with registries.conf marking {@code insecure} plain HTTP. */
    private Result sample(Class<?> main, String insecure, String... args) throws IOException, InterruptedException {
        Path conf = tmp.resolve("registries.conf");
        Files.writeString(conf, insecure == null ? "" : "[[registry]]\nlocation = \"" + insecure + "\"\ninsecure = true\n");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CONTAINERS_REGISTRIES_CONF", conf.toString());
        pb.environment().put("REGISTRY_AUTH_FILE", tmp.resolve("auth.json").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static byte[] gpg(Path home, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--homedir", home.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
        return out;
    }

    private static dev.ocikit.image.spi.TransportReference registryRef(String host, String path) {
        // plain HTTP on loopback: the registry marked insecure for this client
        dev.ocikit.registry.RegistryClient client = dev.ocikit.registry.RegistryClient.builder().insecure(host).build();
        return new dev.ocikit.registry.DockerTransport(client).parse("//" + host + path);
    }

    @Test
    void theEmbeddedWebServerAnswers() throws Exception {
        Tools.require("runc");
        Tools.require("busybox");
        Result r = sample(EmbeddedWebServer.class, null, tmp.resolve("store").toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("answered 200: <h1>hello from a container</h1>");
    }

    @Test
    void aJavaAppIsBuiltPushedCopiedAndInspectedWithoutAPull() throws Exception {
        Tools.require("busybox");
        Path libs = Files.createDirectories(tmp.resolve("libs"));
        Files.writeString(libs.resolve("dep-1.0.jar"), "not really a jar");
        Path classes = Files.createDirectories(tmp.resolve("classes/com/example"));
        Files.writeString(classes.resolve("Main.class"), "v1");
        dev.ocikit.image.build.ImageBuilder.scratch()
                .copy(dev.ocikit.image.AddedFile.of(Path.of("/bin/busybox"), "/bin/busybox").withMode(0755))
                .commit("oci:" + tmp.resolve("base") + ":jre");
        try (TestRegistry registry = TestRegistry.plain()) {
            String host = registry.host();
            Result built = sample(BuildJavaApp.class, host, "oci:" + tmp.resolve("base") + ":jre", libs.toString(),
                    tmp.resolve("classes").toString(), "com.example.Main", "docker://" + host + "/team/app:1");
            assertThat(built.exit()).as(built.output()).isZero();
            assertThat(built.output()).contains("wrote docker:").contains("sha256:");

            String digest = built.output().substring(built.output().indexOf("sha256:")).strip();
            // The image signed as skopeo standalone-sign does, with a key gpg made.
            Tools.require("gpg");
            Path gnupg = Files.createDirectories(tmp.resolve("gnupg"));
            Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Path other = Files.createDirectories(tmp.resolve("gnupg-other"));
            Files.setPosixFilePermissions(other, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            try {
                gpg(gnupg, "--batch", "--passphrase", "", "--quick-gen-key", "signer <signer@example.com>", "default",
                        "default", "never");
                Path publicKey = tmp.resolve("signer.pub");
                Files.write(publicKey, gpg(gnupg, "--export"));
                Path secretKey = tmp.resolve("signer.sec");
                Files.write(secretKey, gpg(gnupg, "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                        "--export-secret-keys"));
                byte[] manifest;
                dev.ocikit.image.Copy.from(registryRef(host, "/team/app:1")).to("oci:" + tmp.resolve("signed-copy") + ":x")
                        .preserveDigests().run();
                try (dev.ocikit.image.spi.ImageSource source = dev.ocikit.image.spi.Transports.load()
                        .parse("oci:" + tmp.resolve("signed-copy") + ":x").openSource()) {
                    manifest = source.manifest(java.util.Optional.empty()).bytes();
                }
                Path signature = tmp.resolve("app.sig");
                Files.write(signature, dev.ocikit.image.signature.SimpleSigning.sign(manifest, host + "/team/app:1",
                        dev.ocikit.image.signature.SigningKey.read(secretKey, new char[0])));

                Result copied = sample(CopyBetweenRegistries.class, host, "docker://" + host + "/team/app:1",
                        "docker://" + host + "/mirror/app:1", signature.toString(), publicKey.toString());
                assertThat(copied.exit()).as(copied.output()).isZero();
                assertThat(copied.output()).contains("as " + digest).contains("signature verified: " + host + "/team/app:1");

                // Checked against someone else's key, the same signature is refused.
                gpg(other, "--batch", "--passphrase", "", "--quick-gen-key", "other <other@example.com>", "default",
                        "default", "never");
                Path otherKey = tmp.resolve("other.pub");
                Files.write(otherKey, gpg(other, "--export"));
                Result refused = sample(CopyBetweenRegistries.class, host, "docker://" + host + "/team/app:1",
                        "docker://" + host + "/mirror/app:2", signature.toString(), otherKey.toString());
                assertThat(refused.exit()).isNotZero();
                assertThat(refused.output()).containsIgnoringCase("key");
            } finally {
                GnupgHome.stopAgent(gnupg);
                GnupgHome.stopAgent(other);
            }

            Result inspected = sample(InspectWithoutPulling.class, host, "docker://" + host + "/mirror/app:1");
            assertThat(inspected.exit()).as(inspected.output()).isZero();
            assertThat(inspected.output()).contains("digest:   " + digest)
                    .contains("command:  [java, -XX:MaxRAMPercentage=75, -cp").contains("in 3 layers");
        }
    }
}
