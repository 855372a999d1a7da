package dev.ocikit.junit;

import dev.ocikit.image.StoredImage;
import dev.ocikit.junit.internal.ReuseManager;
import dev.ocikit.junit.internal.ReuseRecord;
import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.ContainerInfo;
import dev.ocikit.runtime.ContainerLogs;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.runtime.NoSuchContainerException;
import dev.ocikit.runtime.network.PortMapping;
import dev.ocikit.runtime.network.PortNotPublishedException;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container kept across test runs, owned by its supervising process: reached by name through
 * the runtime (exec, logs, inspect) and its {@link ReuseRecord} (ports), and left running.
 */
final class ReusedAttachment implements Attachment {
    /** As many lines of each stream as a container's own output keeps for messages. */
    private static final int TAIL = 200;

    private final Environment env;
    private final ReuseRecord record;
    private final ContainerConfig imageConfig;
    private final boolean found;

    private ReusedAttachment(Environment env, ReuseRecord record, ContainerConfig imageConfig, boolean found) {
        this.env = env;
        this.record = record;
        this.imageConfig = imageConfig;
        this.found = found;
    }

    static ReusedAttachment attach(Environment env, ContainerSpec spec) throws IOException, InterruptedException {
        StoredImage image = env.images.provide(spec.image()).image();
        ReuseManager.Attached attached = env.reuse.attachOrStart(spec.definition(image.id().toString()));
        return new ReusedAttachment(env, attached.record(), env.imageConfig(image), attached.found());
    }

    @Override
    public String id() {
        return record.id();
    }

    @Override
    public String name() {
        return record.name();
    }

    @Override
    public String host() {
        return record.host();
    }

    @Override
    public int mappedPort(int containerPort) {
        return record.hostPort(containerPort).orElseThrow(() -> new PortNotPublishedException(containerPort,
                PortMapping.Protocol.TCP, record.ports().isEmpty() ? "none" : record.ports().toString()));
    }

    @Override
    public long pid() {
        return record.pid();
    }

    @Override
    public boolean isRunning() {
        return ProcessHandle.of(record.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public Optional<Integer> exitCode() {
        if (isRunning()) {
            return Optional.empty();
        }
        try {
            ContainerInfo info = env.runtime.inspect(record.id());
            return info.exitCode().isPresent() ? Optional.of(info.exitCode().getAsInt()) : Optional.empty();
        } catch (NoSuchContainerException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public ExecResult exec(List<String> command) throws IOException, InterruptedException {
        return env.runtime.exec(record.id(), command);
    }

    @Override
    public ContainerLogs logs() throws IOException {
        return env.runtime.logs(record.id());
    }

    @Override
    public List<String> lastLines() {
        try {
            ContainerLogs logs = logs();
            List<String> lines = new ArrayList<>(tail(logs.stdout()));
            lines.addAll(tail(logs.stderr()));
            return lines;
        } catch (IOException | RuntimeException e) {
            return List.of("(the logs of reused container " + record.name() + " cannot be read: " + e.getMessage() + ")");
        }
    }

    private static List<String> tail(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> lines = Arrays.asList(text.split("\r?\n", -1));
        if (text.endsWith("\n")) {
            lines = lines.subList(0, lines.size() - 1);
        }
        return lines.subList(Math.max(0, lines.size() - TAIL), lines.size());
    }

    /** Counts matching lines in the log files, which hold all the container wrote, again until enough or the timeout. */
    @Override
    public boolean awaitLogLines(String regex, int count, Duration timeout) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        Probes.Deadline deadline = Probes.Deadline.after(timeout);
        Probes.Backoff backoff = new Probes.Backoff();
        while (true) {
            try {
                ContainerLogs logs = logs();
                long seen = matching(logs.stdout(), pattern) + matching(logs.stderr(), pattern);
                if (seen >= count) {
                    return true;
                }
            } catch (IOException e) {
                // read again on the next round
            }
            if (deadline.passed() || !isRunning()) {
                return false;
            }
            backoff.pause(deadline);
        }
    }

    private static long matching(String text, Pattern pattern) {
        return text.lines().filter(l -> pattern.matcher(l).find()).count();
    }

    @Override
    public ContainerConfig imageConfig() {
        return imageConfig;
    }

    @Override
    public Optional<Container> runtimeContainer() {
        return Optional.empty();
    }

    @Override
    public boolean reused() {
        return found;
    }

    @Override
    public void detach() {
        // kept for the next run
    }

    @Override
    public void discard() throws IOException {
        try {
            env.reuse.remove(record.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while removing reused container " + record.name());
        }
    }
}
