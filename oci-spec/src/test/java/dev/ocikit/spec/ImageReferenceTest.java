package dev.ocikit.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ImageReferenceTest {
    private static final String HEX64 = "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa";
    private static final String D = "sha256:" + HEX64;
    private static final String D512 = "sha512:" + "ab".repeat(64);

    /** input, fully qualified form, familiar form. */
    static Stream<Arguments> valid() {
        String tag128 = "t".repeat(128);
        String path243 = "a".repeat(243);
        return Stream.of(
                arguments("busybox", "docker.io/library/busybox", "busybox"),
                arguments("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"),
                arguments("library/busybox", "docker.io/library/busybox", "busybox"),
                arguments("docker.io/busybox", "docker.io/library/busybox", "busybox"),
                arguments("docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"),
                arguments("index.docker.io/busybox", "docker.io/library/busybox", "busybox"),
                arguments("index.docker.io/library/busybox:1", "docker.io/library/busybox:1", "busybox:1"),
                arguments("index.docker.io/myuser/app", "docker.io/myuser/app", "myuser/app"),
                arguments("myuser/app", "docker.io/myuser/app", "myuser/app"),
                arguments("docker.io/myuser/app:v2", "docker.io/myuser/app:v2", "myuser/app:v2"),
                arguments("library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar"),
                arguments("a/b/c/d/e", "docker.io/a/b/c/d/e", "a/b/c/d/e"),
                arguments("0/1", "docker.io/0/1", "0/1"),
                arguments("localhost/app", "localhost/app", "localhost/app"),
                arguments("localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000/app:1"),
                arguments("localhost:5000/a/b", "localhost:5000/a/b", "localhost:5000/a/b"),
                arguments("quay.io/fedora/fedora:40", "quay.io/fedora/fedora:40", "quay.io/fedora/fedora:40"),
                arguments("registry.example.com:443/a/b/c@" + D, "registry.example.com:443/a/b/c@" + D,
                        "registry.example.com:443/a/b/c@" + D),
                arguments("registry.example.com/ns/app:1.0@" + D, "registry.example.com/ns/app:1.0@" + D,
                        "registry.example.com/ns/app:1.0@" + D),
                arguments("name:tag@" + D, "docker.io/library/name:tag@" + D, "name:tag@" + D),
                arguments("busybox@" + D, "docker.io/library/busybox@" + D, "busybox@" + D),
                arguments("busybox@" + D512, "docker.io/library/busybox@" + D512, "busybox@" + D512),
                arguments("[::1]:5000/x", "[::1]:5000/x", "[::1]:5000/x"),
                arguments("[::1]/x:tag", "[::1]/x:tag", "[::1]/x:tag"),
                arguments("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
                        "[fc00:1:2:3:4:5:6:7]:5000/library/debian"),
                arguments("[FC00::1]:5000/app", "[FC00::1]:5000/app", "[FC00::1]:5000/app"),
                arguments("127.0.0.1:5000/app", "127.0.0.1:5000/app", "127.0.0.1:5000/app"),
                arguments("192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8/debian"),
                // Without a '/', nothing is a registry: these are Docker Hub names (and a tag).
                arguments("192.168.0.1", "docker.io/library/192.168.0.1", "192.168.0.1"),
                arguments("192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80"),
                arguments("localhost", "docker.io/library/localhost", "localhost"),
                arguments("localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"),
                arguments("example.com", "docker.io/library/example.com", "example.com"),
                arguments("foo_bar/x", "docker.io/foo_bar/x", "foo_bar/x"),
                arguments("dock__er/docker", "docker.io/dock__er/docker", "dock__er/docker"),
                arguments("docker---rules/docker", "docker.io/docker---rules/docker", "docker---rules/docker"),
                arguments("ab-c_d/e.f", "docker.io/ab-c_d/e.f", "ab-c_d/e.f"),
                // An uppercase first component is a registry in the current reference library.
                arguments("Foo/bar", "Foo/bar", "Foo/bar"),
                arguments("FOO/bar:Tag", "FOO/bar:Tag", "FOO/bar:Tag"),
                arguments("UPPER.example.com/x", "UPPER.example.com/x", "UPPER.example.com/x"),
                arguments("test-com:8080/foo", "test-com:8080/foo", "test-com:8080/foo"),
                arguments("xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo"),
                arguments("sub.domain.example.com:5000/deep/path/name:tag", "sub.domain.example.com:5000/deep/path/name:tag",
                        "sub.domain.example.com:5000/deep/path/name:tag"),
                // Familiar forms keep docker.io where dropping it would name another registry.
                arguments("docker.io/foo.bar/app", "docker.io/foo.bar/app", "docker.io/foo.bar/app"),
                arguments("docker.io/localhost/app", "docker.io/localhost/app", "docker.io/localhost/app"),
                arguments("docker.io/" + HEX64, "docker.io/library/" + HEX64, "library/" + HEX64),
                arguments(HEX64 + ":tag", "docker.io/library/" + HEX64 + ":tag", HEX64 + ":tag"),
                arguments(HEX64.substring(1), "docker.io/library/" + HEX64.substring(1), HEX64.substring(1)),
                arguments("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
                        "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
                        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"),
                arguments("busybox:Latest_1.0-rc", "docker.io/library/busybox:Latest_1.0-rc", "busybox:Latest_1.0-rc"),
                arguments("busybox:_x", "docker.io/library/busybox:_x", "busybox:_x"),
                arguments("busybox:" + tag128, "docker.io/library/busybox:" + tag128, "busybox:" + tag128),
                arguments("example.com/" + path243, "example.com/" + path243, "example.com/" + path243),
                arguments("a-b--c/d", "docker.io/a-b--c/d", "a-b--c/d"));
    }

    /** input, message fragment. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("", "reference is empty"),
                arguments("UPPER", "repository name must be lowercase"),
                arguments("docker/Docker", "repository name must be lowercase"),
                arguments("example.com/Foo:tag", "repository name must be lowercase"),
                arguments("localhost:5000/App", "repository name must be lowercase"),
                arguments("a//b", "empty path component"),
                arguments("a/", "empty path component"),
                arguments("/busybox", "empty path component"),
                arguments("docker.io/", "repository path is missing after registry \"docker.io\""),
                arguments("-a", "must start and end with a lowercase letter or digit"),
                arguments("-docker/docker", "must start and end"),
                arguments("docker-/docker", "must start and end"),
                arguments("a/.b", "path component \".b\" must start and end"),
                arguments("____/____", "must start and end"),
                arguments("docker/dock..er", "separator \"..\""),
                arguments("x/dock_.er", "separator \"_.\""),
                arguments("dock-.er", "separator \"-.\""),
                // With a '.', a first component is a registry, and this one is not a valid host.
                arguments("dock..er/docker", "registry \"dock..er\" is not a valid host[:port]"),
                arguments("a___b/c", "separator \"___\""),
                arguments("a:", "':' must be followed by a tag"),
                arguments("busybox:latest:", "':' must be followed by a tag"),
                arguments("a@", "'@' must be followed by a digest"),
                arguments("a@sha256:short", "64 lowercase hex"),
                arguments("a@sha256:" + HEX64.toUpperCase(), "64 lowercase hex"),
                arguments("a@md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported digest algorithm 'md5'"),
                arguments("busybox:t@g", "expected algorithm:encoded"),
                arguments("busybox@" + D + "@" + D, "more than one '@'"),
                arguments(":tag", "repository name is missing"),
                arguments("@" + D, "repository name is missing"),
                arguments("busybox:" + "t".repeat(129), "tag is too long: 129 characters, at most 128"),
                arguments("busybox:-tag", "tag \"-tag\" must start with a letter, a digit or '_'"),
                arguments("busybox:.tag", "must start with a letter, a digit or '_'"),
                arguments("busybox:tag!", "character '!' is not allowed in tag"),
                arguments("example.com/" + "a".repeat(244), "repository name is 256 characters long"),
                // Docker Hub's prefix counts: 240 characters become 258 with docker.io/library/.
                arguments("a".repeat(240), "repository name is 258 characters long"),
                arguments("a b", "character ' ' is not allowed in path component \"a b\""),
                arguments("a\tb", "character '?' is not allowed"),
                arguments("café/x", "character 'é' is not allowed"),
                arguments("a:tag:tag", "contains ':'"),
                arguments(HEX64, "is an image ID"),
                arguments("http://x/y", "\"http://\" is a URL scheme or transport prefix"),
                arguments("docker://busybox", "\"docker://\" is a URL scheme or transport prefix"),
                arguments("[fc00::1]", "is not allowed in path component"),
                arguments("[fc00::1]:5000", "is not allowed in path component"),
                arguments("fc00::1:5000/debian", "must be decimal digits"),
                arguments("[fe80::1%eth0]:5000/debian", "registry \"[fe80::1%eth0]:5000\" is not a valid host[:port]"),
                arguments("[2001:db8:3:4::192.0.2.33]:5000/debian", "is not a valid host[:port]"),
                arguments("[::1/x", "is not a valid host[:port]"),
                arguments("example.com:/app", "port \"\" of registry \"example.com:\" must be decimal digits"),
                arguments("example.com:abc/app", "port \"abc\""),
                arguments("-example.com/app", "registry \"-example.com\" is not a valid host[:port]"),
                arguments("example..com/app", "is not a valid host[:port]"),
                // Go would quietly return a reference without registry here; a registry must be a host.
                arguments("a.b_c/x", "registry \"a.b_c\" is not a valid host[:port]"),
                arguments("x".repeat(2000), "no valid reference is longer than 1024"));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("valid")
    void parsesAndNormalises(String input, String canonical, String familiar) {
        ImageReference ref = ImageReference.parse(input);

        assertThat(ref.toString()).isEqualTo(canonical);
        assertThat(ref.familiar()).isEqualTo(familiar);
        assertThat(ref.repository()).isEqualTo(ref.domain() + "/" + ref.path());
        // Both written forms read back to the same value.
        assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref).hasSameHashCodeAs(ref);
        assertThat(ImageReference.parse(ref.familiar())).isEqualTo(ref);
        assertThat(ImageReference.parseFullyQualified(ref.toString())).isEqualTo(ref);
        // The canonical constructor accepts what parse produced.
        assertThat(new ImageReference(ref.domain(), ref.path(), ref.tag(), ref.digest())).isEqualTo(ref);
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("invalid")
    void refusesInvalid(String input, String fragment) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageStartingWith("invalid image reference \"")
                .hasMessageContaining(fragment)
                .satisfies(e -> assertThat(((InvalidReferenceException) e).reference()).isEqualTo(input));
    }

    @Test
    void countsAtLeastSixtyCases() {
        assertThat(valid().count() + invalid().count()).isGreaterThanOrEqualTo(60);
    }

    @Test
    void exposesTheParts() {
        ImageReference ref = ImageReference.parse("localhost:5000/team/app:1.2@" + D);
        assertThat(ref.domain()).isEqualTo("localhost:5000");
        assertThat(ref.path()).isEqualTo("team/app");
        assertThat(ref.repository()).isEqualTo("localhost:5000/team/app");
        assertThat(ref.tag()).contains("1.2");
        assertThat(ref.digest()).contains(Digest.parse(D));

        ImageReference bare = ImageReference.parse("busybox");
        assertThat(bare.domain()).isEqualTo("docker.io");
        assertThat(bare.path()).isEqualTo("library/busybox");
        assertThat(bare.tag()).isEmpty();
        assertThat(bare.digest()).isEmpty();
    }

    @Test
    void defaultTagIsAddedOnlyWithoutTagOrDigest() {
        assertThat(ImageReference.parse("busybox").withDefaultTag()).hasToString("docker.io/library/busybox:latest");
        assertThat(ImageReference.parse("busybox:1").withDefaultTag()).hasToString("docker.io/library/busybox:1");
        assertThat(ImageReference.parse("busybox@" + D).withDefaultTag()).hasToString("docker.io/library/busybox@" + D);
    }

    @Test
    void withersReturnNewValues() {
        ImageReference ref = ImageReference.parse("quay.io/fedora/fedora:40");
        Digest digest = Digest.parse(D);

        ImageReference both = ref.withDigest(digest);
        assertThat(both).hasToString("quay.io/fedora/fedora:40@" + D);
        assertThat(both.withoutTag()).hasToString("quay.io/fedora/fedora@" + D);
        assertThat(both.withoutDigest()).isEqualTo(ref);
        assertThat(both.withoutTagOrDigest()).hasToString("quay.io/fedora/fedora");
        assertThat(both.withTag("41")).hasToString("quay.io/fedora/fedora:41@" + D);
        assertThat(ref.withoutDigest()).isSameAs(ref);
        assertThat(ref).hasToString("quay.io/fedora/fedora:40");
    }

    @Test
    void withTagValidatesTheTag() {
        ImageReference ref = ImageReference.parse("busybox");
        assertThatThrownBy(() -> ref.withTag("bad tag"))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("docker.io/library/busybox:bad tag")
                .hasMessageContaining("character ' ' is not allowed in tag");
        assertThatThrownBy(() -> ref.withTag("x".repeat(129)))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("tag is too long");
    }

    @ParameterizedTest
    @CsvSource({
        "busybox, true",
        "busybox:1.36, true",
        "library/busybox, true",
        "myuser/app:1, true",
        "localhost:5000, true",
        "example.com, true",
        "docker.io/busybox, false",
        "index.docker.io/library/busybox, false",
        "localhost/app, false",
        "quay.io/fedora/fedora:40, false",
        "'[::1]:5000/x', false",
        "Foo/bar, false",
    })
    void tellsShortNames(String input, boolean shortName) {
        assertThat(ImageReference.isShortName(input)).isEqualTo(shortName);
        if (shortName) {
            assertThatThrownBy(() -> ImageReference.parseFullyQualified(input))
                    .isInstanceOf(InvalidReferenceException.class)
                    .hasMessageContaining("a short name");
        } else {
            assertThat(ImageReference.parseFullyQualified(input)).isEqualTo(ImageReference.parse(input));
        }
    }

    @Test
    void shortNameCheckRefusesInvalidInput() {
        assertThatThrownBy(() -> ImageReference.isShortName("a//b")).isInstanceOf(InvalidReferenceException.class);
        assertThatThrownBy(() -> ImageReference.isShortName(null)).isInstanceOf(InvalidReferenceException.class);
    }

    @Test
    void constructorNormalisesLikeParse() {
        ImageReference ref = new ImageReference("index.docker.io", "busybox", Optional.of("1"), Optional.empty());
        assertThat(ref).isEqualTo(ImageReference.parse("busybox:1"));
        assertThat(new ImageReference("docker.io", "busybox", null, null)).isEqualTo(ImageReference.parse("busybox"));
    }

    @Test
    void constructorRefusesWhatWouldNotReadBack() {
        assertThatThrownBy(() -> new ImageReference("myhost", "app", Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("registry \"myhost\" would be read back as a Docker Hub namespace");
        assertThatThrownBy(() -> new ImageReference("quay.io", "Fedora", Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("repository name must be lowercase");
        assertThatThrownBy(() -> new ImageReference("quay.io", "", Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("repository path is empty");
        assertThatThrownBy(() -> new ImageReference("quay.io", "a", Optional.of(""), Optional.empty()))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("tag is empty");
    }

    @Test
    void nullInputIsAnInvalidReferenceNotAnNpe() {
        assertThatThrownBy(() -> ImageReference.parse(null))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("reference is empty");
    }

    @Test
    void exceptionIsAnOciExceptionAndShortensHostileInput() {
        String hostile = "a".repeat(300) + "\n" + "b";
        assertThatThrownBy(() -> ImageReference.parse(hostile))
                .isInstanceOf(OciException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(400))
                .satisfies(e -> assertThat(((InvalidReferenceException) e).problem()).isNotBlank());
    }

    /** A model field holding a reference reads and writes it as its string form. */
    record Holder(ImageReference image) {}

    @Test
    void jsonReadsAndWritesTheStringForm() {
        Holder h = Json.parse("{\"image\":\"busybox:1\"}".getBytes(), Holder.class, "test document");
        assertThat(h.image()).isEqualTo(ImageReference.parse("docker.io/library/busybox:1"));
        assertThat(new String(Json.write(h))).isEqualTo("{\"image\":\"docker.io/library/busybox:1\"}");

        assertThatThrownBy(() -> Json.parse("{\"image\":\"A//b\"}".getBytes(), Holder.class, "test document"))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("/image")
                .hasMessageContaining("invalid image reference");
    }

    @Test
    void equalityIsByValue() {
        Map<ImageReference, String> byRef = Map.of(ImageReference.parse("busybox"), "x");
        assertThat(byRef).containsKey(ImageReference.parse("index.docker.io/library/busybox"));
        assertThat(ImageReference.parse("busybox")).isNotEqualTo(ImageReference.parse("busybox:latest"));
    }
}
