package dev.ocikit.spec;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform an image is built for, as the image spec's {@code platform} object (used in index
 * entries) and the platform fields of an image config describe it. Immutable and thread-safe.
 *
 * <p>Values read from JSON are kept exactly as written, so documents round-trip; comparisons go
 * through {@link #normalize()}, which applies the same rules as containerd and Podman
 * ({@code x86_64} is {@code amd64}, {@code aarch64} is {@code arm64}, arm64's {@code v8} is the
 * default variant, and so on).
 *
 * <p>Matching: {@link #matcher()} answers "can a host of this platform run an image built for
 * that one?", with the compatibility containerd's {@code platforms.Only} grants (an arm64 host
 * runs arm/v7, an amd64 host runs 386, amd64/v3 runs v2 and v1), and orders candidates so that
 * the best match comes first. {@link #strictMatcher()} accepts only the same platform.
 *
 * @param architecture the CPU architecture, as Go's {@code GOARCH} ({@code amd64}, {@code arm64}); required
 * @param os the operating system, as Go's {@code GOOS} ({@code linux}, {@code windows}); required
 * @param osVersion the operating system version, mainly for Windows ({@code 10.0.20348.2340})
 * @param osFeatures required OS features, for example {@code win32k}
 * @param variant the CPU variant ({@code v7} for arm, {@code v8} for arm64, {@code v2} for amd64)
 * @param features reserved by the image spec; kept for round trips
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "variant", "features"})
public record Platform(
        String architecture,
        String os,
        @JsonProperty("os.version") Optional<String> osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        Optional<String> variant,
        List<String> features,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** One specifier component: what containerd accepts for architecture and variant. */
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9_.-]+");
    /** {@code os} or {@code os(version+feature+feature)}, the OS part of a specifier. */
    private static final Pattern OS_PART = Pattern.compile(
            "([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?");

    public Platform {
        Fields.required(architecture, "architecture");
        Fields.required(os, "os");
        if (architecture.isEmpty()) {
            throw new InvalidFieldException("architecture", "must not be empty");
        }
        if (os.isEmpty()) {
            throw new InvalidFieldException("os", "must not be empty");
        }
        // An empty string means "none" here; Go writes neither.
        osVersion = nonEmpty(osVersion);
        variant = nonEmpty(variant);
        osFeatures = Fields.list(osFeatures, "os.features");
        features = Fields.list(features, "features");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** {@code os}/{@code architecture} with no variant, exactly as given (not normalised). */
    public static Platform of(String os, String architecture) {
        return new Platform(architecture, os, Optional.empty(), List.of(), Optional.empty(), List.of(), Map.of());
    }

    /** {@code os}/{@code architecture}/{@code variant}, exactly as given (not normalised). */
    public static Platform of(String os, String architecture, String variant) {
        return new Platform(architecture, os, Optional.empty(), List.of(), Optional.ofNullable(variant),
                List.of(), Map.of());
    }

    /**
     * Reads a specifier {@code os[(osversion[+feature…])]/arch[/variant]}, as {@code --platform}
     * takes it: {@code linux/amd64}, {@code linux/arm64/v8}, {@code linux/arm/v7},
     * {@code windows(10.0.20348)/amd64}.
     *
     * <p>Like containerd's {@code platforms.Parse}, the result is normalised (case, aliases such
     * as {@code x86_64} or {@code armhf}), except that a variant stays as explicit as it was
     * written: {@code linux/arm} has no variant (v7 is implied), {@code linux/arm64/v8} keeps v8.
     * So {@code parse(p.toString())} gives back {@code p} for every {@code p} this method returns.
     *
     * @throws InvalidPlatformException if the specifier is not of that form
     */
    public static Platform parse(String specifier) {
        if (specifier == null || specifier.isEmpty()) {
            throw new InvalidPlatformException("invalid platform: empty; expected os/arch[/variant], for example linux/amd64");
        }
        String shown = Text.printable(specifier);
        if (specifier.indexOf('*') >= 0) {
            throw new InvalidPlatformException("invalid platform '" + shown + "': wildcards are not supported");
        }
        String[] parts = specifier.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new InvalidPlatformException("invalid platform '" + shown
                    + "': expected os/arch[/variant], for example linux/amd64 or linux/arm/v7");
        }
        Matcher osMatch = OS_PART.matcher(parts[0]);
        if (!osMatch.matches()) {
            throw new InvalidPlatformException("invalid platform '" + shown + "': '" + Text.printable(parts[0])
                    + "' is not an operating system name (letters, digits, _ and -, optionally followed by (version))");
        }
        for (int i = 1; i < parts.length; i++) {
            if (!COMPONENT.matcher(parts[i]).matches()) {
                throw new InvalidPlatformException("invalid platform '" + shown + "': "
                        + (i == 1 ? "architecture" : "variant") + " '" + Text.printable(parts[i])
                        + "' must be letters, digits, _ . and - only");
            }
        }
        String os = PlatformRules.normalizeOs(osMatch.group(1));
        String osVersion = decode(osMatch.group(2), specifier);
        List<String> osFeatures = new ArrayList<>();
        if (osMatch.group(3) != null && !osMatch.group(3).isEmpty()) {
            for (String f : osMatch.group(3).substring(1).split("\\+", -1)) {
                osFeatures.add(decode(f, specifier));
            }
        }
        String[] av = PlatformRules.normalizeArch(parts[1], parts.length == 3 ? parts[2] : "");
        String variant = av[1];
        if (parts.length == 2 && av[0].equals("arm") && variant.equals("v7")) {
            variant = ""; // implied, as the user wrote none
        }
        if (parts.length == 3 && av[0].equals("arm64") && variant.isEmpty()) {
            variant = "v8"; // the user wrote one; keep it visible
        }
        return new Platform(av[0], os, Optional.ofNullable(osVersion), osFeatures, Optional.of(variant),
                List.of(), Map.of());
    }

    /**
     * The platform of the JVM running this code, from the {@code os.name} and {@code os.arch}
     * system properties (no I/O). For 32-bit arm the variant is unknown here and left empty,
     * which matching treats as v7.
     */
    public static Platform host() {
        return fromJavaProperties(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** Maps Java's names for the OS and CPU to Go's. */
    static Platform fromJavaProperties(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os;
        if (name.startsWith("windows")) {
            os = "windows";
        } else if (name.startsWith("mac") || name.startsWith("darwin")) {
            os = "darwin";
        } else if (name.startsWith("sunos") || name.startsWith("solaris")) {
            os = "solaris";
        } else if (name.isBlank()) {
            os = "unknown";
        } else {
            os = name.replaceAll("[^a-z0-9]", "");
        }
        String arch = osArch.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "x86", "ia32" -> arch = "386";
            case "loongarch64" -> arch = "loong64";
            case "mips64el" -> arch = "mips64le";
            case "mipsel" -> arch = "mipsle";
            case "" -> arch = "unknown";
            default -> { }
        }
        String[] av = PlatformRules.normalizeArch(arch, "");
        String variant = av[0].equals("arm") ? "" : av[1];
        return new Platform(av[0], os, Optional.empty(), List.of(), Optional.of(variant), List.of(), Map.of());
    }

    /**
     * The canonical form used for comparisons: OS lowercased ({@code macos} becomes
     * {@code darwin}), architecture aliases resolved, default variants made canonical (none for
     * arm64/v8 and amd64/v1, {@code v7} for arm without one), OS features sorted and
     * de-duplicated. Everything else is kept.
     */
    public Platform normalize() {
        String[] av = PlatformRules.normalizeArch(architecture, variant.orElse(""));
        List<String> sortedFeatures = osFeatures.isEmpty() ? osFeatures : List.copyOf(new TreeSet<>(osFeatures));
        return new Platform(av[0], PlatformRules.normalizeOs(os), osVersion, sortedFeatures, Optional.of(av[1]),
                features, unknownFields);
    }

    /**
     * A matcher accepting every platform a host of this platform can run, best first (containerd's
     * {@code platforms.Only}). For arm64 that is arm64 (of this or an older v8.x/v9.x variant) and
     * then arm/v8 down to arm/v5; for amd64/vN, amd64 vN down to v1 and then 386; for arm/vN,
     * vN down to v5.
     */
    public PlatformMatcher matcher() {
        return PlatformMatcher.compatible(this);
    }

    /** A matcher accepting only this platform, after normalisation (containerd's {@code OnlyStrict}). */
    public PlatformMatcher strictMatcher() {
        return PlatformMatcher.exact(this);
    }

    /**
     * Whether a host of this platform can run an image built for {@code candidate}; shorthand for
     * {@code matcher().matches(candidate)}.
     */
    public boolean matches(Platform candidate) {
        return matcher().matches(candidate);
    }

    /** This platform with another variant; empty or null removes it. */
    public Platform withVariant(String newVariant) {
        return new Platform(architecture, os, osVersion, osFeatures, Optional.ofNullable(newVariant), features,
                unknownFields);
    }

    /** This platform with another OS version; empty or null removes it. */
    public Platform withOsVersion(String newOsVersion) {
        return new Platform(architecture, os, Optional.ofNullable(newOsVersion), osFeatures, variant, features,
                unknownFields);
    }

    /** This platform with other required OS features. */
    public Platform withOsFeatures(List<String> newOsFeatures) {
        return new Platform(architecture, os, osVersion, newOsFeatures, variant, features, unknownFields);
    }

    /**
     * {@code os/architecture[/variant]}, as written (not normalised). The OS version and features
     * are left out; {@link #specifier()} includes them.
     */
    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }

    /**
     * The full specifier, {@code os[(osversion[+feature…])]/architecture[/variant]}, which
     * {@link #parse} reads back. Characters that would be ambiguous there are percent-encoded.
     */
    public String specifier() {
        if (osVersion.isEmpty() && osFeatures.isEmpty()) {
            return toString();
        }
        StringBuilder b = new StringBuilder(os).append('(').append(encode(osVersion.orElse("")));
        for (String f : new TreeSet<>(osFeatures)) {
            b.append('+').append(encode(f));
        }
        return b.append(')').append('/').append(architecture).append(variant.map(v -> "/" + v).orElse(""))
                .toString();
    }

    private static Optional<String> nonEmpty(Optional<String> value) {
        if (value == null || value.isEmpty() || value.get().isEmpty()) {
            return Optional.empty();
        }
        return value;
    }

    private static String encode(String v) {
        return v.replace("%", "%25").replace("+", "%2B").replace("(", "%28").replace(")", "%29").replace("/", "%2F");
    }

    private static String decode(String v, String specifier) {
        if (v == null || v.indexOf('%') < 0) {
            return v;
        }
        try {
            return java.net.URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidPlatformException("invalid platform '" + Text.printable(specifier)
                    + "': bad percent-encoding in '" + Text.printable(v) + "'");
        }
    }
}
