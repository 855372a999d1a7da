package dev.ocikit.runtime.network;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Host ports held for published container ports. A port is bound (never listened on) without
 * SO_REUSEADDR, as Podman's conmon does: nobody else on the host can take it while the container
 * runs, a port of 0 gets a free one from the kernel, and a taken explicit port fails here, early,
 * instead of being silently shadowed by the DNAT rule. Not thread-safe; one per network.
 */
final class PortReservations implements AutoCloseable {
    private final List<NetworkChannel> held = new ArrayList<>();

    /** Resolves port 0 to a free port and keeps every port bound until {@link #close()}. */
    List<PortMapping> reserve(List<PortMapping> ports) {
        List<PortMapping> resolved = new ArrayList<>();
        try {
            for (PortMapping p : ports) {
                resolved.add(reserve(p));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return List.copyOf(resolved);
    }

    private PortMapping reserve(PortMapping p) {
        NetworkChannel channel = null;
        try {
            channel = p.protocol() == PortMapping.Protocol.TCP ? SocketChannel.open() : DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            channel.bind(new InetSocketAddress(p.hostIp(), p.hostPort()));
            held.add(channel);
            int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            return p.withHostPort(port);
        } catch (BindException e) {
            closeQuietly(channel);
            throw new NetworkException("host port " + p.hostIp() + ":" + p.hostPort() + "/" + p.protocol().cniName()
                    + " for container port " + p.containerPort() + " cannot be bound (" + e.getMessage()
                    + "): it is in use or the address is not on this host; publish on another port, or on 0 for a free one", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new NetworkException("cannot reserve host port " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (NetworkChannel c : held) {
            closeQuietly(c);
        }
        held.clear();
    }

    private static void closeQuietly(NetworkChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a bound, unconnected socket has nothing to flush; the fd is gone either way
            }
        }
    }
}
