package dev.ocikit.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {

    @ParameterizedTest(name = "parse({0}) = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            linux/amd64            | linux/amd64
            linux/arm64            | linux/arm64
            linux/arm64/v8         | linux/arm64/v8
            linux/arm64/8          | linux/arm64/v8
            linux/aarch64          | linux/arm64
            linux/aarch64/v8.0     | linux/arm64/v8
            linux/arm64/v8.2       | linux/arm64/v8.2
            linux/arm64/9.0        | linux/arm64/v9
            linux/arm/v7           | linux/arm/v7
            linux/arm/7            | linux/arm/v7
            linux/arm              | linux/arm
            linux/arm/v5           | linux/arm/v5
            linux/arm/6            | linux/arm/v6
            linux/armhf            | linux/arm
            linux/armel            | linux/arm/v6
            windows/amd64          | windows/amd64
            Linux/X86_64           | linux/amd64
            linux/x86-64           | linux/amd64
            linux/amd64/v1         | linux/amd64
            linux/amd64/v3         | linux/amd64/v3
            linux/i386             | linux/386
            linux/i686             | linux/386
            linux/386              | linux/386
            macos/arm64            | darwin/arm64
            linux/ppc64le          | linux/ppc64le
            linux/s390x            | linux/s390x
            linux/riscv64          | linux/riscv64
            """)
    void parsesAndNormalisesLikeContainerd(String specifier, String expected) {
        Platform p = Platform.parse(specifier);
        assertThat(p.toString()).isEqualTo(expected);
        // parse and toString round-trip on everything parse returns
        assertThat(Platform.parse(p.toString())).isEqualTo(p);
    }

    @Test
    void parsedComponentsAreSeparate() {
        Platform p = Platform.parse("linux/arm/v7");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.architecture()).isEqualTo("arm");
        assertThat(p.variant()).contains("v7");
        assertThat(Platform.parse("linux/arm").variant()).isEmpty();
    }

    @Test
    void parsesOsVersionAndFeaturesInParentheses() {
        Platform p = Platform.parse("windows(10.0.20348.2340+win32k)/amd64");
        assertThat(p.os()).isEqualTo("windows");
        assertThat(p.osVersion()).contains("10.0.20348.2340");
        assertThat(p.osFeatures()).containsExactly("win32k");
        assertThat(p.toString()).isEqualTo("windows/amd64");
        assertThat(p.specifier()).isEqualTo("windows(10.0.20348.2340+win32k)/amd64");
        assertThat(Platform.parse(p.specifier())).isEqualTo(p);
        Platform encoded = Platform.parse("linux(1.0%2B2)/amd64");
        assertThat(encoded.osVersion()).contains("1.0+2");
        assertThat(encoded.specifier()).isEqualTo("linux(1.0%2B2)/amd64");
    }

    @ParameterizedTest(name = "normalize({0}/{1}/{2}) = {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            linux   | x86_64  | -    | linux/amd64
            linux   | amd64   | v1   | linux/amd64
            linux   | amd64   | V2   | linux/amd64/v2
            linux   | aarch64 | -    | linux/arm64
            linux   | arm64   | v8   | linux/arm64
            linux   | arm64   | 8    | linux/arm64
            linux   | arm64   | 9    | linux/arm64/v9
            linux   | arm     | -    | linux/arm/v7
            linux   | arm     | 8    | linux/arm/v8
            linux   | armhf   | -    | linux/arm/v7
            linux   | armel   | v7   | linux/arm/v6
            LINUX   | I386    | v2   | linux/386
            MacOS   | arm64   | -    | darwin/arm64
            freebsd | riscv64 | -    | freebsd/riscv64
            """)
    void normalises(String os, String arch, String variant, String expected) {
        assertThat(Platform.of(os, arch, variant).normalize().toString()).isEqualTo(expected);
    }

    @Test
    void normaliseSortsOsFeaturesAndKeepsTheRest() {
        Platform p = new Platform("x86_64", "windows", Optional.of("10.0.17763"), List.of("win32k", "a", "win32k"),
                Optional.empty(), List.of("sse4"), java.util.Map.of());
        Platform n = p.normalize();
        assertThat(n.osFeatures()).containsExactly("a", "win32k");
        assertThat(n.osVersion()).contains("10.0.17763");
        assertThat(n.features()).containsExactly("sse4");
        assertThat(n.architecture()).isEqualTo("amd64");
    }

    /** wanted | candidates it must accept | candidates it must refuse (space separated). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            linux/amd64      | linux/amd64 linux/386 linux/x86_64 linux/amd64/v1 | linux/amd64/v2 linux/arm/v7 linux/arm64 windows/amd64 darwin/amd64
            linux/amd64/v2   | linux/amd64 linux/amd64/v1 linux/amd64/v2 linux/386 | linux/amd64/v3 linux/amd64/v4 linux/arm64
            linux/amd64/v4   | linux/amd64/v4 linux/amd64/v3 linux/amd64/v2 linux/amd64 linux/386 | linux/arm/v7
            linux/386        | linux/386 linux/i386 | linux/amd64 linux/arm/v7
            linux/arm64      | linux/arm64 linux/arm64/v8 linux/aarch64 linux/arm linux/arm/v8 linux/arm/v7 linux/arm/v6 linux/arm/v5 | linux/arm/v4 linux/arm/v9 linux/arm64/v9 linux/arm64/v8.1 linux/amd64 windows/arm64
            linux/arm64/v8.2 | linux/arm64/v8.2 linux/arm64/v8.1 linux/arm64 linux/arm/v7 | linux/arm64/v8.3 linux/arm64/v9
            linux/arm64/v9   | linux/arm64/v9 linux/arm64/v9.0 linux/arm64/v8.5 linux/arm64/v8.1 linux/arm64 linux/arm/v8 linux/arm/v5 | linux/arm64/v8.6 linux/arm64/v9.1 linux/arm/v4
            linux/arm64/v9.2 | linux/arm64/v9.1 linux/arm64/v9 linux/arm64/v8.7 linux/arm64 linux/arm/v8 | linux/arm64/v8.8 linux/arm64/v9.3
            linux/arm/v8     | linux/arm linux/arm/v8 linux/arm/v7 linux/arm/v6 linux/arm/v5 | linux/arm/v4 linux/arm64
            linux/arm/v7     | linux/arm linux/armhf linux/arm/v7 linux/arm/v6 linux/arm/v5 linux/armel | linux/arm/v8 linux/arm64 linux/arm/v4
            linux/arm        | linux/arm/v7 linux/arm/v6 linux/arm/v5 | linux/arm/v8 linux/arm64
            linux/arm/v6     | linux/arm/v6 linux/arm/v5 linux/armel | linux/arm linux/arm/v7 linux/armhf
            linux/arm/v5     | linux/arm/v5 | linux/arm/v6 linux/arm linux/arm/v4
            linux/arm/v4     | linux/arm/v4 | linux/arm/v5 linux/arm
            windows/amd64    | windows/amd64 windows(10.0.17763)/amd64 windows/386 | linux/amd64 windows/arm64
            linux/s390x      | linux/s390x | linux/amd64 linux/ppc64le
            """)
    void matchesAsContainerdOnly(String wanted, String accepts, String refuses) {
        Platform w = Platform.parse(wanted);
        for (String c : accepts.trim().split("\\s+")) {
            assertThat(w.matches(Platform.parse(c))).as("%s accepts %s", wanted, c).isTrue();
        }
        for (String c : refuses.trim().split("\\s+")) {
            assertThat(w.matches(Platform.parse(c))).as("%s refuses %s", wanted, c).isFalse();
        }
    }

    @ParameterizedTest(name = "strict {0}")
    @CsvSource(delimiter = '|', textBlock = """
            linux/amd64    | linux/amd64 linux/x86_64 linux/amd64/v1 | linux/386 linux/amd64/v2
            linux/arm64    | linux/arm64 linux/arm64/v8 linux/aarch64 | linux/arm/v7 linux/arm64/v8.1
            linux/arm/v7   | linux/arm linux/arm/v7 linux/armhf | linux/arm/v6 linux/arm/v5
            linux/arm64/v9 | linux/arm64/v9 linux/arm64/v9.0 | linux/arm64/v8 linux/arm64/v8.5
            """)
    void strictMatcherAcceptsOnlyTheSamePlatform(String wanted, String accepts, String refuses) {
        PlatformMatcher m = Platform.parse(wanted).strictMatcher();
        for (String c : accepts.trim().split("\\s+")) {
            assertThat(m.matches(Platform.parse(c))).as("%s accepts %s", wanted, c).isTrue();
        }
        for (String c : refuses.trim().split("\\s+")) {
            assertThat(m.matches(Platform.parse(c))).as("%s refuses %s", wanted, c).isFalse();
        }
    }

    @Test
    void acceptedPlatformsAreInContainerdOrder() {
        assertThat(Platform.parse("linux/arm64/v9").matcher().accepted()).map(Platform::toString).containsExactly(
                "linux/arm64/v9", "linux/arm64/v8.5", "linux/arm64/v8.4", "linux/arm64/v8.3", "linux/arm64/v8.2",
                "linux/arm64/v8.1", "linux/arm64", "linux/arm/v9", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6",
                "linux/arm/v5");
        assertThat(Platform.parse("linux/amd64/v3").matcher().accepted()).map(Platform::toString).containsExactly(
                "linux/amd64/v3", "linux/amd64/v2", "linux/amd64", "linux/386");
        assertThat(Platform.parse("linux/arm64/v9.7").matcher().accepted()).map(Platform::toString)
                .contains("linux/arm64/v8.9").doesNotContain("linux/arm64/v8.10", "linux/arm64/v8.12");
    }

    @Test
    void bestMatchWinsAndTiesKeepIndexOrder() {
        List<String> offered = List.of("linux/arm/v6", "linux/amd64", "linux/arm/v7", "linux/arm64", "linux/arm64/v8",
                "linux/arm/v5", "linux/386");
        List<Platform> platforms = offered.stream().map(Platform::parse).toList();
        PlatformMatcher arm64 = Platform.parse("linux/arm64").matcher();
        assertThat(arm64.select(platforms, Optional::of)).map(Platform::toString).containsExactly(
                "linux/arm64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5");
        assertThat(arm64.best(platforms, Optional::of)).map(Platform::toString).contains("linux/arm64");
        PlatformMatcher amd64 = Platform.parse("linux/amd64").matcher();
        assertThat(amd64.select(platforms, Optional::of)).map(Platform::toString)
                .containsExactly("linux/amd64", "linux/386");
        assertThat(Platform.parse("linux/riscv64").matcher().best(platforms, Optional::of)).isEmpty();
        // platforms not accepted sort after those accepted
        List<Platform> sorted = new java.util.ArrayList<>(platforms);
        sorted.sort(Platform.parse("linux/arm/v7").matcher().comparator());
        assertThat(sorted.subList(0, 3)).map(Platform::toString)
                .containsExactly("linux/arm/v7", "linux/arm/v6", "linux/arm/v5");
    }

    @Test
    void osFeaturesMustBeWantedAndMoreFeaturesWinTies() {
        Platform plain = new Platform("amd64", "windows", Optional.empty(), List.of(), Optional.empty(), List.of(),
                java.util.Map.of());
        Platform win32k = plain.withOsFeatures(List.of("win32k"));
        assertThat(plain.matches(win32k)).isFalse();
        assertThat(win32k.matches(plain)).isTrue();
        assertThat(win32k.matches(win32k)).isTrue();
        assertThat(win32k.matcher().select(List.of(plain, win32k), Optional::of)).containsExactly(win32k, plain);
    }

    @ParameterizedTest(name = "windows host {0} runs image {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.17763.100   | 10.0.17763.5576 | true
            10.0.17763.100   | 10.0.14393.1    | false
            10.0.20348.2340  | 10.0.20348.1    | true
            10.0.26100.1     | 10.0.20348.2340 | true
            10.0.26100.1     | 10.0.17763.5576 | false
            10.0.20348.1     | 10.0.26100.1    | false
            10.0.20348.1     | 6.3.20348.1     | false
            """)
    void windowsVersionsFollowTheHostCompatibilityRules(String host, String image, boolean expected) {
        Platform h = Platform.of("windows", "amd64").withOsVersion(host);
        Platform i = Platform.of("windows", "amd64").withOsVersion(image);
        assertThat(h.matches(i)).isEqualTo(expected);
        // no version on either side means no constraint
        assertThat(Platform.of("windows", "amd64").matches(i)).isTrue();
        assertThat(h.matches(Platform.of("windows", "amd64"))).isTrue();
    }

    @ParameterizedTest(name = "parse({0}) fails")
    @CsvSource(delimiter = '|', textBlock = """
            amd64                  | expected os/arch[/variant]
            linux/amd64/v2/extra   | expected os/arch[/variant]
            linux/*                | wildcards are not supported
            linux/am d64           | architecture 'am d64' must be letters
            linux/arm/v 7          | variant 'v 7' must be letters
            lin ux/amd64           | is not an operating system name
            linux//amd64           | architecture '' must be letters
            /amd64                 | '' is not an operating system name
            windows(10.0/amd64     | is not an operating system name
            """)
    void rejectsBadSpecifiers(String specifier, String message) {
        assertThatThrownBy(() -> Platform.parse(specifier))
                .isInstanceOf(InvalidPlatformException.class)
                .hasMessageContaining("invalid platform '" + specifier + "'")
                .hasMessageContaining(message);
    }

    @Test
    void rejectsEmptyAndBadEscapes() {
        assertThatThrownBy(() -> Platform.parse("")).isInstanceOf(InvalidPlatformException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Platform.parse(null)).isInstanceOf(InvalidPlatformException.class);
        assertThatThrownBy(() -> Platform.parse("linux(%zz)/amd64")).isInstanceOf(InvalidPlatformException.class)
                .hasMessageContaining("bad percent-encoding");
    }

    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            Linux            | amd64       | linux/amd64
            Linux            | aarch64     | linux/arm64
            Linux            | x86         | linux/386
            Linux            | arm         | linux/arm
            Linux            | ppc64le     | linux/ppc64le
            Linux            | loongarch64 | linux/loong64
            Mac OS X         | aarch64     | darwin/arm64
            Mac OS X         | x86_64      | darwin/amd64
            Windows Server 2022 | amd64    | windows/amd64
            FreeBSD          | amd64       | freebsd/amd64
            """)
    void hostPlatformFromJavaProperties(String osName, String osArch, String expected) {
        assertThat(Platform.fromJavaProperties(osName, osArch).toString()).isEqualTo(expected);
    }

    @Test
    void hostIsReadable() {
        Platform host = Platform.host();
        assertThat(host.os()).isNotEmpty();
        assertThat(host.matches(host)).isTrue();
    }

    @Test
    void jsonRoundTripKeepsValuesAsWrittenAndUnknownFields() {
        byte[] json = """
                {"architecture":"aarch64","os":"Linux","os.version":"6.1","os.features":["b","a"],\
                "variant":"v8","features":["crc32"],"x-vendor":{"k":[1,2]}}""".getBytes(StandardCharsets.UTF_8);
        Platform p = Json.parse(json, Platform.class, "platform");
        assertThat(p.architecture()).isEqualTo("aarch64");
        assertThat(p.os()).isEqualTo("Linux");
        assertThat(p.osFeatures()).containsExactly("b", "a");
        assertThat(p.unknownFields()).containsKey("x-vendor");
        dev.ocikit.spec.testing.JsonAssert.assertSemanticallyEqual(json, p);
        assertThat(new String(Json.write(p), StandardCharsets.UTF_8)).startsWith("{\"architecture\":\"aarch64\",\"os\":\"Linux\",\"os.version\"");
        assertThat(p.normalize().toString()).isEqualTo("linux/arm64");
    }

    @Test
    void jsonRequiresArchitectureAndOs() {
        assertThatThrownBy(() -> Json.parse("{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8), Platform.class,
                "platform"))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessage("invalid platform at /architecture: required field is missing");
        assertThatThrownBy(() -> Json.parse("{\"os\":\"\",\"architecture\":\"amd64\"}".getBytes(StandardCharsets.UTF_8),
                Platform.class, "platform"))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessage("invalid platform at /os: must not be empty");
        assertThatThrownBy(() -> Json.parse("\"linux/amd64\"".getBytes(StandardCharsets.UTF_8), Platform.class,
                "platform"))
                .isInstanceOf(MalformedDocumentException.class);
    }

    @Test
    void withersReplaceOneField() {
        Platform p = Platform.of("linux", "arm64").withVariant("v8.2").withOsVersion("x");
        assertThat(p.variant()).contains("v8.2");
        assertThat(p.withVariant(null).variant()).isEmpty();
        assertThat(p.withVariant("").variant()).isEmpty();
        assertThat(Arrays.asList(p.toString(), p.specifier())).containsExactly("linux/arm64/v8.2", "linux(x)/arm64/v8.2");
    }
}
