package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** registries.d: which files, how they merge, which section applies to an image, and the storage URLs allowed. */
class RegistriesDTest {
    @TempDir
    Path tmp;

    private ContainersEnvironment user() {
        return ContainersEnvironment.of(Map.of("HOME", tmp.resolve("home").toString())).asUser(1000);
    }

    private int loads;

    /** A registries.d of these files (a new directory each call), loaded. */
    private RegistriesD load(String... nameAndContent) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(loads++ == 0 ? "registries.d" : "registries.d-" + loads));
        for (int i = 0; i < nameAndContent.length; i += 2) {
            Files.writeString(dir.resolve(nameAndContent[i]), nameAndContent[i + 1]);
        }
        return RegistriesD.load(dir, user());
    }

    private static ImageReference ref(String s) {
        return ImageReference.parse(s);
    }

    private String read(RegistriesD d, String image) {
        return d.lookasideForReading(ref(image)).orElseThrow().toString();
    }

    private String write(RegistriesD d, String image) {
        return d.lookasideForWriting(ref(image)).orElseThrow().toString();
    }

    private String userDefault() {
        return "file://" + tmp.resolve("home/.local/share/containers/sigstore");
    }

    @Test
    void theBuiltInDefaultIsTheUsersDirectoryOrRootsWhenNothingIsConfigured() throws IOException {
        RegistriesD d = RegistriesD.load(tmp.resolve("does-not-exist"), user());
        assertThat(d.files()).isEmpty();
        assertThat(read(d, "quay.io/a/b:1")).isEqualTo(userDefault());
        assertThat(write(d, "quay.io/a/b:1")).isEqualTo(userDefault());
        assertThat(d.useSigstoreAttachments(ref("quay.io/a/b:1"))).isFalse();

        RegistriesD root = RegistriesD.load(tmp.resolve("does-not-exist"), user().asUser(0));
        assertThat(read(root, "quay.io/a/b:1")).isEqualTo("file:///var/lib/containers/sigstore");
    }

    @Test
    void noneReadsAndWritesNothing() {
        RegistriesD none = RegistriesD.none();
        assertThat(none.lookasideForReading(ref("quay.io/a/b"))).isEmpty();
        assertThat(none.lookasideForWriting(ref("quay.io/a/b"))).isEmpty();
        assertThat(none.useSigstoreAttachments(ref("quay.io/a/b"))).isFalse();
    }

    @Test
    void theUsersDirectoryWinsWhenItExists() throws IOException {
        ContainersEnvironment env = user();
        assertThat(RegistriesD.directory(env)).isEqualTo(Path.of("/etc/containers/registries.d"));
        Path mine = Files.createDirectories(tmp.resolve("home/.config/containers/registries.d"));
        assertThat(RegistriesD.directory(env)).isEqualTo(mine);
        Files.writeString(mine.resolve("x.yaml"), "default-docker:\n  lookaside: https://sigs.example.com\n");
        assertThat(RegistriesD.load(env).files()).containsExactly(mine.resolve("x.yaml"));
        assertThat(read(RegistriesD.load(env), "quay.io/a/b")).isEqualTo("https://sigs.example.com");
    }

    @Test
    void everyYamlFileIsReadInNameOrderAndOtherFilesAreNot() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("registries.d"));
        Files.writeString(dir.resolve("b.yaml"), "docker:\n  b.io:\n    lookaside: https://b\n");
        Files.writeString(dir.resolve("a.yaml"), "docker:\n  a.io:\n    lookaside: https://a\n");
        Files.writeString(dir.resolve("c.yml"), "docker:\n  c.io:\n    lookaside: https://c\n");
        Files.writeString(dir.resolve("README"), "not yaml: [\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/d.yaml"), "docker:\n  d.io:\n    lookaside: https://d\n");
        Files.writeString(dir.resolve("empty.yaml"), "{}\n");
        RegistriesD d = RegistriesD.load(dir, user());
        assertThat(d.files()).containsExactly(dir.resolve("a.yaml"), dir.resolve("b.yaml"), dir.resolve("empty.yaml"));
        assertThat(read(d, "a.io/x")).isEqualTo("https://a");
        assertThat(read(d, "b.io/x")).isEqualTo("https://b");
        assertThat(read(d, "c.io/x")).isEqualTo(userDefault());
        assertThat(read(d, "d.io/x")).isEqualTo(userDefault());
    }

    @Test
    void aScopeDefinedInTwoFilesIsAnErrorNamingBoth() throws IOException {
        assertThatThrownBy(() -> load("1.yaml", "docker:\n  quay.io/team:\n    lookaside: https://one\n",
                "2.yaml", "docker:\n  quay.io/team:\n    lookaside-staging: file:///two\n"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessageContaining("\"quay.io/team\"").hasMessageContaining(tmp.resolve("registries.d/1.yaml").toString())
                .hasMessageContaining(tmp.resolve("registries.d/2.yaml").toString());
    }

    @Test
    void defaultDockerMayBeDefinedOnce() throws IOException {
        assertThatThrownBy(() -> load("1.yaml", "default-docker:\n  lookaside: https://one\n",
                "2.yaml", "default-docker:\n  lookaside: https://two\n"))
                .isInstanceOf(ContainersConfigException.class).hasMessageContaining("default-docker")
                .hasMessageContaining("1.yaml").hasMessageContaining("2.yaml");
        // an empty default-docker (Fedora's file, all commented out) counts as absent, as in containers/image
        RegistriesD d = load("1.yaml", "default-docker:\n# lookaside: x\n", "2.yaml", "default-docker:\n  lookaside: https://two\n");
        assertThat(read(d, "quay.io/a")).isEqualTo("https://two");
    }

    /** The most specific scope that sets a storage wins, down to the host; then default-docker. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            reg.test/ns1/ns2/repo:pinned    | reg.test/ns1/ns2/repo:pinned
            reg.test/ns1/ns2/repo:other     | reg.test/ns1/ns2/repo
            reg.test/ns1/ns2/repo           | reg.test/ns1/ns2/repo
            reg.test/ns1/ns2/another:pinned | reg.test/ns1/ns2
            reg.test/ns1/other/repo:pinned  | reg.test/ns1
            reg.test/other/ns2/repo:pinned  | reg.test
            unknown.test/busybox            | default
            localhost:5000/busybox          | localhost:5000
            localhost/busybox               | localhost
            localhost:9999/busybox          | default
            sub.wild.test/app               | *.wild.test
            """)
    void scopePrecedence(String image, String expectedScope) throws IOException {
        StringBuilder yaml = new StringBuilder("default-docker:\n  lookaside: https://default\n  lookaside-staging: file:///default-w\ndocker:\n");
        for (String scope : List.of("localhost", "localhost:5000", "reg.test", "reg.test/ns1", "reg.test/ns1/ns2",
                "reg.test/ns1/ns2/repo", "reg.test/ns1/ns2/repo:pinned", "*.wild.test")) {
            String key = scope.startsWith("*") ? "'" + scope + "'" : scope;
            yaml.append("  ").append(key).append(":\n    lookaside: https://").append(scope.replace('*', 'x').replace(':', '-'))
                    .append("\n    lookaside-staging: file:///").append(scope.replace('*', 'x').replace(':', '-')).append("-w\n");
        }
        RegistriesD d = load("all.yaml", yaml.toString());
        String expected = expectedScope.replace('*', 'x').replace(':', '-');
        assertThat(read(d, image)).isEqualTo("https://" + expected);
        assertThat(write(d, image)).isEqualTo("file:///" + expected + "-w");
    }

    @Test
    void aDigestReferenceMatchesItsDigestScope() throws IOException {
        String digest = "sha256:" + "ab".repeat(32);
        RegistriesD d = load("x.yaml", "docker:\n  reg.test/app@" + digest + ":\n    lookaside: https://pinned\n"
                + "  reg.test/app:\n    lookaside: https://repo\n");
        assertThat(read(d, "reg.test/app@" + digest)).isEqualTo("https://pinned");
        assertThat(read(d, "reg.test/app:1")).isEqualTo("https://repo");
    }

    @Test
    void aSectionWithoutTheURLAskedForDefersToBroaderOnes() throws IOException {
        RegistriesD d = load("x.yaml", """
                docker:
                  reg.test:
                    lookaside: https://host-wide
                  reg.test/team:
                    lookaside-staging: file:///staging/team
                  reg.test/team/app:
                """);
        // writing uses the team's staging; reading falls through to the host (containers/image's code, not its manual)
        assertThat(write(d, "reg.test/team/app")).isEqualTo("file:///staging/team");
        assertThat(read(d, "reg.test/team/app")).isEqualTo("https://host-wide");
        assertThat(read(d, "reg.test/other")).isEqualTo("https://host-wide");
        assertThat(write(d, "reg.test/other")).isEqualTo("https://host-wide");
    }

    @Test
    void legacySigstoreKeysAreLookasideKeysAndTheNewOnesWin() throws IOException {
        RegistriesD d = load("x.yaml", """
                docker:
                  old.test:
                    sigstore: https://old
                    sigstore-staging: file:///old-w
                  both.test:
                    sigstore: https://old
                    sigstore-staging: file:///old-w
                    lookaside: https://new
                    lookaside-staging: file:///new-w
                  mixed.test:
                    lookaside: https://new
                    sigstore-staging: file:///old-w
                """);
        assertThat(read(d, "old.test/a")).isEqualTo("https://old");
        assertThat(write(d, "old.test/a")).isEqualTo("file:///old-w");
        assertThat(read(d, "both.test/a")).isEqualTo("https://new");
        assertThat(write(d, "both.test/a")).isEqualTo("file:///new-w");
        assertThat(read(d, "mixed.test/a")).isEqualTo("https://new");
        assertThat(write(d, "mixed.test/a")).isEqualTo("file:///old-w");
    }

    @Test
    void sigstoreAttachmentsFollowTheMostSpecificSectionThatSaysSo() throws IOException {
        RegistriesD d = load("x.yaml", """
                default-docker:
                  use-sigstore-attachments: true
                docker:
                  reg.test:
                    use-sigstore-attachments: off
                  reg.test/signed:
                    use-sigstore-attachments: yes
                  reg.test/signed/app:
                    lookaside: https://not-about-attachments
                """);
        assertThat(d.useSigstoreAttachments(ref("elsewhere.test/a"))).isTrue();
        assertThat(d.useSigstoreAttachments(ref("reg.test/a"))).isFalse();
        assertThat(d.useSigstoreAttachments(ref("reg.test/signed/app"))).isTrue();
        assertThat(d.useSigstoreAttachments(ref("reg.test/signed/other:2"))).isTrue();
    }

    @Test
    void booleansAreYamlWordsUnquoted() throws IOException {
        for (String t : List.of("true", "True", "TRUE", "y", "Yes", "ON")) {
            assertThat(load("b.yaml", "docker:\n  reg.test:\n    use-sigstore-attachments: " + t + "\n")
                    .useSigstoreAttachments(ref("reg.test/a"))).as(t).isTrue();
        }
        for (String f : List.of("false", "False", "FALSE", "n", "No", "OFF")) {
            assertThat(load("b.yaml", "default-docker:\n  use-sigstore-attachments: true\ndocker:\n  reg.test:\n"
                    + "    use-sigstore-attachments: " + f + "\n").useSigstoreAttachments(ref("reg.test/a"))).as(f).isFalse();
        }
        for (String bad : List.of("\"true\"", "maybe", "1")) {
            Path dir = Files.createDirectories(tmp.resolve("bad-" + bad.hashCode()));
            Files.writeString(dir.resolve("x.yaml"), "default-docker:\n  use-sigstore-attachments: " + bad + "\n");
            assertThatThrownBy(() -> RegistriesD.load(dir, user())).as(bad).isInstanceOf(ContainersConfigException.class)
                    .hasMessage(dir.resolve("x.yaml") + ":2: \"use-sigstore-attachments\" must be true or false (unquoted)");
        }
    }

    @Test
    void unknownKeysAreIgnoredAsContainersImageIgnoresThem() throws IOException {
        RegistriesD d = load("x.yaml", "future-transport:\n  x: y\ndocker:\n  reg.test:\n    lookaside: https://a\n"
                + "    use-cosign-attachments: true\n");
        assertThat(read(d, "reg.test/a")).isEqualTo("https://a");
        assertThat(d.useSigstoreAttachments(ref("reg.test/a"))).isFalse();
    }

    @Test
    void sectionsMustBeMappings() throws IOException {
        assertThatThrownBy(() -> load("x.yaml", "docker: https://a\n")).isInstanceOf(ContainersConfigException.class)
                .hasMessageEndingWith("x.yaml:1: \"docker\" must be a mapping of scopes to sections");
        assertThatThrownBy(() -> load("y.yaml", "docker:\n  reg.test: https://a\n")).isInstanceOf(ContainersConfigException.class)
                .hasMessageEndingWith("y.yaml:2: the section of \"reg.test\" must be a mapping (lookaside:, lookaside-staging:,"
                        + " use-sigstore-attachments:)");
        assertThatThrownBy(() -> load("z.yaml", "default-docker:\n  lookaside:\n    nested: x\n"))
                .isInstanceOf(ContainersConfigException.class).hasMessageEndingWith("z.yaml:2: \"lookaside\" must be a URL, not a mapping");
    }

    @Test
    void malformedYamlNamesTheFileAndLine() throws IOException {
        assertThatThrownBy(() -> load("bad.yaml", "docker:\n  reg.test:\n\tlookaside: https://a\n"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessage(tmp.resolve("registries.d/bad.yaml") + ":3: a tab character in indentation; YAML indents with spaces only");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ftp://sigs.example.com/x       | has scheme "ftp", which ocikit cannot use
            /var/lib/sigs                  | has scheme "", which ocikit cannot use
            relative/path                  | has scheme "", which ocikit cannot use
            file:relative                  | needs an absolute path
            file://host/var/lib/sigs       | names no host
            file:///var/lib/sigs?x=1       | may not have a query
            https:///no-host               | needs a host name
            http://sigs.example.com/x#frag | may not have a fragment
            'https://bad url'              | is not a valid URL
            """)
    void unusableStorageUrlsAreRefusedWhenAnImageNeedsThem(String url, String problem) throws IOException {
        RegistriesD d = load("x.yaml", "docker:\n  reg.test:\n    lookaside: " + url + "\n");
        assertThatThrownBy(() -> d.lookasideForReading(ref("reg.test/a"))).isInstanceOf(ContainersConfigException.class)
                .hasMessageStartingWith(tmp.resolve("registries.d/x.yaml") + ": docker.reg.test.lookaside: the signature storage URL on line 3 ")
                .hasMessageContaining(problem);
        // other images are not affected
        assertThat(read(d, "other.test/a")).isEqualTo(userDefault());
    }

    @Test
    void aPasswordInAStorageUrlNeverReachesAMessage() throws IOException {
        RegistriesD d = load("x.yaml", "docker:\n  reg.test:\n    lookaside: gopher://user:s3cret@sigs.example.com/x\n");
        assertThatThrownBy(() -> d.lookasideForReading(ref("reg.test/a"))).isInstanceOf(ContainersConfigException.class)
                .message().doesNotContain("s3cret").doesNotContain("user");
    }

    @Test
    void storageUrlsAreNormalised() throws IOException {
        RegistriesD d = load("x.yaml", """
                docker:
                  a.test:
                    lookaside: file://localhost/srv/sigs
                  b.test:
                    lookaside: FILE:///srv/sigs
                  c.test:
                    lookaside: https://user:pw@sigs.example.com:8443/base?token=x
                  d.test:
                    lookaside: ""
                """);
        assertThat(read(d, "a.test/x")).isEqualTo("file:///srv/sigs");
        assertThat(read(d, "b.test/x")).isEqualTo("file:///srv/sigs");
        assertThat(d.lookasideForReading(ref("c.test/x"))).contains(URI.create("https://user:pw@sigs.example.com:8443/base?token=x"));
        assertThat(read(d, "d.test/x")).isEqualTo(userDefault()); // an empty value sets nothing
        assertThat(d.toString()).doesNotContain("pw");
    }

    @Test
    void aRegistriesDThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "");
        assertThatThrownBy(() -> RegistriesD.load(file, user())).isInstanceOf(ContainersConfigException.class)
                .hasMessageContaining("is not a directory");
        Path dir = Files.createDirectories(tmp.resolve("with-dir/sub.yaml"));
        assertThatThrownBy(() -> RegistriesD.load(dir.getParent(), user())).isInstanceOf(ContainersConfigException.class)
                .hasMessageContaining("sub.yaml: is not a regular file");
    }

    @Test
    void containersConfigLoadsRegistriesDForTheClient() throws IOException {
        Path mine = Files.createDirectories(tmp.resolve("home/.config/containers/registries.d"));
        Files.writeString(mine.resolve("x.yaml"), "default-docker:\n  use-sigstore-attachments: true\n");
        ContainersEnvironment env = user().with("CONTAINERS_REGISTRIES_CONF", tmp.resolve("none.conf").toString());
        Files.writeString(tmp.resolve("none.conf"), "");
        RegistryClient client = RegistryClient.builder().containersConfig(env).build();
        assertThat(client.registriesD().files()).containsExactly(mine.resolve("x.yaml"));
        assertThat(client.registriesD().useSigstoreAttachments(ref("quay.io/a"))).isTrue();
        assertThat(RegistryClient.builder().build().registriesD().lookasideForReading(ref("quay.io/a"))).isEqualTo(Optional.empty());
    }
}
