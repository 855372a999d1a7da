package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ocikit, the launcher users run: the class-data sharing archive it trains on first use is
 * usable however ocikit is started afterwards. {@code -Xshare:on} turns an archive the JVM
 * refuses, which otherwise only makes every start slower, into a failed start.
 */
class LauncherIT {
    @TempDir
    Path tmp;

    private record Ended(int exit, String out, String err) {}

    private Ended launch(Path cwd, String launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", launcher));
        command.addAll(List.of(args));
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Ended(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void anArchiveTrainedThroughARelativePathServesEveryWorkingDirectory() throws Exception {
        Path module = CliContainersIT.shadedJar().getParent().getParent(); // examples/, holding bin/ and target/
        Map<String, String> env = Map.of("OCIKIT_CDS_DIR", tmp.resolve("cds").toString());

        Ended trained = launch(module, "bin/ocikit", env, "--version");
        assertThat(trained.exit()).as(trained.err()).isZero();
        assertThat(trained.out()).startsWith("ocikit ");
        try (var archives = Files.list(tmp.resolve("cds"))) {
            assertThat(archives.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".jsa"));
        }

        Map<String, String> strict = Map.of("OCIKIT_CDS_DIR", tmp.resolve("cds").toString(),
                "OCIKIT_JAVA_OPTS", "-Xshare:on");
        Ended elsewhere = launch(Files.createDirectories(tmp.resolve("elsewhere")),
                module.resolve("bin/ocikit").toString(), strict, "--version");
        assertThat(elsewhere.exit()).as(elsewhere.err()).isZero();
        assertThat(elsewhere.out()).startsWith("ocikit ");
        Ended here = launch(module, "bin/ocikit", strict, "--version");
        assertThat(here.exit()).as(here.err()).isZero();
    }

    @Test
    void namesWithAccentsArePackedInTheCLocaleOfContainersAndCiJobs() throws Exception {
        Path module = CliContainersIT.shadedJar().getParent().getParent();
        Path src = Files.createDirectories(tmp.resolve("src"));
        // made by the shell from bytes: this JVM may itself run in a locale that cannot name it
        Process touch = new ProcessBuilder("sh", "-c", "printf 'au lait\\n' > \"$(printf 'caf\\303\\251.txt')\"")
                .directory(src.toFile()).start();
        assertThat(touch.waitFor()).isZero();
        Map<String, String> posix = Map.of("OCIKIT_CDS_DIR", tmp.resolve("cds").toString(), "LANG", "C", "LC_ALL", "C");

        Ended packed = launch(module, "bin/ocikit", posix, "pack-layer", "--compression", "none", src.toString(),
                tmp.resolve("layer.tar").toString());

        assertThat(packed.exit()).as(packed.err()).isZero();
        // the name as its UTF-8 bytes, as in any image
        assertThat(new String(Files.readAllBytes(tmp.resolve("layer.tar")), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains(new String("caf\u00e9.txt".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
