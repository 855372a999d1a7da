package dev.ocikit.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkStateTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsThroughTheStateFile() {
        NetworkState s = new NetworkState(NetworkState.VERSION, "c1", NetworkMode.PRIVATE, NetworkSettings.Backend.CNI, 42,
                List.of(PortMapping.parse("127.0.0.1:5000:80")), Optional.of("/x/netns"), Optional.of(List.of("/usr/lib/cni")),
                Optional.of(ContainerNetwork.conflist(CniNetwork.DEFAULT, true)), Optional.of(ContainerNetwork.loopbackConfig()),
                Optional.of(ContainerNetwork.runtimeConfig(List.of(PortMapping.parse("127.0.0.1:5000:80")))), Optional.empty(),
                Optional.empty(), Optional.empty());
        s.write(dir);
        assertThat(NetworkState.read(dir)).contains(s);
        NetworkState.delete(dir);
        assertThat(NetworkState.read(dir)).isEmpty();
        assertThat(dir.resolve("network.json.tmp")).doesNotExist();
    }

    @Test
    void aMissingStateMakesSweepANoOp() {
        ContainerNetwork.sweep(dir);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void corruptOrForeignStateIsATypedError() throws Exception {
        Files.writeString(dir.resolve("network.json"), "{\"version\":1,");
        assertThatThrownBy(() -> ContainerNetwork.sweep(dir)).isInstanceOf(NetworkException.class).hasMessageContaining("corrupt");
        Files.writeString(dir.resolve("network.json"), "{\"version\":1}");
        assertThatThrownBy(() -> ContainerNetwork.sweep(dir)).isInstanceOf(NetworkException.class);
        Files.writeString(dir.resolve("network.json"),
                "{\"version\":99,\"containerId\":\"c\",\"mode\":\"PRIVATE\",\"backend\":\"CNI\",\"initPid\":1}");
        assertThatThrownBy(() -> ContainerNetwork.sweep(dir)).isInstanceOf(NetworkException.class).hasMessageContaining("version 99");
    }

    @Test
    void attachRefusesBadInputBeforeTouchingTheHost() {
        NetworkSettings s = NetworkSettings.defaults();
        assertThatThrownBy(() -> ContainerNetwork.attach(s, "bad id;rm", 1, dir)).isInstanceOf(NetworkException.class)
                .hasMessageContaining("container id");
        assertThatThrownBy(() -> ContainerNetwork.attach(s, "c1", Long.MAX_VALUE, dir)).isInstanceOf(NetworkException.class)
                .hasMessageContaining("runc create");
        // our own pid shares our netns: PRIVATE must refuse it rather than rewire the host
        assertThatThrownBy(() -> ContainerNetwork.attach(s, "c1", ProcessHandle.current().pid(), dir))
                .isInstanceOf(NetworkException.class).hasMessageContaining("needs its own");
        try (ContainerNetwork host = ContainerNetwork.attach(NetworkSettings.newBuilder().mode(NetworkMode.HOST).publish(8080).build(),
                "c1", ProcessHandle.current().pid(), dir)) {
            assertThat(host.mappedPort(8080)).isEqualTo(8080);
            assertThat(host.host()).isEqualTo("127.0.0.1");
            assertThatThrownBy(() -> host.mappedPort(9090)).isInstanceOf(PortNotPublishedException.class)
                    .hasMessageContaining("9090/tcp is not published");
        }
    }
}
