package dev.ocikit.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchDefinitionTest {
    @TempDir
    Path dir;

    private LaunchDefinition definition(List<LaunchDefinition.FileCopy> files) {
        return new LaunchDefinition("sha256:abc", Optional.of(List.of()), Optional.of(List.of("sh", "-c", "echo")),
                Map.of("A", "1"), Optional.of("/srv"), Optional.empty(), Optional.empty(), files,
                List.of(new LaunchDefinition.Bind("/data", "/data", true)), List.of("/tmp"), List.of(80, 443), "PRIVATE",
                Optional.of(64L << 20), Optional.of(1.5), Optional.of(10L), 0);
    }

    @Test
    void roundTripsThroughJsonExactly() throws Exception {
        LaunchDefinition d = definition(List.of(new LaunchDefinition.FileCopy("/a", "/b")));
        LaunchDefinition back = LaunchDefinition.fromJson(d.toJson());
        assertThat(back).isEqualTo(d);
        assertThat(back.entrypoint()).as("a cleared entrypoint stays cleared, not the image's").contains(List.of());
    }

    @Test
    void missingFieldsReadAsTheirDefaults() throws Exception {
        LaunchDefinition d = LaunchDefinition.fromJson("{\"imageId\":\"sha256:1\"}".getBytes());
        assertThat(d.env()).isEmpty();
        assertThat(d.files()).isEmpty();
        assertThat(d.network()).isEqualTo("NONE");
        assertThat(d.entrypoint()).isEmpty();
    }

    @Test
    void theHashFollowsTheDefinitionTheScopeAndTheCopiedFilesContent() throws Exception {
        Path file = Files.writeString(dir.resolve("app.conf"), "port=80\n");
        LaunchDefinition d = definition(List.of(new LaunchDefinition.FileCopy(file.toString(), "/etc/app.conf")));
        String hash = d.hash("store\nroot");
        assertThat(hash).hasSize(64).isEqualTo(d.hash("store\nroot"));
        assertThat(d.hash("other store\nroot")).isNotEqualTo(hash);
        assertThat(definition(List.of()).hash("store\nroot")).isNotEqualTo(hash);
        Files.writeString(file, "port=81\n");
        assertThat(d.hash("store\nroot")).as("a changed file makes another container").isNotEqualTo(hash);
    }

    @Test
    void theHashOfADirectoryCoversEveryFileInIt() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("site/css"));
        Files.writeString(tree.resolve("a.css"), "body{}");
        LaunchDefinition d = definition(List.of(new LaunchDefinition.FileCopy(dir.resolve("site").toString(), "/www")));
        String before = d.hash("s");
        Files.writeString(tree.resolve("b.css"), "");
        assertThat(d.hash("s")).isNotEqualTo(before);
    }

    @Test
    void copiesTreesWithModesAndLinks() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site/sub"));
        Path script = Files.writeString(site.resolve("run.sh"), "#!/bin/sh\n");
        script.toFile().setExecutable(true);
        Files.createSymbolicLink(site.resolve("link"), Path.of("run.sh"));
        Path target = dir.resolve("copy");
        LaunchDefinition.copyTree(dir.resolve("site"), target);
        assertThat(target.resolve("sub/run.sh")).hasContent("#!/bin/sh");
        assertThat(Files.isExecutable(target.resolve("sub/run.sh"))).isTrue();
        assertThat(Files.readSymbolicLink(target.resolve("sub/link"))).isEqualTo(Path.of("run.sh"));
    }
}
