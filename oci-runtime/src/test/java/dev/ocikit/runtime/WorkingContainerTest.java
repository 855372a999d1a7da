package dev.ocikit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.ImageStore;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.image.ContainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A working container's state on disk, without running anything. */
class WorkingContainerTest {
    static final String ID = "a".repeat(64);

    @TempDir
    Path dir;

    OciRuntime runtime;

    @BeforeEach
    void runtime() throws Exception {
        runtime = OciRuntime.builder().store(ImageStore.open(dir.resolve("store"))).root(dir.resolve("root"))
                .stateRoot(dir.resolve("state")).sweepOnStart(false).build();
    }

    Path stateFile(String id) throws Exception {
        return Files.createDirectories(runtime.buildsDir().resolve(id)).resolve("state.json");
    }

    @Test
    void theStateRoundTripsAndIsFoundByNameIdAndPrefix() throws Exception {
        Files.createDirectories(stateFile(ID).getParent());
        WorkingContainer wc = new WorkingContainer(runtime, runtime.buildsDir().resolve(ID));
        ContainerConfig config = ContainerConfig.builder().env("A", "b").user("app").entrypoint("sh").build();
        wc.write(new WorkingContainer.State(ID, "named", "localhost/x:1", Optional.of("sha256:" + "b".repeat(64)),
                "linux/amd64", "2024-01-02T03:04:05Z", config, List.of("RUN true"), List.of("sha256:" + "c".repeat(64)),
                false));
        assertThat(wc.config()).isEqualTo(config);
        assertThat(wc.history()).containsExactly("RUN true");
        assertThat(wc.name()).isEqualTo("named");
        assertThat(runtime.openWorkingContainer("named")).isEqualTo(wc);
        assertThat(runtime.openWorkingContainer("aaaa")).isEqualTo(wc);
        assertThat(runtime.workingContainers()).containsExactly(wc);
        assertThatThrownBy(() -> runtime.openWorkingContainer("other")).isInstanceOf(NoSuchContainerException.class);
    }

    @Test
    void aDamagedStateIsATypedFailureHiddenFromTheListButRemovableById() throws Exception {
        Files.writeString(stateFile(ID), "{\"id\": [");
        assertThat(runtime.workingContainers()).isEmpty();
        WorkingContainer wc = runtime.openWorkingContainer(ID);
        assertThatThrownBy(wc::config).isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("working container state");
        wc.remove();
        assertThat(runtime.buildsDir().resolve(ID)).doesNotExist();
    }

    @Test
    void aStateMissingItsFieldsOrNamingAnotherContainerIsRefused() throws Exception {
        Files.writeString(stateFile(ID), "{\"id\":\"" + ID + "\"}");
        assertThatThrownBy(() -> runtime.openWorkingContainer(ID).name()).isInstanceOf(MalformedDocumentException.class);
        Files.writeString(stateFile(ID), "{\"id\":\"" + "d".repeat(64) + "\",\"name\":\"n\",\"image\":\"scratch\","
                + "\"platform\":\"linux/amd64\",\"created\":\"2024-01-02T03:04:05Z\",\"copied\":false}");
        assertThatThrownBy(() -> runtime.openWorkingContainer(ID).name()).isInstanceOf(ContainerException.class)
                .hasMessageContaining("tampered");
    }
}
