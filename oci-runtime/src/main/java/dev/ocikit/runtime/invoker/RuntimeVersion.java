package dev.ocikit.runtime.invoker;

import java.util.Optional;

/**
 * What a runtime's {@code --version} says. Immutable and thread-safe.
 *
 * <p>runc prints {@code runc version 1.1.5+ds1} / {@code commit: …} / {@code spec: 1.0.2-dev};
 * crun, youki and runsc print the same keys (crun adds {@code rundir:} and a feature line).
 * Distributions put their package version in {@code commit} (Debian:
 * {@code 1.1.5+ds1-1+deb12u1}), which is what the version gate reads for backported fixes.
 *
 * @param runtime the name on the first line ({@code runc}, {@code crun} …)
 * @param version the version on the first line
 * @param commit the {@code commit:} line, if any
 * @param specVersion the {@code spec:} line (runtime-spec version), if any
 * @param raw the whole output
 */
public record RuntimeVersion(String runtime, String version, Optional<String> commit, Optional<String> specVersion,
        String raw) {

    public RuntimeVersion {
        if (runtime == null || runtime.isBlank() || version == null || version.isBlank()) {
            throw new IllegalArgumentException("runtime and version are required");
        }
        commit = commit == null ? Optional.empty() : commit;
        specVersion = specVersion == null ? Optional.empty() : specVersion;
        raw = raw == null ? "" : raw;
    }

    /**
     * Parses {@code --version} output.
     *
     * @throws RuntimeOutputException if there is no {@code <name> version <v>} line
     */
    public static RuntimeVersion parse(String executableName, String output) {
        String runtime = null;
        String version = null;
        String commit = null;
        String spec = null;
        for (String line : output.split("\\R")) {
            String l = line.strip();
            if (runtime == null) {
                int at = l.indexOf(" version ");
                if (at > 0) {
                    runtime = l.substring(0, at).strip();
                    version = l.substring(at + " version ".length()).strip();
                    continue;
                }
            }
            if (l.startsWith("commit:")) {
                commit = l.substring("commit:".length()).strip();
            } else if (l.startsWith("spec:")) {
                spec = l.substring("spec:".length()).strip();
            }
        }
        if (runtime == null || version == null || version.isEmpty()) {
            throw new RuntimeOutputException(executableName, "--version",
                    "no '<name> version <version>' line in: " + abbreviate(output), null);
        }
        return new RuntimeVersion(runtime, version, Optional.ofNullable(commit).filter(s -> !s.isEmpty()),
                Optional.ofNullable(spec).filter(s -> !s.isEmpty()), output);
    }

    static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    @Override
    public String toString() {
        return runtime + " " + version + commit.map(c -> " (commit " + c + ")").orElse("");
    }
}
