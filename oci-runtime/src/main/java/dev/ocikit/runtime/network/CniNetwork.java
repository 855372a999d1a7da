package dev.ocikit.runtime.network;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CNI bridge network containers are attached to when running as root: a Linux bridge with a
 * gateway address, host-local address management and IP masquerading, plus {@code portmap} for
 * published ports. Immutable and thread-safe.
 *
 * <p>The default, {@link #DEFAULT}, is bridge {@code ocikit0} on {@code 10.89.0.0/24}: next to,
 * but not on, Podman's {@code podman0}/{@code cni-podman0} 10.88.0.0/16, so both can run on one host.
 * Containers that must see each other use the same network; host-local keeps its leases in
 * {@code ipamDataDir} (CNI's own default, {@code /var/lib/cni/networks/<name>}, when empty), which
 * must be the same for every user of the subnet.
 *
 * @param name the CNI network name (also in iptables comments); letters, digits, {@code -_.}
 * @param bridge the bridge interface, at most 15 characters
 * @param subnet an IPv4 CIDR for container addresses; its first address is the gateway
 * @param pluginDirs where the plugin executables are ({@code CNI_PATH}); Debian's {@code /usr/lib/cni}
 * @param ipamDataDir host-local's lease directory, or empty for CNI's default
 */
public record CniNetwork(String name, String bridge, String subnet, List<Path> pluginDirs, Optional<Path> ipamDataDir) {
    // before DEFAULT: static initialisers run in order, and DEFAULT's constructor uses them
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})/(\\d{1,2})");
    /** Bridge {@code ocikit0}, 10.89.0.0/24, plugins in {@code /usr/lib/cni} then {@code /opt/cni/bin}. */
    public static final CniNetwork DEFAULT = new CniNetwork(
            "ocikit", "ocikit0", "10.89.0.0/24", List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin")), Optional.empty());


    public CniNetwork {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new NetworkException("CNI network name '" + name + "' is invalid: use 1-63 letters, digits, '-', '_' or '.'");
        }
        if (bridge == null || !IFNAME.matcher(bridge).matches()) {
            throw new NetworkException("bridge name '" + bridge + "' is invalid: use 1-15 letters, digits, '-', '_' or '.'");
        }
        var m = subnet == null ? null : CIDR.matcher(subnet);
        if (m == null || !m.matches() || !PortMapping.isIpv4(m.group(1)) || Integer.parseInt(m.group(2)) > 30
                || Integer.parseInt(m.group(2)) < 8) {
            throw new NetworkException("subnet '" + subnet + "' is not an IPv4 CIDR between /8 and /30, e.g. 10.89.0.0/24");
        }
        if (pluginDirs == null || pluginDirs.isEmpty()) {
            throw new NetworkException("no CNI plugin directory given; Debian's containernetworking-plugins installs them in /usr/lib/cni");
        }
        pluginDirs = List.copyOf(pluginDirs);
        ipamDataDir = ipamDataDir == null ? Optional.empty() : ipamDataDir;
    }

    /** Another network on {@code bridge} and {@code subnet}, named {@code name}, with the same plugins. */
    public static CniNetwork of(String name, String bridge, String subnet) {
        return new CniNetwork(name, bridge, subnet, DEFAULT.pluginDirs, Optional.empty());
    }

    /** The same network with host-local's leases kept in {@code dir}. */
    public CniNetwork withIpamDataDir(Path dir) {
        return new CniNetwork(name, bridge, subnet, pluginDirs, Optional.of(dir));
    }

    /** The same network with plugins looked up in {@code dirs}. */
    public CniNetwork withPluginDirs(List<Path> dirs) {
        return new CniNetwork(name, bridge, subnet, dirs, ipamDataDir);
    }

    /**
     * Where host-local keeps this network's leases, one file per leased address named by the
     * address: {@code <ipamDataDir or /var/lib/cni/networks>/<name>} (host-local adds the name itself).
     */
    public Path effectiveIpamDataDir() {
        return ipamDataDir.orElse(Path.of("/var/lib/cni/networks")).resolve(name);
    }
}
