package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthFilesTest {
    @TempDir
    Path tmp;
    Path home;
    Path runtime;
    Path bin;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        runtime = Files.createDirectories(tmp.resolve("run"));
        bin = Files.createDirectories(tmp.resolve("bin"));
        env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        env.put("PATH", bin.toString());
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path p, String json) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, json);
    }

    static String auths(String key, String userPass) {
        return "{\"auths\":{\"" + key + "\":{\"auth\":\"" + b64(userPass) + "\"}}}";
    }

    AuthFiles files() {
        return AuthFiles.forEnvironment(env);
    }

    @Test
    void searchOrderFollowsContainersImage() {
        env.put("XDG_CONFIG_HOME", tmp.resolve("cfg").toString());
        env.put("DOCKER_CONFIG", tmp.resolve("dc").toString());
        assertThat(files().searchPaths()).containsExactly(
                runtime.resolve("containers/auth.json"),
                tmp.resolve("cfg/containers/auth.json"),
                tmp.resolve("dc/config.json"),
                home.resolve(".dockercfg"));
        env.remove("XDG_CONFIG_HOME");
        env.remove("DOCKER_CONFIG");
        assertThat(files().searchPaths()).containsExactly(
                runtime.resolve("containers/auth.json"),
                home.resolve(".config/containers/auth.json"),
                home.resolve(".docker/config.json"),
                home.resolve(".dockercfg"));
        assertThat(files().writePath()).contains(runtime.resolve("containers/auth.json"));
    }

    @Test
    void withoutRuntimeDirThePerUidFileIsUsed() {
        env.remove("XDG_RUNTIME_DIR");
        AuthFiles f = AuthFiles.forEnvironment(ContainersEnvironment.of(env).asUser(1234));
        assertThat(f.writePath()).contains(Path.of("/run/containers/1234/auth.json"));
        assertThat(f.searchPaths().get(0)).isEqualTo(Path.of("/run/containers/1234/auth.json"));
    }

    @Test
    void registryAuthFileIsTheOnlyFile() throws IOException {
        Path explicit = tmp.resolve("explicit.json");
        env.put("REGISTRY_AUTH_FILE", explicit.toString());
        write(home.resolve(".docker/config.json"), auths("quay.io", "docker:pw"));
        assertThat(files().searchPaths()).containsExactly(explicit);
        assertThat(files().credentials("quay.io", "a/b")).isEmpty();
        write(explicit, auths("quay.io", "explicit:pw"));
        assertThat(files().credentials("quay.io", "a/b")).contains(Credentials.of("explicit", "pw"));
    }

    @Test
    void firstFileWithAnEntryWinsEvenIfALaterOneIsMoreSpecific() throws IOException {
        write(runtime.resolve("containers/auth.json"), auths("quay.io", "runtime:pw"));
        write(home.resolve(".config/containers/auth.json"), auths("quay.io/team/app", "config:pw"));
        write(home.resolve(".docker/config.json"), auths("quay.io/team/app", "docker:pw"));
        assertThat(files().credentials("quay.io", "team/app")).contains(Credentials.of("runtime", "pw"));
        Files.delete(runtime.resolve("containers/auth.json"));
        assertThat(files().credentials("quay.io", "team/app")).contains(Credentials.of("config", "pw"));
        Files.delete(home.resolve(".config/containers/auth.json"));
        assertThat(files().credentials("quay.io", "team/app")).contains(Credentials.of("docker", "pw"));
    }

    @Test
    void mostSpecificNamespaceFirst() throws IOException {
        write(runtime.resolve("containers/auth.json"), "{\"auths\":{"
                + "\"reg.example.com\":{\"auth\":\"" + b64("registry:1") + "\"},"
                + "\"reg.example.com/ns\":{\"auth\":\"" + b64("ns:2") + "\"},"
                + "\"reg.example.com/ns/repo\":{\"auth\":\"" + b64("repo:3") + "\"}}}");
        AuthFiles f = files();
        assertThat(f.credentials("reg.example.com", "ns/repo")).contains(Credentials.of("repo", "3"));
        assertThat(f.credentials("reg.example.com", "ns/other")).contains(Credentials.of("ns", "2"));
        assertThat(f.credentials("reg.example.com", "nsx/repo")).contains(Credentials.of("registry", "1"));
        assertThat(f.credentials("reg.example.com", "ns")).contains(Credentials.of("ns", "2"));
        assertThat(f.credentials("other.example.com", "ns/repo")).isEmpty();
        // a key is a prefix of whole path components only
        assertThat(f.credentials("reg.example.com/ns/repository")).contains(Credentials.of("ns", "2"));
    }

    @Test
    void legacyDockerHubKeysAndUrlKeys() throws IOException {
        write(home.resolve(".docker/config.json"), "{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hub:pw") + "\"},"
                + "\"http://localhost:5000/v2/\":{\"auth\":\"" + b64("local:pw") + "\"}}}");
        assertThat(files().credentials("docker.io", "library/busybox")).contains(Credentials.of("hub", "pw"));
        assertThat(files().credentials("localhost:5000", "app")).contains(Credentials.of("local", "pw"));
        assertThat(files().credentials("localhost:5001", "app")).isEmpty();
        // an exact docker.io key in an earlier file wins
        write(home.resolve(".config/containers/auth.json"), auths("docker.io", "podman:pw"));
        assertThat(files().credentials("docker.io", "library/busybox")).contains(Credentials.of("podman", "pw"));
    }

    @Test
    void legacyDockercfgFormat() throws IOException {
        write(home.resolve(".dockercfg"), "{\"https://old.example.com/v1/\":{\"auth\":\"" + b64("old:pw") + "\",\"email\":\"x@y\"}}");
        assertThat(files().credentials("old.example.com", "a/b")).contains(Credentials.of("old", "pw"));
    }

    @Test
    void identityTokenPasswordWithColonsAndNulPadding() throws IOException {
        write(runtime.resolve("containers/auth.json"), "{\"auths\":{"
                + "\"a.example.com\":{\"auth\":\"" + b64("u:") + "\",\"identitytoken\":\"refresh-me\"},"
                + "\"b.example.com\":{\"auth\":\"" + b64("u:p:w\0\0") + "\"},"
                + "\"c.example.com\":{}}}");
        Credentials a = files().credentials("a.example.com", "x").orElseThrow();
        assertThat(a.identityToken()).contains("refresh-me");
        assertThat(a.username()).isEqualTo("u");
        assertThat(files().credentials("b.example.com", "x")).contains(Credentials.of("u", "p:w"));
        // an empty entry (Docker's marker for a helper) is a miss, and the search goes on
        write(home.resolve(".docker/config.json"), auths("c.example.com", "later:pw"));
        assertThat(files().credentials("c.example.com", "x")).contains(Credentials.of("later", "pw"));
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A helper that knows one registry with a password, one with an identity token, and fails for "broken". */
    void installHelper(String name) throws IOException {
        Path script = bin.resolve("docker-credential-" + name);
        Files.writeString(script, """
                #!/bin/sh
                dir="${0%%/*}"
                case "$1" in
                get)
                  read -r url
                  echo "$url" >> "$dir/%1$s.asked"
                  case "$url" in
                  helped.example.com) echo '{"ServerURL":"helped.example.com","Username":"helper-user","Secret":"helper-secret"}' ;;
                  token.example.com) echo '{"ServerURL":"token.example.com","Username":"<token>","Secret":"tok-secret"}' ;;
                  https://index.docker.io/v1/) echo '{"Username":"hub-user","Secret":"hub-secret"}' ;;
                  broken.example.com) echo 'keychain is locked'; exit 1 ;;
                  garbage.example.com) echo 'not json super-secret' ;;
                  *) echo 'credentials not found in native keychain'; exit 1 ;;
                  esac ;;
                store)
                  read -r json
                  printf '%%s' "$json" > "$dir/%1$s.stored" ;;
                erase)
                  read -r url
                  echo "$url" >> "$dir/%1$s.erased" ;;
                list)
                  echo '{"one.example.com":"u1","two.example.com":"u2"}' ;;
                esac
                """.formatted(name));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void credHelpersPerRegistry() throws IOException {
        installHelper("test");
        write(runtime.resolve("containers/auth.json"), "{\"credHelpers\":{\"helped.example.com\":\"test\","
                + "\"token.example.com\":\"test\",\"nothing.example.com\":\"test\",\"missing.example.com\":\"absent\"},"
                + "\"auths\":{\"helped.example.com\":{\"auth\":\"" + b64("file:pw") + "\"}}}");
        assertThat(files().credentials("helped.example.com", "a/b")).contains(Credentials.of("helper-user", "helper-secret"));
        assertThat(Files.readString(bin.resolve("test.asked"))).isEqualTo("helped.example.com\n");
        Credentials token = files().credentials("token.example.com", "a").orElseThrow();
        assertThat(token.identityToken()).contains("tok-secret");
        assertThat(token.password()).isEmpty();
        // "credentials not found" and a helper that is not installed are misses; later files are searched
        write(home.resolve(".docker/config.json"), "{\"auths\":{\"nothing.example.com\":{\"auth\":\"" + b64("d:pw")
                + "\"},\"missing.example.com\":{\"auth\":\"" + b64("m:pw") + "\"}}}");
        assertThat(files().credentials("nothing.example.com", "a")).contains(Credentials.of("d", "pw"));
        assertThat(files().credentials("missing.example.com", "a")).contains(Credentials.of("m", "pw"));
    }

    @Test
    void helperFailuresAreErrorsWithoutSecrets() throws IOException {
        installHelper("test");
        write(runtime.resolve("containers/auth.json"),
                "{\"credHelpers\":{\"broken.example.com\":\"test\",\"garbage.example.com\":\"test\"}}");
        assertThatThrownBy(() -> files().credentials("broken.example.com", "a"))
                .isInstanceOf(CredentialHelperException.class)
                .hasMessage("credential helper docker-credential-test get for broken.example.com failed with exit status 1:"
                        + " keychain is locked");
        assertThatThrownBy(() -> files().credentials("garbage.example.com", "a"))
                .isInstanceOf(CredentialHelperException.class)
                .hasMessage("credential helper docker-credential-test get for garbage.example.com did not answer with a JSON object")
                .hasMessageNotContaining("super-secret");
    }

    @Test
    void aHangingHelperTimesOut() throws IOException {
        Path script = bin.resolve("docker-credential-hang");
        Files.writeString(script, "#!/bin/sh\nexec /bin/sleep 30\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        CredentialHelperProcess runner = new CredentialHelperProcess(List.of(bin), env, java.time.Duration.ofMillis(300));
        assertThatThrownBy(() -> runner.get("hang", "quay.io"))
                .isInstanceOf(CredentialHelperException.class)
                .hasMessage("credential helper docker-credential-hang get for quay.io did not finish within 300 ms");
    }

    @Test
    void credsStoreIsAskedWhenAuthsHaveNothing() throws IOException {
        installHelper("store");
        write(home.resolve(".docker/config.json"), "{\"credsStore\":\"store\",\"auths\":{\"docker.io\":{},"
                + "\"file.example.com\":{\"auth\":\"" + b64("f:pw") + "\"}}}");
        assertThat(files().credentials("docker.io", "library/busybox")).contains(Credentials.of("hub-user", "hub-secret"));
        assertThat(files().credentials("helped.example.com", "x")).contains(Credentials.of("helper-user", "helper-secret"));
        assertThat(files().credentials("file.example.com", "x")).contains(Credentials.of("f", "pw"));
        assertThat(files().credentials("unknown.example.com", "x")).isEmpty();
    }

    @Test
    void credentialHelpersListFromRegistriesConf() throws IOException {
        installHelper("test");
        write(runtime.resolve("containers/auth.json"), auths("helped.example.com", "file:pw") + "");
        AuthFiles helperFirst = files().withCredentialHelpers(List.of("test", AuthFiles.AUTH_FILES_HELPER));
        assertThat(helperFirst.credentials("helped.example.com", "ns/repo")).contains(Credentials.of("helper-user", "helper-secret"));
        // external helpers are asked for the registry only, never a namespace
        assertThat(Files.readString(bin.resolve("test.asked"))).isEqualTo("helped.example.com\n");
        AuthFiles filesFirst = files().withCredentialHelpers(List.of(AuthFiles.AUTH_FILES_HELPER, "test"));
        assertThat(filesFirst.credentials("helped.example.com", "ns/repo")).contains(Credentials.of("file", "pw"));
        assertThat(filesFirst.credentials("token.example.com", "x").orElseThrow().identityToken()).contains("tok-secret");
        // a failing helper does not hide one that answers
        AuthFiles brokenFirst = files().withCredentialHelpers(List.of("test", AuthFiles.AUTH_FILES_HELPER));
        write(runtime.resolve("containers/auth.json"), auths("broken.example.com", "file:pw"));
        assertThat(brokenFirst.credentials("broken.example.com", "x")).contains(Credentials.of("file", "pw"));
        AuthFiles onlyBroken = files().withCredentialHelpers(List.of("test", "absent"));
        assertThatThrownBy(() -> onlyBroken.credentials("broken.example.com", "x"))
                .isInstanceOf(CredentialHelperException.class).hasMessageContaining("keychain is locked");
    }

    // ---- login / logout -----------------------------------------------------------------------

    @Test
    void loginWritesAsPodmanAndKeepsEverythingElse() throws IOException {
        Path file = runtime.resolve("containers/auth.json");
        write(file, "{\"auths\":{\"zz.example.com\":{\"auth\":\"" + b64("z:z") + "\",\"email\":\"keep@me\"}},"
                + "\"HttpHeaders\":{\"User-Agent\":\"x\"},\"psFormat\":\"table\"}");
        String where = files().login("quay.io", Credentials.of("alice", "s3cret"));
        assertThat(where).isEqualTo(file.toString());
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.get("auths").get("quay.io").get("auth").asText()).isEqualTo(b64("alice:s3cret"));
        assertThat(json.get("auths").get("quay.io").size()).isEqualTo(1);
        assertThat(json.get("auths").get("zz.example.com").get("email").asText()).isEqualTo("keep@me");
        assertThat(json.get("HttpHeaders").get("User-Agent").asText()).isEqualTo("x");
        assertThat(json.get("psFormat").asText()).isEqualTo("table");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(files().credentials("quay.io", "team/app")).contains(Credentials.of("alice", "s3cret"));
        // auths keys sorted, tab indentation as Go's MarshalIndent
        assertThat(Files.readString(file)).startsWith("{\n\t\"auths\": {\n\t\t\"quay.io\": {\n\t\t\t\"auth\": \"");
        try (var s = Files.list(file.getParent())) {
            assertThat(s).containsExactly(file);
        }
    }

    @Test
    void loginToAFreshFileCreatesPrivateDirectoryAndExactBytes() throws IOException {
        Path file = tmp.resolve("new/dir/auth.json");
        env.put("REGISTRY_AUTH_FILE", file.toString());
        files().login("localhost:5000", Credentials.of("u", "p"));
        assertThat(Files.readString(file)).isEqualTo(
                "{\n\t\"auths\": {\n\t\t\"localhost:5000\": {\n\t\t\t\"auth\": \"" + b64("u:p") + "\"\n\t\t}\n\t}\n}");
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void loginNamespaceAndIdentityToken() throws IOException {
        files().login("quay.io/team", Credentials.identityToken("bob", "refresh"));
        Credentials c = files().credentials("quay.io", "team/app").orElseThrow();
        assertThat(c.identityToken()).contains("refresh");
        assertThat(c.username()).isEqualTo("bob");
        assertThat(files().credentials("quay.io", "other/app")).isEmpty();
    }

    @Test
    void loginUsesTheFilesCredHelperForThatRegistry() throws IOException {
        installHelper("test");
        Path file = runtime.resolve("containers/auth.json");
        write(file, "{\"credHelpers\":{\"helped.example.com\":\"test\"}}");
        assertThat(files().login("helped.example.com", Credentials.of("hu", "hp"))).isEqualTo("credential helper: test");
        assertThat(new ObjectMapper().readTree(Files.readString(bin.resolve("test.stored"))))
                .isEqualTo(new ObjectMapper().readTree("{\"ServerURL\":\"helped.example.com\",\"Username\":\"hu\",\"Secret\":\"hp\"}"));
        assertThat(Files.readString(file)).doesNotContain("auths");
    }

    @Test
    void logoutOneAndAll() throws IOException {
        installHelper("test");
        Path file = runtime.resolve("containers/auth.json");
        write(file, "{\"auths\":{\"a.example.com\":{\"auth\":\"" + b64("a:a") + "\"},\"b.example.com\":{\"auth\":\""
                + b64("b:b") + "\"}},\"credHelpers\":{\"helped.example.com\":\"test\"},\"other\":42}");
        assertThat(files().logout("a.example.com")).isTrue();
        assertThat(files().logout("a.example.com")).isFalse();
        assertThat(files().logout("never.example.com")).isFalse();
        assertThat(files().credentials("a.example.com", "x")).isEmpty();
        assertThat(files().credentials("b.example.com", "x")).contains(Credentials.of("b", "b"));
        files().logoutAll();
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.get("auths").size()).isZero();
        assertThat(json.has("credHelpers")).isFalse();
        assertThat(json.get("other").asInt()).isEqualTo(42);
        assertThat(Files.readString(bin.resolve("test.erased"))).isEqualTo("helped.example.com\n");
    }

    @Test
    void logoutAllErasesWhatExternalHelpersList() throws IOException {
        installHelper("test");
        files().withCredentialHelpers(List.of("test")).logoutAll();
        assertThat(Files.readAllLines(bin.resolve("test.erased"))).containsExactlyInAnyOrder("one.example.com", "two.example.com");
    }

    @Test
    void missingRuntimeDirIsSkippedForReadingAndRefusedForWriting() throws IOException {
        env.put("XDG_RUNTIME_DIR", tmp.resolve("nonexistent").toString());
        write(home.resolve(".docker/config.json"), auths("quay.io", "d:pw"));
        assertThat(files().credentials("quay.io", "x")).contains(Credentials.of("d", "pw"));
        assertThatThrownBy(() -> files().login("quay.io", Credentials.of("u", "p")))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessageContaining("set by $XDG_RUNTIME_DIR does not exist");
    }

    // ---- bad input ----------------------------------------------------------------------------

    @Test
    void malformedFilesNameFileAndKeyButNoContent() throws IOException {
        Path file = runtime.resolve("containers/auth.json");
        write(file, "{\"auths\":{\"quay.io\":{\"auth\":\"" + b64("u:topsecret") + "\" topsecret}}}");
        assertThatThrownBy(() -> files().credentials("quay.io", "x"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessage(file + ": is not valid JSON (line 1, column 48)")
                .hasMessageNotContaining("topsecret");
        write(file, "{\"auths\":{\"quay.io\":{\"auth\":\"%%%notbase64\"}}}");
        assertThatThrownBy(() -> files().credentials("quay.io", "x"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessage(file + ": auths.quay.io.auth: is not valid base64");
        write(file, "{\"auths\":[]}");
        assertThatThrownBy(() -> files().credentials("quay.io", "x"))
                .hasMessage(file + ": auths: must be a JSON object");
        write(file, "");
        assertThatThrownBy(() -> files().credentials("quay.io", "x"))
                .hasMessage(file + ": is empty; it must hold a JSON object");
        write(file, "{\"credHelpers\":{\"quay.io\":1}}");
        assertThatThrownBy(() -> files().credentials("quay.io", "x"))
                .hasMessage(file + ": credHelpers.quay.io: must be a string (a helper name)");
        // a malformed file is left as it was by a failed login
        write(file, "{broken");
        assertThatThrownBy(() -> files().login("quay.io", Credentials.of("u", "p"))).isInstanceOf(ContainersConfigException.class);
        assertThat(Files.readString(file)).isEqualTo("{broken");
    }

    @Test
    void invalidKeysAreRefused() {
        assertThatThrownBy(() -> files().credentials("https://quay.io")).hasMessageContaining("must not start with http");
        assertThatThrownBy(() -> files().credentials("quay.io/a@sha256:00")).hasMessageContaining("contains '@'");
        assertThatThrownBy(() -> files().credentials("quay.io/a:tag")).hasMessageContaining("contains ':' after host[:port]");
        assertThatThrownBy(() -> files().login("quay.io/a:tag", Credentials.of("u", "p"))).hasMessageContaining("':'");
    }

    @Test
    void secretsNeverInToString() throws IOException {
        write(runtime.resolve("containers/auth.json"), auths("quay.io", "alice:hunter2"));
        Optional<Credentials> c = files().credentials("quay.io", "x");
        assertThat(c.orElseThrow().toString()).doesNotContain("hunter2");
        assertThat(files().toString()).doesNotContain("hunter2");
        assertThat(ContainersEnvironment.of(Map.of("SECRET_TOKEN", "hunter2")).toString()).doesNotContain("hunter2");
    }
}
