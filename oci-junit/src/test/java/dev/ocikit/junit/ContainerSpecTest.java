package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.junit.internal.LaunchDefinition;
import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.spec.InvalidReferenceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {
    private static final ContainerSpec BASE = ContainerSpec.of("localhost/web:1");

    @Test
    void eachChangeMakesANewDefinitionAndLeavesTheOldOne() {
        ContainerSpec web = BASE.env("MODE", "test").publish(8080).command("httpd", "-f");
        assertThat(BASE.publishedPorts()).isEmpty();
        assertThat(BASE.definition("sha256:1").env()).isEmpty();
        assertThat(BASE.definition("sha256:1").command()).isEmpty();
        assertThat(web.publishedPorts()).containsExactly(8080);
        assertThat(web).isNotEqualTo(BASE).isEqualTo(BASE.env("MODE", "test").publish(8080).command("httpd", "-f"));
        assertThat(web.hashCode()).isEqualTo(BASE.env("MODE", "test").publish(8080).command("httpd", "-f").hashCode());
    }

    @Test
    void defaultsAreTheImagesWithNoNetworkAndAnImmediateKill() {
        LaunchDefinition d = BASE.definition("sha256:abc");
        assertThat(d.imageId()).isEqualTo("sha256:abc");
        assertThat(d.entrypoint()).isEmpty();
        assertThat(d.command()).isEmpty();
        assertThat(d.network()).isEqualTo("NONE");
        assertThat(d.stopTimeoutMillis()).isZero();
        assertThat(d.memory()).isEmpty();
        assertThat(BASE.isReusable()).isFalse();
        assertThat(BASE.waitStrategies()).isEmpty();
    }

    @Test
    void publishingGivesAPrivateNetwork() {
        assertThat(BASE.publish(80, 443).definition("i").network()).isEqualTo("PRIVATE");
        assertThat(BASE.publish(80).definition("i").ports()).containsExactly(80);
        assertThat(BASE.network(NetworkMode.HOST).definition("i").network()).isEqualTo("HOST");
        assertThat(BASE.network(NetworkMode.PRIVATE).publish(80).definition("i").network()).isEqualTo("PRIVATE");
    }

    @Test
    void conflictingNetworkSettingsFailWhicheverComesFirst() {
        assertThatThrownBy(() -> BASE.publish(80).network(NetworkMode.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE network, not NONE");
        assertThatThrownBy(() -> BASE.network(NetworkMode.HOST).publish(80))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE network, not HOST");
        assertThatThrownBy(() -> BASE.publish(80).publish(80))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("published twice");
        assertThatThrownBy(() -> BASE.publish(80, 80)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.publish(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySettingReachesTheDefinition() {
        LaunchDefinition d = BASE.entrypoint("/bin/sh", "-c").command("echo hi").env(Map.of("A", "1")).env("B", "2")
                .workdir("/srv").user("app").hostname("web").copyFile(Path.of("conf/a.conf"), "/etc/a.conf")
                .bind(Path.of("/tmp/data"), "/data", true).tmpfs("/scratch").memory(64L << 20).cpus(0.5)
                .pidsLimit(100).stopTimeout(Duration.ofSeconds(2)).definition("id");
        assertThat(d.entrypoint()).contains(List.of("/bin/sh", "-c"));
        assertThat(d.command()).contains(List.of("echo hi"));
        assertThat(d.env()).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
        assertThat(d.workdir()).contains("/srv");
        assertThat(d.user()).contains("app");
        assertThat(d.hostname()).contains("web");
        assertThat(d.files()).containsExactly(new LaunchDefinition.FileCopy(
                Path.of("conf/a.conf").toAbsolutePath().normalize().toString(), "/etc/a.conf"));
        assertThat(d.binds()).containsExactly(new LaunchDefinition.Bind("/tmp/data", "/data", true));
        assertThat(d.tmpfs()).containsExactly("/scratch");
        assertThat(d.memory()).contains(64L << 20);
        assertThat(d.cpus()).contains(0.5);
        assertThat(d.pidsLimit()).contains(100L);
        assertThat(d.stopTimeoutMillis()).isEqualTo(2000);
    }

    @Test
    void anEmptyEntrypointClearsTheImages() {
        assertThat(BASE.entrypoint().definition("i").entrypoint()).contains(List.of());
    }

    @Test
    void laterSettingsReplaceEarlierOnes() {
        LaunchDefinition d = BASE.command("a").command("b").env("K", "1").env("K", "2").memory(8L << 20)
                .memory(16L << 20).definition("i");
        assertThat(d.command()).contains(List.of("b"));
        assertThat(d.env()).containsExactly(Map.entry("K", "2"));
        assertThat(d.memory()).contains(16L << 20);
    }

    @Test
    void badArgumentsFailWhereTheyAreWritten() {
        assertThatThrownBy(() -> BASE.copyFile(Path.of("a"), "relative/path")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> BASE.copyFile(Path.of("a"), "/etc/../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> BASE.tmpfs("tmp")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.workdir("srv")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.env("A=B", "c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.env("", "c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.env("A", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> BASE.command()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.memory(256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in bytes");
        assertThatThrownBy(() -> BASE.cpus(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.cpus(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.pidsLimit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.stopTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.hostname("no spaces")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BASE.user(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void imagesAreNamesIdsOrTransportReferences() {
        assertThat(ContainerSpec.of("redis:7").image()).isEqualTo("redis:7");
        assertThat(ContainerSpec.of("localhost:5000/app:1").image()).isEqualTo("localhost:5000/app:1");
        assertThat(ContainerSpec.of("sha256:" + "a".repeat(64)).image()).startsWith("sha256:");
        assertThat(ContainerSpec.of("0123456789ab").image()).isEqualTo("0123456789ab");
        assertThat(ContainerSpec.of("oci:/srv/layout:app").image()).isEqualTo("oci:/srv/layout:app");
        assertThat(ContainerSpec.of("docker://quay.io/x/y:1").image()).startsWith("docker://");
        assertThatThrownBy(() -> ContainerSpec.of("Not A Name")).isInstanceOf(InvalidReferenceException.class);
        assertThatThrownBy(() -> ContainerSpec.of(" ")).isInstanceOf(IllegalArgumentException.class);

        assertThat(ContainerSpec.isTransportReference("oci:/srv/layout:app")).isTrue();
        assertThat(ContainerSpec.isTransportReference("oci-archive:/tmp/a.tar")).isTrue();
        assertThat(ContainerSpec.isTransportReference("docker://redis")).isTrue();
        assertThat(ContainerSpec.isTransportReference("redis:7")).isFalse();
        assertThat(ContainerSpec.isTransportReference("localhost:5000/app")).isFalse();
        assertThat(ContainerSpec.isTransportReference("docker.io/library/redis")).isFalse();
    }

    @Test
    void reuseAndWaitsAreKept() {
        WaitStrategy wait = WaitStrategy.forLogLine("ready");
        ContainerSpec spec = BASE.reuse(true).waitingFor(wait).waitingFor(WaitStrategy.forPort(80));
        assertThat(spec.isReusable()).isTrue();
        assertThat(spec.waitStrategies()).hasSize(2).first().isSameAs(wait);
        assertThatThrownBy(() -> spec.waitStrategies().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toStringNamesWhatIsSetButNoEnvironmentValue() {
        String text = BASE.env("PASSWORD", "hunter2").publish(80).reuse(true).toString();
        assertThat(text).contains("localhost/web:1").contains("PASSWORD").contains("[80]").contains("reused")
                .doesNotContain("hunter2");
    }

    @Test
    void containerNamesAreCleanedAndUnique() {
        String a = OciContainer.nameFor("My Test$Inner-web");
        String b = OciContainer.nameFor("My Test$Inner-web");
        assertThat(a).matches("My-Test-Inner-web-[0-9a-f]{8}").isNotEqualTo(b);
        assertThat(OciContainer.nameFor("--")).matches("ocikit-[0-9a-f]{8}");
        assertThat(OciContainer.nameFor("x".repeat(100))).hasSize(69);
    }

    @Test
    void aContainerThatIsNotStartedSaysHowToStartIt() {
        OciContainer c = OciContainer.of("localhost/web:1");
        assertThat(c.isStarted()).isFalse();
        assertThat(c.spec()).isEqualTo(BASE);
        assertThatThrownBy(c::host).isInstanceOf(IllegalStateException.class).hasMessageContaining("@Container field");
        assertThatThrownBy(() -> c.mappedPort(80)).isInstanceOf(IllegalStateException.class);
        c.stop(); // nothing to stop
        assertThat(c.toString()).contains("not started");
        assertThat(Optional.of(c)).isPresent();
    }
}
