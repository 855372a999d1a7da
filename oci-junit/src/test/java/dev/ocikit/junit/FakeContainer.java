package dev.ocikit.junit;

import dev.ocikit.runtime.ContainerLogs;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.runtime.network.PortMapping;
import dev.ocikit.runtime.network.PortNotPublishedException;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A container the wait strategies can be tried against without a runtime: each answer is set by the test. */
final class FakeContainer implements RunningContainer {
    volatile boolean running = true;
    volatile Integer exitCode;
    final Map<Integer, Integer> ports = new HashMap<>();
    volatile long pid = ProcessHandle.current().pid();
    volatile List<String> lastLines = List.of("first line", "last line");
    volatile ContainerConfig imageConfig = ContainerConfig.EMPTY;
    volatile boolean logLinesSeen;
    volatile Function<List<String>, ExecResult> exec = c -> new ExecResult(0, "", "");
    final List<List<String>> execs = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public String id() {
        return "0123456789abcdef";
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int mappedPort(int containerPort) {
        Integer port = ports.get(containerPort);
        if (port == null) {
            throw new PortNotPublishedException(containerPort, PortMapping.Protocol.TCP, "none");
        }
        return port;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public Optional<Integer> exitCode() {
        return Optional.ofNullable(exitCode);
    }

    @Override
    public ExecResult exec(String... command) throws IOException, InterruptedException {
        List<String> c = List.of(command);
        execs.add(c);
        return exec.apply(c);
    }

    @Override
    public ContainerLogs logs() {
        return new ContainerLogs(String.join("\n", lastLines), "");
    }

    @Override
    public List<String> lastLines() {
        return new ArrayList<>(lastLines);
    }

    @Override
    public boolean awaitLogLines(String regex, int count, Duration timeout) {
        return logLinesSeen;
    }

    @Override
    public ContainerConfig imageConfig() {
        return imageConfig;
    }

    void exit(int code) {
        running = false;
        exitCode = code;
    }
}
