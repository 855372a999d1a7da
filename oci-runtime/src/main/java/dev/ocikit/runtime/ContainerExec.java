package dev.ocikit.runtime;

import dev.ocikit.runtime.invoker.ExecOptions;
import dev.ocikit.runtime.invoker.RuntimeCli;
import dev.ocikit.runtime.invoker.StartedExec;
import dev.ocikit.spec.runtime.Process;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@code exec}: another process in a running container, with the first one's user, environment and directory. */
final class ContainerExec {
    private ContainerExec() {}

    static ExecResult run(Container container, List<String> command) throws IOException, InterruptedException {
        if (!container.isRunning()) {
            throw new ContainerException("container " + container.name() + " is not running (it exited with "
                    + container.exitCode().map(String::valueOf).orElse("?") + "); exec needs a running container");
        }
        return run(container.runtime().cli(), container.id(), container.name(), container.process(), command);
    }

    static ExecResult run(RuntimeCli cli, String id, String name, Process template, List<String> command)
            throws IOException, InterruptedException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("exec needs a command");
        }
        Process process = template.toBuilder().args(command).terminal(false).build();
        try (StartedExec child = cli.startExec(id, process, ExecOptions.defaults())) {
            child.stdin().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(child.stderr()));
            String out = readAll(child.stdout());
            int code = child.waitFor();
            return new ExecResult(code, out, err.join());
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
