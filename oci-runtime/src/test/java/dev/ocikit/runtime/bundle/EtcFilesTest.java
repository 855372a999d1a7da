package dev.ocikit.runtime.bundle;

import dev.ocikit.runtime.network.NetworkMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.runtime.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcFilesTest {
    @TempDir
    Path tmp;

    private EtcFiles files(NetworkMode mode, String resolv) throws IOException {
        Path r = tmp.resolve("host-resolv.conf");
        Files.writeString(r, resolv);
        Path h = tmp.resolve("host-hosts");
        Files.writeString(h, "10.1.1.1\thostbox\n");
        return EtcFiles.of("web", mode).hostFiles(r, h);
    }

    @Test
    void hostsHasLocalhostTheHostnameAndExtraEntries() throws IOException {
        String hosts = files(NetworkMode.PRIVATE, "").addHost("db", "10.0.0.5").addHost("v6", "fd00::1").hosts();
        assertThat(hosts).startsWith("127.0.0.1\tlocalhost localhost.localdomain");
        assertThat(hosts).contains("::1\tlocalhost", "127.0.0.1\tweb\n", "10.0.0.5\tdb\n", "fd00::1\tv6\n");
        String withIp = files(NetworkMode.PRIVATE, "").containerAddress("10.88.0.7").hosts();
        assertThat(withIp).contains("10.88.0.7\tweb\n").doesNotContain("127.0.0.1\tweb");
    }

    @Test
    void hostNetworkStartsFromTheHostsHosts() throws IOException {
        assertThat(files(NetworkMode.HOST, "").hosts()).startsWith("10.1.1.1\thostbox\n");
    }

    @Test
    void privateNetworkReplacesLoopbackNameservers() throws IOException {
        String r = files(NetworkMode.PRIVATE, "nameserver 127.0.0.53\noptions edns0\nsearch example.org\n").resolvConf();
        assertThat(r).contains("options edns0\n", "search example.org\n", "nameserver 8.8.8.8\n")
                .doesNotContain("127.0.0.53");
        String fallback = files(NetworkMode.PRIVATE, "nameserver ::1\n").fallbackNameservers(List.of("10.0.2.3"))
                .resolvConf();
        assertThat(fallback).isEqualTo("nameserver 10.0.2.3\n");
    }

    @Test
    void privateNetworkKeepsRealNameserversOnly() throws IOException {
        String r = files(NetworkMode.PRIVATE, "nameserver 127.0.0.1\nnameserver 10.255.255.53\n").resolvConf();
        assertThat(r).isEqualTo("nameserver 10.255.255.53\n");
    }

    @Test
    void hostNetworkCopiesAsIsAndNoneIsEmpty() throws IOException {
        String host = "nameserver 127.0.0.53\n# comment\n";
        assertThat(files(NetworkMode.HOST, host).resolvConf()).isEqualTo(host);
        assertThat(files(NetworkMode.NONE, host).resolvConf()).isEmpty();
    }

    @Test
    void explicitNameserversWin() throws IOException {
        assertThat(files(NetworkMode.PRIVATE, "nameserver 1.1.1.1\n").nameservers(List.of("10.0.2.3")).resolvConf())
                .isEqualTo("nameserver 10.0.2.3\n");
    }

    @Test
    void writeCreatesReadableFilesAndMounts() throws IOException {
        Path dir = tmp.resolve("ctr/userdata");
        List<Mount> mounts = files(NetworkMode.PRIVATE, "nameserver 10.0.0.1\n").write(dir);
        assertThat(mounts).extracting(Mount::destination).containsExactly("/etc/hosts", "/etc/resolv.conf",
                "/etc/hostname");
        assertThat(mounts.get(0).source()).contains(dir.resolve("hosts").toAbsolutePath().toString());
        assertThat(mounts.get(0).options()).contains("rbind", "rw");
        assertThat(Files.readString(dir.resolve("hostname"))).isEqualTo("web\n");
        assertThat(Files.readString(dir.resolve("resolv.conf"))).isEqualTo("nameserver 10.0.0.1\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("hosts"))))
                .isEqualTo("rw-r--r--");
        try (var list = Files.list(dir)) {
            assertThat(list).hasSize(3);
        }
        assertThat(files(NetworkMode.PRIVATE, "").readOnly(true).write(dir).get(0).options()).contains("ro");
    }

    @Test
    void updateHostsRewritesInPlace() throws IOException {
        Path dir = tmp.resolve("u");
        EtcFiles f = files(NetworkMode.PRIVATE, "");
        f.write(dir);
        Object inode = Files.getAttribute(dir.resolve("hosts"), "unix:ino");
        f.containerAddress("10.88.0.9").updateHosts(dir);
        assertThat(Files.getAttribute(dir.resolve("hosts"), "unix:ino")).isEqualTo(inode);
        assertThat(Files.readString(dir.resolve("hosts"))).contains("10.88.0.9\tweb\n");
        Files.delete(dir.resolve("hosts"));
        Files.createSymbolicLink(dir.resolve("hosts"), tmp.resolve("host-hosts"));
        assertThatThrownBy(() -> f.updateHosts(dir)).isInstanceOf(BundleException.class);
        assertThat(Files.readString(tmp.resolve("host-hosts"))).isEqualTo("10.1.1.1\thostbox\n");
    }

    @Test
    void badNamesAndAddressesAreRefused() {
        assertThatThrownBy(() -> EtcFiles.of("bad name", NetworkMode.PRIVATE))
                .isInstanceOf(InvalidContainerConfigException.class);
        EtcFiles f = EtcFiles.of("ok", NetworkMode.PRIVATE);
        for (String ip : List.of("10.0.0.256", "example.com", "1.2.3", "::1\nnameserver 6.6.6.6")) {
            assertThatThrownBy(() -> f.addHost("x", ip)).as(ip).isInstanceOf(InvalidContainerConfigException.class);
        }
        assertThatThrownBy(() -> f.addHost("a\tb", "10.0.0.1")).isInstanceOf(InvalidContainerConfigException.class);
    }

    @Test
    void bundleSpecHandsOverHostnameNetworkAndExtraHosts() {
        EtcFiles f = BundleSpec.scratch().hostname("svc").addHost("db", "10.0.0.2").noNetwork().etcFiles();
        assertThat(f.hostnameFile()).isEqualTo("svc\n");
        assertThat(f.hosts()).contains("10.0.0.2\tdb");
        assertThat(f.resolvConf()).isEmpty();
    }
}
