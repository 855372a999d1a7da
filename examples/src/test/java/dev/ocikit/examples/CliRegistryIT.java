package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real registry with htpasswd auth on loopback, and skopeo reading the result. */
class CliRegistryIT {
    @TempDir
    Path tmp;


    @Test
    void loginPushInspectListTagsAndLogout() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path app = Files.createDirectories(tmp.resolve("app/etc"));
        Files.writeString(app.resolve("greeting"), "hi\n");
        ImageFromDirectory.main(new String[] {tmp.resolve("app").toString(), tmp.resolve("layout").toString(), "v1"});
        String authfile = tmp.resolve("auth.json").toString();
        try (TestRegistry registry = TestRegistry.basicAuth("alice", "s3cret-pass")) {
            String host = registry.host();
            Run wrong = ocikit("login", "--tls-verify=false", "--authfile", authfile, "-u", "alice", "-p", "nope", host);
            assertThat(wrong.exit()).isEqualTo(125);
            assertThat(wrong.err()).doesNotContain("nope").containsIgnoringCase("unauthorized");
            assertThat(tmp.resolve("auth.json")).doesNotExist();

            Run login = ocikit("login", "--tls-verify=false", "--authfile", authfile, "-u", "alice", "-p", "s3cret-pass", host);
            assertThat(login.exit()).as(login.err()).isZero();
            assertThat(login.out()).contains("Login Succeeded");

            Run push = ocikit("copy", "--dest-tls-verify=false", "--authfile", authfile,
                    "oci:" + tmp.resolve("layout") + ":v1", "docker://" + host + "/demo/app:1");
            assertThat(push.exit()).as(push.err()).isZero();

            Run inspect = ocikit("inspect", "--tls-verify=false", "--authfile", authfile, "docker://" + host + "/demo/app:1");
            assertThat(inspect.exit()).as(inspect.err()).isZero();
            JsonNode ours = Json.tree(inspect.out().getBytes(StandardCharsets.UTF_8), "ours");
            assertThat(ours.get("Name").asText()).isEqualTo(host + "/demo/app");

            Process p = new ProcessBuilder(skopeo, "inspect", "--tls-verify=false", "--authfile", authfile,
                    "docker://" + host + "/demo/app:1").redirectErrorStream(true).start();
            byte[] theirs = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(new String(theirs, StandardCharsets.UTF_8)).isZero();
            assertThat(ours.get("Digest")).isEqualTo(Json.tree(theirs, "skopeo").get("Digest"));

            Run tags = ocikit("list-tags", "--tls-verify=false", "--authfile", authfile, "docker://" + host + "/demo/app");
            assertThat(tags.exit()).as(tags.err()).isZero();
            assertThat(Json.tree(tags.out().getBytes(StandardCharsets.UTF_8), "tags").get("Tags").get(0).asText()).isEqualTo("1");

            assertThat(ocikit("logout", "--authfile", authfile, host).out()).contains("Removed login credentials for " + host);
            Run denied = ocikit("inspect", "--tls-verify=false", "--authfile", authfile, "docker://" + host + "/demo/app:1");
            assertThat(denied.exit()).as("skopeo's exit code").isEqualTo(1);
        }
    }

    @Test
    void pullIntoTheStorePushBackAndDelete() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app/etc"));
        Files.writeString(app.resolve("greeting"), "hi\n");
        ImageFromDirectory.main(new String[] {tmp.resolve("app").toString(), tmp.resolve("layout").toString(), "v1"});
        String root = tmp.resolve("store").toString();
        try (TestRegistry registry = TestRegistry.plain()) {
            String host = registry.host();
            assertThat(ocikit("copy", "-q", "--dest-tls-verify=false", "oci:" + tmp.resolve("layout") + ":v1",
                    "docker://" + host + "/demo/app:1").exit()).isZero();

            Run pull = ocikit("--root", root, "pull", "--tls-verify=false", host + "/demo/app:1");
            assertThat(pull.exit()).as(pull.err()).isZero();
            assertThat(pull.out()).startsWith("Trying to pull " + host + "/demo/app:1...");
            String id = pull.out().lines().reduce((a, b) -> b).orElseThrow();
            assertThat(ocikit("--root", root, "images", "-q").out().trim()).isEqualTo(id.substring(0, 12));

            Run push = ocikit("--root", root, "push", "--tls-verify=false", host + "/demo/app:1", host + "/other/app:2");
            assertThat(push.exit()).as(push.err()).isZero();
            Run inspect = ocikit("inspect", "--tls-verify=false", "docker://" + host + "/other/app:2");
            assertThat(inspect.exit()).as(inspect.err()).isZero();
            assertThat(Json.tree(inspect.out().getBytes(StandardCharsets.UTF_8), "inspect").get("Digest"))
                    .isEqualTo(Json.tree(ocikit("inspect", "--tls-verify=false", "docker://" + host + "/demo/app:1")
                            .out().getBytes(StandardCharsets.UTF_8), "inspect").get("Digest"));

            assertThat(ocikit("delete", "--tls-verify=false", "docker://" + host + "/other/app:2").exit()).isZero();
            Run gone = ocikit("inspect", "--tls-verify=false", "docker://" + host + "/other/app:2");
            assertThat(gone.exit()).as("skopeo's exit code").isEqualTo(1);
            assertThat(gone.err()).containsIgnoringCase("manifest unknown");
        }
    }
}
