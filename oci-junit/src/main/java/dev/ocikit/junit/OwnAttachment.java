package dev.ocikit.junit;

import dev.ocikit.image.StoredImage;
import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.ContainerBuilder;
import dev.ocikit.runtime.ContainerException;
import dev.ocikit.runtime.ContainerLogs;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A container this JVM started for a test, removed when the test (or class) is done. */
final class OwnAttachment implements Attachment {
    private final Container container;
    private final Path files;
    private final ContainerConfig imageConfig;

    private OwnAttachment(Container container, Path files, ContainerConfig imageConfig) {
        this.container = container;
        this.files = files;
        this.imageConfig = imageConfig;
    }

    /** Provides the image, then creates and starts the container; nothing is left behind on failure. */
    static OwnAttachment start(Environment env, ContainerSpec spec, String name) throws IOException, InterruptedException {
        StoredImage image = env.images.provide(spec.image()).image();
        ContainerConfig config = env.imageConfig(image);
        Path files = env.newFilesDirectory();
        try {
            ContainerBuilder builder = env.runtime.container(image).name(name);
            spec.definition(image.id().toString()).applyTo(builder, files);
            for (Consumer<String> listener : spec.outputListeners()) {
                builder.onStdout(listener).onStderr(listener);
            }
            return new OwnAttachment(builder.start(), files, config);
        } catch (IOException | RuntimeException | Error e) {
            Environment.deleteQuietly(files);
            throw e;
        }
    }

    @Override
    public String id() {
        return container.id();
    }

    @Override
    public String name() {
        return container.name();
    }

    @Override
    public String host() {
        return container.host();
    }

    @Override
    public int mappedPort(int containerPort) {
        return container.mappedPort(containerPort);
    }

    @Override
    public long pid() {
        return container.pid();
    }

    @Override
    public boolean isRunning() {
        return container.isRunning();
    }

    @Override
    public Optional<Integer> exitCode() {
        return container.exitCode();
    }

    @Override
    public ExecResult exec(List<String> command) throws IOException, InterruptedException {
        return container.exec(command.toArray(String[]::new));
    }

    @Override
    public ContainerLogs logs() throws IOException {
        return new ContainerLogs(container.stdoutLog(), container.stderrLog());
    }

    @Override
    public List<String> lastLines() {
        return container.lastLines();
    }

    @Override
    public boolean awaitLogLines(String regex, int count, Duration timeout) throws InterruptedException {
        try {
            container.waitForLog(regex, count, timeout);
            return true;
        } catch (ContainerException e) {
            return false; // timed out, or the output ended: the caller tells which
        }
    }

    @Override
    public ContainerConfig imageConfig() {
        return imageConfig;
    }

    @Override
    public Optional<Container> runtimeContainer() {
        return Optional.of(container);
    }

    @Override
    public boolean reused() {
        return false;
    }

    @Override
    public void detach() throws IOException {
        try {
            container.close();
        } finally {
            Environment.deleteQuietly(files);
        }
    }

    @Override
    public void discard() throws IOException {
        detach();
    }
}
