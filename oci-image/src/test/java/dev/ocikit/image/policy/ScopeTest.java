package dev.ocikit.image.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScopeTest {

    private static final String ALL_LEVELS = """
            {
              'default': [{'type': 'reject'}],
              'transports': {
                'docker': {
                  'registry.example.com/ns/team/app:1.0': [{'type': 'reject'}],
                  'registry.example.com/ns/team/app@sha256:0000000000000000000000000000000000000000000000000000000000000000': [{'type': 'reject'}],
                  'registry.example.com/ns/team/app': [{'type': 'reject'}],
                  'registry.example.com/ns/team': [{'type': 'reject'}],
                  'registry.example.com/ns': [{'type': 'reject'}],
                  'registry.example.com': [{'type': 'reject'}],
                  '*.example.com': [{'type': 'reject'}],
                  '*.com': [{'type': 'reject'}],
                  '': [{'type': 'reject'}]
                },
                'dir': {'': [{'type': 'reject'}]}
              }
            }
            """;

    private static Optional<String> scope(TrustPolicy policy, String reference) {
        return policy.scopeFor(PolicyTarget.docker(reference));
    }

    @Test
    void theMostSpecificDockerScopeWins() {
        TrustPolicy policy = TrustPolicyParseTest.parse(ALL_LEVELS);
        assertThat(scope(policy, "registry.example.com/ns/team/app:1.0")).hasValue("registry.example.com/ns/team/app:1.0");
        assertThat(scope(policy, "registry.example.com/ns/team/app@sha256:" + "0".repeat(64)))
                .hasValue("registry.example.com/ns/team/app@sha256:" + "0".repeat(64));
        assertThat(scope(policy, "registry.example.com/ns/team/app:2.0")).hasValue("registry.example.com/ns/team/app");
        assertThat(scope(policy, "registry.example.com/ns/team/other:1.0")).hasValue("registry.example.com/ns/team");
        assertThat(scope(policy, "registry.example.com/ns/x/y")).hasValue("registry.example.com/ns");
        assertThat(scope(policy, "registry.example.com/elsewhere")).hasValue("registry.example.com");
        assertThat(scope(policy, "mirror.example.com/app")).hasValue("*.example.com");
        assertThat(scope(policy, "a.b.example.com:5000/app")).hasValue("*.example.com");
        assertThat(scope(policy, "quay.io/app")).hasValue("");
        assertThat(scope(policy, "busybox")).hasValue("");
        // the wildcard covers subdomains only, as containers/image's does
        assertThat(scope(policy, "example.com/app")).hasValue("*.com");
        // a transport without its own section falls to the global default
        assertThat(policy.scopeFor(PolicyTarget.atomic(dev.ocikit.spec.ImageReference.parse("registry.example.com/ns/a"))))
                .isEmpty();
        assertThat(policy.requirementsFor(PolicyTarget.docker("quay.io/app"))).isEqualTo(policy.transports().get("docker").get(""));
    }

    @Test
    void withoutTransportDefaultTheGlobalDefaultApplies() {
        TrustPolicy policy = TrustPolicyParseTest.parse(
                "{'default': [{'type': 'insecureAcceptAnything'}], 'transports': {'docker': {'quay.io': [{'type': 'reject'}]}}}");
        assertThat(scope(policy, "docker.io/library/busybox:1")).isEmpty();
        assertThat(policy.requirementsFor(PolicyTarget.docker("busybox:1"))).isEqualTo(policy.defaultRequirements());
    }

    @Test
    void dockerScopesAreNormalisedNamesFromMostToLeastSpecific() {
        PolicyTarget t = PolicyTarget.docker("busybox");
        assertThat(t.identity()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(t.namespaces()).containsExactly("docker.io/library/busybox", "docker.io/library", "docker.io", "*.io");

        PolicyTarget withPort = PolicyTarget.docker("reg.example.com:8443/ns/app@sha256:" + "a".repeat(64));
        assertThat(withPort.identity()).isEqualTo("reg.example.com:8443/ns/app@sha256:" + "a".repeat(64));
        assertThat(withPort.namespaces()).containsExactly("reg.example.com:8443/ns/app", "reg.example.com:8443/ns",
                "reg.example.com:8443", "*.example.com", "*.com");

        assertThat(PolicyTarget.docker("localhost:5000/app:1").namespaces())
                .containsExactly("localhost:5000/app", "localhost:5000");
    }

    @Test
    void dirAndOciScopesArePathPrefixes(@TempDir Path tmp) throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real/images"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("real"));
        String base = tmp.toRealPath().toString();

        PolicyTarget dir = PolicyTarget.dir(link.resolve("images/app"));
        assertThat(dir.identity()).isEqualTo(base + "/real/images/app");
        assertThat(dir.namespaces()).startsWith(base + "/real/images", base + "/real").doesNotContain("/");
        assertThat(dir.namespaces()).last().isNotEqualTo("/");

        PolicyTarget oci = PolicyTarget.oci(real, Optional.of("app:1"));
        assertThat(oci.identity()).isEqualTo(base + "/real/images:app:1");
        assertThat(oci.namespaces()).startsWith(base + "/real/images", base + "/real");
        assertThat(PolicyTarget.oci(real, Optional.empty()).identity()).isEqualTo(base + "/real/images");

        String json = "{'default': [{'type': 'reject'}], 'transports': {'dir': {'" + base + "/real': [{'type': 'insecureAcceptAnything'}]},"
                + " 'oci': {'" + base + "/real/images:app:1': [{'type': 'insecureAcceptAnything'}], '" + base
                + "/real': [{'type': 'reject'}]}}}";
        TrustPolicy policy = TrustPolicyParseTest.parse(json);
        assertThat(policy.scopeFor(dir)).hasValue(base + "/real");
        assertThat(policy.scopeFor(oci)).hasValue(base + "/real/images:app:1");
        assertThat(policy.scopeFor(PolicyTarget.oci(real, Optional.of("other")))).hasValue(base + "/real");
        assertThat(policy.scopeFor(PolicyTarget.dir(Path.of("/elsewhere")))).isEmpty();
    }

    @Test
    void dockerArchiveHasOnlyTheTransportDefault() {
        TrustPolicy policy = TrustPolicyParseTest.parse(
                "{'default': [{'type': 'reject'}], 'transports': {'docker-archive': {'': [{'type': 'insecureAcceptAnything'}]}}}");
        assertThat(policy.scopeFor(PolicyTarget.dockerArchive(Optional.empty()))).hasValue("");
    }
}
