package dev.ocikit.runtime.bundle;

import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.runtime.Capabilities;
import dev.ocikit.spec.runtime.Linux;
import dev.ocikit.spec.runtime.Mount;
import dev.ocikit.spec.runtime.Namespace;
import dev.ocikit.spec.runtime.Process;
import dev.ocikit.spec.runtime.Resources;
import dev.ocikit.spec.runtime.Rlimit;
import dev.ocikit.spec.runtime.Root;
import dev.ocikit.spec.runtime.Spec;
import dev.ocikit.spec.runtime.User;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the runtime config ({@code config.json}) of a container the way Podman would for
 * {@code podman run}: the image's defaults, then the caller's choices, then Podman's defaults
 * for everything nobody chose. Immutable and thread-safe: every method returns a new
 * {@code BundleSpec}, so one can serve as a template for many containers.
 *
 * <p>The rules, each as Podman applies it:
 * <ul>
 * <li><b>Command</b>: {@link #command} replaces the image's {@code Cmd}; {@link #entrypoint}
 *     replaces the image's {@code Entrypoint} and, when given at least one argument, drops its
 *     {@code Cmd}; with no argument it clears the entrypoint and keeps the image's {@code Cmd}
 *     (Podman's rule: the image's Cmd is used whenever no command is given and the entrypoint
 *     override is empty); with neither, {@code Entrypoint + Cmd}; nothing to run at all is a
 *     {@link NoCommandException}.</li>
 * <li><b>Environment</b>: {@link #DEFAULT_PATH}, {@code container=ocikit}, {@code TERM=xterm}
 *     with a terminal, then the image's {@code Env}, then the caller's; {@code HOSTNAME} and
 *     {@code HOME} (from {@code /etc/passwd}, else {@code /}) when still unset. An image entry
 *     without {@code =} is ignored (logged), since there is no host value to take it from. More
 *     than {@link #MAX_ENV_ENTRIES} entries or {@link #MAX_ENV_BYTES} bytes is refused.</li>
 * <li><b>Working directory</b>: the caller's (absolute), else the image's {@code WorkingDir}
 *     cleaned lexically ({@code ..} stops at {@code /}, relative means from {@code /}), else
 *     {@code /}. runc 1.1 creates a missing one owned by root; {@link #prepareRootfs} creates it
 *     owned by the container user, as Podman does.</li>
 * <li><b>User</b>: the caller's, else the image's {@code User}, else root; resolved with
 *     {@link ContainerUsers} in the root file system given to {@link #build}.</li>
 * <li><b>Capabilities</b>: {@link #DEFAULT_CAPABILITIES} plus {@link #capAdd} minus
 *     {@link #capDrop} ({@code ALL} allowed in both) form the bounding set; root also gets them
 *     effective and permitted; another user gets only the explicitly added ones, in every set
 *     (ambient included, so that they survive the switch from root).</li>
 * <li><b>Mounts</b>: Podman's {@code /proc}, {@code /dev}, {@code /dev/pts}, {@code /dev/shm},
 *     {@code /dev/mqueue}, {@code /sys} (read-only), {@code /sys/fs/cgroup} (read-only), then
 *     the caller's, in order; a caller mount replaces a default at the same destination. With a
 *     read-only root, tmpfs on {@code /run}, {@code /tmp}, {@code /var/tmp} unless
 *     {@link #readOnlyTmpfs readOnlyTmpfs(false)}.</li>
 * <li><b>Limits</b>: {@code RLIMIT_NOFILE} and {@code RLIMIT_NPROC} {@link #DEFAULT_RLIMIT}, lowered to
 *     this process's hard limit when it cannot raise it (no CAP_SYS_RESOURCE, or rootless).</li>
 * <li><b>Namespaces</b>: new pid, ipc, uts, mount, and network unless host or joined; cgroup on
 *     cgroup v2; user with {@link #rootless}.</li>
 * <li><b>Masked and read-only paths</b>: {@link #DEFAULT_MASKED_PATHS},
 *     {@link #DEFAULT_READONLY_PATHS}.</li>
 * </ul>
 *
 * <p>Call sequence of a container: make the {@code BundleSpec}; write {@link #etcFiles()} into
 * the container's directory and add the mounts it returns with {@link #mounts}; mount the root
 * file system; {@link #build} against it; {@link #prepareRootfs} on it; write {@code config.json}.
 */
public final class BundleSpec {
    private static final Logger LOG = LoggerFactory.getLogger(BundleSpec.class);

    /** Podman's default {@code PATH}. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Podman's default capabilities (containers.conf {@code default_capabilities}). */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
            "CAP_SETUID", "CAP_SYS_CHROOT");

    /** Podman's masked paths: made unreadable in the container. */
    public static final List<String> DEFAULT_MASKED_PATHS = List.of("/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
            "/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux",
            "/proc/interrupts");

    /** Podman's read-only paths. */
    public static final List<String> DEFAULT_READONLY_PATHS = List.of("/proc/asound", "/proc/bus", "/proc/fs",
            "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** Podman's default soft and hard {@code RLIMIT_NOFILE} and {@code RLIMIT_NPROC}. */
    public static final long DEFAULT_RLIMIT = 1048576;

    /** The most environment entries accepted; an image can list millions to exhaust memory. */
    public static final int MAX_ENV_ENTRIES = 10_000;

    /** The most environment bytes accepted (the kernel's argv+env limit is around 2 MiB anyway). */
    public static final int MAX_ENV_BYTES = 1 << 20;

    /** Podman's minimum memory limit: below it a container cannot even start. */
    public static final long MIN_MEMORY = 6 * 1024 * 1024;

    /** The capabilities runc knows, as runtime-spec names them. */
    static final Set<String> KNOWN_CAPABILITIES = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
            "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
            "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
            "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
            "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
            "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** The resources Linux limits with setrlimit(2). */
    static final Set<String> KNOWN_RLIMITS = Set.of("RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA",
            "RLIMIT_FSIZE", "RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE",
            "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK");

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})?");
    private static final Pattern ENV_NAME = Pattern.compile("[^=\\x00]+");

    private final Settings s;

    private BundleSpec(Settings s) {
        this.s = s;
    }

    /**
     * Starts from the image's defaults ({@code Entrypoint}, {@code Cmd}, {@code Env},
     * {@code WorkingDir}, {@code User}).
     *
     * @throws InvalidContainerConfigException if the image is not for Linux
     */
    public static BundleSpec from(ImageConfig image) {
        Objects.requireNonNull(image, "image");
        if (!image.os().equals("linux")) {
            throw new InvalidContainerConfigException("os", "the image is for '" + ContainerUsers.printable(image.os())
                    + "', not linux; pull the linux variant of the image");
        }
        Settings n = new Settings();
        n.image = image.config();
        return new BundleSpec(n);
    }

    /** Starts with no image: a command must be given, and the root file system is the caller's. */
    public static BundleSpec scratch() {
        return new BundleSpec(new Settings());
    }

    // ---------------------------------------------------------------- process

    /**
     * Replaces the image's {@code Entrypoint}. With arguments, the image's {@code Cmd} is dropped too
     * (the new entrypoint runs alone unless a {@link #command} is given); with no argument the
     * entrypoint is cleared and the image's {@code Cmd}, or the {@link #command}, runs by itself.
     */
    public BundleSpec entrypoint(String... argv) {
        List<String> v = args("entrypoint", argv);
        return with(n -> n.entrypoint = v);
    }

    /** Replaces the image's {@code Cmd} (the arguments after the entrypoint). */
    public BundleSpec command(String... argv) {
        List<String> v = args("command", argv);
        return with(n -> n.command = v);
    }

    /** {@code command(List)} for lists. */
    public BundleSpec command(List<String> argv) {
        return command(argv.toArray(String[]::new));
    }

    /** Sets one environment variable, over the image's and the defaults. */
    public BundleSpec env(String key, String value) {
        checkEnv(key, value);
        return with(n -> n.env.put(key, value));
    }

    /** Sets environment variables, over the image's and the defaults. */
    public BundleSpec env(Map<String, String> vars) {
        vars.forEach(BundleSpec::checkEnv);
        Map<String, String> copy = new LinkedHashMap<>(vars);
        return with(n -> n.env.putAll(copy));
    }

    /** The absolute working directory, over the image's. */
    public BundleSpec workdir(String dir) {
        noNul("workdir", dir);
        if (!dir.startsWith("/")) {
            throw new InvalidContainerConfigException("workdir", "'" + ContainerUsers.printable(dir)
                    + "' is not absolute; give a path starting with '/'");
        }
        String clean = RootfsPaths.clean(dir);
        return with(n -> n.workdir = clean);
    }

    /** The user: {@code name}, {@code uid}, {@code name:group}, {@code uid:gid} …, over the image's. */
    public BundleSpec user(String user) {
        ContainerUsers.validate(Objects.requireNonNull(user, "user"));
        return with(n -> n.user = user);
    }

    /** Supplementary groups (names from the container's {@code /etc/group}, or gids). */
    public BundleSpec groupAdd(String... groups) {
        List<String> v = List.of(groups);
        for (String g : v) {
            ContainerUsers.validate(g);
            if (g.contains(":")) {
                throw new InvalidContainerConfigException("groupAdd", "'" + g + "' is not a group name or gid");
            }
        }
        return with(n -> n.groupAdd.addAll(v));
    }

    /** Attaches a pseudo-terminal (and sets {@code TERM=xterm}). Default: no terminal. */
    public BundleSpec terminal(boolean tty) {
        return with(n -> n.terminal = tty);
    }

    /** Forbids gaining privileges through setuid binaries or file capabilities. Default: allowed, as Podman. */
    public BundleSpec noNewPrivileges(boolean value) {
        return with(n -> n.noNewPrivileges = value);
    }

    /** Adds capabilities ({@code NET_ADMIN}, {@code CAP_NET_ADMIN}, or {@code ALL}). */
    public BundleSpec capAdd(String... caps) {
        List<String> v = capabilities("capAdd", caps);
        return with(n -> n.capAdd.addAll(v));
    }

    /** Drops capabilities ({@code CHOWN}, {@code CAP_CHOWN}, or {@code ALL}). */
    public BundleSpec capDrop(String... caps) {
        List<String> v = capabilities("capDrop", caps);
        return with(n -> n.capDrop.addAll(v));
    }

    /**
     * Sets resource limit {@code type} ({@code nofile}, {@code RLIMIT_NOFILE} …); use
     * {@link Rlimit#INFINITY} for unlimited. A limit above this process's hard limit fails at
     * start unless the process may raise it.
     */
    public BundleSpec rlimit(String type, long soft, long hard) {
        String t = type == null ? "" : type.toUpperCase(Locale.ROOT);
        if (!t.startsWith("RLIMIT_")) {
            t = "RLIMIT_" + t;
        }
        if (!KNOWN_RLIMITS.contains(t)) {
            throw new InvalidContainerConfigException("rlimit", "'" + ContainerUsers.printable(String.valueOf(type))
                    + "' is not a resource limit; use one of " + new TreeSet<>(KNOWN_RLIMITS));
        }
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new InvalidContainerConfigException("rlimit", t + ": soft limit " + Long.toUnsignedString(soft)
                    + " is above hard limit " + Long.toUnsignedString(hard));
        }
        Rlimit r = Rlimit.of(t, soft, hard);
        return with(n -> n.rlimits.put(r.type(), r));
    }

    // ---------------------------------------------------------------- identity and files

    /** The hostname. Default: the host's with {@link #hostNetwork()}, else {@code localhost}. */
    public BundleSpec hostname(String name) {
        if (name == null || !HOSTNAME.matcher(name).matches()) {
            throw new InvalidContainerConfigException("hostname", "'" + ContainerUsers.printable(String.valueOf(name))
                    + "' is not a hostname: 1 to 64 letters, digits, '.', '-', starting with a letter or digit");
        }
        return with(n -> n.hostname = name);
    }

    /** An extra {@code /etc/hosts} entry (Podman's {@code --add-host name:ip}). */
    public BundleSpec addHost(String name, String address) {
        EtcFiles.checkHostEntry(name, address);
        return with(n -> n.extraHosts.put(name, address));
    }

    /**
     * Bind-mounts host path {@code source} (which must exist) at {@code destination}, read-only
     * or not, with extra mount {@code options} ({@code noexec}, {@code rshared} …).
     */
    public BundleSpec bind(Path source, String destination, boolean readOnly, String... options) {
        String dest = destination("bind", destination);
        Path src = existing("bind", source);
        List<String> o = new ArrayList<>(List.of("rbind", readOnly ? "ro" : "rw"));
        List<String> extra = options("bind", options);
        if (extra.stream().noneMatch(BundleSpec::isPropagation)) {
            o.add("rprivate");
        }
        o.addAll(extra);
        Mount m = Mount.of(dest, "bind", src.toString(), o.toArray(String[]::new));
        return with(n -> n.mounts.add(m));
    }

    /**
     * A tmpfs at {@code destination}; Podman's defaults {@code rw,nosuid,nodev,noexec} apply
     * unless an option says otherwise ({@code ro}, {@code suid}, {@code dev}, {@code exec}).
     */
    public BundleSpec tmpfs(String destination, String... options) {
        String dest = destination("tmpfs", destination);
        List<String> given = options("tmpfs", options);
        List<String> o = new ArrayList<>(given);
        addUnless(o, "rw", "ro");
        addUnless(o, "nosuid", "suid");
        addUnless(o, "nodev", "dev");
        addUnless(o, "noexec", "exec");
        Mount m = Mount.of(dest, "tmpfs", "tmpfs", o.toArray(String[]::new));
        return with(n -> n.mounts.add(m));
    }

    /**
     * A named volume: the lead developer's store-kept directory {@code hostDir}, bind-mounted
     * read-write at {@code destination} with {@code nosuid,nodev}, as Podman mounts volumes.
     */
    public BundleSpec volume(Path hostDir, String destination) {
        String dest = destination("volume", destination);
        Path src = existing("volume", hostDir);
        Mount m = Mount.of(dest, "bind", src.toString(), "rbind", "rw", "rprivate", "nosuid", "nodev");
        return with(n -> n.mounts.add(m));
    }

    /** Adds mounts as they are (for example those {@link EtcFiles#write} returns), after the others. */
    public BundleSpec mounts(List<Mount> mounts) {
        List<Mount> copy = List.copyOf(mounts);
        for (Mount m : copy) {
            destination("mount", m.destination());
        }
        return with(n -> n.mounts.addAll(copy));
    }

    /** Makes the root file system read-only. Default: writable. */
    public BundleSpec readOnlyRootfs(boolean value) {
        return with(n -> n.readOnly = value);
    }

    /** With a read-only root, whether {@code /run}, {@code /tmp}, {@code /var/tmp} get a tmpfs. Default: true. */
    public BundleSpec readOnlyTmpfs(boolean value) {
        return with(n -> n.readOnlyTmpfs = value);
    }

    /** Where {@code root.path} points, relative to the bundle or absolute. Default: {@code rootfs}. */
    public BundleSpec rootPath(String path) {
        noNul("rootPath", path);
        if (path.isEmpty()) {
            throw new InvalidContainerConfigException("rootPath", "must not be empty");
        }
        return with(n -> n.rootPath = path);
    }

    /** An annotation of the config ({@code null} value removes it). */
    public BundleSpec annotation(String key, String value) {
        if (key == null || key.isEmpty()) {
            throw new InvalidContainerConfigException("annotation", "the key must not be empty");
        }
        return with(n -> {
            if (value == null) {
                n.annotations.remove(key);
            } else {
                n.annotations.put(key, value);
            }
        });
    }

    // ---------------------------------------------------------------- resources

    /** Memory limit in bytes (at least {@link #MIN_MEMORY}). */
    public BundleSpec memory(long bytes) {
        if (bytes < MIN_MEMORY) {
            throw new InvalidContainerConfigException("memory", bytes + " bytes is below the minimum of "
                    + MIN_MEMORY + " (6 MiB)");
        }
        return with(n -> n.memory = bytes);
    }

    /** CPU shares, relative weight 2 to 262144 (1024 is the default share). */
    public BundleSpec cpuShares(long shares) {
        if (shares < 2 || shares > 262144) {
            throw new InvalidContainerConfigException("cpuShares", shares + " is outside 2 to 262144");
        }
        return with(n -> n.cpuShares = shares);
    }

    /** CPU bandwidth: {@code quota} µs of CPU time per {@code period} µs (1000 to 1000000). */
    public BundleSpec cpuQuota(long quota, long period) {
        if (period < 1000 || period > 1_000_000 || quota < 1000) {
            throw new InvalidContainerConfigException("cpuQuota", "quota " + quota + " / period " + period
                    + ": the period must be 1000 to 1000000 µs and the quota at least 1000 µs");
        }
        return with(n -> {
            n.cpuQuota = quota;
            n.cpuPeriod = period;
        });
    }

    /** The most processes (tasks) the container may have; {@code -1} for unlimited. */
    public BundleSpec pidsLimit(long limit) {
        if (limit == 0 || limit < -1) {
            throw new InvalidContainerConfigException("pidsLimit", limit + ": give a positive number, or -1");
        }
        return with(n -> n.pidsLimit = limit);
    }

    // ---------------------------------------------------------------- namespaces

    /** A new network namespace for the network layer to connect (the default). */
    public BundleSpec newNetwork() {
        return with(n -> {
            n.network = NetworkMode.PRIVATE;
            n.netnsPath = null;
        });
    }

    /** A new network namespace with loopback only. */
    public BundleSpec noNetwork() {
        return with(n -> {
            n.network = NetworkMode.NONE;
            n.netnsPath = null;
        });
    }

    /** The host's network namespace. */
    public BundleSpec hostNetwork() {
        return with(n -> {
            n.network = NetworkMode.HOST;
            n.netnsPath = null;
        });
    }

    /** Joins the network namespace at {@code path} (such as {@code /proc/123/ns/net} or a bind-mounted one). */
    public BundleSpec networkNamespace(Path path) {
        if (!path.isAbsolute()) {
            throw new InvalidContainerConfigException("networkNamespace", path + " is not absolute");
        }
        return with(n -> {
            n.network = NetworkMode.PRIVATE; // someone else's namespace: the network layer's business
            n.netnsPath = path.toString();
        });
    }

    /**
     * Runs in a user namespace with these mappings, adjusted as rootless Podman and
     * {@code runc spec --rootless} do: no uid=/gid= mount options, {@code /sys} bind-mounted
     * when the network namespace is not the container's own, no cgroup resources on cgroup v1.
     */
    public BundleSpec rootless(IdMappings mappings) {
        Objects.requireNonNull(mappings, "mappings");
        return with(n -> n.idMappings = mappings);
    }

    /** The network this spec asks for. */
    public NetworkMode networkMode() {
        return s.network;
    }

    /** The hostname the container will have. */
    public String effectiveHostname() {
        if (s.hostname != null) {
            return s.hostname;
        }
        return s.network == NetworkMode.HOST ? host().hostname() : "localhost";
    }

    /** {@code /etc/hosts}, {@code /etc/resolv.conf} and {@code /etc/hostname} for this container. */
    public EtcFiles etcFiles() {
        EtcFiles f = EtcFiles.of(effectiveHostname(), s.network);
        for (Map.Entry<String, String> e : s.extraHosts.entrySet()) {
            f = f.addHost(e.getKey(), e.getValue());
        }
        return f;
    }

    BundleSpec host(HostFacts facts) {
        return with(n -> n.host = facts);
    }

    // ---------------------------------------------------------------- build

    /**
     * The runtime config, with users and groups resolved in {@code rootfs} (the container's
     * mounted root file system). {@code root.path} is {@link #rootPath}, not {@code rootfs}.
     *
     * @throws NoCommandException if there is nothing to run
     * @throws UnknownUserException if a user or group name is not in the container's files
     * @throws InvalidContainerConfigException if an image value is unusable (named in the message)
     * @throws RootfsEscapeException if the container's files cannot be read safely
     */
    public Spec build(Path rootfs) {
        HostFacts host = host();
        ContainerConfig img = s.image;
        List<String> argv = argv();
        String userSpec = s.user != null ? s.user : img.user().orElse("");
        try {
            ContainerUsers.validate(userSpec);
        } catch (InvalidContainerConfigException e) {
            throw new InvalidContainerConfigException("User", "the image's user is unusable: " + e.getMessage());
        }
        ResolvedUser user = ContainerUsers.resolve(rootfs, userSpec, s.groupAdd);
        String hostname = effectiveHostname();
        List<String> env = environment(img, user, hostname);
        boolean rootless = s.idMappings != null;

        Process.Builder p = Process.builder()
                .terminal(s.terminal ? Boolean.TRUE : null)
                .user(User.of(user.uid(), user.gid()).withAdditionalGids(user.additionalGids()).withUmask(0022))
                .args(argv)
                .env(env)
                .cwd(workdir())
                .capabilities(capabilities(user))
                .rlimits(rlimits(host, rootless))
                .noNewPrivileges(s.noNewPrivileges ? Boolean.TRUE : null);

        Linux.Builder l = Linux.builder();
        l.namespaces(Namespace.PID);
        if (s.netnsPath != null) {
            l.namespace(Namespace.join(Namespace.NETWORK, s.netnsPath));
        } else if (s.network.ownNamespace()) {
            l.namespace(Namespace.of(Namespace.NETWORK));
        }
        l.namespaces(Namespace.IPC, Namespace.UTS, Namespace.MOUNT);
        if (host.cgroupV2()) {
            l.namespaces(Namespace.CGROUP);
        }
        if (rootless) {
            l.namespaces(Namespace.USER);
            l.uidMappings(s.idMappings.uidMappings());
            l.gidMappings(s.idMappings.gidMappings());
        }
        l.maskedPaths(DEFAULT_MASKED_PATHS).readonlyPaths(DEFAULT_READONLY_PATHS);
        if (s.network.ownNamespace()) {
            l.sysctl("net.ipv4.ping_group_range", "0 0");
        }
        resources(rootless, host).ifPresent(l::resources);

        Spec.Builder b = Spec.builder()
                .process(p.build())
                .root(s.readOnly ? Root.readOnly(s.rootPath) : Root.of(s.rootPath))
                .hostname(hostname)
                .mounts(mounts(rootless))
                .annotations(s.annotations)
                .linux(l.build());
        return b.build();
    }

    /**
     * Creates the working directory inside the mounted root file system if it is missing, owned
     * by the container user (mapped to host ids when rootless), as Podman does; runc 1.1 would
     * create it owned by root, where a non-root user cannot write. Symbolic links on the way are
     * resolved inside the root. Call after mounting the root file system and before the runtime
     * starts the container; the user is resolved again in {@code mountedRootfs}.
     *
     * @throws BundleException if a directory cannot be created or chowned (named in the message)
     */
    public void prepareRootfs(Path mountedRootfs) {
        String dir = workdir();
        String userSpec = s.user != null ? s.user : s.image.user().orElse("");
        ResolvedUser user = ContainerUsers.resolve(mountedRootfs, userSpec, s.groupAdd);
        long uid = user.uid();
        long gid = user.gid();
        if (s.idMappings != null) {
            uid = s.idMappings.hostUid(uid).orElseThrow(() -> new BundleException("container uid " + user.uid()
                    + " is not mapped by the user namespace; map it or run as a mapped user"));
            gid = s.idMappings.hostGid(gid).orElseThrow(() -> new BundleException("container gid " + user.gid()
                    + " is not mapped by the user namespace; map it or run as a mapped group"));
        }
        Path root = mountedRootfs.toAbsolutePath().normalize();
        Path target = RootfsPaths.resolve(root, dir);
        List<Path> missing = new ArrayList<>();
        for (Path q = target; q != null && !q.equals(root) && q.startsWith(root); q = q.getParent()) {
            if (Files.exists(q, LinkOption.NOFOLLOW_LINKS)) {
                break;
            }
            missing.add(0, q);
        }
        for (Path q : missing) {
            try {
                Files.createDirectory(q, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                Files.setAttribute(q, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(q, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
            } catch (FileAlreadyExistsException e) {
                // created meanwhile by someone else: leave it as it is, it is not ours to chown
                LOG.debug("{} appeared while creating the working directory", q);
            } catch (IOException e) {
                throw new BundleException("cannot create the working directory " + dir + " as " + q + " owned by "
                        + uid + ":" + gid + ": " + e + "; create it in the image, or run as a user who may chown", e);
            }
        }
        if (missing.isEmpty()) {
            try {
                BasicFileAttributes a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isDirectory()) {
                    throw new BundleException("the working directory " + dir + " exists in the image but is not a"
                            + " directory; choose another workdir");
                }
            } catch (NoSuchFileException e) {
                throw new BundleException("the working directory " + dir + " vanished while being checked", e);
            } catch (IOException e) {
                throw RootfsPaths.io(target, e);
            }
        }
    }

    // ---------------------------------------------------------------- rules

    List<String> argv() {
        List<String> out = new ArrayList<>();
        List<String> ep = s.entrypoint != null ? s.entrypoint : s.image.entrypoint();
        if (!(ep.size() == 1 && ep.get(0).isEmpty())) {
            out.addAll(ep);
        }
        List<String> cmd = s.command;
        // As Podman: an entrypoint override hides the image's Cmd only when it names something;
        // an empty override just removes the entrypoint, so the image's Cmd still runs.
        if ((cmd == null || cmd.isEmpty()) && (s.entrypoint == null || s.entrypoint.isEmpty())) {
            cmd = s.image.cmd();
        }
        if (cmd != null) {
            out.addAll(cmd);
        }
        if (out.isEmpty()) {
            throw new NoCommandException();
        }
        for (String a : out) {
            noNul("args", a);
        }
        return out;
    }

    String workdir() {
        if (s.workdir != null) {
            return s.workdir;
        }
        String w = s.image.workingDir().orElse("");
        if (w.isEmpty()) {
            return "/";
        }
        noNul("WorkingDir", w);
        return RootfsPaths.clean(w);
    }

    private List<String> environment(ContainerConfig img, ResolvedUser user, String hostname) {
        List<String> imageEnv = img.env();
        checkEnvSize("the image's Env", imageEnv);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("container", "ocikit");
        if (s.terminal) {
            env.put("TERM", "xterm");
        }
        for (String e : imageEnv) {
            if (e.indexOf('\0') >= 0) {
                throw new InvalidContainerConfigException("Env", "entry '" + ContainerUsers.printable(e)
                        + "' contains NUL");
            }
            int eq = e.indexOf('=');
            if (eq < 0) {
                LOG.warn("ignoring the image's Env entry '{}': it has no '=' and no value to take", ContainerUsers.printable(e));
                continue;
            }
            if (eq == 0) {
                throw new InvalidContainerConfigException("Env", "entry '" + ContainerUsers.printable(e)
                        + "' has an empty name");
            }
            env.remove(e.substring(0, eq)); // keep the image's order for its own variables
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        env.putAll(s.env);
        env.putIfAbsent("HOSTNAME", hostname);
        env.putIfAbsent("HOME", user.home());
        List<String> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(k + "=" + v));
        checkEnvSize("the environment", out);
        return out;
    }

    private static void checkEnvSize(String what, List<String> env) {
        if (env.size() > MAX_ENV_ENTRIES) {
            throw new InvalidContainerConfigException("Env", what + " has " + env.size() + " entries, more than the "
                    + MAX_ENV_ENTRIES + " accepted");
        }
        long bytes = 0;
        for (String e : env) {
            bytes += e.getBytes(StandardCharsets.UTF_8).length + 1L;
        }
        if (bytes > MAX_ENV_BYTES) {
            throw new InvalidContainerConfigException("Env", what + " is " + bytes + " bytes, more than the "
                    + MAX_ENV_BYTES + " accepted");
        }
    }

    private Capabilities capabilities(ResolvedUser user) {
        Set<String> caps = new TreeSet<>();
        if (!s.capDrop.contains("ALL")) {
            caps.addAll(DEFAULT_CAPABILITIES);
        }
        Set<String> added = new TreeSet<>();
        for (String c : s.capAdd) {
            if (c.equals("ALL")) {
                added.addAll(KNOWN_CAPABILITIES);
            } else {
                added.add(c);
            }
        }
        caps.addAll(added);
        caps.removeAll(s.capDrop);
        List<String> all = List.copyOf(caps);
        if (user.isRoot()) {
            return new Capabilities(all, all, List.of(), all, List.of(), Map.of());
        }
        // Podman: a non-root user holds only what the caller added explicitly; the rest stays in the bounding set.
        added.retainAll(caps);
        List<String> mine = List.copyOf(added);
        return new Capabilities(all, mine, mine, mine, mine, Map.of());
    }

    private List<Rlimit> rlimits(HostFacts host, boolean rootless) {
        Map<String, Rlimit> out = new LinkedHashMap<>();
        for (String type : List.of("RLIMIT_NOFILE", "RLIMIT_NPROC")) {
            long max = DEFAULT_RLIMIT;
            long hard = host.hardLimit(type);
            if ((rootless || !host.capSysResource()) && Long.compareUnsigned(hard, max) < 0) {
                max = hard;
            }
            out.put(type, Rlimit.of(type, max, max));
        }
        out.putAll(s.rlimits);
        return new ArrayList<>(out.values());
    }

    private Optional<Resources> resources(boolean rootless, HostFacts host) {
        boolean limited = s.memory != null || s.cpuShares != null || s.cpuQuota != null || s.pidsLimit != null;
        if (rootless && !host.cgroupV2()) {
            if (limited) {
                LOG.warn("resource limits are ignored: rootless containers cannot use cgroup v1");
            }
            return Optional.empty();
        }
        if (rootless && !limited) {
            return Optional.empty(); // nothing to say: no device rules rootless, and no limits
        }
        Resources.Builder r = Resources.builder();
        if (!rootless) {
            r.addDevice(Resources.DeviceRule.denyAll());
        }
        if (s.memory != null) {
            r.memory(Resources.Memory.limit(s.memory));
        }
        if (s.cpuShares != null || s.cpuQuota != null) {
            Resources.Cpu cpu = Resources.Cpu.EMPTY;
            if (s.cpuShares != null) {
                cpu = cpu.withShares(s.cpuShares);
            }
            if (s.cpuQuota != null) {
                cpu = cpu.withQuota(s.cpuQuota, s.cpuPeriod);
            }
            r.cpu(cpu);
        }
        if (s.pidsLimit != null) {
            r.pidsLimit(s.pidsLimit);
        }
        return Optional.of(r.build());
    }

    private List<Mount> mounts(boolean rootless) {
        Set<String> taken = new HashSet<>();
        for (Mount m : s.mounts) {
            taken.add(m.destination());
        }
        List<Mount> defaults = new ArrayList<>();
        defaults.add(Mount.of("/proc", "proc", "proc", "nosuid", "noexec", "nodev"));
        defaults.add(Mount.of("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        defaults.add(Mount.of("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                "mode=0620", "gid=5"));
        defaults.add(Mount.of("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        boolean ownNetns = s.network.ownNamespace() && s.netnsPath == null;
        if (rootless && !ownNetns) {
            // sysfs can only be mounted by the owner of the network namespace; bind the host's instead
            defaults.add(Mount.of("/sys", "bind", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro"));
        } else {
            defaults.add(Mount.of("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        }
        defaults.add(Mount.of("/sys/fs/cgroup", "cgroup", "cgroup", "rprivate", "nosuid", "noexec", "nodev",
                "relatime", "ro"));
        defaults.add(Mount.of("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        if (s.readOnly && s.readOnlyTmpfs) {
            for (String d : List.of("/tmp", "/var/tmp", "/run")) {
                defaults.add(Mount.of(d, "tmpfs", "tmpfs", "rw", "rprivate", "nosuid", "nodev"));
            }
        }
        List<Mount> out = new ArrayList<>();
        for (Mount m : defaults) {
            if (taken.contains(m.destination())) {
                continue;
            }
            if (rootless) {
                // the ids those options name may not exist in the user namespace (runc spec --rootless does the same)
                m = m.withOptions(m.options().stream()
                        .filter(o -> !o.startsWith("uid=") && !o.startsWith("gid=")).toList());
            }
            out.add(m);
        }
        out.addAll(s.mounts);
        return out;
    }

    // ---------------------------------------------------------------- checks

    private HostFacts host() {
        return s.host != null ? s.host : HostFacts.detect();
    }

    private static List<String> args(String field, String[] argv) {
        List<String> v = List.of(argv);
        for (String a : v) {
            noNul(field, a);
        }
        return v;
    }

    private static void checkEnv(String key, String value) {
        if (key == null || !ENV_NAME.matcher(key).matches()) {
            throw new InvalidContainerConfigException("env", "'" + ContainerUsers.printable(String.valueOf(key))
                    + "' is not a variable name (empty, or with '=' or NUL)");
        }
        noNul("env", Objects.requireNonNull(value, "value"));
    }

    private static void noNul(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidContainerConfigException(field, "'" + ContainerUsers.printable(value) + "' contains NUL");
        }
    }

    private static List<String> capabilities(String field, String[] caps) {
        List<String> out = new ArrayList<>();
        for (String c : caps) {
            String n = c == null ? "" : c.toUpperCase(Locale.ROOT);
            if (n.equals("ALL")) {
                out.add(n);
                continue;
            }
            if (!n.startsWith("CAP_")) {
                n = "CAP_" + n;
            }
            if (!KNOWN_CAPABILITIES.contains(n)) {
                throw new InvalidContainerConfigException(field, "'" + ContainerUsers.printable(String.valueOf(c))
                        + "' is not a capability; see capabilities(7)");
            }
            out.add(n);
        }
        return out;
    }

    private static String destination(String field, String destination) {
        if (destination == null || !destination.startsWith("/") || destination.indexOf('\0') >= 0
                || Arrays.asList(destination.split("/")).contains("..")) {
            throw new InvalidContainerConfigException(field, "destination '"
                    + ContainerUsers.printable(String.valueOf(destination))
                    + "' must be an absolute path without '..' or NUL");
        }
        String clean = RootfsPaths.clean(destination);
        if (clean.equals("/")) {
            throw new InvalidContainerConfigException(field, "cannot mount over '/'; use the root file system instead");
        }
        return clean;
    }

    private static Path existing(String field, Path source) {
        Path p = source.toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new InvalidContainerConfigException(field, "source " + p + " does not exist; create it first");
        }
        return p;
    }

    private static List<String> options(String field, String[] options) {
        for (String o : options) {
            if (o == null || o.isEmpty() || o.indexOf(',') >= 0 || o.indexOf('\0') >= 0) {
                throw new InvalidContainerConfigException(field, "mount option '"
                        + ContainerUsers.printable(String.valueOf(o)) + "' is empty or has ',' or NUL;"
                        + " pass one option per argument");
            }
        }
        return List.of(options);
    }

    private static boolean isPropagation(String o) {
        return Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable")
                .contains(o);
    }

    private static void addUnless(List<String> options, String option, String opposite) {
        if (!options.contains(option) && !options.contains(opposite)) {
            options.add(option);
        }
    }

    private BundleSpec with(java.util.function.Consumer<Settings> change) {
        Settings n = s.copy();
        change.accept(n);
        return new BundleSpec(n);
    }

    /** The choices so far; copied on every change and never modified once a BundleSpec holds it. */
    private static final class Settings {
        ContainerConfig image = ContainerConfig.EMPTY;
        List<String> entrypoint;
        List<String> command;
        Map<String, String> env = new LinkedHashMap<>();
        String workdir;
        String user;
        List<String> groupAdd = new ArrayList<>();
        String hostname;
        Map<String, String> extraHosts = new LinkedHashMap<>();
        List<Mount> mounts = new ArrayList<>();
        boolean readOnly;
        boolean readOnlyTmpfs = true;
        Set<String> capAdd = new LinkedHashSet<>();
        Set<String> capDrop = new LinkedHashSet<>();
        boolean noNewPrivileges;
        boolean terminal;
        Map<String, Rlimit> rlimits = new LinkedHashMap<>();
        Long memory;
        Long cpuShares;
        Long cpuQuota;
        Long cpuPeriod;
        Long pidsLimit;
        NetworkMode network = NetworkMode.PRIVATE;
        String netnsPath;
        IdMappings idMappings;
        String rootPath = "rootfs";
        Map<String, String> annotations = new LinkedHashMap<>();
        HostFacts host;

        Settings copy() {
            Settings n = new Settings();
            n.image = image;
            n.entrypoint = entrypoint;
            n.command = command;
            n.env = new LinkedHashMap<>(env);
            n.workdir = workdir;
            n.user = user;
            n.groupAdd = new ArrayList<>(groupAdd);
            n.hostname = hostname;
            n.extraHosts = new LinkedHashMap<>(extraHosts);
            n.mounts = new ArrayList<>(mounts);
            n.readOnly = readOnly;
            n.readOnlyTmpfs = readOnlyTmpfs;
            n.capAdd = new LinkedHashSet<>(capAdd);
            n.capDrop = new LinkedHashSet<>(capDrop);
            n.noNewPrivileges = noNewPrivileges;
            n.terminal = terminal;
            n.rlimits = new LinkedHashMap<>(rlimits);
            n.memory = memory;
            n.cpuShares = cpuShares;
            n.cpuQuota = cpuQuota;
            n.cpuPeriod = cpuPeriod;
            n.pidsLimit = pidsLimit;
            n.network = network;
            n.netnsPath = netnsPath;
            n.idMappings = idMappings;
            n.rootPath = rootPath;
            n.annotations = new LinkedHashMap<>(annotations);
            n.host = host;
            return n;
        }
    }
}
