package dev.ocikit.runtime.network;

/** A caller asked for the host port of a container port that the network does not publish. */
public final class PortNotPublishedException extends NetworkException {
    private final int containerPort;

    public PortNotPublishedException(int containerPort, PortMapping.Protocol protocol, String published) {
        super("container port " + containerPort + "/" + protocol.cniName() + " is not published (published: "
                + published + "); add it to NetworkSettings.ports, e.g. publish(" + containerPort + ")");
        this.containerPort = containerPort;
    }

    public int containerPort() {
        return containerPort;
    }
}
