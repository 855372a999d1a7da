package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.examples.cli.Ocikit;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI against skopeo and umoci on the same image: same answers. */
class CliInteropIT {
    @TempDir
    Path tmp;

    static String exec(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + new String(out, StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    static String ocikit(String... args) {
        CommandLine cli = Ocikit.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        assertThat(exit).as("ocikit " + String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }

    /** A two-layer image made by umoci: a file, a directory, a symlink, then a whiteout. */
    Path umociImage() throws Exception {
        String umoci = Tools.require("umoci").toString();
        Path layout = tmp.resolve("layout");
        exec(tmp, umoci, "init", "--layout", layout.toString());
        exec(tmp, umoci, "new", "--image", layout + ":app");
        Path l1 = Files.createDirectories(tmp.resolve("l1/etc/app"));
        Files.writeString(l1.resolve("config"), "one\n");
        Files.writeString(tmp.resolve("l1/etc/gone"), "gone\n");
        Files.createSymbolicLink(tmp.resolve("l1/etc/link"), Path.of("app/config"));
        exec(tmp, "tar", "-C", tmp.resolve("l1").toString(), "-cf", tmp.resolve("l1.tar").toString(), ".");
        exec(tmp, umoci, "raw", "add-layer", "--image", layout + ":app", tmp.resolve("l1.tar").toString());
        Path l2 = Files.createDirectories(tmp.resolve("l2/etc"));
        Files.writeString(l2.resolve(".wh.gone"), "");
        Files.writeString(l2.resolve("added"), "two\n");
        exec(tmp, "tar", "-C", tmp.resolve("l2").toString(), "-cf", tmp.resolve("l2.tar").toString(), ".");
        exec(tmp, umoci, "raw", "add-layer", "--image", layout + ":app", tmp.resolve("l2.tar").toString());
        return layout;
    }

    @Test
    void inspectAgreesWithSkopeo() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path layout = umociImage();
        JsonNode theirs = Json.tree(exec(tmp, skopeo, "inspect", "oci:" + layout + ":app").getBytes(StandardCharsets.UTF_8), "skopeo");
        JsonNode ours = Json.tree(ocikit("inspect", "oci:" + layout + ":app").getBytes(StandardCharsets.UTF_8), "ocikit");
        for (String field : List.of("Digest", "RepoTags", "Created", "Architecture", "Os", "Layers", "Env", "Labels")) {
            assertThat(ours.get(field)).as(field).isEqualTo(theirs.get(field));
        }
        assertThat(ocikit("inspect", "--raw", "oci:" + layout + ":app"))
                .isEqualTo(exec(tmp, skopeo, "inspect", "--raw", "oci:" + layout + ":app"));
        assertThat(ocikit("inspect", "--raw", "--config", "oci:" + layout + ":app"))
                .isEqualTo(exec(tmp, skopeo, "inspect", "--raw", "--config", "oci:" + layout + ":app"));
        assertThat(Json.tree(ocikit("inspect", "--config", "oci:" + layout + ":app").getBytes(StandardCharsets.UTF_8), "ours"))
                .isEqualTo(Json.tree(exec(tmp, skopeo, "inspect", "--config", "oci:" + layout + ":app").getBytes(StandardCharsets.UTF_8), "theirs"));
    }

    @Test
    void inspectFormatPrintsWhatSkopeosTemplatesPrint() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path layout = umociImage();
        exec(tmp, Tools.require("umoci").toString(), "config", "--image", layout + ":app", "--config.label", "version=1.2",
                "--config.label", "org.example.team=a b", "--config.env", "A=1", "--author", "me");
        String image = "oci:" + layout + ":app";
        for (String template : List.of("{{.Digest}}", "{{.Name}}|{{.Created}}|{{.Labels}}|{{.Layers}}|{{.Env}}|{{.RepoTags}}",
                "{{index .Labels \"org.example.team\"}} {{.Labels.version}} {{len .Layers}} {{.Architecture}}/{{.Os}}",
                "{{range .Layers}}layer {{.}}\n{{end}}", "{{if .RepoTags}}tagged{{else}}untagged{{end}}")) {
            assertThat(ocikit("inspect", "--format", template, image)).as(template)
                    .isEqualTo(exec(tmp, skopeo, "inspect", "--format", template, image));
        }
        for (String template : List.of("{{.Architecture}} {{.OS}} {{.Author}} {{.Created}}",
                "{{.Config.Env}} {{index .Config.Labels \"version\"}} {{.RootFS.DiffIDs}}",
                "{{range .History}}{{.Created}} {{.CreatedBy}};{{end}}")) {
            assertThat(ocikit("inspect", "--config", "--format", template, image)).as(template)
                    .isEqualTo(exec(tmp, skopeo, "inspect", "--config", "--format", template, image));
        }
    }

    @Test
    void copyPrintsSkopeosLinesWithoutATerminal() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path layout = umociImage();

        List<String> ours = ocikit("copy", "oci:" + layout + ":app", "oci:" + tmp.resolve("ours") + ":app").lines().toList();
        List<String> theirs = exec(tmp, skopeo, "copy", "oci:" + layout + ":app", "oci:" + tmp.resolve("theirs") + ":app")
                .lines().toList();

        // the same lines (blobs may start in another order, copied in parallel), then ocikit's summary
        assertThat(ours.get(0)).isEqualTo(theirs.get(0)).isEqualTo("Getting image source signatures");
        assertThat(ours.subList(0, ours.size() - 1)).containsExactlyInAnyOrderElementsOf(theirs);
        assertThat(ours.subList(ours.size() - 3, ours.size() - 1)).isEqualTo(theirs.subList(theirs.size() - 2, theirs.size()));
        assertThat(ours.get(ours.size() - 1)).matches("sha256:[0-9a-f]{64} \\(3 blobs copied, 0 reused\\)");
    }

    @Test
    void skopeoReadsEveryImageOfAMultiImageArchiveWeSave() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path layout = umociImage();
        String root = tmp.resolve("store").toString();
        ocikit("--root", root, "copy", "-q", "oci:" + layout + ":app", "ocikit:app:1");
        ocikit("--root", root, "copy", "-q", "--dest-compress-format", "zstd", "oci:" + layout + ":app", "ocikit:app-zstd:1");
        Path archive = tmp.resolve("multi.tar");

        ocikit("--root", root, "save", "-m", "-o", archive.toString(), "app:1", "app-zstd:1");

        for (String image : List.of("docker-archive:" + archive + ":@0", "docker-archive:" + archive + ":@1",
                "docker-archive:" + archive + ":localhost/app-zstd:1")) {
            JsonNode theirs = Json.tree(exec(tmp, skopeo, "inspect", image).getBytes(StandardCharsets.UTF_8), "skopeo");
            assertThat(theirs.get("Layers")).as(image).hasSize(2);
        }
        assertThat(exec(tmp, skopeo, "inspect", "--raw", "--config", "docker-archive:" + archive + ":localhost/app:1"))
                .isEqualTo(exec(tmp, skopeo, "inspect", "--raw", "--config", "oci:" + layout + ":app"));
        // out of the archive into an OCI layout, the uncompressed layers are gzipped, as skopeo gzips them
        ocikit("copy", "-q", "docker-archive:" + archive + ":@0", "oci:" + tmp.resolve("from-archive") + ":1");
        exec(tmp, skopeo, "copy", "-q", "docker-archive:" + archive + ":@0", "oci:" + tmp.resolve("theirs-from-archive") + ":1");
        JsonNode ours = Json.tree(exec(tmp, skopeo, "inspect", "--raw", "oci:" + tmp.resolve("from-archive") + ":1")
                .getBytes(StandardCharsets.UTF_8), "ours");
        JsonNode theirs = Json.tree(exec(tmp, skopeo, "inspect", "--raw", "oci:" + tmp.resolve("theirs-from-archive") + ":1")
                .getBytes(StandardCharsets.UTF_8), "theirs");
        for (int i = 0; i < 2; i++) {
            assertThat(ours.get("layers").get(i).get("mediaType")).isEqualTo(theirs.get("layers").get(i).get("mediaType"))
                    .hasToString("\"application/vnd.oci.image.layer.v1.tar+gzip\"");
        }
        assertThat(ours.get("config")).isEqualTo(theirs.get("config"));
    }

    @Test
    void unpackGivesTheTreeUmociGives() throws Exception {
        String umoci = Tools.require("umoci").toString();
        Path layout = umociImage();
        exec(tmp, umoci, "unpack", "--image", layout + ":app", tmp.resolve("theirs").toString());
        assertThat(ocikit("unpack", "oci:" + layout + ":app", tmp.resolve("ours").toString())).contains("unpacked 2 layers");
        Path ours = tmp.resolve("ours/rootfs");
        Path theirs = tmp.resolve("theirs/rootfs");
        assertThat(listing(ours)).isEqualTo(listing(theirs)).contains("etc/added", "etc/link -> app/config").doesNotContain("etc/gone");
        assertThat(ours.resolve("etc/app/config")).hasSameTextualContentAs(theirs.resolve("etc/app/config"));
    }

    @Test
    void unpackWritesUmocisAnnotationsAndVolumesAndLeavesNothingWhenItFails() throws Exception {
        String umoci = Tools.require("umoci").toString();
        Path layout = umociImage();
        exec(tmp, umoci, "config", "--image", layout + ":app", "--config.label", "com.example.team=a b",
                "--config.exposedports", "8080/tcp", "--config.volume", "/data", "--author", "me");
        exec(tmp, umoci, "unpack", "--image", layout + ":app", tmp.resolve("theirs").toString());

        ocikit("unpack", "oci:" + layout + ":app", tmp.resolve("ours").toString());

        JsonNode ours = Json.tree(Files.readAllBytes(tmp.resolve("ours/config.json")), "ours");
        JsonNode theirs = Json.tree(Files.readAllBytes(tmp.resolve("theirs/config.json")), "theirs");
        assertThat(ours.get("annotations")).isEqualTo(theirs.get("annotations"));
        JsonNode volume = null;
        for (JsonNode m : ours.get("mounts")) {
            if (m.get("destination").asText().equals("/data")) {
                volume = m;
            }
        }
        assertThat(volume).isNotNull();
        assertThat(volume.get("type").asText()).isEqualTo("tmpfs");
        // a failed unpack (a layer gone from the layout) leaves no half bundle to refuse the next try
        dev.ocikit.image.ImageLayout oci = dev.ocikit.image.ImageLayout.open(layout);
        dev.ocikit.spec.image.ImageManifest manifest = (dev.ocikit.spec.image.ImageManifest) oci.manifest(
                oci.find("app").orElseThrow()).model();
        Files.delete(layout.resolve("blobs/sha256/" + manifest.layers().get(1).digest().encoded()));
        CommandLine cli = Ocikit.commandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute("unpack", "oci:" + layout + ":app", tmp.resolve("failed").toString())).isNotZero();
        assertThat(tmp.resolve("failed")).doesNotExist();
    }

    @Test
    void unpackWritesABundleRuncRunsAsIs() throws Exception {
        String runc = Tools.require("runc").toString();
        Path rootfs = Files.createDirectories(tmp.resolve("src/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "id", "pwd")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Path layout = tmp.resolve("bb-layout");
        ImageFromDirectory.main(new String[] {tmp.resolve("src").toString(), layout.toString(), "bb",
                "sh", "-c", "echo hello from the bundle; id -u; pwd"});
        assertThat(ocikit("unpack", "oci:" + layout + ":bb", tmp.resolve("bundle").toString())).contains("config.json");
        String id = "ocikit-unpack-" + ProcessHandle.current().pid();
        try {
            assertThat(exec(tmp, runc, "--root", tmp.resolve("runc-state").toString(), "run", "--bundle",
                    tmp.resolve("bundle").toString(), id)).isEqualTo("hello from the bundle\n0\n/\n");
        } finally {
            new ProcessBuilder(runc, "--root", tmp.resolve("runc-state").toString(), "delete", "--force", id)
                    .start().waitFor();
        }
    }

    @Test
    void skopeoToOcikitToSkopeoKeepsEveryDigest() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path layout = umociImage();
        exec(tmp, skopeo, "copy", "oci:" + layout + ":app", "oci:" + tmp.resolve("s1") + ":app");
        assertThat(ocikit("copy", "oci:" + tmp.resolve("s1") + ":app", "dir:" + tmp.resolve("d"))).contains("Writing manifest");
        assertThat(ocikit("copy", "--preserve-digests", "dir:" + tmp.resolve("d"), "oci:" + tmp.resolve("o2") + ":app"))
                .contains("Writing manifest");
        exec(tmp, skopeo, "copy", "oci:" + tmp.resolve("o2") + ":app", "oci:" + tmp.resolve("s2") + ":app");
        String original = exec(tmp, skopeo, "inspect", "--raw", "oci:" + layout + ":app");
        assertThat(exec(tmp, skopeo, "inspect", "--raw", "oci:" + tmp.resolve("s2") + ":app")).isEqualTo(original);
        assertThat(exec(tmp, skopeo, "inspect", "--raw", "--config", "oci:" + tmp.resolve("s2") + ":app"))
                .isEqualTo(exec(tmp, skopeo, "inspect", "--raw", "--config", "oci:" + layout + ":app"));
    }

    @Test
    void aDockerImageGoesThroughAnOciLayoutWithItsDigestsAsSkopeoKeepsThem() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path layout = umociImage();
        exec(tmp, skopeo, "copy", "--format", "v2s2", "oci:" + layout + ":app", "dir:" + tmp.resolve("docker"));
        String docker = exec(tmp, skopeo, "inspect", "--raw", "dir:" + tmp.resolve("docker"));
        // skopeo keeps the Docker manifest in the layout when told to keep digests (though it does not read it back)
        exec(tmp, skopeo, "copy", "--preserve-digests", "dir:" + tmp.resolve("docker"), "oci:" + tmp.resolve("theirs") + ":app");

        assertThat(ocikit("copy", "--preserve-digests", "dir:" + tmp.resolve("docker"), "oci:" + tmp.resolve("ours") + ":app"))
                .contains("Writing manifest");

        JsonNode theirs = Json.tree(Files.readAllBytes(tmp.resolve("theirs/index.json")), "theirs").get("manifests").get(0);
        JsonNode ours = Json.tree(Files.readAllBytes(tmp.resolve("ours/index.json")), "ours").get("manifests").get(0);
        assertThat(ours).isEqualTo(theirs);
        assertThat(ours.get("mediaType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        // out of either layout, the same bytes come back
        ocikit("copy", "--preserve-digests", "oci:" + tmp.resolve("ours") + ":app", "dir:" + tmp.resolve("back"));
        ocikit("copy", "--preserve-digests", "oci:" + tmp.resolve("theirs") + ":app", "dir:" + tmp.resolve("back2"));
        assertThat(exec(tmp, skopeo, "inspect", "--raw", "dir:" + tmp.resolve("back"))).isEqualTo(docker);
        assertThat(exec(tmp, skopeo, "inspect", "--raw", "dir:" + tmp.resolve("back2"))).isEqualTo(docker);
        // Without --preserve-digests an OCI layout gets OCI, as from skopeo: the same bytes, its config rewritten alike
        ocikit("copy", "dir:" + tmp.resolve("docker"), "oci:" + tmp.resolve("o2") + ":app");
        exec(tmp, skopeo, "copy", "dir:" + tmp.resolve("docker"), "oci:" + tmp.resolve("s2") + ":app");
        assertThat(exec(tmp, skopeo, "inspect", "--raw", "oci:" + tmp.resolve("o2") + ":app"))
                .contains("application/vnd.oci.image.manifest.v1+json")
                .isEqualTo(exec(tmp, skopeo, "inspect", "--raw", "oci:" + tmp.resolve("s2") + ":app"));
    }

    @Test
    void recompressedCopyIsReadBySkopeoWithTheSameDiffIds() throws Exception {
        String skopeo = Tools.require("skopeo").toString();
        Path layout = umociImage();
        ocikit("copy", "--dest-compress-format", "zstd", "oci:" + layout + ":app", "oci:" + tmp.resolve("z") + ":app");
        JsonNode theirs = Json.tree(exec(tmp, skopeo, "inspect", "--raw", "--config", "oci:" + layout + ":app")
                .getBytes(StandardCharsets.UTF_8), "config");
        JsonNode ours = Json.tree(exec(tmp, skopeo, "inspect", "--raw", "--config", "oci:" + tmp.resolve("z") + ":app")
                .getBytes(StandardCharsets.UTF_8), "config");
        assertThat(ours.get("rootfs")).isEqualTo(theirs.get("rootfs"));
        assertThat(exec(tmp, skopeo, "inspect", "--raw", "oci:" + tmp.resolve("z") + ":app")).contains("tar+zstd");
        exec(tmp, skopeo, "copy", "oci:" + tmp.resolve("z") + ":app", "dir:" + tmp.resolve("zd"));
    }

    static List<String> listing(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> {
                String rel = root.relativize(p).toString();
                try {
                    return Files.isSymbolicLink(p) ? rel + " -> " + Files.readSymbolicLink(p) : rel;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }
}
