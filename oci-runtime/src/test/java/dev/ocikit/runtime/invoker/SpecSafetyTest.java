package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecSafetyTest {

    @ParameterizedTest
    @ValueSource(strings = {"/proc/self/fd/7", "/proc/self/fd", "/proc/thread-self/fd/8", "/proc/1/fd/4",
        "//proc//self/./fd/7/../../..", "/proc/1/task/1/fd/3", "/tmp/../proc/self/fd/5"})
    void refusesProcFdWorkingDirectories(String cwd) {
        assertThatThrownBy(() -> SpecSafety.checkCwd(cwd, "config.json"))
                .isInstanceOf(UnsafeSpecException.class)
                .hasMessageContaining("CVE-2024-21626");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/home/app", "/proc", "/proc/self", "/srv/proc/self/fd/7", "/proc/self/fdinfo"})
    void acceptsOrdinaryWorkingDirectories(String cwd) {
        assertThatCode(() -> SpecSafety.checkCwd(cwd, "config.json")).doesNotThrowAnyException();
    }

    @Test
    void checksTheBundlesConfig(@TempDir Path bundle) throws Exception {
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],"
                + "\"cwd\":\"/proc/self/fd/7\"},\"root\":{\"path\":\"rootfs\"}}");
        assertThatThrownBy(() -> SpecSafety.checkBundle(bundle)).isInstanceOf(UnsafeSpecException.class)
                .hasMessageContaining("config.json");
    }

    @Test
    void missingConfigIsTyped(@TempDir Path bundle) {
        assertThatThrownBy(() -> SpecSafety.checkBundle(bundle)).isInstanceOf(UnsafeSpecException.class)
                .hasMessageContaining("no config.json");
    }
}
