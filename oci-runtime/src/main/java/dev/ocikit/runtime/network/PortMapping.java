package dev.ocikit.runtime.network;

import java.util.Locale;

/**
 * One published port: traffic to {@code hostIp:hostPort} on the host reaches {@code containerPort}
 * in the container. Immutable and thread-safe.
 *
 * @param hostIp the host address to publish on, an IPv4 literal; {@code 127.0.0.1} by default, so
 *     nothing is reachable from other machines unless asked for
 * @param hostPort the host port, 1-65535, or 0 to have a free one picked when the network is attached
 * @param containerPort the port the container listens on, 1-65535
 * @param protocol {@link Protocol#TCP} by default
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, Protocol protocol) {
    /** The address ports are published on unless a mapping says otherwise. */
    public static final String DEFAULT_HOST_IP = "127.0.0.1";

    /** The transport protocols a port can be published for. */
    public enum Protocol {
        TCP,
        UDP;

        /** The lower-case name CNI, slirp4netns and Podman use. */
        public String cniName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PortMapping {
        String shown = hostIp + ":" + hostPort + ":" + containerPort + "/" + protocol;
        if (hostIp == null) {
            hostIp = DEFAULT_HOST_IP;
        }
        if (protocol == null) {
            protocol = Protocol.TCP;
        }
        if (!isIpv4(hostIp)) {
            throw new InvalidPortMappingException(shown, "host IP '" + hostIp + "' is not an IPv4 address (IPv6 is not supported yet)");
        }
        if (hostPort < 0 || hostPort > 65535) {
            throw new InvalidPortMappingException(shown, "host port " + hostPort + " is outside 0-65535 (0 picks a free one)");
        }
        if (containerPort < 1 || containerPort > 65535) {
            throw new InvalidPortMappingException(shown, "container port " + containerPort + " is outside 1-65535");
        }
    }

    /** Publishes TCP {@code containerPort} on a free port of 127.0.0.1. */
    public static PortMapping of(int containerPort) {
        return new PortMapping(DEFAULT_HOST_IP, 0, containerPort, Protocol.TCP);
    }

    /** Publishes TCP {@code containerPort} on {@code hostPort} of 127.0.0.1. */
    public static PortMapping of(int hostPort, int containerPort) {
        return new PortMapping(DEFAULT_HOST_IP, hostPort, containerPort, Protocol.TCP);
    }

    /** The same mapping on another host port (used when a free port is picked). */
    public PortMapping withHostPort(int port) {
        return new PortMapping(hostIp, port, containerPort, protocol);
    }

    /**
     * Reads a mapping as Podman's {@code -p} writes it: {@code containerPort},
     * {@code hostPort:containerPort}, {@code hostIp:hostPort:containerPort} or
     * {@code hostIp::containerPort}, each optionally followed by {@code /tcp} or {@code /udp}.
     * Port ranges, SCTP and IPv6 addresses are refused.
     *
     * @throws InvalidPortMappingException naming what is wrong
     */
    public static PortMapping parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidPortMappingException(String.valueOf(text), "it is empty");
        }
        String spec = text.strip();
        Protocol protocol = Protocol.TCP;
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            String proto = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
            spec = spec.substring(0, slash);
            switch (proto) {
                case "tcp" -> protocol = Protocol.TCP;
                case "udp" -> protocol = Protocol.UDP;
                case "sctp" -> throw new InvalidPortMappingException(text, "SCTP is not supported, only tcp and udp");
                default -> throw new InvalidPortMappingException(text, "unknown protocol '" + proto + "'");
            }
        }
        if (spec.startsWith("[")) {
            throw new InvalidPortMappingException(text, "IPv6 host addresses are not supported yet");
        }
        String[] parts = spec.split(":", -1);
        String hostIp = DEFAULT_HOST_IP;
        String hostPort = "";
        String containerPort;
        switch (parts.length) {
            case 1 -> containerPort = parts[0];
            case 2 -> {
                hostPort = parts[0];
                containerPort = parts[1];
            }
            case 3 -> {
                hostIp = parts[0].isEmpty() ? DEFAULT_HOST_IP : parts[0];
                hostPort = parts[1];
                containerPort = parts[2];
            }
            default -> throw new InvalidPortMappingException(text, "too many ':' (IPv6 addresses are not supported yet)");
        }
        if (!isIpv4(hostIp)) {
            throw new InvalidPortMappingException(text, "host IP '" + hostIp + "' is not an IPv4 address");
        }
        int host = hostPort.isEmpty() ? 0 : port(text, hostPort, "host port", 0);
        int container = port(text, containerPort, "container port", 1);
        return new PortMapping(hostIp, host, container, protocol);
    }

    private static int port(String text, String value, String what, int min) {
        if (value.isEmpty()) {
            throw new InvalidPortMappingException(text, what + " is missing");
        }
        if (value.contains("-")) {
            throw new InvalidPortMappingException(text, "port ranges (" + value + ") are not supported; publish each port");
        }
        if (value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidPortMappingException(text, what + " '" + value + "' is not a number");
        }
        int port = Integer.parseInt(value);
        if (port < min || port > 65535) {
            throw new InvalidPortMappingException(text, what + " " + port + " is outside " + min + "-65535");
        }
        return port;
    }

    /** A dotted-quad literal; never resolves names (an image or caller must not trigger DNS here). */
    static boolean isIpv4(String s) {
        if (s == null) {
            return false;
        }
        String[] octets = s.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Podman's notation, e.g. {@code 127.0.0.1:18080:8080/tcp}. */
    @Override
    public String toString() {
        return hostIp + ":" + hostPort + ":" + containerPort + "/" + protocol.cniName();
    }
}
