package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.registry.RegistriesConf.Mirror;
import dev.ocikit.registry.RegistriesConf.PullFromMirror;
import dev.ocikit.registry.RegistriesConf.PullSource;
import dev.ocikit.registry.RegistriesConf.Registry;
import dev.ocikit.registry.RegistriesConf.ShortNameMode;
import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesConfTest {
    static final String DIGEST = "sha256:" + "a".repeat(64);

    @TempDir
    Path tmp;
    Path etc;
    Path home;
    ContainersEnvironment env;

    @BeforeEach
    void setUp() throws IOException {
        etc = Files.createDirectories(tmp.resolve("etc"));
        home = Files.createDirectories(tmp.resolve("home"));
        env = ContainersEnvironment.of(Map.of("HOME", home.toString()));
    }

    static Path write(Path p, String toml) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, toml);
        return p;
    }

    RegistriesConf load() throws IOException {
        return RegistriesConf.loader().environment(env).systemDirectory(etc).load();
    }

    RegistriesConf conf(String toml) throws IOException {
        return RegistriesConf.load(write(tmp.resolve("one.conf"), toml));
    }

    static ImageReference ref(String s) {
        return ImageReference.parse(s);
    }

    static List<String> refs(List<?> l) {
        return l.stream().map(o -> o instanceof PullSource p ? p.reference().toString() : o.toString()).toList();
    }

    // ---- files and precedence -------------------------------------------------------------------

    @Test
    void missingFilesAreAnEmptyConfiguration() throws IOException {
        RegistriesConf c = load();
        assertThat(c.files()).isEmpty();
        assertThat(c.unqualifiedSearchRegistries()).isEmpty();
        assertThat(c.shortNameMode()).isEqualTo(ShortNameMode.PERMISSIVE);
        assertThat(c.credentialHelpers()).containsExactly("containers-auth.json");
        assertThat(c.pullSources(ref("quay.io/a/b:1"))).containsExactly(new PullSource(ref("quay.io/a/b:1"), false, false));
    }

    @Test
    void systemFileThenSystemThenUserDropInsInNameOrder() throws IOException {
        Path main = write(etc.resolve("registries.conf"), "unqualified-search-registries = [\"main.example.com\"]\nshort-name-mode = \"enforcing\"\n");
        Path b = write(etc.resolve("registries.conf.d/20-b.conf"), "unqualified-search-registries = [\"b.example.com\"]\n");
        Path a = write(etc.resolve("registries.conf.d/10-a.conf"), "short-name-mode = \"disabled\"\n");
        write(etc.resolve("registries.conf.d/15-sub/x.conf"), "credential-helpers = [\"pass\"]\n");
        Path c15 = write(etc.resolve("registries.conf.d/15.conf"), "credential-helpers = [\"pass\"]\n");
        write(etc.resolve("registries.conf.d/99-ignored.conf.bak"), "this is = not toml [");
        Path user = write(home.resolve(".config/containers/registries.conf.d/00-user.conf"),
                "unqualified-search-registries = [\"user.example.com\", \"docker.io\"]\n");
        RegistriesConf c = load();
        // subdirectories of a drop-in directory are not read
        assertThat(c.files()).containsExactly(main, a, c15, b, user);
        assertThat(c.unqualifiedSearchRegistries()).containsExactly("user.example.com", "docker.io");
        assertThat(c.shortNameMode()).isEqualTo(ShortNameMode.DISABLED);
        assertThat(c.credentialHelpers()).containsExactly("pass");
    }

    @Test
    void userFileReplacesSystemFileAndSystemDropIns() throws IOException {
        write(etc.resolve("registries.conf"), "unqualified-search-registries = [\"system.example.com\"]\n");
        write(etc.resolve("registries.conf.d/10.conf"), "short-name-mode = \"disabled\"\n");
        Path user = write(home.resolve(".config/containers/registries.conf"), "unqualified-search-registries = [\"user.example.com\"]\n");
        Path userDropIn = write(home.resolve(".config/containers/registries.conf.d/10.conf"), "credential-helpers = [\"x\"]\n");
        RegistriesConf c = load();
        assertThat(c.files()).containsExactly(user, userDropIn);
        assertThat(c.unqualifiedSearchRegistries()).containsExactly("user.example.com");
        assertThat(c.shortNameMode()).isEqualTo(ShortNameMode.PERMISSIVE);
    }

    @Test
    void explicitMainFileFromEnvironmentOrLoader() throws IOException {
        Path custom = write(tmp.resolve("custom.conf"), "unqualified-search-registries = [\"custom.example.com\"]\n");
        write(home.resolve(".config/containers/registries.conf"), "unqualified-search-registries = [\"user.example.com\"]\n");
        Path dropIn = write(etc.resolve("registries.conf.d/10.conf"), "short-name-mode = \"enforcing\"\n");
        env = env.with("CONTAINERS_REGISTRIES_CONF", custom.toString());
        RegistriesConf c = load();
        assertThat(c.files()).containsExactly(custom, dropIn);
        assertThat(c.unqualifiedSearchRegistries()).containsExactly("custom.example.com");
        RegistriesConf only = RegistriesConf.loader().environment(env).mainFile(custom).dropInDirectories().load();
        assertThat(only.files()).containsExactly(custom);
        // an explicitly chosen file must exist
        Path absent = tmp.resolve("absent.conf");
        assertThatThrownBy(() -> RegistriesConf.loader().environment(env).mainFile(absent).load())
                .isInstanceOf(ContainersConfigException.class)
                .hasMessage(absent + ": does not exist");
    }

    @Test
    void dropInsOverrideOnlyWhatTheySet() throws IOException {
        Path main = write(tmp.resolve("main.conf"), """
                unqualified-search-registries = ["a.example.com"]
                credential-helpers = ["one"]
                [aliases]
                "app" = "quay.io/team/app"
                "tool" = "quay.io/team/tool"
                [[registry]]
                prefix = "example.com/foo"
                location = "first.example.com/foo"
                insecure = true
                [[registry]]
                location = "keep.example.com"
                """);
        Path drop = write(tmp.resolve("drop.conf"), """
                unqualified-search-registries = []
                [aliases]
                "tool" = ""
                "new" = "docker.io/library/new"
                [[registry]]
                prefix = "example.com/foo"
                location = "second.example.com/bar"
                """);
        RegistriesConf c = RegistriesConf.load(main, drop);
        assertThat(c.unqualifiedSearchRegistries()).isEmpty();
        assertThat(c.credentialHelpers()).containsExactly("one");
        assertThat(c.aliases()).containsOnlyKeys("app", "new");
        assertThat(c.aliases().get("new")).isEqualTo(ref("docker.io/library/new"));
        assertThat(c.registries()).containsExactly(
                new Registry("example.com/foo", "second.example.com/bar", false, false, false, List.of()),
                new Registry("keep.example.com", "keep.example.com", false, false, false, List.of()));
    }

    // ---- matching and pull sources --------------------------------------------------------------

    @Test
    void longestPrefixWinsOnWholeComponents() throws IOException {
        RegistriesConf c = conf("""
                [[registry]]
                prefix = "example.com"
                location = "all.example.net"
                [[registry]]
                prefix = "example.com/foo"
                location = "foo.example.net/x"
                [[registry]]
                prefix = "example.com/foo/bar"
                location = "bar.example.net"
                """);
        assertThat(c.registryFor(ref("example.com/foo/bar/baz:1")).orElseThrow().location()).isEqualTo("bar.example.net");
        assertThat(c.registryFor(ref("example.com/foo/other")).orElseThrow().location()).isEqualTo("foo.example.net/x");
        assertThat(c.registryFor(ref("example.com/foobar")).orElseThrow().location()).isEqualTo("all.example.net");
        assertThat(c.registryFor(ref("example.com/foo")).orElseThrow().location()).isEqualTo("foo.example.net/x");
        assertThat(c.registryFor(ref("example.comx/foo"))).isEmpty();
        // containers/image lets a host prefix match the same host with a port
        assertThat(c.registryFor(ref("example.com:5000/foo")).orElseThrow().location()).isEqualTo("all.example.net");
        assertThat(refs(c.pullSources(ref("example.com/foo/app:1")))).containsExactly("foo.example.net/x/app:1");
        assertThat(refs(c.pullSources(ref("example.com/foo@" + DIGEST)))).containsExactly("foo.example.net/x@" + DIGEST);
    }

    @Test
    void wildcardPrefixes() throws IOException {
        RegistriesConf c = conf("""
                [[registry]]
                prefix = "*.example.com"
                insecure = true
                [[registry]]
                prefix = "*.sub.example.com"
                location = "never.example.net"
                [[registry]]
                prefix = "*.blocked.org"
                blocked = true
                [[registry]]
                prefix = "*.mirrored.com"
                [[registry.mirror]]
                location = "mirror.local/cache"
                """);
        Registry wild = c.registryFor(ref("a.example.com/x")).orElseThrow();
        assertThat(wild.prefix()).isEqualTo("*.example.com");
        assertThat(wild.location()).isEmpty();
        assertThat(c.registryFor(ref("a.b.example.com:5000/x"))).contains(wild);
        assertThat(c.registryFor(ref("example.com/x"))).isEmpty();
        assertThat(c.registryFor(ref("a.example.community/x"))).isEmpty();
        // the longer prefix wins
        assertThat(c.registryFor(ref("x.sub.example.com/x")).orElseThrow().prefix()).isEqualTo("*.sub.example.com");
        assertThat(c.registryFor(ref("x.blocked.org/x")).orElseThrow().blocked()).isTrue();
        assertThat(c.pullSources(ref("a.example.com/x:1"))).containsExactly(new PullSource(ref("a.example.com/x:1"), true, false));
        assertThatThrownBy(() -> c.pullSources(ref("x.blocked.org/x")))
                .isInstanceOf(BlockedRegistryException.class)
                .hasMessageStartingWith("registry \"*.blocked.org\" is blocked in [");
        assertThat(c.pullSources(ref("q.mirrored.com/ns/app:2"))).containsExactly(
                new PullSource(ref("mirror.local/cache/ns/app:2"), false, true),
                new PullSource(ref("q.mirrored.com/ns/app:2"), false, false));
    }

    @Test
    void mirrorsAndPullFromMirror() throws IOException {
        RegistriesConf c = conf("""
                [[registry]]
                prefix = "docker.io"
                location = "registry-1.docker.io"
                [[registry.mirror]]
                location = "all.mirror.local"
                insecure = true
                [[registry.mirror]]
                location = "digests.mirror.local/hub"
                pull-from-mirror = "digest-only"
                [[registry.mirror]]
                location = "tags.mirror.local"
                pull-from-mirror = "tag-only"
                [[registry]]
                prefix = "quay.io/team"
                location = "quay.io/team"
                mirror-by-digest-only = true
                [[registry.mirror]]
                location = "qmirror.local/t"
                """);
        assertThat(c.pullSources(ref("busybox:1.36"))).containsExactly(
                new PullSource(ref("all.mirror.local/library/busybox:1.36"), true, true),
                new PullSource(ref("tags.mirror.local/library/busybox:1.36"), false, true),
                new PullSource(ref("registry-1.docker.io/library/busybox:1.36"), false, false));
        assertThat(refs(c.pullSources(ref("busybox@" + DIGEST)))).containsExactly(
                "all.mirror.local/library/busybox@" + DIGEST,
                "digests.mirror.local/hub/library/busybox@" + DIGEST,
                "registry-1.docker.io/library/busybox@" + DIGEST);
        // a reference with tag and digest counts as digested
        assertThat(refs(c.pullSources(ref("busybox:1@" + DIGEST)))).containsExactly(
                "all.mirror.local/library/busybox:1@" + DIGEST,
                "digests.mirror.local/hub/library/busybox:1@" + DIGEST,
                "registry-1.docker.io/library/busybox:1@" + DIGEST);
        assertThat(refs(c.pullSources(ref("quay.io/team/app:1")))).containsExactly("quay.io/team/app:1");
        assertThat(refs(c.pullSources(ref("quay.io/team/app@" + DIGEST)))).containsExactly(
                "qmirror.local/t/app@" + DIGEST, "quay.io/team/app@" + DIGEST);
        assertThat(c.registryFor(ref("docker.io/library/x")).orElseThrow().mirrors().get(1))
                .isEqualTo(new Mirror("digests.mirror.local/hub", false, PullFromMirror.DIGEST_ONLY));
    }

    @Test
    void prefixDefaultsToLocationAndTrailingSlashesGo() throws IOException {
        RegistriesConf c = conf("""
                [[registry]]
                location = "internal.example.com:5000/"
                insecure = true
                """);
        assertThat(c.registries()).containsExactly(
                new Registry("internal.example.com:5000", "internal.example.com:5000", true, false, false, List.of()));
        assertThat(c.pullSources(ref("internal.example.com:5000/a:1")))
                .containsExactly(new PullSource(ref("internal.example.com:5000/a:1"), true, false));
    }

    // ---- short names ----------------------------------------------------------------------------

    @Test
    void shortNamesInEachMode() throws IOException {
        String base = "unqualified-search-registries = [\"registry.fedoraproject.org\", \"quay.io\", \"docker.io\"]\n";
        RegistriesConf permissive = conf(base);
        assertThat(refs(permissive.resolveShortName("fedora"))).containsExactly(
                "registry.fedoraproject.org/fedora:latest", "quay.io/fedora:latest", "docker.io/library/fedora:latest");
        assertThat(refs(permissive.resolveShortName("team/app:2"))).containsExactly(
                "registry.fedoraproject.org/team/app:2", "quay.io/team/app:2", "docker.io/team/app:2");
        RegistriesConf disabled = conf(base + "short-name-mode = \"disabled\"\n");
        assertThat(disabled.resolveShortName("fedora")).hasSize(3);
        RegistriesConf enforcing = conf(base + "short-name-mode = \"enforcing\"\n");
        assertThatThrownBy(() -> enforcing.resolveShortName("fedora"))
                .isInstanceOf(ShortNameResolutionException.class)
                .hasMessage("short name \"fedora\" is ambiguous and short-name-mode is enforcing: it could be any of"
                        + " [registry.fedoraproject.org/fedora:latest, quay.io/fedora:latest, docker.io/library/fedora:latest];"
                        + " use a fully qualified reference or add an alias");
        RegistriesConf single = conf("unqualified-search-registries = [\"quay.io\"]\nshort-name-mode = \"enforcing\"\n");
        assertThat(refs(single.resolveShortName("fedora@" + DIGEST))).containsExactly("quay.io/fedora@" + DIGEST);
        // fully qualified names are never searched
        assertThat(refs(enforcing.resolveShortName("quay.io/x/y"))).containsExactly("quay.io/x/y:latest");
        assertThat(refs(enforcing.resolveShortName("localhost/app"))).containsExactly("localhost/app:latest");
        Path f = tmp.resolve("one.conf");
        RegistriesConf none = conf("short-name-mode = \"enforcing\"\n");
        assertThatThrownBy(() -> none.resolveShortName("fedora"))
                .isInstanceOf(ShortNameResolutionException.class)
                .hasMessage("short name \"fedora\" did not resolve to an alias and no unqualified-search registries"
                        + " are defined in [" + f + "]");
    }

    @Test
    void aliasesComeFirstAndKeepTagAndDigest() throws IOException {
        RegistriesConf c = conf("""
                unqualified-search-registries = ["quay.io", "docker.io"]
                short-name-mode = "enforcing"
                [aliases]
                "fedora" = "registry.fedoraproject.org/fedora"
                "team/app" = "quay.io/team/app"
                """);
        assertThat(refs(c.resolveShortName("fedora"))).containsExactly("registry.fedoraproject.org/fedora:latest");
        assertThat(refs(c.resolveShortName("fedora:40"))).containsExactly("registry.fedoraproject.org/fedora:40");
        assertThat(refs(c.resolveShortName("team/app@" + DIGEST))).containsExactly("quay.io/team/app@" + DIGEST);
        assertThat(refs(c.resolveLocally("fedora:40"))).containsExactly(
                "registry.fedoraproject.org/fedora:40", "localhost/fedora:40", "quay.io/fedora:40", "docker.io/library/fedora:40");
        assertThat(refs(c.resolveLocally("other"))).containsExactly(
                "localhost/other:latest", "quay.io/other:latest", "docker.io/library/other:latest");
        assertThat(refs(c.resolveLocally("localhost/other"))).containsExactly("localhost/other:latest");
    }

    @Test
    void aliasCacheFileTakesPrecedenceAndCanReset() throws IOException {
        write(etc.resolve("registries.conf"), """
                unqualified-search-registries = ["quay.io"]
                [aliases]
                "one" = "conf.example.com/one"
                "two" = "conf.example.com/two"
                "three" = "conf.example.com/three"
                """);
        Path cache = write(home.resolve(".cache/containers/short-name-aliases.conf"), """
                [aliases]
                "one" = "cache.example.com/one"
                "two" = ""
                """);
        RegistriesConf c = load();
        assertThat(refs(c.resolveShortName("one"))).containsExactly("cache.example.com/one:latest");
        assertThat(refs(c.resolveShortName("two"))).containsExactly("quay.io/two:latest");
        assertThat(refs(c.resolveShortName("three"))).containsExactly("conf.example.com/three:latest");
        // the cache is read at each resolution
        Files.writeString(cache, "[aliases]\n\"three\" = \"cache.example.com/three\"\n");
        assertThat(refs(c.resolveShortName("three"))).containsExactly("cache.example.com/three:latest");
        // root uses /var/cache, so the per-user cache is not read
        env = env.asUser(0);
        RegistriesConf asRoot = RegistriesConf.loader().environment(env).systemDirectory(etc)
                .shortNameAliasesFile(tmp.resolve("absent.conf")).load();
        assertThat(refs(asRoot.resolveShortName("three"))).containsExactly("conf.example.com/three:latest");
        Files.writeString(cache, "[aliases]\n\"three\" = \"not/qualified\"\n");
        assertThatThrownBy(() -> c.resolveShortName("three"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessageStartingWith(cache + ": aliases.\"three\": alias \"not/qualified\" must be a fully qualified repository");
    }

    // ---- version 1 ------------------------------------------------------------------------------

    @Test
    void version1IsConverted() throws IOException {
        RegistriesConf c = conf("""
                [registries.search]
                registries = ["registry.access.redhat.com", "docker.io"]
                [registries.insecure]
                registries = ["insecure.local:5000"]
                [registries.block]
                registries = ["evil.example.com", "insecure.local:5000"]
                """);
        assertThat(c.unqualifiedSearchRegistries()).containsExactly("registry.access.redhat.com", "docker.io");
        assertThat(c.registries()).containsExactly(
                new Registry("evil.example.com", "evil.example.com", false, true, false, List.of()),
                new Registry("insecure.local:5000", "insecure.local:5000", true, true, false, List.of()));
        Path v1 = tmp.resolve("one.conf");
        Path dropIn = write(tmp.resolve("drop.conf"), "[registries.search]\nregistries = [\"quay.io\"]\n");
        assertThatThrownBy(() -> RegistriesConf.load(v1, dropIn))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessage(dropIn + ": registries: drop-in files must use the version 2 format"
                        + " ([[registry]], unqualified-search-registries), not [registries.*]");
        assertThatThrownBy(() -> conf("unqualified-search-registries = []\n[registries.search]\nregistries = []\n"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessageContaining(": registries: mixes the version 1 format");
    }

    // ---- invalid files --------------------------------------------------------------------------

    @Test
    void malformedAndInvalidFilesNameFileAndKey() throws IOException {
        Path f = tmp.resolve("one.conf");
        assertThatThrownBy(() -> conf("unqualified-search-registries = [\"a\"\n"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessageStartingWith(f + ": is not valid TOML (line ");
        assertInvalid("short-name-mode = \"strict\"",
                "short-name-mode: \"strict\" is not a short-name mode; use enforcing, permissive or disabled");
        assertInvalid("unqualified-search-registries = \"docker.io\"", "unqualified-search-registries: must be an array of strings");
        assertInvalid("unqualified-search-registries = [\"docker.io/library\"]",
                "unqualified-search-registries[0]: \"docker.io/library\" is not a registry host[:port]");
        assertInvalid("unqualified-search-registries = [\"https://quay.io\"]",
                "unqualified-search-registries[0]: \"https://quay.io\" has a URL scheme, which is not supported; write host[:port][/path]");
        assertInvalid("[[registry]]\ninsecure = true", "registry[0]: neither prefix nor location is set");
        assertInvalid("[[registry]]\nprefix = \"a.example.com/x\"",
                "registry[0].location: is not set; only a wildcard prefix (*.example.com) may go without a location");
        assertInvalid("[[registry]]\nlocation = \"a.example.com\"\ninsecure = \"yes\"", "registry[0].insecure: must be true or false");
        assertInvalid("[[registry]]\nprefix = \"*.example.com/foo\"",
                "registry[0].prefix: wildcard prefix \"*.example.com/foo\" must have the form *.example.com (no port, path, tag or digest)");
        assertInvalid("[[registry]]\nlocation = \"a.example.com\"\npull-from-mirror = \"all\"",
                "registry[0].pull-from-mirror: applies to mirrors only; set it in [[registry.mirror]]");
        assertInvalid("[[registry]]\nlocation = \"a.example.com\"\n[[registry.mirror]]\nlocation = \"m.local\"\npull-from-mirror = \"sometimes\"",
                "registry[0].mirror[0].pull-from-mirror: \"sometimes\" is not valid; use all, digest-only or tag-only");
        assertInvalid("[[registry]]\nlocation = \"a.example.com\"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = \"m.local\"\n"
                + "pull-from-mirror = \"tag-only\"",
                "registry[0].mirror[0].pull-from-mirror: cannot be set when the registry \"a.example.com\" sets mirror-by-digest-only;"
                        + " use one or the other");
        assertInvalid("[[registry]]\nlocation = \"a.example.com\"\n[[registry.mirror]]\ninsecure = true",
                "registry[0].mirror[0].location: is not set; a mirror needs a location");
        assertInvalid("[aliases]\n\"quay.io/app\" = \"quay.io/app\"", "aliases.\"quay.io/app\": short name \"quay.io/app\" must not contain a registry");
        assertInvalid("[aliases]\n\"app:1\" = \"quay.io/app\"", "aliases.\"app:1\": short name \"app:1\" must not contain a tag");
        assertInvalid("[aliases]\n\"app\" = \"quay.io/app:1\"", "aliases.\"app\": alias \"quay.io/app:1\" must not contain a tag");
        assertInvalid("[aliases]\n\"app\" = 3", "aliases.\"app\": must be a string");
        assertInvalid("credential-helpers = [\"\"]", "credential-helpers[0]: must not be empty");
    }

    void assertInvalid(String toml, String message) {
        Path f = tmp.resolve("one.conf");
        assertThatThrownBy(() -> conf(toml))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessage(f + ": " + message)
                .satisfies(e -> assertThat(((ContainersConfigException) e).file()).contains(f));
    }

    @Test
    void conflictingSettingsForOneLocationAreRefused() throws IOException {
        Path a = write(tmp.resolve("a.conf"), "[[registry]]\nprefix = \"x.example.com/a\"\nlocation = \"real.example.com\"\ninsecure = true\n");
        Path b = write(tmp.resolve("b.conf"), "[[registry]]\nprefix = \"x.example.com/b\"\nlocation = \"real.example.com\"\n");
        assertThatThrownBy(() -> RegistriesConf.load(a, b))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessageContaining("registry \"real.example.com\" is defined several times with conflicting 'insecure' settings");
    }

    @Test
    void credentialHelpersFeedAuthFiles() throws IOException {
        RegistriesConf c = conf("credential-helpers = [\"secretservice\", \"containers-auth.json\"]\n");
        AuthFiles files = c.authFiles(AuthFiles.forEnvironment(Map.of("HOME", home.toString())));
        assertThat(files.toString()).contains("helpers [secretservice, containers-auth.json]");
    }
}
