package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.ImageStore;
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
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        dev.ocikit.image.build.ImageBuilder.scratch()
                .copy(dev.ocikit.image.AddedFile.of(Path.of("/bin/busybox"), "/bin/busybox").withMode(0755))
                .commit("oci:" + tmp.resolve("base") + ":jre");
        try (TestRegistry registry = TestRegistry.plain()) {
            String host = registry.host();
            Result built = sample(BuildJavaApp.class, host, "oci:" + tmp.resolve("base") + ":jre", libs.toString(),
                    tmp.resolve("classes").toString(), "com.example.Main", "docker://" + host + "/team/app:1");
            assertThat(built.exit()).as(built.output()).isZero();
            assertThat(built.output()).contains("wrote docker:").contains("sha256:");

            Result copied = sample(CopyBetweenRegistries.class, host, "docker://" + host + "/team/app:1",
                    "docker://" + host + "/mirror/app:1");
            assertThat(copied.exit()).as(copied.output()).isZero();
            String digest = built.output().substring(built.output().indexOf("sha256:")).strip();
            assertThat(copied.output()).contains("as " + digest);

            Result inspected = sample(InspectWithoutPulling.class, host, "docker://" + host + "/mirror/app:1");
            assertThat(inspected.exit()).as(inspected.output()).isZero();
            assertThat(inspected.output()).contains("digest:   " + digest)
                    .contains("command:  [java, -XX:MaxRAMPercentage=75, -cp").contains("in 3 layers");
            assertThat(store.list()).isEmpty();
        }
    }
}
