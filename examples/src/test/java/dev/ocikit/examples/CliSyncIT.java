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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ocikit sync} against a real registry on loopback, with skopeo reading the directories it writes. */
class CliSyncIT {
    @TempDir
    Path tmp;


    /** Two different images pushed as {@code host/demo/app:1} and {@code :2}. */
    private void pushTwoTags(String host) throws Exception {
        for (String tag : List.of("1", "2")) {
            Path app = Files.createDirectories(tmp.resolve("app" + tag + "/etc"));
            Files.writeString(app.resolve("greeting"), "hello " + tag + "\n");
            ImageFromDirectory.main(new String[] {tmp.resolve("app" + tag).toString(), tmp.resolve("layout" + tag).toString(), "v"});
            Run push = ocikit("copy", "-q", "--dest-tls-verify=false", "oci:" + tmp.resolve("layout" + tag) + ":v",
                    "docker://" + host + "/demo/app:" + tag);
            assertThat(push.exit()).as(push.err()).isZero();
        }
    }

    private static String digest(String dockerRef) {
        Run inspect = ocikit("inspect", "--tls-verify=false", "docker://" + dockerRef);
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        return Json.tree(inspect.out().getBytes(StandardCharsets.UTF_8), "inspect").get("Digest").asText();
    }

    private static void runSkopeo(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    }

    private static List<String> names(Path dir) throws Exception {
        try (var listing = Files.list(dir)) {
            return listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String skopeoDigest(String skopeo, Path dir) throws Exception {
        Process p = new ProcessBuilder(skopeo, "inspect", "dir:" + dir).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
        return Json.tree(out, "skopeo inspect").get("Digest").asText();
    }

    @Test
    void registryToDirectoriesAndBackToAnotherRepository() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Tools.require("docker-registry");
        try (TestRegistry registry = TestRegistry.plain()) {
            String host = registry.host();
            pushTwoTags(host);
            String d1 = digest(host + "/demo/app:1");
            String d2 = digest(host + "/demo/app:2");
            assertThat(d1).isNotEqualTo(d2);

            // a policy that trusts nothing from this registry: nothing is synced, nothing written
            Path rejecting = Files.writeString(tmp.resolve("reject.json"), "{\"default\": [{\"type\": \"insecureAcceptAnything\"}],"
                    + " \"transports\": {\"docker\": {\"" + host + "\": [{\"type\": \"reject\"}]}}}");
            Path refusedMirror = tmp.resolve("refused");
            Run refused = ocikit("sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", "--policy", rejecting.toString(),
                    host + "/demo/app", refusedMirror.toString());
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("rejected by policy");
            if (Files.exists(refusedMirror)) {
                assertThat(names(refusedMirror)).isEmpty();
            }

            Path mirror = tmp.resolve("mirror");
            Run down = ocikit("sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", host + "/demo/app", mirror.toString());
            assertThat(down.exit()).as(down.err()).isZero();
            assertThat(down.out()).contains("Copying image ref 1/2", "Synced 2 images");
            // skopeo's naming: the repository's last component and the tag, one directory per image.
            assertThat(names(mirror)).containsExactly("app:1", "app:2");
            // skopeo sync itself, same source: the same names.
            Path theirs = tmp.resolve("theirs");
            runSkopeo(skopeo, "sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", host + "/demo/app", theirs.toString());
            assertThat(names(theirs)).isEqualTo(names(mirror));
            assertThat(skopeoDigest(skopeo, mirror.resolve("app:1"))).isEqualTo(d1);
            assertThat(skopeoDigest(skopeo, mirror.resolve("app:2"))).isEqualTo(d2);

            Run up = ocikit("sync", "--src", "dir", "--dest", "docker", "--dest-tls-verify=false", mirror.toString(), host + "/copied");
            assertThat(up.exit()).as(up.err()).isZero();
            assertThat(up.out()).contains("Synced 2 images");
            Run tags = ocikit("list-tags", "--tls-verify=false", "docker://" + host + "/copied/app");
            assertThat(tags.exit()).as(tags.err()).isZero();
            List<String> listed = new ArrayList<>();
            Json.tree(tags.out().getBytes(StandardCharsets.UTF_8), "tags").get("Tags").forEach(t -> listed.add(t.asText()));
            assertThat(listed).containsExactlyInAnyOrder("1", "2");
            assertThat(digest(host + "/copied/app:1")).isEqualTo(d1);
            assertThat(digest(host + "/copied/app:2")).isEqualTo(d2);
        }
    }

    @Test
    void oneTaggedImageScopedKeepsTheFullNameAndDirToDirIsRefused() throws Exception {
        Tools.require("skopeo");
        Tools.require("docker-registry");
        try (TestRegistry registry = TestRegistry.plain()) {
            String host = registry.host();
            pushTwoTags(host);
            Path mirror = tmp.resolve("scoped");
            Run one = ocikit("sync", "--src", "docker", "--dest", "dir", "--scoped", "--all", "--src-tls-verify=false",
                    host + "/demo/app:2", mirror.toString());
            assertThat(one.exit()).as(one.err()).isZero();
            assertThat(one.out()).contains("Synced 1 images");
            Path image = mirror.resolve(host + "/demo/app:2");
            assertThat(image.resolve("manifest.json")).isRegularFile();
            assertThat(mirror.resolve(host + "/demo/app:1")).doesNotExist();
            Path theirs = tmp.resolve("theirs-scoped");
            runSkopeo(Tools.require("skopeo").toString(), "sync", "--src", "docker", "--dest", "dir", "--scoped", "--all",
                    "--src-tls-verify=false", host + "/demo/app:2", theirs.toString());
            assertThat(theirs.resolve(host + "/demo/app:2/manifest.json")).isRegularFile();

            Run dirToDir = ocikit("sync", "--src", "dir", "--dest", "dir", mirror.toString(), tmp.resolve("again").toString());
            assertThat(dirToDir.exit()).isEqualTo(1);
            assertThat(dirToDir.err()).contains("directory to a directory");
            assertThat(tmp.resolve("again")).doesNotExist();

            Run empty = ocikit("sync", "--src", "dir", "--dest", "docker", "--dest-tls-verify=false",
                    Files.createDirectories(tmp.resolve("empty")).toString(), host + "/none");
            assertThat(empty.exit()).isEqualTo(1);
            assertThat(empty.err()).contains("no images to sync");
        }
    }
}
