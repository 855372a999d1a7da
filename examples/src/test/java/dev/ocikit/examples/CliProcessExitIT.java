package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.Json;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process: commands that end through libc's _exit (QuickExit) still deliver all
 * their output and their exit code, and the others end as before.
 */
class CliProcessExitIT {
    @TempDir
    Path tmp;

    record Ended(int exit, String out, String err) {}

    private Ended ocikit(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(CliContainersIT.javaBinary(), "-jar",
                CliContainersIT.shadedJar().toString()));
        command.addAll(List.of(args));
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Ended(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aQuicklyEndedCommandDeliversItsWholeOutputAndExitCode() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app/etc"));
        Files.writeString(app.resolve("greeting"), "hello\n");
        ImageFromDirectory.main(new String[] {tmp.resolve("app").toString(), tmp.resolve("layout").toString(), "v1"});

        Ended inspect = ocikit("inspect", "--config", "oci:" + tmp.resolve("layout") + ":v1");
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        // the whole document arrived: it parses, to its last brace
        assertThat(Json.tree(inspect.out().getBytes(java.nio.charset.StandardCharsets.UTF_8), "config").has("rootfs")).isTrue();

        Ended copied = ocikit("copy", "oci:" + tmp.resolve("layout") + ":v1", "dir:" + tmp.resolve("dir"));
        assertThat(copied.exit()).as(copied.err()).isZero();
        assertThat(copied.out()).contains("Writing manifest to image destination\n")
                .containsPattern("\nsha256:[0-9a-f]{64} \\(\\d+ blobs copied, \\d+ reused\\)\n$");
        assertThat(tmp.resolve("dir/manifest.json")).exists();

        Ended missing = ocikit("inspect", "oci:" + tmp.resolve("nothing-here") + ":v1");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("Error: ").endsWith("\n");

        // a store command is not among them, and ends as it always did
        Ended images = ocikit("--root", tmp.resolve("store").toString(), "images");
        assertThat(images.exit()).as(images.err()).isZero();
        assertThat(images.out()).startsWith("REPOSITORY");
    }
}
