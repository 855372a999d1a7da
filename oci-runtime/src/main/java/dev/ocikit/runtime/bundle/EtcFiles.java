package dev.ocikit.runtime.bundle;

import dev.ocikit.runtime.network.NetworkMode;
import dev.ocikit.spec.runtime.Mount;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The three files Podman generates for a container and bind-mounts over the image's:
 * {@code /etc/hosts}, {@code /etc/resolv.conf} and {@code /etc/hostname}. Immutable and
 * thread-safe; {@link #write} puts them in a directory of the caller's (the container's own)
 * and returns the mounts to add with {@link BundleSpec#mounts}.
 *
 * <ul>
 * <li>{@code hosts}: the localhost lines, the container's address (or loopback when not known
 *     yet) with its hostname, then {@link #addHost extra entries}. With the host's network, the
 *     host's {@code /etc/hosts} comes first.</li>
 * <li>{@code resolv.conf}: the host's, as is for the host's network; for a private network its
 *     loopback nameservers (127.0.0.53 of systemd-resolved…), which mean nothing in another
 *     network namespace, are dropped (systemd-resolved's upstream file is preferred when present),
 *     and if none remain the {@link #fallbackNameservers} are used (Podman's defaults,
 *     {@link #DEFAULT_FALLBACK_NAMESERVERS}); explicit {@link #nameservers} replace them all; with
 *     no network the file is empty.</li>
 * <li>{@code hostname}: the hostname and a newline.</li>
 * </ul>
 *
 * <p>The mounts are read-write by default, as Podman's (a process may edit its {@code /etc/hosts});
 * {@link #readOnly} makes them read-only. Once a container runs, replace its hosts file with
 * {@link #updateHosts}, which writes in place: a rename would leave the container looking at the
 * old file through its bind mount.
 */
public final class EtcFiles {
    /** Podman's fallback resolvers when the host has only loopback ones. */
    public static final List<String> DEFAULT_FALLBACK_NAMESERVERS = List.of("8.8.8.8", "8.8.4.4",
            "2001:4860:4860::8888", "2001:4860:4860::8844");

    private static final Path HOST_RESOLV = Path.of("/etc/resolv.conf");
    private static final Path RESOLVED_UPSTREAM = Path.of("/run/systemd/resolve/resolv.conf");
    private static final Path HOST_HOSTS = Path.of("/etc/hosts");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}(%[A-Za-z0-9_.-]{1,16})?");
    private static final int MAX_HOST_FILE = 1 << 20;

    private final String hostname;
    private final NetworkMode network;
    private final Optional<String> address;
    private final Map<String, String> extraHosts;
    private final List<String> nameservers;
    private final List<String> fallback;
    private final boolean readOnly;
    private final Path hostResolvConf;
    private final Path hostHosts;

    private EtcFiles(String hostname, NetworkMode network, Optional<String> address, Map<String, String> extraHosts,
            List<String> nameservers, List<String> fallback, boolean readOnly, Path hostResolvConf, Path hostHosts) {
        this.hostname = hostname;
        this.network = network;
        this.address = address;
        this.extraHosts = Map.copyOf(extraHosts);
        this.nameservers = List.copyOf(nameservers);
        this.fallback = List.copyOf(fallback);
        this.readOnly = readOnly;
        this.hostResolvConf = hostResolvConf;
        this.hostHosts = hostHosts;
    }

    /** The files of a container called {@code hostname} on {@code network}. */
    public static EtcFiles of(String hostname, NetworkMode network) {
        if (hostname == null || !NAME.matcher(hostname).matches()) {
            throw new InvalidContainerConfigException("hostname", "'"
                    + ContainerUsers.printable(String.valueOf(hostname)) + "' is not a hostname");
        }
        return new EtcFiles(hostname, Objects.requireNonNull(network, "network"), Optional.empty(),
                new LinkedHashMap<>(), List.of(), DEFAULT_FALLBACK_NAMESERVERS, false, HOST_RESOLV, HOST_HOSTS);
    }

    /** The container's own address, for its hostname's line (known once the network is set up). */
    public EtcFiles containerAddress(String ip) {
        checkAddress(ip);
        return new EtcFiles(hostname, network, Optional.of(ip), extraHosts, nameservers, fallback, readOnly,
                hostResolvConf, hostHosts);
    }

    /** An extra hosts entry ({@code --add-host name:ip}). */
    public EtcFiles addHost(String name, String ip) {
        checkHostEntry(name, ip);
        Map<String, String> m = new LinkedHashMap<>(extraHosts);
        m.put(name, ip);
        return new EtcFiles(hostname, network, address, m, nameservers, fallback, readOnly, hostResolvConf, hostHosts);
    }

    /** Nameservers that replace the host's ({@code --dns}); slirp4netns's is 10.0.2.3. */
    public EtcFiles nameservers(List<String> ips) {
        ips.forEach(EtcFiles::checkAddress);
        return new EtcFiles(hostname, network, address, extraHosts, ips, fallback, readOnly, hostResolvConf, hostHosts);
    }

    /** Nameservers used when the host has only loopback ones. Default {@link #DEFAULT_FALLBACK_NAMESERVERS}. */
    public EtcFiles fallbackNameservers(List<String> ips) {
        ips.forEach(EtcFiles::checkAddress);
        return new EtcFiles(hostname, network, address, extraHosts, nameservers, ips, readOnly, hostResolvConf,
                hostHosts);
    }

    /** Whether the mounts are read-only. Default: read-write, as Podman's. */
    public EtcFiles readOnly(boolean value) {
        return new EtcFiles(hostname, network, address, extraHosts, nameservers, fallback, value, hostResolvConf,
                hostHosts);
    }

    /** Reads the host's files from elsewhere (tests, or a host root mounted somewhere). */
    EtcFiles hostFiles(Path resolvConf, Path hosts) {
        return new EtcFiles(hostname, network, address, extraHosts, nameservers, fallback, readOnly, resolvConf, hosts);
    }

    /** The content of {@code /etc/hosts}. */
    public String hosts() {
        StringBuilder b = new StringBuilder();
        if (network == NetworkMode.HOST) {
            readHost(hostHosts).ifPresent(t -> b.append(t.endsWith("\n") || t.isEmpty() ? t : t + "\n"));
        } else {
            b.append("127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n");
            b.append("::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n");
        }
        if (address.isPresent()) {
            b.append(address.get()).append('\t').append(hostname).append('\n');
        } else if (network != NetworkMode.HOST) {
            b.append("127.0.0.1\t").append(hostname).append('\n');
            b.append("::1\t").append(hostname).append('\n');
        }
        extraHosts.forEach((name, ip) -> b.append(ip).append('\t').append(name).append('\n'));
        return b.toString();
    }

    /** The content of {@code /etc/resolv.conf}. */
    public String resolvConf() {
        if (network == NetworkMode.NONE) {
            return "";
        }
        String host = readHost(hostResolvConf).orElse("");
        if (network == NetworkMode.HOST && nameservers.isEmpty()) {
            return host;
        }
        List<String> other = new ArrayList<>();
        List<String> servers = new ArrayList<>();
        parse(host, other, servers);
        if (nameservers.isEmpty() && servers.stream().allMatch(EtcFiles::isLoopback)
                && hostResolvConf.equals(HOST_RESOLV)) {
            // systemd-resolved's stub (127.0.0.53): its upstream servers are in another file
            Optional<String> upstream = readHost(RESOLVED_UPSTREAM);
            if (upstream.isPresent()) {
                other.clear();
                servers.clear();
                parse(upstream.get(), other, servers);
            }
        }
        List<String> use = new ArrayList<>(nameservers);
        if (use.isEmpty()) {
            servers.stream().filter(ns -> !isLoopback(ns)).forEach(use::add);
        }
        if (use.isEmpty()) {
            use.addAll(fallback);
        }
        StringBuilder b = new StringBuilder();
        other.forEach(l -> b.append(l).append('\n'));
        use.forEach(ns -> b.append("nameserver ").append(ns).append('\n'));
        return b.toString();
    }

    /** The content of {@code /etc/hostname}. */
    public String hostnameFile() {
        return hostname + "\n";
    }

    /**
     * Writes {@code hosts}, {@code resolv.conf} and {@code hostname} into {@code dir} (created if
     * missing; it should be the container's own directory) and returns the bind mounts of them
     * at {@code /etc/hosts}, {@code /etc/resolv.conf}, {@code /etc/hostname}.
     *
     * @throws BundleException if a file cannot be written
     */
    public List<Mount> write(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BundleException("cannot create " + dir + " for the container's /etc files: " + e, e);
        }
        List<Mount> mounts = new ArrayList<>();
        String mode = readOnly ? "ro" : "rw";
        for (Map.Entry<String, String> f : files().entrySet()) {
            Path target = dir.resolve(f.getKey());
            replace(target, f.getValue().getBytes(StandardCharsets.UTF_8));
            mounts.add(Mount.of("/etc/" + f.getKey(), "bind", target.toAbsolutePath().toString(),
                    "rbind", "rprivate", mode));
        }
        return mounts;
    }

    /**
     * Rewrites {@code dir/hosts} in place (truncate and write, never a rename), so that a running
     * container sees the new content through its bind mount.
     *
     * @throws BundleException if the file is missing, a symbolic link, or cannot be written
     */
    public void updateHosts(Path dir) {
        Path target = dir.resolve("hosts");
        byte[] data = hosts().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(target, Set.of(StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new BundleException("cannot rewrite " + target + ": " + e + "; write() the files first", e);
        }
    }

    private Map<String, String> files() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("hosts", hosts());
        m.put("resolv.conf", resolvConf());
        m.put("hostname", hostnameFile());
        return m;
    }

    /** Temp file + rename: a reader (or a crash) never sees half a file. */
    private static void replace(Path target, byte[] data) {
        Path dir = target.getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                // no fsync: the files live and die with one container, and a crash takes the container too
            }
            // createTempFile honours the umask; the container's users must be able to read these
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (AtomicMoveNotSupportedException e) {
            throw new BundleException("cannot replace " + target + " atomically: " + e, e);
        } catch (IOException e) {
            throw new BundleException("cannot write " + target + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; that failure is the one reported
                }
            }
        }
    }

    private static void parse(String text, List<String> other, List<String> servers) {
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.startsWith("nameserver")) {
                String[] f = t.split("\\s+");
                if (f.length >= 2) {
                    servers.add(f[1]);
                }
            } else if (t.startsWith("search") || t.startsWith("domain") || t.startsWith("options")) {
                other.add(t);
            }
        }
    }

    static boolean isLoopback(String ip) {
        return ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1");
    }

    private static Optional<String> readHost(Path file) {
        try {
            if (Files.size(file) > MAX_HOST_FILE) {
                throw new BundleException(file + " is larger than " + MAX_HOST_FILE + " bytes; refusing to copy it");
            }
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BundleException("cannot read the host's " + file + ": " + e, e);
        }
    }

    static void checkHostEntry(String name, String ip) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidContainerConfigException("addHost", "'" + ContainerUsers.printable(String.valueOf(name))
                    + "' is not a host name");
        }
        checkAddress(ip);
    }

    private static void checkAddress(String ip) {
        if (ip == null || !(IPV4.matcher(ip).matches() || (ip.contains(":") && IPV6.matcher(ip).matches()))) {
            throw new InvalidContainerConfigException("address", "'" + ContainerUsers.printable(String.valueOf(ip))
                    + "' is not an IPv4 or IPv6 address");
        }
    }
}
