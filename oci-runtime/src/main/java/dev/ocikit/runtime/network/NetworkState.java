package dev.ocikit.runtime.network;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * What a later JVM needs to tear a network down when the JVM that set it up died: the state file
 * {@code <stateDir>/network.json}. Written before the first host change and rewritten after it, so
 * a crash at any point leaves something {@link ContainerNetwork#sweep} can act on.
 */
record NetworkState(
        int version,
        String containerId,
        NetworkMode mode,
        NetworkSettings.Backend backend,
        long initPid,
        List<PortMapping> ports,
        Optional<String> netns,
        Optional<List<String>> cniPath,
        Optional<JsonNode> cniConfig,
        Optional<JsonNode> loopbackConfig,
        Optional<JsonNode> runtimeConfig,
        Optional<JsonNode> cniResult,
        Optional<Long> slirpPid,
        Optional<String> slirpSocket) {

    static final String FILE = "network.json";
    static final int VERSION = 1;

    NetworkState {
        ports = ports == null ? List.of() : List.copyOf(ports);
        netns = netns == null ? Optional.empty() : netns;
        cniPath = cniPath == null ? Optional.empty() : cniPath;
        cniConfig = present(cniConfig);
        loopbackConfig = present(loopbackConfig);
        runtimeConfig = present(runtimeConfig);
        cniResult = present(cniResult);
        slirpPid = slirpPid == null ? Optional.empty() : slirpPid;
        slirpSocket = slirpSocket == null ? Optional.empty() : slirpSocket;
        if (containerId == null || mode == null || backend == null) {
            throw new NetworkException("network state is missing containerId, mode or backend");
        }
    }

    /** Jackson reads an absent tree as Optional[NullNode]; absent must stay absent (a "prevResult": null is not a result). */
    private static Optional<JsonNode> present(Optional<JsonNode> node) {
        return node == null ? Optional.empty() : node.filter(n -> !n.isNull() && !n.isMissingNode());
    }

    NetworkState withCniResult(JsonNode result) {
        return new NetworkState(version, containerId, mode, backend, initPid, ports, netns, cniPath, cniConfig,
                loopbackConfig, runtimeConfig, Optional.of(result), slirpPid, slirpSocket);
    }

    NetworkState withSlirpPid(long pid) {
        return new NetworkState(version, containerId, mode, backend, initPid, ports, netns, cniPath, cniConfig,
                loopbackConfig, runtimeConfig, cniResult, Optional.of(pid), slirpSocket);
    }

    /** Temp file + rename: a crash never leaves a half-written state that sweep would misread. */
    void write(Path stateDir) {
        Path target = stateDir.resolve(FILE);
        Path tmp = stateDir.resolve(FILE + ".tmp");
        try {
            Files.write(tmp, Json.writePretty(this));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new NetworkException("cannot write the network state " + target + ": " + e.getMessage()
                    + "; check that the state directory is writable", e);
        }
    }

    static Optional<NetworkState> read(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NetworkException("cannot read the network state " + file + ": " + e.getMessage(), e);
        }
        NetworkState state;
        try {
            state = Json.parse(bytes, NetworkState.class, "network state " + file);
        } catch (dev.ocikit.spec.MalformedDocumentException e) {
            throw new NetworkException("the network state " + file + " is corrupt (" + e.getMessage()
                    + "); tear the network down by hand (iptables-save | grep the container id) and delete the file", e);
        }
        if (state.version() != VERSION) {
            throw new NetworkException("the network state " + file + " has version " + state.version()
                    + ", this ocikit understands " + VERSION + "; sweep it with the ocikit version that wrote it");
        }
        return Optional.of(state);
    }

    static void delete(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(FILE));
        } catch (IOException e) {
            throw new NetworkException("cannot delete the network state in " + stateDir + ": " + e.getMessage(), e);
        }
    }
}
