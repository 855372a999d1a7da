package dev.ocikit.image.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs peer tools (skopeo, umoci) in tests. */
public final class Processes {
    private Processes() {}

    /** The result of a run. */
    public record Result(int exitCode, String stdout, String stderr) {
        public Result ok() {
            assertThat(exitCode).as("exit code; stderr: %s", stderr).isZero();
            return this;
        }
    }

    /** Runs a command to its end (at most two minutes) and returns what it printed. */
    public static Result run(Path executable, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("ocikit-test-out-", ".txt");
            Path err = Files.createTempFile("ocikit-test-err-", ".txt");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not finish within two minutes");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
