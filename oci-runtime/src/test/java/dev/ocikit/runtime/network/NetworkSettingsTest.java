package dev.ocikit.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NetworkSettingsTest {
    @Test
    void defaults() {
        NetworkSettings s = NetworkSettings.defaults();
        assertThat(s.mode()).isEqualTo(NetworkMode.PRIVATE);
        assertThat(s.ports()).isEmpty();
        assertThat(s.backend()).isEqualTo(NetworkSettings.Backend.AUTO);
        assertThat(s.cni()).isEqualTo(CniNetwork.DEFAULT);
        assertThat(s.cni().subnet()).isEqualTo("10.89.0.0/24");
        assertThat(s.cni().effectiveIpamDataDir()).isEqualTo(Path.of("/var/lib/cni/networks/ocikit"));
    }

    @Test
    void noneCannotPublish() {
        assertThatThrownBy(() -> NetworkSettings.newBuilder().mode(NetworkMode.NONE).publish(80).build())
                .isInstanceOf(NetworkException.class).hasMessageContaining("NONE cannot publish");
    }

    @Test
    void aContainerPortIsPublishedOnce() {
        assertThatThrownBy(() -> NetworkSettings.newBuilder().publish(80).publish("8080:80").build())
                .isInstanceOf(NetworkException.class).hasMessageContaining("published twice");
        assertThat(NetworkSettings.newBuilder().publish(80).publish("80/udp").build().ports()).hasSize(2);
    }

    @Test
    void toBuilderKeepsEverything() {
        NetworkSettings s = NetworkSettings.newBuilder().mode(NetworkMode.PRIVATE).publish("127.0.0.1:1:2/udp")
                .backend(NetworkSettings.Backend.SLIRP4NETNS).slirp4netns(Path.of("/x")).build();
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void modesAndNamespaces() {
        assertThat(NetworkMode.NONE.ownNamespace()).isTrue();
        assertThat(NetworkMode.PRIVATE.ownNamespace()).isTrue();
        assertThat(NetworkMode.HOST.ownNamespace()).isFalse();
    }

    @Test
    void cniNetworkValidation() {
        assertThatThrownBy(() -> CniNetwork.of("bad name", "b0", "10.0.0.0/24")).isInstanceOf(NetworkException.class);
        assertThatThrownBy(() -> CniNetwork.of("n", "a-bridge-name-too-long", "10.0.0.0/24")).isInstanceOf(NetworkException.class);
        assertThatThrownBy(() -> CniNetwork.of("n", "b0", "10.0.0.0")).isInstanceOf(NetworkException.class);
        assertThatThrownBy(() -> CniNetwork.of("n", "b0", "10.0.0.0/31")).isInstanceOf(NetworkException.class);
        assertThatThrownBy(() -> CniNetwork.of("n", "b0", "999.0.0.0/24")).isInstanceOf(NetworkException.class);
        assertThat(CniNetwork.of("n", "b0", "10.0.0.0/24").withIpamDataDir(Path.of("/d")).effectiveIpamDataDir())
                .isEqualTo(Path.of("/d/n"));
    }
}
