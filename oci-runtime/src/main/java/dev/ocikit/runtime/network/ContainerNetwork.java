package dev.ocikit.runtime.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network of one running container, from attach to teardown.
 *
 * <p>Call sequence: write a spec whose {@code linux.namespaces} has a new network namespace
 * without a path when {@link NetworkMode#ownNamespace()} (none for HOST); {@code runc create};
 * {@link #attach} with the container's init pid (from runc's {@code --pid-file}); {@code runc start};
 * use {@link #host()} and {@link #mappedPort(int)}; after the container stopped, {@link #close()}
 * (before {@code runc delete}), which tears the network down. A JVM that died without closing
 * leaves {@code <stateDir>/network.json}; {@link #sweep(Path)} in a later JVM tears that down.
 *
 * <p>PRIVATE as root uses CNI (bridge + host-local + portmap, and loopback): the container's
 * netns is bind-mounted on {@code <stateDir>/netns} so that DEL can still find the container's
 * interface (and so remove its masquerade rules) after the container exited. Rootless it runs
 * slirp4netns, which dies with the JVM (its exit fd is a pipe from this JVM).
 *
 * <p>Thread-safe: accessors may be called from any thread; {@link #close()} is idempotent.
 */
public final class ContainerNetwork implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerNetwork.class);
    /** What CNI allows in CNI_CONTAINERID. */
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    static final String NETNS_FILE = "netns";
    static final String IFNAME = "eth0";

    private final NetworkMode mode;
    private final String containerId;
    private final List<PortMapping> ports;
    private final Optional<InetAddress> containerAddress;
    private final Teardown teardown;
    private boolean closed;

    /** What close does for a backend. */
    interface Teardown {
        void run();

        Teardown NOTHING = () -> {};
    }

    private ContainerNetwork(NetworkMode mode, String containerId, List<PortMapping> ports,
            Optional<InetAddress> containerAddress, Teardown teardown) {
        this.mode = mode;
        this.containerId = containerId;
        this.ports = List.copyOf(ports);
        this.containerAddress = containerAddress;
        this.teardown = teardown;
    }

    /**
     * Sets up the network of a created, not yet started, container.
     *
     * @param settings what network to give it
     * @param containerId the runtime's container id (letters, digits, {@code _.-})
     * @param initPid the container's init pid, whose {@code /proc/<pid>/ns/net} is the namespace to attach
     * @param stateDir a directory private to this container (created if missing) for the state file,
     *     the pinned netns and slirp4netns' socket and log
     * @throws NetworkException (or {@link CniPluginException}) if the network cannot be set up; nothing is left behind then
     */
    public static ContainerNetwork attach(NetworkSettings settings, String containerId, long initPid, Path stateDir) {
        if (settings == null || stateDir == null) {
            throw new NetworkException("settings and stateDir are required to attach a network");
        }
        if (containerId == null || !CONTAINER_ID.matcher(containerId).matches()) {
            throw new NetworkException("container id '" + containerId + "' is not usable for networking: use letters, digits, '_', '.', '-'");
        }
        Path netnsPath = Path.of("/proc", Long.toString(initPid), "ns", "net");
        String containerNs;
        String ownNs;
        try {
            containerNs = Files.readSymbolicLink(netnsPath).toString();
            ownNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        } catch (IOException e) {
            throw new NetworkException("cannot read the network namespace of pid " + initPid + " (" + e.getMessage()
                    + "); attach between `runc create` and `runc start`, with the pid from --pid-file, while the container exists", e);
        }
        boolean shared = containerNs.equals(ownNs);
        if (settings.mode().ownNamespace() && shared) {
            throw new NetworkException("container " + containerId + " shares this process's network namespace, but mode "
                    + settings.mode() + " needs its own: the spec must list a network namespace without a path");
        }
        if (!settings.mode().ownNamespace() && !shared) {
            throw new NetworkException("container " + containerId + " has its own network namespace, but mode HOST"
                    + " needs the host's: the spec must not list a network namespace");
        }
        switch (settings.mode()) {
            case NONE:
                return new ContainerNetwork(NetworkMode.NONE, containerId, List.of(), Optional.empty(), Teardown.NOTHING);
            case HOST:
                // the container's ports are the host's: report each as mapped onto itself
                List<PortMapping> same = settings.ports().stream()
                        .map(p -> new PortMapping(PortMapping.DEFAULT_HOST_IP, p.containerPort(), p.containerPort(), p.protocol()))
                        .toList();
                return new ContainerNetwork(NetworkMode.HOST, containerId, same, Optional.empty(), Teardown.NOTHING);
            default:
                break;
        }
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new NetworkException("cannot create the network state directory " + stateDir + ": " + e.getMessage(), e);
        }
        if (NetworkState.read(stateDir).isPresent()) {
            throw new NetworkException(stateDir.resolve(NetworkState.FILE) + " already exists: a network of an earlier"
                    + " container is not torn down; call ContainerNetwork.sweep(" + stateDir + ") first");
        }
        NetworkSettings.Backend backend = settings.backend();
        if (backend == NetworkSettings.Backend.AUTO) {
            backend = Syscalls.isRoot() ? NetworkSettings.Backend.CNI : NetworkSettings.Backend.SLIRP4NETNS;
        }
        if (backend == NetworkSettings.Backend.CNI) {
            return attachCni(settings, containerId, initPid, netnsPath, stateDir);
        }
        return Slirp4netns.attach(settings, containerId, initPid, stateDir);
    }

    static ContainerNetwork of(NetworkMode mode, String containerId, List<PortMapping> ports,
            Optional<InetAddress> address, Teardown teardown) {
        return new ContainerNetwork(mode, containerId, ports, address, teardown);
    }

    private static ContainerNetwork attachCni(NetworkSettings settings, String containerId, long initPid,
            Path procNetns, Path stateDir) {
        if (!Syscalls.isRoot()) {
            throw new NetworkException("the CNI backend needs root (it creates veth pairs and iptables rules);"
                    + " run as root or use Backend.SLIRP4NETNS");
        }
        CniNetwork net = settings.cni();
        CniInvoker cni = new CniInvoker(net.pluginDirs());
        PortReservations reservations = new PortReservations();
        List<PortMapping> ports = reservations.reserve(settings.ports());
        Path pin = stateDir.resolve(NETNS_FILE).toAbsolutePath();
        JsonNode conflist = conflist(net, !ports.isEmpty());
        JsonNode loopback = loopbackConfig();
        JsonNode runtimeConfig = runtimeConfig(ports);
        NetworkState state = new NetworkState(NetworkState.VERSION, containerId, NetworkMode.PRIVATE,
                NetworkSettings.Backend.CNI, initPid, ports, Optional.of(pin.toString()), Optional.of(cni.cniPath()),
                Optional.of(conflist), Optional.of(loopback), Optional.of(runtimeConfig), Optional.empty(),
                Optional.empty(), Optional.empty());
        boolean pinned = false;
        boolean stateWritten = false;
        try {
            pinNetns(procNetns, pin);
            pinned = true;
            state.write(stateDir);
            stateWritten = true;
            CniInvoker.Target target = new CniInvoker.Target(containerId, pin.toString(), IFNAME);
            cni.exec("ADD", CniInvoker.pluginConfig(loopback, loopback.get("plugins").get(0), null, null),
                    new CniInvoker.Target(containerId, pin.toString(), "lo"));
            JsonNode result = cni.add(conflist, runtimeConfig, target);
            NetworkState done = state.withCniResult(result);
            done.write(stateDir);
            Optional<InetAddress> address = containerAddress(result);
            LOG.debug("container {} attached to CNI network {} at {} with ports {}", containerId, net.name(),
                    address.map(InetAddress::getHostAddress).orElse("?"), ports);
            return new ContainerNetwork(NetworkMode.PRIVATE, containerId, ports, address, () -> {
                try {
                    teardownCni(done, stateDir);
                } finally {
                    reservations.close();
                }
            });
        } catch (RuntimeException e) {
            try {
                if (stateWritten) {
                    teardownCni(state, stateDir);
                } else if (pinned) {
                    unpin(pin);
                }
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            reservations.close();
            throw e;
        }
    }

    /** The bridge network as a CNI configuration list: bridge with host-local IPAM, then portmap if ports are published. */
    static JsonNode conflist(CniNetwork net, boolean portmap) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode list = f.objectNode();
        list.put("cniVersion", "1.0.0");
        list.put("name", net.name());
        ArrayNode plugins = list.putArray("plugins");
        ObjectNode bridge = plugins.addObject();
        bridge.put("type", "bridge");
        bridge.put("bridge", net.bridge());
        bridge.put("isGateway", true);
        bridge.put("ipMasq", true);
        bridge.put("hairpinMode", true);
        ObjectNode ipam = bridge.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.putArray("ranges").addArray().addObject().put("subnet", net.subnet());
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        net.ipamDataDir().ifPresent(d -> ipam.put("dataDir", d.toString()));
        if (portmap) {
            ObjectNode pm = plugins.addObject();
            pm.put("type", "portmap");
            pm.putObject("capabilities").put("portMappings", true);
            // SNAT of 127.0.0.1-originated traffic, so that publishing on the loopback address works
            pm.put("snat", true);
        }
        return list;
    }

    static JsonNode loopbackConfig() {
        ObjectNode list = JsonNodeFactory.instance.objectNode();
        list.put("cniVersion", "1.0.0");
        list.put("name", "ocikit-loopback");
        list.putArray("plugins").addObject().put("type", "loopback");
        return list;
    }

    /** The {@code portMappings} capability's runtimeConfig, as CNI's conventions define it. */
    static JsonNode runtimeConfig(List<PortMapping> ports) {
        ObjectNode rc = JsonNodeFactory.instance.objectNode();
        ArrayNode maps = rc.putArray("portMappings");
        for (PortMapping p : ports) {
            ObjectNode m = maps.addObject();
            m.put("hostPort", p.hostPort());
            m.put("containerPort", p.containerPort());
            m.put("protocol", p.protocol().cniName());
            m.put("hostIP", p.hostIp());
        }
        return rc;
    }

    /** The first IPv4 address of the result that is on an interface inside the sandbox (or of any, if none says). */
    static Optional<InetAddress> containerAddress(JsonNode result) {
        JsonNode ips = result.path("ips");
        JsonNode interfaces = result.path("interfaces");
        String fallback = null;
        for (JsonNode ip : ips) {
            String cidr = ip.path("address").asText("");
            int slash = cidr.indexOf('/');
            String addr = slash < 0 ? cidr : cidr.substring(0, slash);
            if (!PortMapping.isIpv4(addr)) {
                continue;
            }
            JsonNode idx = ip.get("interface");
            if (idx != null && idx.canConvertToInt() && interfaces.path(idx.asInt()).hasNonNull("sandbox")) {
                return Optional.of(literal(addr));
            }
            if (fallback == null) {
                fallback = addr;
            }
        }
        return fallback == null ? Optional.empty() : Optional.of(literal(fallback));
    }

    static InetAddress literal(String ipv4) {
        try {
            return InetAddress.getByName(ipv4); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            throw new NetworkException("'" + ipv4 + "' is not an IP address", e);
        }
    }

    private static void pinNetns(Path procNetns, Path pin) {
        try {
            Files.deleteIfExists(pin);
            Files.createFile(pin);
        } catch (IOException e) {
            throw new NetworkException("cannot create " + pin + " to pin the container's network namespace: " + e.getMessage(), e);
        }
        try {
            Syscalls.mount(procNetns.toString(), pin.toString(), "none", Syscalls.MS_BIND, null);
        } catch (LastErrorException e) {
            deleteQuietly(pin);
            throw new NetworkException("cannot bind-mount " + procNetns + " on " + pin + " (errno " + e.getErrorCode()
                    + "); the state directory must be on a file system where root may mount", e);
        }
    }

    /** Whether {@code pin} is still a bind mount of a namespace: nsfs has its own device, unlike the directory holding it. */
    static boolean isPinned(Path pin) {
        try {
            Object dev = Files.getAttribute(pin, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Object parentDev = Files.getAttribute(pin.getParent(), "unix:dev");
            return !dev.equals(parentDev);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void unpin(Path pin) {
        if (isPinned(pin)) {
            try {
                Syscalls.umount2(pin.toString(), Syscalls.MNT_DETACH);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Syscalls.EINVAL && e.getErrorCode() != Syscalls.ENOENT) {
                    throw new NetworkException("cannot unmount the pinned network namespace " + pin + " (errno "
                            + e.getErrorCode() + "); unmount it by hand (umount " + pin + ")", e);
                }
            }
        }
        deleteQuietly(pin);
    }

    /**
     * CNI DEL with the saved configuration, then releases the pinned namespace and the state file.
     * If DEL fails, the pin and the state stay, so that a retry or a sweep can finish the job.
     */
    static void teardownCni(NetworkState state, Path stateDir) {
        CniInvoker cni = new CniInvoker(state.cniPath().orElse(List.of()).stream().map(Path::of).toList());
        Path pin = Path.of(state.netns().orElse(stateDir.resolve(NETNS_FILE).toString()));
        // a pin that is gone (host rebooted) is passed anyway: plugins treat a missing netns as "nothing in it to delete"
        if (!isPinned(pin)) {
            deleteQuietly(pin);
        }
        CniInvoker.Target target = new CniInvoker.Target(state.containerId(), pin.toString(), IFNAME);
        JsonNode conflist = state.cniConfig().orElseThrow(
                () -> new NetworkException("network state in " + stateDir + " has no CNI configuration to tear down"));
        cni.del(conflist, state.runtimeConfig().orElse(null), state.cniResult().orElse(null), target);
        state.loopbackConfig().ifPresent(lo -> cni.exec("DEL",
                CniInvoker.pluginConfig(lo, lo.get("plugins").get(0), null, null),
                new CniInvoker.Target(state.containerId(), pin.toString(), "lo")));
        unpin(pin);
        NetworkState.delete(stateDir);
        LOG.debug("container {} detached from CNI network {}", state.containerId(), conflist.path("name").asText());
    }

    /**
     * Tears down the network a JVM left behind in {@code stateDir} when it died without
     * {@link #close()}: CNI DEL with the saved configuration (which works whether or not the
     * container still exists), or killing its slirp4netns. Does nothing if there is no state file.
     *
     * @throws NetworkException if the teardown failed; the state file then stays for another try
     */
    public static void sweep(Path stateDir) {
        Optional<NetworkState> found = NetworkState.read(stateDir);
        if (found.isEmpty()) {
            return;
        }
        NetworkState state = found.get();
        LOG.debug("sweeping the {} network of container {} in {}", state.backend(), state.containerId(), stateDir);
        if (state.backend() == NetworkSettings.Backend.CNI) {
            teardownCni(state, stateDir);
        } else {
            Slirp4netns.sweep(state, stateDir);
        }
    }

    /**
     * Asks the network whether it is still as set up: CNI CHECK for the bridge (not portmap, whose
     * CHECK is broken for IPv4-only containers up to plugins 1.2), a live
     * process for slirp4netns; nothing to check for NONE and HOST.
     *
     * @throws NetworkException (or {@link CniPluginException}) naming what is missing
     */
    public void check(Path stateDir) {
        NetworkState state = NetworkState.read(stateDir).orElse(null);
        if (mode != NetworkMode.PRIVATE || state == null) {
            return;
        }
        if (state.backend() == NetworkSettings.Backend.CNI) {
            CniInvoker cni = new CniInvoker(state.cniPath().orElse(List.of()).stream().map(Path::of).toList());
            cni.check(withoutPortmap(state.cniConfig().orElseThrow()), state.runtimeConfig().orElse(null),
                    state.cniResult().orElse(null), new CniInvoker.Target(containerId, state.netns().orElseThrow(), IFNAME));
        } else {
            Slirp4netns.check(state);
        }
    }

    /**
     * The list without portmap: portmap up to plugins 1.2 fails CHECK on an IPv4-only container by
     * looking for ip6tables chains it never created (containernetworking/plugins#819), which
     * would make every healthy network look broken.
     */
    static JsonNode withoutPortmap(JsonNode conflist) {
        ObjectNode copy = conflist.deepCopy();
        ArrayNode kept = copy.arrayNode();
        conflist.path("plugins").forEach(p -> {
            if (!"portmap".equals(p.path("type").asText())) {
                kept.add(p.deepCopy());
            }
        });
        copy.set("plugins", kept);
        return copy;
    }

    /** The host address published ports are reachable on: {@code 127.0.0.1}. */
    public String host() {
        return PortMapping.DEFAULT_HOST_IP;
    }

    /** The network mode. */
    public NetworkMode mode() {
        return mode;
    }

    /** The container id the network belongs to. */
    public String containerId() {
        return containerId;
    }

    /** The published ports with their host ports resolved (never 0). In HOST mode each maps onto itself. */
    public List<PortMapping> ports() {
        return ports;
    }

    /** The host port TCP {@code containerPort} is published on. */
    public int mappedPort(int containerPort) {
        return mappedPort(containerPort, PortMapping.Protocol.TCP);
    }

    /**
     * The host port {@code containerPort} is published on.
     *
     * @throws PortNotPublishedException if that port is not published
     */
    public int mappedPort(int containerPort, PortMapping.Protocol protocol) {
        return ports.stream()
                .filter(p -> p.containerPort() == containerPort && p.protocol() == protocol)
                .findFirst()
                .map(PortMapping::hostPort)
                .orElseThrow(() -> new PortNotPublishedException(containerPort, protocol,
                        ports.isEmpty() ? "none" : ports.stream().map(PortMapping::toString).collect(Collectors.joining(", "))));
    }

    /** The container's own address on its network (bridge or slirp4netns); empty for NONE and HOST. */
    public Optional<InetAddress> containerAddress() {
        return containerAddress;
    }

    /**
     * Tears the network down: CNI DEL (releasing the address, the iptables rules and the veth) or
     * stopping slirp4netns, then the state file. Call it after the container stopped and before
     * {@code runc delete}; it also works after the container exited. Idempotent.
     *
     * @throws NetworkException if the teardown failed; the state file stays so that {@link #sweep} can retry
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        teardown.run();
        closed = true;
    }

    @Override
    public String toString() {
        return "ContainerNetwork[" + containerId + ", " + mode + ", ports=" + ports + "]";
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", p, e.getMessage());
        }
    }
}
