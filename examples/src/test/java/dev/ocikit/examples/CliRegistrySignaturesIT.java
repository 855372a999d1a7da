package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ocikit --registries.d DIR copy|inspect} with a registry: signatures go to and come from
 * the lookaside storage that registries.d names, where skopeo finds them too.
 */
class CliRegistrySignaturesIT {
    @TempDir
    Path tmp;

    @Test
    void signaturesGoWhereRegistriesDSays() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        try (GnupgHome gnupg = GnupgHome.in(tmp); TestRegistry registry = TestRegistry.plain()) {
            String fpr = gnupg.newKey("cli <cli@example.com>", "ed25519", "sign", "");
            Path secret = Files.write(tmp.resolve("cli.gpg"), gnupg.gpg("--passphrase", "", "--export-secret-keys", fpr));
            Path publicKey = Files.write(tmp.resolve("cli.asc"), gnupg.gpg("--export", "--armor", fpr));
            Path sigs = tmp.resolve("sigs");
            Path registriesD = Files.createDirectories(tmp.resolve("registries.d"));
            Files.writeString(registriesD.resolve("test.yaml"), "docker:\n  " + registry.host() + ":\n    lookaside: file://" + sigs + "\n");
            Path policy = Files.writeString(tmp.resolve("policy.json"), "{\"default\": [{\"type\": \"reject\"}], \"transports\":"
                    + " {\"docker\": {\"" + registry.host() + "\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \""
                    + publicKey + "\"}]}}}");

            Path app = Files.createDirectories(tmp.resolve("app/etc"));
            Files.writeString(app.resolve("greeting"), "signed\n");
            ImageFromDirectory.main(new String[] {tmp.resolve("app").toString(), tmp.resolve("layout").toString(), "v1"});
            String image = "docker://" + registry.host() + "/cli/app:1";
            Run push = ocikit("--registries.d", registriesD.toString(), "copy", "-q", "--dest-tls-verify=false",
                    "--sign-by", fpr, "--sign-key", secret.toString(), "oci:" + tmp.resolve("layout") + ":v1", image);
            assertThat(push.exit()).as(push.err()).isZero();
            List<Path> written;
            try (Stream<Path> files = Files.walk(sigs)) {
                written = files.filter(Files::isRegularFile).toList();
            }
            assertThat(written).hasSize(1);
            assertThat(written.get(0).getFileName()).hasToString("signature-1");
            assertThat(sigs.relativize(written.get(0)).toString()).startsWith("cli/app@sha256=");

            Run inspect = ocikit("--registries.d", registriesD.toString(), "inspect", "--tls-verify=false", image);
            assertThat(inspect.exit()).as(inspect.err()).isZero();
            assertThat(Json.tree(inspect.out().getBytes(StandardCharsets.UTF_8), "inspect").get("Signatures").get(0).get("Format").asText())
                    .isEqualTo("simple-signing");

            Run pulled = ocikit("--registries.d", registriesD.toString(), "copy", "-q", "--src-tls-verify=false",
                    "--policy", policy.toString(), image, "dir:" + tmp.resolve("pulled"));
            assertThat(pulled.exit()).as(pulled.err()).isZero();
            assertThat(tmp.resolve("pulled/signature-1")).hasBinaryContent(Files.readAllBytes(written.get(0)));

            // skopeo, told the same directory, trusts what we signed
            gnupg.run(0, skopeo, "--registries.d", registriesD.toString(), "--policy", policy.toString(), "copy", "--src-tls-verify=false",
                    image, "dir:" + tmp.resolve("skopeo"));
            assertThat(tmp.resolve("skopeo/signature-1")).hasBinaryContent(Files.readAllBytes(written.get(0)));

            // Podman's round trip: a pull under the policy keeps the signature in the store, a push to
            // another repository writes it to the lookaside for that repository
            Path store = tmp.resolve("store");
            Run pull = ocikit("--root", store.toString(), "--registries.d", registriesD.toString(), "pull", "-q",
                    "--tls-verify=false", "--signature-policy", policy.toString(), image);
            assertThat(pull.exit()).as(pull.err()).isZero();
            Run pushAgain = ocikit("--root", store.toString(), "--registries.d", registriesD.toString(), "push", "-q",
                    "--tls-verify=false", registry.host() + "/cli/app:1", "docker://" + registry.host() + "/cli/copy:1");
            assertThat(pushAgain.exit()).as(pushAgain.err()).isZero();
            try (Stream<Path> files = Files.walk(sigs.resolve("cli"))) {
                assertThat(files.filter(f -> f.getFileName().toString().equals("signature-1"))
                        .map(f -> sigs.relativize(f).toString().replaceAll("@.*", ""))).containsExactlyInAnyOrder("cli/app", "cli/copy");
            }

            // elsewhere (another registries.d, with its own storage) there are no signatures: the policy refuses
            Path empty = Files.createDirectories(tmp.resolve("empty.d"));
            Files.writeString(empty.resolve("x.yaml"), "default-docker:\n  lookaside: file://" + tmp.resolve("nothing") + "\n");
            Run refused = ocikit("--registries.d", empty.toString(), "copy", "-q", "--src-tls-verify=false",
                    "--policy", policy.toString(), image, "dir:" + tmp.resolve("refused"));
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("signedBy").doesNotContain("Exception");
            assertThat(tmp.resolve("refused")).doesNotExist();
            Run bare = ocikit("--registries.d", empty.toString(), "inspect", "--tls-verify=false", image);
            assertThat(bare.out()).doesNotContain("Signatures");
        }
    }
}
