package dev.ocikit.runtime.invoker;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses runtimes older than the fixes of the container escapes CVE-2019-5736 (overwriting the
 * host runtime binary through /proc/self/exe) and CVE-2024-21626 (a leaked host fd reachable as
 * the process cwd, "Leaky Vessels").
 *
 * <p>runc: 1.0.0-rc7 fixed CVE-2019-5736, 1.1.12 fixed CVE-2024-21626. Distributions backport
 * fixes without moving the upstream version, so a small table of known patched package builds
 * (matched against the {@code commit:} line, where Debian's packaging writes the package version)
 * is accepted too. crun: its NEWS says it was not directly affected by CVE-2024-21626 (1.14.1
 * hardened chdir anyway), and it has defended against CVE-2019-5736 by running from a sealed
 * copy of itself since its early 0.x releases; crun 1.0 and later are accepted. Any other runtime
 * is unverified: refused unless the caller opts in.
 */
final class VersionGate {
    static final String MIN_RUNC_5736 = "1.0.0-rc7";
    static final String MIN_RUNC_21626 = "1.1.12";
    static final String MIN_CRUN = "1.0";

    /** A distribution build that carries the CVE-2024-21626 fix on an older upstream version. */
    record PatchedBuild(String distro, Pattern packageVersion, String advisory) {}

    /**
     * Known patched builds. Debian 12 (bookworm) ships 1.1.5+ds1-1+deb12u1 with the fix backported;
     * every later +deb12uN revision keeps it.
     */
    static final List<PatchedBuild> PATCHED_RUNC_21626 = List.of(
            new PatchedBuild("Debian 12", Pattern.compile("^1\\.1\\.5\\+ds1-1\\+deb12u([1-9][0-9]*)$"),
                    "Debian's backport of the CVE-2024-21626 fix (bookworm security/point update)"));

    private VersionGate() {}

    /**
     * Why a runtime is not accepted. {@code affected}: its version is known to carry the CVE (no
     * opt-out); otherwise ocikit just cannot tell ({@link RuntimeCli#allowUnverifiedVersion()} opts in).
     */
    record Refusal(boolean affected, String message) {}

    /** The verdict: empty if accepted, else the refusal (naming CVE and minimum version). */
    static Optional<Refusal> check(RuntimeVersion v) {
        Optional<String> p = problem(v);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        boolean known = v.runtime().equalsIgnoreCase("runc") || v.runtime().equalsIgnoreCase("crun");
        boolean parsed = Ver.parse(v.version()).isPresent();
        return Optional.of(new Refusal(known && parsed, p.get()));
    }

    /** The verdict: empty if accepted, else the reason to refuse (naming CVE and minimum version). */
    static Optional<String> problem(RuntimeVersion v) {
        String name = v.runtime().toLowerCase(java.util.Locale.ROOT);
        if (name.equals("runc")) {
            return runcProblem(v);
        }
        if (name.equals("crun")) {
            Optional<Ver> parsed = Ver.parse(v.version());
            if (parsed.isEmpty()) {
                return Optional.of("cannot read crun's version '" + v.version() + "' to check it against CVE fixes");
            }
            if (parsed.get().compareTo(Ver.parse(MIN_CRUN).orElseThrow()) < 0) {
                return Optional.of("crun " + v.version() + " predates crun " + MIN_CRUN
                        + ", the oldest crun ocikit accepts (pre-1.0 releases are not checked against"
                        + " CVE-2019-5736/CVE-2024-21626 hardening); upgrade crun");
            }
            return Optional.empty();
        }
        return Optional.of(v.runtime() + " " + v.version() + " is not a runtime ocikit can check against"
                + " CVE-2019-5736 and CVE-2024-21626; make sure it is not affected and opt in with"
                + " RuntimeCli.allowUnverifiedVersion()");
    }

    private static Optional<String> runcProblem(RuntimeVersion v) {
        Optional<Ver> parsed = Ver.parse(v.version());
        if (parsed.isEmpty()) {
            return Optional.of("cannot read runc's version '" + v.version()
                    + "' to check it against CVE-2019-5736 and CVE-2024-21626");
        }
        Ver ver = parsed.get();
        if (ver.compareTo(Ver.parse(MIN_RUNC_5736).orElseThrow()) < 0) {
            return Optional.of("runc " + v.version() + " is affected by CVE-2019-5736 (container can overwrite"
                    + " the host runc binary); upgrade to runc " + MIN_RUNC_21626 + " or later (at least "
                    + MIN_RUNC_5736 + " for this CVE)");
        }
        if (ver.compareTo(Ver.parse(MIN_RUNC_21626).orElseThrow()) >= 0) {
            return Optional.empty();
        }
        List<String> candidates = new ArrayList<>();
        v.commit().ifPresent(candidates::add);
        candidates.add(v.version());
        for (String candidate : candidates) {
            for (PatchedBuild build : PATCHED_RUNC_21626) {
                if (build.packageVersion().matcher(candidate).matches()) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of("runc " + v.version() + v.commit().map(c -> " (build " + c + ")").orElse("")
                + " is affected by CVE-2024-21626 (leaked host fd as working directory lets a container escape);"
                + " upgrade to runc " + MIN_RUNC_21626 + " or later, or to a distribution build known to carry"
                + " the fix (e.g. Debian 12's 1.1.5+ds1-1+deb12u1)");
    }

    /**
     * A runtime version reduced to what ordering needs: numeric components, and a release
     * candidate number ({@code -rc7}, Debian's {@code ~rc93}) that sorts before the release.
     */
    record Ver(int major, int minor, int patch, int rc) implements Comparable<Ver> {
        private static final Pattern FORM =
                Pattern.compile("^v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:[-~.]?rc\\.?(\\d+))?.*$");

        static Optional<Ver> parse(String s) {
            Matcher m = FORM.matcher(s.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Ver(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                        m.group(4) == null ? Integer.MAX_VALUE : Integer.parseInt(m.group(4))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        @Override
        public int compareTo(Ver o) {
            int c = Integer.compare(major, o.major);
            if (c == 0) {
                c = Integer.compare(minor, o.minor);
            }
            if (c == 0) {
                c = Integer.compare(patch, o.patch);
            }
            return c != 0 ? c : Integer.compare(rc, o.rc);
        }
    }
}
