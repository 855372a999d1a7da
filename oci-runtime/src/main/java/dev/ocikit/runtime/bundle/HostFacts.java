package dev.ocikit.runtime.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the spec generator needs to know about the host, read once from {@code /proc} and
 * {@code /sys}: who the JVM runs as, its hard resource limits (which runc inherits and which an
 * unprivileged process cannot raise), whether it holds CAP_SYS_RESOURCE, and the cgroup version.
 * A record so that tests can describe another host. Immutable.
 *
 * @param hardLimits hard limits by rlimit name ({@code RLIMIT_NOFILE}); {@link dev.ocikit.spec.runtime.Rlimit#INFINITY} is unlimited
 */
record HostFacts(long euid, long egid, Optional<String> userName, Map<String, Long> hardLimits,
        boolean capSysResource, boolean cgroupV2, String hostname) {

    private static final int CAP_SYS_RESOURCE = 24;

    /** /proc/self/limits row titles by rlimit name. */
    private static final Map<String, String> LIMIT_ROWS = Map.ofEntries(
            Map.entry("Max cpu time", "RLIMIT_CPU"), Map.entry("Max file size", "RLIMIT_FSIZE"),
            Map.entry("Max data size", "RLIMIT_DATA"), Map.entry("Max stack size", "RLIMIT_STACK"),
            Map.entry("Max core file size", "RLIMIT_CORE"), Map.entry("Max resident set", "RLIMIT_RSS"),
            Map.entry("Max processes", "RLIMIT_NPROC"), Map.entry("Max open files", "RLIMIT_NOFILE"),
            Map.entry("Max locked memory", "RLIMIT_MEMLOCK"), Map.entry("Max address space", "RLIMIT_AS"),
            Map.entry("Max file locks", "RLIMIT_LOCKS"), Map.entry("Max pending signals", "RLIMIT_SIGPENDING"),
            Map.entry("Max msgqueue size", "RLIMIT_MSGQUEUE"), Map.entry("Max nice priority", "RLIMIT_NICE"),
            Map.entry("Max realtime priority", "RLIMIT_RTPRIO"), Map.entry("Max realtime timeout", "RLIMIT_RTTIME"));

    HostFacts {
        hardLimits = Map.copyOf(hardLimits);
    }

    private static volatile HostFacts current;

    /** This JVM's host, read on first use. */
    static HostFacts detect() {
        HostFacts h = current;
        if (h == null) {
            h = read();
            current = h;
        }
        return h;
    }

    private static HostFacts read() {
        String status = readProc("/proc/self/status");
        long euid = 0;
        long egid = 0;
        boolean capRes = false;
        for (String line : status.split("\n")) {
            String[] f = line.split("\\s+");
            if (line.startsWith("Uid:") && f.length > 2) {
                euid = Long.parseLong(f[2]);
            } else if (line.startsWith("Gid:") && f.length > 2) {
                egid = Long.parseLong(f[2]);
            } else if (line.startsWith("CapEff:") && f.length > 1) {
                capRes = (Long.parseUnsignedLong(f[1], 16) & (1L << CAP_SYS_RESOURCE)) != 0;
            }
        }
        boolean v2;
        try {
            v2 = Files.getFileStore(Path.of("/sys/fs/cgroup")).type().equals("cgroup2");
        } catch (IOException e) {
            v2 = false;
        }
        String hostname = readProc("/proc/sys/kernel/hostname").trim();
        return new HostFacts(euid, egid, Optional.ofNullable(System.getProperty("user.name")),
                parseLimits(readProc("/proc/self/limits")), capRes, v2, hostname);
    }

    /** Parses {@code /proc/<pid>/limits}: hard limits by rlimit name. */
    static Map<String, Long> parseLimits(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            for (Map.Entry<String, String> row : LIMIT_ROWS.entrySet()) {
                if (line.startsWith(row.getKey() + " ")) {
                    String[] f = line.substring(row.getKey().length()).trim().split("\\s+");
                    if (f.length >= 2) {
                        out.put(row.getValue(), f[1].toLowerCase(Locale.ROOT).equals("unlimited")
                                ? -1L : Long.parseUnsignedLong(f[1]));
                    }
                }
            }
        }
        return out;
    }

    /** The hard limit of {@code type}, unlimited when unknown. */
    long hardLimit(String type) {
        return hardLimits.getOrDefault(type, -1L);
    }

    private static String readProc(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new BundleException("cannot read " + file + ": " + e + "; ocikit needs Linux with /proc mounted", e);
        }
    }
}
