package dev.ocikit.spec.runtime;

import static dev.ocikit.spec.testing.JsonAssert.assertSameFieldOrder;
import static dev.ocikit.spec.testing.JsonAssert.assertSemanticallyEqual;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.Json;
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

/**
 * Reads what the real runc writes: {@code runc spec}, {@code runc spec --rootless} and
 * {@code runc features}. Each document must parse, keep its concrete values, and be written
 * back saying exactly what runc said.
 */
class RuncSpecIT {
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    /** Runs runc with {@code args} in {@code workDir}; stdout goes to a file so a full pipe cannot stall it. */
    private static byte[] runc(Path workDir, String... args) throws IOException, InterruptedException {
        Path runc = Tools.require("runc");
        List<String> command = new ArrayList<>();
        command.add(runc.toString());
        command.addAll(List.of(args));
        Path out = workDir.resolve(".runc-stdout");
        Path err = workDir.resolve(".runc-stderr");
        java.lang.Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        assertThat(process.exitValue())
                .as("%s exit code; stderr: %s", command, Files.readString(err, StandardCharsets.UTF_8))
                .isZero();
        byte[] stdout = Files.readAllBytes(out);
        Files.delete(out);
        Files.delete(err);
        return stdout;
    }

    @Test
    void runcSpecTemplate() throws Exception {
        runc(dir, "spec");
        byte[] json = Files.readAllBytes(dir.resolve("config.json"));

        Spec spec = Spec.parse(json);

        assertSemanticallyEqual(json, spec);
        assertSameFieldOrder(json, spec);
        assertThat(spec.ociVersion()).startsWith("1.");
        Process process = spec.process().orElseThrow();
        assertThat(process.args()).containsExactly("sh");
        assertThat(process.cwd()).isEqualTo("/");
        assertThat(process.terminal()).contains(true);
        assertThat(process.user()).contains(User.root());
        assertThat(process.noNewPrivileges()).contains(true);
        assertThat(process.envValue("TERM")).contains("xterm");
        assertThat(process.capabilities().orElseThrow().bounding()).contains("CAP_KILL");
        assertThat(process.rlimits()).anySatisfy(r -> {
            assertThat(r.type()).isEqualTo("RLIMIT_NOFILE");
            assertThat(r.soft()).isPositive();
        });
        assertThat(spec.root()).contains(Root.readOnly("rootfs"));
        assertThat(spec.mount("/proc").orElseThrow().type()).contains("proc");
        Linux linux = spec.linux().orElseThrow();
        assertThat(linux.namespaces()).extracting(Namespace::type).contains("mount", "pid", "network", "ipc", "uts");
        assertThat(linux.namespaces()).allSatisfy(n -> assertThat(n.hasKnownType()).isTrue());
        assertThat(linux.maskedPaths()).contains("/proc/kcore");
        assertThat(linux.readonlyPaths()).contains("/proc/sys");
        // runc's template denies every device, and says so with an explicit false
        assertThat(linux.resources().orElseThrow().devices().get(0).allow()).isFalse();

        // what we write, runc's own template says: and reading our output gives the same model
        assertThat(Spec.parse(Json.writePretty(spec))).isEqualTo(spec);
    }

    @Test
    void runcRootlessSpecTemplate() throws Exception {
        runc(dir, "spec", "--rootless");
        byte[] json = Files.readAllBytes(dir.resolve("config.json"));

        Spec spec = Spec.parse(json);

        assertSemanticallyEqual(json, spec);
        assertSameFieldOrder(json, spec);
        assertThat(spec.process().orElseThrow().args()).containsExactly("sh");
        Linux linux = spec.linux().orElseThrow();
        assertThat(linux.namespaces()).extracting(Namespace::type).contains("mount", "user").doesNotContain("network");
        assertThat(linux.uidMappings()).hasSize(1);
        assertThat(linux.uidMappings().get(0).containerId()).isZero();
        assertThat(linux.uidMappings().get(0).size()).isEqualTo(1);
        assertThat(linux.gidMappings()).hasSize(1);
        assertThat(spec.mount("/sys").orElseThrow().options()).contains("rbind");
    }

    @Test
    void runcFeatures() throws Exception {
        byte[] json = runc(dir, "features");

        Features features = Features.parse(json);

        assertSemanticallyEqual(json, features);
        assertSameFieldOrder(json, features);
        assertThat(features.ociVersionMin()).startsWith("1.");
        assertThat(features.hooks().orElseThrow()).contains("createRuntime", "poststop");
        assertThat(features.mountOptions().orElseThrow()).contains("ro", "rbind");
        Features.Linux linux = features.linux().orElseThrow();
        assertThat(linux.namespaces().orElseThrow()).contains("mount", "user");
        assertThat(linux.capabilities().orElseThrow()).contains("CAP_SYS_ADMIN");
        assertThat(features.annotations().orElseThrow()).containsKey("org.opencontainers.runc.version");

        // the runtime accepts the version of the template it writes itself
        runc(dir, "spec");
        Spec template = Spec.parse(Files.readAllBytes(dir.resolve("config.json")));
        assertThat(features.accepts(template.ociVersion())).isTrue();
        assertThat(features.accepts("0.1.0")).isFalse();
    }
}
