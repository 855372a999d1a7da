package dev.ocikit.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The normalisation and compatibility rules that containerd's {@code platforms} package applies
 * (and that Podman, BuildKit and Docker therefore share), written down once for {@link Platform}
 * and {@link PlatformMatcher}. Keeping ocikit's choices identical matters: an index resolved by
 * ocikit must pick the same manifest as {@code podman pull} on the same host.
 */
final class PlatformRules {
    private PlatformRules() {}

    /** Lowercase, and the one alias containerd knows ({@code macos} is Go's {@code darwin}). */
    static String normalizeOs(String os) {
        String lower = os.toLowerCase(Locale.ROOT);
        return lower.equals("macos") ? "darwin" : lower;
    }

    /**
     * Architecture aliases to Go's names, and each architecture's default variant made canonical:
     * arm64's v8 and amd64's v1 are written as no variant, while 32-bit arm always carries one
     * (v7 when none was given), so that equal platforms compare equal.
     *
     * @return {architecture, variant}; the variant is "" for none
     */
    static String[] normalizeArch(String architecture, String variant) {
        String arch = architecture.toLowerCase(Locale.ROOT);
        String v = variant.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "i386", "i486", "i586", "i686" -> {
                // containerd knows i386 only; the other ia32 spellings (uname -m on some hosts) mean the same.
                arch = "386";
                v = "";
            }
            case "x86_64", "x86-64", "amd64" -> {
                arch = "amd64";
                if (v.equals("v1")) {
                    v = "";
                }
            }
            case "aarch64", "arm64" -> {
                arch = "arm64";
                switch (v) {
                    case "8", "v8", "v8.0" -> v = "";
                    case "9", "9.0", "v9.0" -> v = "v9";
                    default -> { }
                }
            }
            case "armhf" -> {
                arch = "arm";
                v = "v7";
            }
            case "armel" -> {
                arch = "arm";
                v = "v6";
            }
            case "arm" -> {
                switch (v) {
                    case "", "7" -> v = "v7";
                    case "5", "6", "8" -> v = "v" + v;
                    default -> { }
                }
            }
            default -> { }
        }
        return new String[] {arch, v};
    }

    /**
     * The platforms a host of {@code wanted} (already normalised) can run, best first:
     * amd64/vN runs vN..v1 and then 386; arm/vN runs vN..v5; arm64/v8.x runs v8.x..v8 and then
     * 32-bit arm/v8..v5; arm64/v9.x runs v9.x..v9, then v8.(x+5, at most 9)..v8, then arm.
     */
    static List<Platform> compatible(Platform wanted) {
        List<Platform> out = new ArrayList<>();
        out.add(wanted);
        String arch = wanted.architecture();
        String variant = wanted.variant().orElse("");
        switch (arch) {
            case "amd64" -> {
                Integer level = versionNumber(variant);
                if (level != null && level > 1) {
                    for (int l = level - 1; l >= 1; l--) {
                        out.add(sibling(wanted, "amd64", "v" + l));
                    }
                }
                out.add(sibling(wanted, "386", ""));
            }
            case "arm" -> addOlderArm(out, wanted, variant);
            case "arm64" -> {
                String v = variant.isEmpty() ? "v8" : variant;
                int dot = v.indexOf('.');
                String majorPart = dot < 0 ? v : v.substring(0, dot);
                Integer major = versionNumber(majorPart);
                if (major != null && major >= 8) {
                    int minor = 0;
                    // containerd reads a minor only from the four-character form vM.m.
                    if (dot >= 0 && v.length() == 4) {
                        Integer m = parseInt(v.substring(dot + 1));
                        if (m != null) {
                            minor = m;
                        }
                    }
                    if (major == 9) {
                        addMinors(out, wanted, 9, minor);
                        // v9.0 branched from v8.5, so v9.x also runs v8.(x+5), up to v8.9.
                        minor = Math.min(minor + 5, 9);
                        major = 8;
                        out.add(sibling(wanted, "arm64", "v8." + minor));
                    }
                    addMinors(out, wanted, major, minor);
                }
                // Every 64-bit arm also runs 32-bit arm binaries, from arm/v8 down.
                String armVariant = v.startsWith("v8.") || v.startsWith("v9.") ? "v8" : v;
                Platform arm32 = sibling(wanted, "arm", armVariant);
                out.add(arm32);
                addOlderArm(out, wanted, armVariant);
            }
            default -> { }
        }
        return List.copyOf(out);
    }

    private static void addMinors(List<Platform> out, Platform wanted, int major, int minor) {
        for (int m = minor - 1; m >= 0; m--) {
            out.add(sibling(wanted, "arm64", m == 0 ? "v" + major : "v" + major + "." + m));
        }
    }

    private static void addOlderArm(List<Platform> out, Platform wanted, String variant) {
        Integer level = versionNumber(variant);
        if (level != null && level > 5) {
            for (int l = level - 1; l >= 5; l--) {
                out.add(sibling(wanted, "arm", "v" + l));
            }
        }
    }

    /** Same OS, OS version and OS features, another architecture and variant; normalised. */
    private static Platform sibling(Platform wanted, String arch, String variant) {
        String[] av = normalizeArch(arch, variant);
        return new Platform(av[0], wanted.os(), wanted.osVersion(), wanted.osFeatures(),
                java.util.Optional.of(av[1]), List.of(), java.util.Map.of());
    }

    /** "v7" or "7" to 7, as Go's strconv.Atoi after trimming one "v"; null if not a number. */
    private static Integer versionNumber(String variant) {
        return parseInt(variant.startsWith("v") ? variant.substring(1) : variant);
    }

    private static Integer parseInt(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return null;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // --- Windows: a host runs containers of its own major.minor, build rules per release ---

    private static final int WS2022_BUILD = 20348;

    /**
     * Whether a Windows host of {@code hostVersion} runs a container image built for
     * {@code imageVersion} (both {@code major.minor.build[.revision]}). Either one unknown or
     * unreadable means "no constraint". Before Windows Server 2022 the build must be equal; from
     * 2022 on, hosts run images from 2022's build up to their own (the stable ABI).
     */
    static boolean windowsCompatible(String hostVersion, String imageVersion) {
        int[] host = windowsVersion(hostVersion);
        if (host == null || imageVersion.isEmpty()) {
            return true;
        }
        int[] image = windowsVersion(imageVersion);
        if (image == null) {
            image = new int[] {0, 0, 0};
        }
        if (host[0] != image[0] || host[1] != image[1]) {
            return false;
        }
        if (host[2] < WS2022_BUILD) {
            return host[2] == image[2];
        }
        return image[2] >= WS2022_BUILD && image[2] <= host[2];
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** {major, minor, build}, or null when the version is empty, unreadable or all zero. */
    private static int[] windowsVersion(String version) {
        String[] parts = version.split("\\.", -1);
        if (parts.length < 3) {
            return null;
        }
        if (!digits(parts[0]) || !digits(parts[1]) || !digits(parts[2])) {
            return null;
        }
        Integer major = parseInt(parts[0]);
        Integer minor = parseInt(parts[1]);
        Integer build = parseInt(parts[2]);
        if (major == null || minor == null || build == null || major < 0 || major > 255
                || minor < 0 || minor > 255 || build < 0 || build > 65535) {
            return null;
        }
        if (major == 0 && minor == 0 && build == 0) {
            return null;
        }
        return new int[] {major, minor, build};
    }
}
