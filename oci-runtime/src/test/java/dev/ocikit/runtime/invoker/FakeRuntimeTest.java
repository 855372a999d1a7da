package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RuntimeCli against shell scripts posing as runtimes: the behaviours real runc on this machine
 * cannot show (an affected version, a missing command, malformed output).
 */
class FakeRuntimeTest {
    @TempDir
    Path tmp;

    /** A fake runtime: {@code --version} prints {@code versionOutput}; other commands run {@code body}. */
    private RuntimeCli fake(String name, String versionOutput, String body) throws Exception {
        Path exe = tmp.resolve(name);
        Files.writeString(exe, "#!/bin/sh\n"
                + "if [ \"$1\" = --version ]; then printf '%s\\n' '" + versionOutput.replace("\n", "' '") + "'; exit 0; fi\n"
                // skip the global options the invoker passes, then hand the command to the body
                + "log=\nwhile [ $# -gt 0 ]; do case \"$1\" in --root) shift 2;; --log) log=\"$2\"; shift 2;;"
                + " --log-format) shift 2;; --*) shift;; *) break;; esac; done\n"
                + body + "\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        return RuntimeCli.of(exe.toString());
    }

    /** A runtime whose create and exec fail as runc's do when the process cannot be exec'd. */
    private RuntimeCli failingExec(String error) throws Exception {
        String json = "{\"level\":\"error\",\"msg\":\"" + error.replace("\"", "\\\"") + "\"}";
        RuntimeCli cli = fake("runc", "runc version 1.1.12\nspec: 1.0.2-dev",
                "printf '%s\\n' '" + json + "' >> \"$log\"; exit 1");
        Files.createDirectories(tmp.resolve("b"));
        Files.writeString(tmp.resolve("b/config.json"), "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],"
                + "\"cwd\":\"/\"},\"root\":{\"path\":\"rootfs\"}}");
        return cli;
    }

    @Test
    void aMissingOrForbiddenExecutableIsTyped() throws Exception {
        var process = dev.ocikit.spec.runtime.Process.builder().args(java.util.List.of("x")).cwd("/").build();
        RuntimeCli missing = failingExec("runc create failed: unable to start container process:"
                + " exec: \"nosuchcmd\": executable file not found in $PATH");
        assertThatThrownBy(() -> missing.create("c", tmp.resolve("b"), CreateOptions.defaults()))
                .isInstanceOfSatisfying(ExecutableNotFoundException.class, e -> {
                    assertThat(e.command()).isEqualTo("create");
                    assertThat(e.runtimeError()).contains("nosuchcmd");
                }).hasMessageContaining("nosuchcmd");
        assertThatThrownBy(() -> missing.exec("c", process, ExecOptions.defaults()))
                .isInstanceOf(ExecutableNotFoundException.class);
        try (StartedExec started = missing.startExec("c", process, ExecOptions.defaults())) {
            assertThatThrownBy(started::waitFor).isInstanceOf(ExecutableNotFoundException.class);
        }
        RuntimeCli denied = failingExec("exec failed: unable to start container process:"
                + " exec: \"/etc/passwd\": permission denied");
        assertThatThrownBy(() -> denied.exec("c", process, ExecOptions.defaults()))
                .isInstanceOf(ExecutableNotPermittedException.class);
        // the same text from a command that starts no process stays a plain failure
        assertThatThrownBy(() -> denied.kill("c", "TERM", false))
                .isExactlyInstanceOf(RuntimeCommandException.class);
    }

    @Test
    void affectedRuncIsRefusedBeforeCreate() throws Exception {
        RuntimeCli old = fake("runc", "runc version 1.1.11\ncommit: v1.1.11-0-g4bccb38c\nspec: 1.0.2-dev",
                "echo should-not-run > " + tmp.resolve("ran") + "; exit 0");
        Files.createDirectories(tmp.resolve("b"));
        Files.writeString(tmp.resolve("b/config.json"), "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],"
                + "\"cwd\":\"/\"},\"root\":{\"path\":\"rootfs\"}}");
        assertThatThrownBy(() -> old.create("c", tmp.resolve("b"), CreateOptions.defaults()))
                .isInstanceOf(UnsafeRuntimeVersionException.class)
                .hasMessageContaining("CVE-2024-21626").hasMessageContaining("1.1.12");
        assertThatThrownBy(() -> old.allowUnverifiedVersion().requireSafeVersion())
                .as("a known-affected version cannot be opted into")
                .isInstanceOf(UnsafeRuntimeVersionException.class);
        assertThat(tmp.resolve("ran")).doesNotExist();
        // inspecting and tearing down stay possible, for a sweep
        assertThatCode(() -> old.delete("c", true)).doesNotThrowAnyException();
    }

    @Test
    void aRuntimesVersionIsAskedOncePerExecutableAcrossProcessesSharingAStateRoot() throws Exception {
        Path count = tmp.resolve("asked");
        Path exe = tmp.resolve("runc");
        Files.writeString(exe, "#!/bin/sh\necho asked >> " + count + "\nprintf 'runc version 1.1.12\\nspec: 1.0.2-dev\\n'\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path root = tmp.resolve("state");
        // two instances share no memory, as two JVMs would not
        assertThat(RuntimeCli.of(exe.toString()).root(root).version().version()).isEqualTo("1.1.12");
        assertThat(RuntimeCli.of(exe.toString()).root(root).version().version()).isEqualTo("1.1.12");
        assertThat(Files.readAllLines(count)).hasSize(1);
        // an upgraded executable (another size and time) is asked again
        Files.writeString(exe, "#!/bin/sh\necho asked >> " + count + "\nprintf 'runc version 1.2.0\\nspec: 1.2.0\\n'\n");
        Files.setLastModifiedTime(exe, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(RuntimeCli.of(exe.toString()).root(root).version().version()).isEqualTo("1.2.0");
        assertThat(Files.readAllLines(count)).hasSize(2);
    }

    @Test
    void unknownRuntimeNeedsAnOptIn() throws Exception {
        RuntimeCli youki = fake("youki", "youki version 0.3.3\ncommit: 0.3.3-0-g1234\nspec: 1.0.2", "exit 0");
        assertThat(youki.version().runtime()).isEqualTo("youki");
        assertThatThrownBy(youki::requireSafeVersion).isInstanceOf(UnsafeRuntimeVersionException.class)
                .hasMessageContaining("allowUnverifiedVersion");
        assertThatCode(() -> youki.allowUnverifiedVersion().requireSafeVersion()).doesNotThrowAnyException();
    }

    @Test
    void missingFeaturesCommandIsTyped() throws Exception {
        RuntimeCli old = fake("runc", "runc version 1.0.3\nspec: 1.0.2-dev",
                "echo \"No help topic for '$1'\" >&2; exit 3");
        assertThatThrownBy(old::features).isInstanceOf(UnsupportedRuntimeCommandException.class)
                .hasMessageContaining("features").hasMessageContaining("1.0.3");
    }

    @Test
    void malformedStateNamesTheCommand() throws Exception {
        RuntimeCli bad = fake("runc", "runc version 1.1.12\nspec: 1.0.2-dev", "echo '{\"id\": '; exit 0");
        assertThatThrownBy(() -> bad.state("c")).isInstanceOfSatisfying(RuntimeOutputException.class,
                e -> assertThat(e.command()).isEqualTo("state"));
        assertThatThrownBy(() -> bad.ps("c")).isInstanceOf(RuntimeOutputException.class).hasMessageContaining("ps");
    }

    @Test
    void errorsComeFromTheJsonLogThenStderr() throws Exception {
        RuntimeCli json = fake("runc", "runc version 1.1.12", "echo '{\"level\":\"error\",\"msg\":\"from the log\"}'"
                + " > \"$log\"; echo 'from stderr' >&2; exit 1");
        assertThatThrownBy(() -> json.kill("c", "TERM", true)).isInstanceOfSatisfying(RuntimeCommandException.class,
                e -> {
                    assertThat(e.runtimeError()).isEqualTo("from the log");
                    assertThat(e.exitCode()).isEqualTo(1);
                    assertThat(e.command()).isEqualTo("kill");
                });
        RuntimeCli plain = fake("runc", "runc version 1.1.12", "echo 'from stderr' >&2; exit 2");
        assertThatThrownBy(() -> plain.pause("c")).isInstanceOfSatisfying(RuntimeCommandException.class,
                e -> assertThat(e.runtimeError()).isEqualTo("from stderr"));
    }

    @Test
    void passesGlobalOptions() throws Exception {
        Path args = tmp.resolve("args");
        Path exe = tmp.resolve("runc");
        Files.writeString(exe, "#!/bin/sh\necho \"$@\" > " + args + "\necho null\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        RuntimeCli cli = RuntimeCli.of(exe.toString()).root(tmp.resolve("state")).systemdCgroup(true)
                .rootless(RuntimeCli.Rootless.OFF);
        assertThat(cli.list()).isEmpty();
        assertThat(Files.readString(args)).startsWith("--root " + tmp.resolve("state") + " --log ")
                .contains("--log-format json --systemd-cgroup --rootless=false list --format json");
    }
}
