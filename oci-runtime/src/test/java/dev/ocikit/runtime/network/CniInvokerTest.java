package dev.ocikit.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CNI protocol against fake plugins (shell scripts): chaining, capabilities, errors. */
class CniInvokerTest {
    @TempDir
    Path dir;

    private Path plugin(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static JsonNode json(String s) {
        return Json.tree(s.getBytes(StandardCharsets.UTF_8), "test");
    }

    private final CniInvoker.Target target = new CniInvoker.Target("c1", "/proc/1/ns/net", "eth0");

    @Test
    void pluginConfigGetsNameVersionOnlyDeclaredCapabilitiesAndPrevResult() {
        JsonNode list = json("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}");
        JsonNode rc = json("{\"portMappings\":[{\"hostPort\":1}],\"bandwidth\":{}}");
        JsonNode withCap = json("{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false}}");
        JsonNode conf = CniInvoker.pluginConfig(list, withCap, rc, json("{\"ips\":[]}"));
        assertThat(conf.path("name").asText()).isEqualTo("n");
        assertThat(conf.path("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(conf.path("runtimeConfig").has("portMappings")).isTrue();
        assertThat(conf.path("runtimeConfig").has("bandwidth")).isFalse();
        assertThat(conf.has("prevResult")).isTrue();
        JsonNode without = CniInvoker.pluginConfig(list, json("{\"type\":\"bridge\"}"), rc, null);
        assertThat(without.has("runtimeConfig")).isFalse();
        assertThat(without.has("prevResult")).isFalse();
    }

    @Test
    void addChainsResultsAndPassesTheEnvironment() throws Exception {
        Path log = dir.resolve("log");
        // the fake prints its stdin back as its result, so each plugin's prevResult is the one before's config
        plugin("one", "echo \"$CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME $CNI_PATH one\" >> " + log + "; cat");
        plugin("two", "echo \"$CNI_COMMAND two\" >> " + log + "; cat");
        JsonNode list = json("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"one\",\"x\":1},{\"type\":\"two\"}]}");
        JsonNode result = new CniInvoker(List.of(dir)).add(list, null, target);
        assertThat(result.path("type").asText()).isEqualTo("two");
        assertThat(result.path("prevResult").path("type").asText()).isEqualTo("one");
        assertThat(result.path("prevResult").path("x").asInt()).isEqualTo(1);
        new CniInvoker(List.of(dir)).del(list, null, result, target);
        assertThat(Files.readAllLines(log)).containsExactly(
                "ADD c1 /proc/1/ns/net eth0 " + dir + " one", "ADD two", "DEL two", "DEL c1 /proc/1/ns/net eth0 " + dir + " one");
    }

    @Test
    void aCniErrorBecomesATypedExceptionAndTheListIsRolledBack() throws Exception {
        Path log = dir.resolve("log");
        plugin("ok", "echo \"$CNI_COMMAND ok\" >> " + log + "; cat");
        plugin("bad", "cat >/dev/null; echo '{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"invalid config\",\"details\":\"no bridge\"}'; exit 1");
        JsonNode list = json("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"ok\"},{\"type\":\"bad\"}]}");
        assertThatThrownBy(() -> new CniInvoker(List.of(dir)).add(list, null, target))
                .isInstanceOfSatisfying(CniPluginException.class, e -> {
                    assertThat(e.plugin()).isEqualTo("bad");
                    assertThat(e.command()).isEqualTo("ADD");
                    assertThat(e.code()).isEqualTo(7);
                    assertThat(e.msg()).isEqualTo("invalid config");
                    assertThat(e.details()).contains("no bridge");
                    assertThat(e.getMessage()).contains("check CniNetwork");
                });
        assertThat(Files.readAllLines(log)).containsExactly("ADD ok", "DEL ok");
    }

    @Test
    void aCrashWithoutCniErrorKeepsStderr() throws Exception {
        plugin("crash", "cat >/dev/null; echo 'panic: boom' >&2; exit 2");
        assertThatThrownBy(() -> new CniInvoker(List.of(dir)).exec("ADD",
                        CniInvoker.pluginConfig(json("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}"), json("{\"type\":\"crash\"}"), null, null), target))
                .isInstanceOfSatisfying(CniPluginException.class, e -> {
                    assertThat(e.code()).isEqualTo(CniPluginException.NOT_A_CNI_ERROR);
                    assertThat(e.getMessage()).contains("exited with status 2").contains("panic: boom");
                });
    }

    @Test
    void garbageOnSuccessIsRefused() throws Exception {
        plugin("garbage", "cat >/dev/null; echo 'not json'");
        plugin("array", "cat >/dev/null; echo '[1]'");
        for (String type : List.of("garbage", "array")) {
            assertThatThrownBy(() -> new CniInvoker(List.of(dir)).exec("ADD",
                            CniInvoker.pluginConfig(json("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}"), json("{\"type\":\"" + type + "\"}"), null, null), target))
                    .isInstanceOf(CniPluginException.class).hasMessageContaining("not a CNI result");
        }
    }

    @Test
    void anAddWithoutResultIsAnError() throws Exception {
        plugin("silent", "cat >/dev/null");
        JsonNode list = json("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"silent\"}]}");
        assertThatThrownBy(() -> new CniInvoker(List.of(dir)).add(list, null, target))
                .isInstanceOf(CniPluginException.class).hasMessageContaining("printed no result");
    }

    @Test
    void missingOrHostilePluginTypes() {
        JsonNode list = json("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}");
        assertThatThrownBy(() -> new CniInvoker(List.of(dir)).exec("ADD", CniInvoker.pluginConfig(list, json("{\"type\":\"nope\"}"), null, null), target))
                .isInstanceOf(CniPluginException.class).hasMessageContaining("not found").hasMessageContaining("containernetworking-plugins");
        assertThatThrownBy(() -> new CniInvoker(List.of(dir)).exec("ADD", CniInvoker.pluginConfig(list, json("{\"type\":\"../../bin/sh\"}"), null, null), target))
                .isInstanceOf(CniPluginException.class).hasMessageContaining("invalid plugin type");
        assertThatThrownBy(() -> new CniInvoker(List.of(dir)).add(json("{\"name\":\"n\",\"plugins\":[]}"), null, target))
                .isInstanceOf(NetworkException.class).hasMessageContaining("no plugins");
    }

    @Test
    void conflistAndRuntimeConfigShape() {
        CniNetwork net = CniNetwork.DEFAULT;
        JsonNode list = ContainerNetwork.conflist(net, true);
        assertThat(list.path("plugins")).hasSize(2);
        assertThat(list.path("plugins").get(0).path("bridge").asText()).isEqualTo("ocikit0");
        assertThat(list.path("plugins").get(0).path("ipam").path("ranges").get(0).get(0).path("subnet").asText()).isEqualTo("10.89.0.0/24");
        assertThat(list.path("plugins").get(1).path("capabilities").path("portMappings").asBoolean()).isTrue();
        assertThat(ContainerNetwork.conflist(net, false).path("plugins")).hasSize(1);
        assertThat(ContainerNetwork.withoutPortmap(list).path("plugins")).hasSize(1);
        JsonNode rc = ContainerNetwork.runtimeConfig(List.of(PortMapping.parse("127.0.0.1:5000:53/udp")));
        assertThat(rc.toString()).isEqualTo("{\"portMappings\":[{\"hostPort\":5000,\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"}]}");
    }

    @Test
    void containerAddressIsTheSandboxInterfacesIpv4() {
        JsonNode result = json("{\"interfaces\":[{\"name\":\"br\"},{\"name\":\"veth\"},{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
                + "\"ips\":[{\"interface\":0,\"address\":\"10.0.0.1/24\"},{\"interface\":2,\"address\":\"fd00::2/64\"},"
                + "{\"interface\":2,\"address\":\"10.0.0.2/24\"}]}");
        assertThat(ContainerNetwork.containerAddress(result).map(a -> a.getHostAddress())).contains("10.0.0.2");
        assertThat(ContainerNetwork.containerAddress(json("{\"ips\":[{\"address\":\"10.1.1.1/8\"}]}")).map(a -> a.getHostAddress()))
                .contains("10.1.1.1");
        assertThat(ContainerNetwork.containerAddress(json("{}"))).isEqualTo(Optional.empty());
        assertThat(ContainerNetwork.containerAddress(json("{\"ips\":[{\"address\":\"evil.example.com/8\"}]}"))).isEmpty();
    }
}
