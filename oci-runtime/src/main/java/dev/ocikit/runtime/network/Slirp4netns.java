package dev.ocikit.runtime.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rootless private networking: slirp4netns gives the container's netns a tap device backed by a
 * user-mode TCP/IP stack, and forwards published ports from the host through its API socket.
 *
 * <p>Its {@code --ready-fd} is its stdout (it writes "1" once the tap is configured: a blocking
 * read, no sleeps) and its {@code --exit-fd} is its stdin, a pipe this JVM holds: closing it, or
 * this JVM dying, makes slirp4netns exit, so it cannot outlive us.
 */
final class Slirp4netns {
    private static final Logger LOG = LoggerFactory.getLogger(Slirp4netns.class);
    static final String CONTAINER_ADDRESS = "10.0.2.100";
    static final String SOCKET = "slirp4netns.sock";
    static final String LOG_FILE = "slirp4netns.log";
    private static final long READY_TIMEOUT_SECONDS = 60;
    /** sockaddr_un.sun_path is 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;

    private Slirp4netns() {}

    static Path executable(NetworkSettings settings) {
        if (settings.slirp4netns().isPresent()) {
            Path p = settings.slirp4netns().get();
            if (Files.isExecutable(p)) {
                return p;
            }
            throw new NetworkException("slirp4netns " + p + " is not executable; install it (apt-get install slirp4netns)");
        }
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "slirp4netns"))) {
                return Path.of(dir, "slirp4netns");
            }
        }
        throw new NetworkException("slirp4netns is not installed (not on PATH); rootless private networking needs it:"
                + " apt-get install slirp4netns, or use NetworkMode.NONE or HOST");
    }

    static Path socketPath(Path stateDir) {
        Path p = stateDir.toAbsolutePath().resolve(SOCKET);
        if (p.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return p;
        }
        throw new NetworkException("the state directory " + stateDir + " is too long for a unix socket path ("
                + MAX_SOCKET_PATH + " bytes at most for " + p + "); use a shorter state directory");
    }

    static ContainerNetwork attach(NetworkSettings settings, String containerId, long initPid, Path stateDir) {
        Path binary = executable(settings);
        Path socket = socketPath(stateDir);
        // free host ports are picked by binding, then released for slirp4netns to bind them itself
        List<PortMapping> ports;
        try (PortReservations probe = new PortReservations()) {
            ports = probe.reserve(settings.ports());
        }
        ContainerNetwork.deleteQuietly(socket);
        List<String> cmd = List.of(binary.toString(), "--configure", "--mtu=65520", "--disable-host-loopback",
                "--api-socket", socket.toString(), "--ready-fd=1", "--exit-fd=0", Long.toString(initPid), "tap0");
        LOG.debug("starting {}", String.join(" ", cmd));
        Path log = stateDir.resolve(LOG_FILE);
        Process process;
        try {
            process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        } catch (IOException e) {
            throw new NetworkException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        OutputStream exitPipe = process.getOutputStream();
        NetworkState state = new NetworkState(NetworkState.VERSION, containerId, NetworkMode.PRIVATE,
                NetworkSettings.Backend.SLIRP4NETNS, initPid, ports, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(process.pid()), Optional.of(socket.toString()));
        try {
            state.write(stateDir);
            awaitReady(process, log);
            for (PortMapping p : ports) {
                addHostForward(socket, p);
            }
        } catch (RuntimeException e) {
            stop(process, exitPipe);
            ContainerNetwork.deleteQuietly(socket);
            try {
                NetworkState.delete(stateDir);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        LOG.debug("container {} networked by slirp4netns pid {} with ports {}", containerId, process.pid(), ports);
        return ContainerNetwork.of(NetworkMode.PRIVATE, containerId, ports,
                Optional.of(ContainerNetwork.literal(CONTAINER_ADDRESS)), () -> {
                    stop(process, exitPipe);
                    ContainerNetwork.deleteQuietly(socket);
                    NetworkState.delete(stateDir);
                });
    }

    private static void awaitReady(Process process, Path log) {
        InputStream ready = process.getInputStream();
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try {
                return ready.read();
            } catch (IOException e) {
                return -1;
            }
        });
        int b;
        try {
            b = first.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while waiting for slirp4netns to be ready", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new NetworkException("slirp4netns did not report ready within " + READY_TIMEOUT_SECONDS + "s: "
                    + logTail(log), e);
        }
        if (b != '1') {
            throw new NetworkException("slirp4netns exited before it was ready: " + logTail(log)
                    + "; rootless it needs /dev/net/tun and a user namespace it may join");
        }
    }

    /** One add_hostfwd request on the API socket: JSON in, {"return":...} or {"error":{"desc":...}} out. */
    static void addHostForward(Path socket, PortMapping p) {
        ObjectNode req = JsonNodeFactory.instance.objectNode();
        req.put("execute", "add_hostfwd");
        ObjectNode args = req.putObject("arguments");
        args.put("proto", p.protocol().cniName());
        args.put("host_addr", p.hostIp());
        args.put("host_port", p.hostPort());
        args.put("guest_port", p.containerPort());
        JsonNode reply = request(socket, req);
        if (reply.has("error") || !reply.has("return")) {
            throw new NetworkException("slirp4netns refused to publish " + p + ": "
                    + reply.path("error").path("desc").asText(reply.toString())
                    + "; the host port may have been taken meanwhile, publish on another");
        }
    }

    static JsonNode request(Path socket, JsonNode req) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(Json.write(req));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.shutdownOutput();
            byte[] bytes = java.nio.channels.Channels.newInputStream(ch).readNBytes(64 * 1024);
            return Json.tree(bytes, "slirp4netns API reply");
        } catch (IOException e) {
            throw new NetworkException("cannot talk to slirp4netns on " + socket + ": " + e.getMessage(), e);
        } catch (MalformedDocumentException e) {
            throw new NetworkException("slirp4netns answered something that is not JSON: " + e.getMessage(), e);
        }
    }

    private static void stop(Process process, OutputStream exitPipe) {
        try {
            exitPipe.close();
        } catch (IOException e) {
            LOG.debug("closing slirp4netns' exit pipe: {}", e.getMessage());
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the slirp4netns a dead JVM left, if it is still running and still ours (pids get reused). */
    static void sweep(NetworkState state, Path stateDir) {
        state.slirpPid().flatMap(ProcessHandle::of).ifPresent(h -> {
            String cmdline = cmdline(h.pid());
            if (cmdline.contains("slirp4netns") && state.slirpSocket().map(cmdline::contains).orElse(false)) {
                h.destroyForcibly();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
            }
        });
        state.slirpSocket().map(Path::of).ifPresent(ContainerNetwork::deleteQuietly);
        NetworkState.delete(stateDir);
    }

    static void check(NetworkState state) {
        boolean alive = state.slirpPid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
            throw new NetworkException("slirp4netns (pid " + state.slirpPid().orElse(-1L) + ") of container "
                    + state.containerId() + " is not running; the container has no network, restart it");
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static String logTail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8).strip();
            List<String> lines = new ArrayList<>(List.of(s.split("\n")));
            return lines.size() <= 10 ? s : String.join("\n", lines.subList(lines.size() - 10, lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
