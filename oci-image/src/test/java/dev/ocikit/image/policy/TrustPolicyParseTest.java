package dev.ocikit.image.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.policy.PolicyRequirement.InsecureAcceptAnything;
import dev.ocikit.image.policy.PolicyRequirement.Reject;
import dev.ocikit.image.policy.PolicyRequirement.SignedBaseLayer;
import dev.ocikit.image.policy.PolicyRequirement.SignedBy;
import dev.ocikit.image.policy.PolicyRequirement.SigstoreSigned;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrustPolicyParseTest {

    static TrustPolicy parse(String json) {
        return TrustPolicy.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), "test-policy.json");
    }

    /** The shape of containers-policy.json(5)'s long example, in our own values. */
    static final String MAN_PAGE_LIKE = """
            {
              'default': [{'type': 'reject'}],
              'transports': {
                'docker': {
                  'registry.example.com/private': [{'type': 'insecureAcceptAnything'}],
                  'registry.example.com/team/app:1.0': [{'type': 'signedBy', 'keyType': 'GPGKeys',
                      'keyPath': '/etc/pki/team.gpg'}],
                  'registry.example.com/team': [{'type': 'signedBy', 'keyType': 'GPGKeys',
                      'keyPaths': ['/etc/pki/a.gpg', '/etc/pki/b.gpg'],
                      'signedIdentity': {'type': 'matchRepository'}}],
                  'registry.example.com': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': 'AAEC',
                      'signedIdentity': {'type': 'exactReference', 'dockerReference': 'registry.example.com/base:9'}}],
                  'private-mirror:5000/vendor-mirror': [{'type': 'signedBy', 'keyType': 'GPGKeys',
                      'keyPath': '/etc/pki/vendor.gpg',
                      'signedIdentity': {'type': 'remapIdentity', 'prefix': 'private-mirror:5000/vendor-mirror',
                                         'signedPrefix': 'vendor.example.com'}}],
                  'quay.io/cosigned': [{'type': 'sigstoreSigned', 'keyPath': '/etc/pki/cosign.pub',
                      'signedIdentity': {'type': 'matchRepoDigestOrExact'}}],
                  '*.example.org': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k',
                      'signedIdentity': {'type': 'exactRepository', 'dockerRepository': 'example.org/mirrored'}}],
                  'legacy.example.com/old': [{'type': 'signedBaseLayer',
                      'baseLayerIdentity': {'type': 'matchExact'}}],
                  '': [{'type': 'insecureAcceptAnything'}]
                },
                'dir': {'': [{'type': 'insecureAcceptAnything'}], '/srv/images': [{'type': 'reject'}]},
                'oci': {'/srv/layouts/app:1': [{'type': 'reject'}]},
                'docker-archive': {'': [{'type': 'reject'}]},
                'some-future-transport': {'anything goes': [{'type': 'reject'}]}
              }
            }
            """;

    @Test
    void parsesAPolicyShapedLikeTheManPageExample() {
        TrustPolicy policy = parse(MAN_PAGE_LIKE);

        assertThat(policy.source()).isEqualTo("test-policy.json");
        assertThat(policy.defaultRequirements()).containsExactly(new Reject());
        var docker = policy.transports().get("docker");
        assertThat(docker).hasSize(9);
        assertThat(docker.get("registry.example.com/private")).containsExactly(new InsecureAcceptAnything());

        SignedBy one = (SignedBy) docker.get("registry.example.com/team/app:1.0").get(0);
        assertThat(one.keyType()).isEqualTo("GPGKeys");
        assertThat(one.keyPaths()).containsExactly(Path.of("/etc/pki/team.gpg"));
        assertThat(one.keyData()).isEmpty();
        assertThat(one.signedIdentity()).isEqualTo(new SignedIdentity.MatchRepoDigestOrExact()); // the default

        SignedBy two = (SignedBy) docker.get("registry.example.com/team").get(0);
        assertThat(two.keyPaths()).containsExactly(Path.of("/etc/pki/a.gpg"), Path.of("/etc/pki/b.gpg"));
        assertThat(two.signedIdentity()).isEqualTo(new SignedIdentity.MatchRepository());

        SignedBy inline = (SignedBy) docker.get("registry.example.com").get(0);
        assertThat(inline.keyData()).hasValue(new byte[] {0, 1, 2});
        assertThat(inline.signedIdentity()).isEqualTo(new SignedIdentity.ExactReference("registry.example.com/base:9"));

        assertThat(((SignedBy) docker.get("private-mirror:5000/vendor-mirror").get(0)).signedIdentity())
                .isEqualTo(new SignedIdentity.RemapIdentity("private-mirror:5000/vendor-mirror", "vendor.example.com"));
        SigstoreSigned sigstore = (SigstoreSigned) docker.get("quay.io/cosigned").get(0);
        assertThat(sigstore.keySource()).isEqualTo("keyPath");
        assertThat(sigstore.keySourceValue().textValue()).isEqualTo("/etc/pki/cosign.pub");
        assertThat(((SignedBy) docker.get("*.example.org").get(0)).signedIdentity())
                .isEqualTo(new SignedIdentity.ExactRepository("example.org/mirrored"));
        assertThat(docker.get("legacy.example.com/old")).containsExactly(new SignedBaseLayer(new SignedIdentity.MatchExact()));
        assertThat(policy.transports().get("dir").get("/srv/images")).containsExactly(new Reject());
        assertThat(policy.transports()).containsKeys("oci", "docker-archive", "some-future-transport");
    }

    @Test
    void theSmallestPolicyIsADefault() {
        TrustPolicy policy = parse("{'default': [{'type': 'insecureAcceptAnything'}]}");
        assertThat(policy.defaultRequirements()).containsExactly(new InsecureAcceptAnything());
        assertThat(policy.transports()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        unknown top-level field | {'default': [{'type': 'reject'}], 'defaults': []} | defaults | unknown field "defaults"
        unknown field in requirement | {'default': [{'type': 'reject', 'why': 'x'}]} | default[0].why | unknown field "why"
        unknown field in signedBy | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'keyFile': '/k'}]} | default[0].keyFile | unknown field
        unknown field in signedIdentity | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'matchExact', 'x': 1}}]} | default[0].signedIdentity.x | unknown field "x"
        unknown requirement type | {'default': [{'type': 'acceptSigned'}]} | default[0].type | unknown requirement type "acceptSigned"
        requirement without type | {'default': [{}]} | default[0] | has no "type"
        type not a string | {'default': [{'type': 1}]} | default[0].type | expected a string
        missing default | {'transports': {}} | '' | "default" is missing
        empty default | {'default': []} | default | must not be empty
        null default | {'default': null} | default | expected a list
        empty scope list | {'default': [{'type': 'reject'}], 'transports': {'docker': {'quay.io': []}}} | transports.docker["quay.io"] | must not be empty
        transport not an object | {'default': [{'type': 'reject'}], 'transports': {'docker': []}} | transports.docker | expected a JSON object
        bad keyType | {'default': [{'type': 'signedBy', 'keyType': 'RSAKeys', 'keyPath': '/k'}]} | default[0].keyType | unknown keyType "RSAKeys"
        missing keyType | {'default': [{'type': 'signedBy', 'keyPath': '/k'}]} | default[0] | "keyType" is missing
        keyPath and keyData | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'keyData': 'AAEC'}]} | default[0] | keyPath and keyData are
        no key at all | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys'}]} | default[0] | none is
        empty keyPath | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': ''}]} | default[0].keyPath | must not be empty
        keyPaths not a list | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPaths': '/k'}]} | default[0].keyPaths | expected a list of strings
        keyData not base64 | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyData': '***'}]} | default[0].keyData | not base64
        unknown signedIdentity type | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'matchAnything'}}]} | default[0].signedIdentity.type | unknown signedIdentity type
        signedIdentity not an object | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': 'matchExact'}]} | default[0].signedIdentity | expected a JSON object
        exactReference without tag | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'exactReference', 'dockerReference': 'quay.io/app'}}]} | default[0].signedIdentity.dockerReference | neither a tag nor a digest
        exactReference invalid | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'exactReference', 'dockerReference': 'Quay.io/A B:1'}}]} | default[0].signedIdentity.dockerReference | not a valid image reference
        exactReference missing | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'exactReference'}}]} | default[0].signedIdentity | "dockerReference" is missing
        exactRepository invalid | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'exactRepository', 'dockerRepository': 'quay.io/Upper'}}]} | default[0].signedIdentity.dockerRepository | not a valid image reference
        remapIdentity bad prefix | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'remapIdentity', 'prefix': 'quay.io/ns:tag', 'signedPrefix': 'example.com'}}]} | default[0].signedIdentity.prefix | is not a host[:port]
        remapIdentity missing signedPrefix | {'default': [{'type': 'signedBy', 'keyType': 'GPGKeys', 'keyPath': '/k', 'signedIdentity': {'type': 'remapIdentity', 'prefix': 'quay.io'}}]} | default[0].signedIdentity | "signedPrefix" is missing
        sigstoreSigned two key sources | {'default': [{'type': 'sigstoreSigned', 'keyPath': '/k', 'keyData': 'AAEC'}]} | default[0] | keyPath and keyData are
        sigstoreSigned unknown field | {'default': [{'type': 'sigstoreSigned', 'keyPath': '/k', 'rekor': 'x'}]} | default[0].rekor | unknown field
        signedBaseLayer without identity | {'default': [{'type': 'signedBaseLayer'}]} | default[0] | "baseLayerIdentity" is missing
        dir scope not absolute | {'default': [{'type': 'reject'}], 'transports': {'dir': {'srv/images': [{'type': 'reject'}]}}} | transports.dir["srv/images"] | must be an absolute path
        dir scope is root | {'default': [{'type': 'reject'}], 'transports': {'dir': {'/': [{'type': 'reject'}]}}} | transports.dir["/"] | use the transport default scope
        oci scope not canonical | {'default': [{'type': 'reject'}], 'transports': {'oci': {'/srv/../x': [{'type': 'reject'}]}}} | transports.oci["/srv/../x"] | not in canonical form
        docker-archive scope | {'default': [{'type': 'reject'}], 'transports': {'docker-archive': {'/x.tar': [{'type': 'reject'}]}}} | transports.docker-archive["/x.tar"] | no scope but the default
        """)
    void refusesWhatContainersImageRefuses(String name, String json, String path, String problem) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("test-policy.json")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((PolicyException) e).path()).isEqualTo(path.equals("''") ? "" : path.replace('\'', '"')));
    }

    @Test
    void refusesDuplicateKeysAndBrokenJson() {
        assertThatThrownBy(() -> parse("{'default': [{'type': 'reject'}], 'default': [{'type': 'insecureAcceptAnything'}]}"))
                .isInstanceOf(PolicyException.class).hasMessageContaining("test-policy.json").hasMessageContaining("default");
        assertThatThrownBy(() -> parse("{'default': [{'type': 'reject'}]")).isInstanceOf(PolicyException.class);
        assertThatThrownBy(() -> parse("[]")).isInstanceOf(PolicyException.class).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> TrustPolicy.parse(new byte[0], "empty.json")).isInstanceOf(PolicyException.class)
                .hasMessageContaining("empty.json");
    }

    @Test
    void acceptsScopesOfTransportsItDoesNotKnowAndAnyDockerScope() {
        TrustPolicy policy = parse("{'default': [{'type': 'reject'}], 'transports': {'docker': {'not even a name': "
                + "[{'type': 'reject'}]}, 'containers-storage': {'[overlay@/var/lib]x': [{'type': 'reject'}]}}}");
        assertThat(policy.transports().get("containers-storage")).containsKey("[overlay@/var/lib]x");
    }

    @Test
    void acceptsTheOtherKeyTypesContainersImageParses() {
        SignedBy x509 = (SignedBy) parse("{'default': [{'type': 'signedBy', 'keyType': 'X509Certificates', 'keyPath': '/k'}]}")
                .defaultRequirements().get(0);
        assertThat(x509.keyType()).isEqualTo("X509Certificates");
    }

    @Test
    void readNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("policy.json");
        Files.writeString(file, "{\"default\": [{\"type\": \"reject\", \"extra\": true}]}");
        assertThatThrownBy(() -> TrustPolicy.read(file)).isInstanceOf(PolicyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("default[0].extra");
    }

    @Test
    void loadPrefersTheUsersPolicyThenTheSystemsAndRequiresOne(@TempDir Path dir) throws IOException {
        Path home = dir.resolve("home");
        Path system = dir.resolve("etc/containers/policy.json");

        assertThatThrownBy(() -> TrustPolicy.load(home, system)).isInstanceOf(PolicyException.class)
                .hasMessageContaining(home.resolve(".config/containers/policy.json").toString())
                .hasMessageContaining(system.toString());

        Files.createDirectories(system.getParent());
        Files.writeString(system, "{\"default\": [{\"type\": \"reject\"}]}");
        assertThat(TrustPolicy.load(home, system).defaultRequirements()).containsExactly(new Reject());
        assertThat(TrustPolicy.load(home, system).source()).isEqualTo(system.toString());

        Path user = home.resolve(".config/containers/policy.json");
        Files.createDirectories(user.getParent());
        Files.writeString(user, "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
        assertThat(TrustPolicy.load(home, system).defaultRequirements()).containsExactly(new InsecureAcceptAnything());
    }

    @Test
    void ofValidatesLikeAFile() {
        assertThatThrownBy(() -> TrustPolicy.of(List.of(), java.util.Map.of())).isInstanceOf(PolicyException.class)
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> TrustPolicy.of(List.of(new Reject()), java.util.Map.of("dir", java.util.Map.of("rel", List.of(new Reject())))))
                .isInstanceOf(PolicyException.class).hasMessageContaining("absolute path");
    }
}
