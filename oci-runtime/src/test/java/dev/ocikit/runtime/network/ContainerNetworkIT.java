package dev.ocikit.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real containers (runc + busybox) on real networks: CNI bridge/portmap as root, slirp4netns, none, host. */
class ContainerNetworkIT {
    /** A network of the tests' own, so a developer's default ocikit0 network is never touched. */
    static final String BRIDGE = "ocikit-it0";

    @TempDir
    Path tmp;

    CniNetwork network;

    @BeforeEach
    void tools() {
        Tools.require("runc");
        Tools.require("iptables-save");
        org.junit.jupiter.api.Assumptions.assumeTrue(Syscalls.isRoot(), "the network tests run containers as root");
        network = CniNetwork.of("ocikit-it", BRIDGE, "10.89.201.0/24").withIpamDataDir(tmp.resolve("ipam"));
        if (!Files.isExecutable(Path.of("/usr/lib/cni/bridge"))) {
            Tools.require("containernetworking-plugins' /usr/lib/cni/bridge");
        }
    }

    @AfterAll
    static void removeBridge() throws Exception {
        new ProcessBuilder("ip", "link", "del", BRIDGE).redirectErrorStream(true).start().waitFor();
    }

    /** busybox httpd binds before it daemonises, so "ready" is printed only once it listens. */
    static String[] httpd(int port) {
        return new String[] {"sh", "-c", "httpd -p " + port + " -h /www && echo ready && exec sleep 100000"};
    }

    @Test
    void noneHasOnlyLoopbackUp() throws Exception {
        try (RuncContainer c = new RuncContainer(tmp.resolve("c"), "none")) {
            c.bundle(true, "", "sh", "-c", "ip -o link; ip -o addr").create();
            try (ContainerNetwork net = ContainerNetwork.attach(
                    NetworkSettings.newBuilder().mode(NetworkMode.NONE).build(), c.id, c.pid, c.dir.resolve("net"))) {
                c.start();
                String out = c.readAll();
                assertThat(out).contains("lo:").contains("127.0.0.1/8").doesNotContain("eth0");
                assertThat(out.lines().filter(l -> l.contains("link/")).toList())
                        .singleElement().asString().contains("LOOPBACK,UP");
                assertThat(net.containerAddress()).isEmpty();
                assertThat(net.ports()).isEmpty();
            }
        }
    }

    @Test
    void hostModeSharesTheHostsPorts() throws Exception {
        int port = freePort();
        try (RuncContainer c = new RuncContainer(tmp.resolve("c"), "host")) {
            c.bundle(false, "host page", httpd(port)).create();
            try (ContainerNetwork net = ContainerNetwork.attach(NetworkSettings.newBuilder().mode(NetworkMode.HOST)
                    .publish(port).build(), c.id, c.pid, c.dir.resolve("net"))) {
                c.start();
                assertThat(c.readLine()).isEqualTo("ready");
                assertThat(net.mappedPort(port)).isEqualTo(port);
                assertThat(httpGet(net.host(), net.mappedPort(port))).contains("host page");
            }
        }
    }

    @Test
    void privateRefusesAContainerInTheHostNamespace() throws Exception {
        try (RuncContainer c = new RuncContainer(tmp.resolve("c"), "shared")) {
            c.bundle(false, "", "true").create();
            assertThatThrownBy(() -> ContainerNetwork.attach(settings(8080), c.id, c.pid, c.dir.resolve("net")))
                    .isInstanceOf(NetworkException.class).hasMessageContaining("needs its own");
        }
    }

    @Test
    void twoPrivateContainersPublishOnLoopbackAndTearDownCleanly() throws Exception {
        try (RuncContainer a = new RuncContainer(tmp.resolve("a"), "cni-a");
                RuncContainer b = new RuncContainer(tmp.resolve("b"), "cni-b")) {
            a.bundle(true, "page A", httpd(8080)).create();
            b.bundle(true, "page B", httpd(8080)).create();
            ContainerNetwork na = ContainerNetwork.attach(settings(8080), a.id, a.pid, a.dir.resolve("net"));
            ContainerNetwork nb = ContainerNetwork.attach(settings(8080), b.id, b.pid, b.dir.resolve("net"));
            try {
                a.start();
                b.start();
                assertThat(a.readLine()).isEqualTo("ready");
                assertThat(b.readLine()).isEqualTo("ready");
                assertThat(na.mappedPort(8080)).isNotEqualTo(nb.mappedPort(8080));
                assertThat(httpGet("127.0.0.1", na.mappedPort(8080))).contains("page A");
                assertThat(httpGet("127.0.0.1", nb.mappedPort(8080))).contains("page B");
                assertThat(na.containerAddress()).isPresent();
                assertThat(na.containerAddress().get().getHostAddress()).startsWith("10.89.201.");
                assertThat(a.exec("ip", "-o", "addr", "show", "eth0"))
                        .contains(na.containerAddress().get().getHostAddress());
                assertThat(iptables()).contains(a.id).contains(b.id);
                assertThat(Files.exists(network.effectiveIpamDataDir().resolve(na.containerAddress().get().getHostAddress()))).isTrue();
                na.check(a.dir.resolve("net"));
                // the published port is held: nobody on the host can take it while the container runs
                assertThatThrownBy(() -> new ServerSocket(na.mappedPort(8080), 1, java.net.InetAddress.getLoopbackAddress()).close())
                        .isInstanceOf(java.net.BindException.class);
            } finally {
                na.close();
                nb.close();
            }
            assertNoTrace(a.id, na, a.dir.resolve("net"));
            assertNoTrace(b.id, nb, b.dir.resolve("net"));
            assertThat(RuncContainer.run(List.of("ip", "-o", "link", "show", "master", BRIDGE))).isBlank();
        }
    }

    @Test
    void teardownWorksAfterTheContainerExited() throws Exception {
        try (RuncContainer c = new RuncContainer(tmp.resolve("c"), "exited")) {
            c.bundle(true, "", "sh", "-c", "echo bye").create();
            ContainerNetwork net = ContainerNetwork.attach(settings(8080), c.id, c.pid, c.dir.resolve("net"));
            c.start();
            assertThat(c.readAll()).isEqualTo("bye\n");
            c.delete();
            net.close();
            assertNoTrace(c.id, net, c.dir.resolve("net"));
        }
    }

    @Test
    void sweepTearsDownTheNetworkOfADeadJvm() throws Exception {
        try (RuncContainer c = new RuncContainer(tmp.resolve("c"), "crash")) {
            c.bundle(true, "crash page", httpd(8080)).create();
            Path state = c.dir.resolve("net");
            ContainerNetwork net = ContainerNetwork.attach(settings(8080), c.id, c.pid, state);
            c.start();
            assertThat(c.readLine()).isEqualTo("ready");
            assertThat(httpGet("127.0.0.1", net.mappedPort(8080))).contains("crash page");
            // the JVM "dies": the network object is dropped unclosed, the container is removed
            c.delete();
            assertThat(state.resolve("network.json")).exists();
            assertThat(iptables()).contains(c.id);

            ContainerNetwork.sweep(state);

            assertNoTrace(c.id, net, state);
            ContainerNetwork.sweep(state); // nothing left: a no-op
        }
    }

    @Test
    void publishesOnAFixedHostPortAndRefusesATakenOne() throws Exception {
        int port = freePort();
        try (RuncContainer c = new RuncContainer(tmp.resolve("c"), "fixed");
                ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            c.bundle(true, "fixed page", httpd(8080)).create();
            NetworkSettings busy = NetworkSettings.newBuilder().cni(network).backend(NetworkSettings.Backend.CNI)
                    .publish(PortMapping.of(taken.getLocalPort(), 8080)).build();
            assertThatThrownBy(() -> ContainerNetwork.attach(busy, c.id, c.pid, c.dir.resolve("net")))
                    .isInstanceOf(NetworkException.class).hasMessageContaining("in use");
            assertThat(c.dir.resolve("net/network.json")).doesNotExist();

            NetworkSettings fixed = NetworkSettings.newBuilder().cni(network).backend(NetworkSettings.Backend.CNI)
                    .publish("127.0.0.1:" + port + ":8080").build();
            try (ContainerNetwork net = ContainerNetwork.attach(fixed, c.id, c.pid, c.dir.resolve("net"))) {
                c.start();
                assertThat(c.readLine()).isEqualTo("ready");
                assertThat(net.mappedPort(8080)).isEqualTo(port);
                assertThat(httpGet("127.0.0.1", port)).contains("fixed page");
            }
        }
    }

    @Test
    void slirp4netnsPublishesOnLoopback() throws Exception {
        Tools.require("slirp4netns");
        try (RuncContainer c = new RuncContainer(tmp.resolve("c"), "slirp")) {
            c.bundle(true, "slirp page", httpd(8080)).create();
            Path state = c.dir.resolve("net");
            NetworkSettings s = NetworkSettings.newBuilder().backend(NetworkSettings.Backend.SLIRP4NETNS).publish(8080).build();
            long slirpPid;
            try (ContainerNetwork net = ContainerNetwork.attach(s, c.id, c.pid, state)) {
                c.start();
                assertThat(c.readLine()).isEqualTo("ready");
                assertThat(httpGet(net.host(), net.mappedPort(8080))).contains("slirp page");
                assertThat(net.containerAddress().get().getHostAddress()).isEqualTo("10.0.2.100");
                assertThat(c.exec("ip", "-o", "addr", "show", "tap0")).contains("10.0.2.100");
                net.check(state);
                slirpPid = NetworkState.read(state).orElseThrow().slirpPid().orElseThrow();
                assertThat(ProcessHandle.of(slirpPid)).isPresent();
            }
            assertThat(ProcessHandle.of(slirpPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(state.resolve("network.json")).doesNotExist();
        }
    }

    private NetworkSettings settings(int containerPort) {
        return NetworkSettings.newBuilder().mode(NetworkMode.PRIVATE).backend(NetworkSettings.Backend.CNI)
                .cni(network).publish(containerPort).build();
    }

    private void assertNoTrace(String id, ContainerNetwork net, Path state) throws Exception {
        assertThat(iptables()).doesNotContain(id);
        assertThat(RuncContainer.run(List.of("ip", "-o", "link", "show", "master", BRIDGE))).isBlank();
        if (net.containerAddress().isPresent()) {
            assertThat(network.effectiveIpamDataDir().resolve(net.containerAddress().get().getHostAddress())).doesNotExist();
        }
        assertThat(state.resolve("network.json")).doesNotExist();
        assertThat(state.resolve("netns")).doesNotExist();
        assertThat(RuncContainer.run(List.of("cat", "/proc/self/mountinfo"))).doesNotContain(state.toString());
    }

    static String iptables() throws Exception {
        return RuncContainer.run(List.of("iptables-save"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String httpGet(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /index.html HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (ConnectException e) {
            throw new ConnectException("connect to " + host + ":" + port + " failed: " + e.getMessage());
        }
    }
}
