package dev.ocikit.runtime.network;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What network a container gets: the {@link NetworkMode}, the published ports and how private
 * networking is provided. Immutable and thread-safe; built with {@link #newBuilder()}.
 *
 * <p>Defaults: mode {@link NetworkMode#PRIVATE}, no published ports, backend
 * {@link Backend#AUTO} (CNI as root, slirp4netns otherwise), network {@link CniNetwork#DEFAULT},
 * slirp4netns found on {@code PATH}.
 *
 * @param mode none, host or private
 * @param ports the ports to publish (private mode only; in host mode the container's ports are the host's)
 * @param backend which private-networking implementation to use
 * @param cni the bridge network (CNI backend)
 * @param slirp4netns the slirp4netns executable, or empty to search {@code PATH}
 */
public record NetworkSettings(
        NetworkMode mode, List<PortMapping> ports, Backend backend, CniNetwork cni, Optional<Path> slirp4netns) {

    /** How {@link NetworkMode#PRIVATE} is implemented. */
    public enum Backend {
        /** CNI when the JVM runs as root, slirp4netns otherwise. */
        AUTO,
        /** CNI bridge + portmap plugins: needs root (iptables, veth pairs). */
        CNI,
        /** slirp4netns, a user-mode TCP/IP stack: works without privileges. */
        SLIRP4NETNS
    }

    public NetworkSettings {
        if (mode == null) {
            throw new NetworkException("network mode is missing: use NONE, HOST or PRIVATE");
        }
        ports = ports == null ? List.of() : List.copyOf(ports);
        backend = backend == null ? Backend.AUTO : backend;
        cni = cni == null ? CniNetwork.DEFAULT : cni;
        slirp4netns = slirp4netns == null ? Optional.empty() : slirp4netns;
        if (mode == NetworkMode.NONE && !ports.isEmpty()) {
            throw new NetworkException("network mode NONE cannot publish ports " + ports + "; use PRIVATE");
        }
        Set<String> seen = new HashSet<>();
        for (PortMapping p : ports) {
            if (!seen.add(p.containerPort() + "/" + p.protocol())) {
                throw new NetworkException("container port " + p.containerPort() + "/" + p.protocol().cniName()
                        + " is published twice; publish each container port once");
            }
        }
    }

    /** Private networking with the defaults and no ports. */
    public static NetworkSettings defaults() {
        return newBuilder().build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder().mode(mode).backend(backend).cni(cni);
        b.ports.addAll(ports);
        b.slirp4netns = slirp4netns.orElse(null);
        return b;
    }

    /** Builds {@link NetworkSettings}; not thread-safe. */
    public static final class Builder {
        private NetworkMode mode = NetworkMode.PRIVATE;
        private final List<PortMapping> ports = new ArrayList<>();
        private Backend backend = Backend.AUTO;
        private CniNetwork cni = CniNetwork.DEFAULT;
        private Path slirp4netns;

        private Builder() {}

        public Builder mode(NetworkMode value) {
            this.mode = value;
            return this;
        }

        /** Publishes {@code containerPort}/tcp on a free port of 127.0.0.1. */
        public Builder publish(int containerPort) {
            return publish(PortMapping.of(containerPort));
        }

        /** Publishes a mapping written as Podman's {@code -p} takes it, e.g. {@code "127.0.0.1:18080:8080/udp"}. */
        public Builder publish(String podmanNotation) {
            return publish(PortMapping.parse(podmanNotation));
        }

        public Builder publish(PortMapping mapping) {
            if (mapping == null) {
                throw new NetworkException("port mapping is null");
            }
            ports.add(mapping);
            return this;
        }

        public Builder backend(Backend value) {
            this.backend = value;
            return this;
        }

        public Builder cni(CniNetwork value) {
            this.cni = value;
            return this;
        }

        public Builder slirp4netns(Path executable) {
            this.slirp4netns = executable;
            return this;
        }

        /** @throws NetworkException if the settings contradict each other (e.g. ports with mode NONE) */
        public NetworkSettings build() {
            return new NetworkSettings(mode, ports, backend, cni, Optional.ofNullable(slirp4netns));
        }
    }
}
