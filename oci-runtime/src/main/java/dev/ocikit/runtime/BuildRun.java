package dev.ocikit.runtime;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.build.BuildMount;
import dev.ocikit.image.build.RunRequest;
import dev.ocikit.runtime.bundle.BundleSpec;
import dev.ocikit.runtime.bundle.IdMappings;
import dev.ocikit.runtime.invoker.ChildReaper;
import dev.ocikit.runtime.invoker.CreateOptions;
import dev.ocikit.runtime.invoker.NoSuchContainerException;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.runtime.Spec;
import java.io.FileInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one build command ({@code RUN}, {@code buildah run}) to completion in a transient runc
 * container over a mounted root file system, as Buildah does: the image's defaults with the
 * request's overrides, stdin from /dev/null, no terminal, output streamed to the caller; then
 * deletes the container and unmounts the root file system, leaving its writable layer to be read.
 */
final class BuildRun {
    private static final Logger LOG = LoggerFactory.getLogger(BuildRun.class);
    /** How long output may keep coming after the command's exit (its pid namespace is gone by then). */
    private static final long DRAIN_SECONDS = 60;

    private BuildRun() {}

    /**
     * Runs {@code request}'s command in a container of {@code dir} whose root file system is
     * {@code rootfs}, already mounted (or copied). On return the container is deleted from the
     * runtime and the overlay unmounted; on failure the caller tears {@code dir} down.
     *
     * @return the exit code, 128 + n for a signal
     */
    static int run(OciRuntime runtime, ContainerDirectory dir, ContainerRootfs rootfs, RunRequest request)
            throws IOException, InterruptedException {
        String id = dir.id();
        BundleSpec bundleSpec = spec(runtime, dir, request);
        if (!rootfs.target().equals(dir.rootfs())) {
            bundleSpec = bundleSpec.rootPath(rootfs.target().toString()); // a working container's copy, kept elsewhere
        }
        Files.createDirectories(dir.bundle());
        Spec spec = bundleSpec.build(rootfs.target());
        rootfs.provideMountPoints(spec.mounts());
        bundleSpec.prepareRootfs(rootfs.target());
        Files.write(dir.config(), Json.write(spec));

        OutputPump stdout = pump(dir, "stdout", dir.stdoutPipe(), request.stdout());
        OutputPump stderr = pump(dir, "stderr", dir.stderrPipe(), request.stderr());
        CreateOptions options = CreateOptions.defaults().pidFile(dir.pidFile())
                .stdin(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .stdout(ProcessBuilder.Redirect.to(dir.stdoutPipe().toFile()))
                .stderr(ProcessBuilder.Redirect.to(dir.stderrPipe().toFile()));
        try {
            runtime.cli().createAndStart(id, dir.bundle(), options);
        } catch (RuntimeException e) {
            ContainerLauncher.release(dir.stdoutPipe(), Optional.of(stdout.opened()));
            ContainerLauncher.release(dir.stderrPipe(), Optional.of(stderr.opened()));
            throw e;
        }
        long pid = dir.pid().orElseThrow(() -> new ContainerException("the runtime started the build container " + id
                + " but wrote no pid file at " + dir.pidFile()));
        int code = awaitExit(runtime, id, pid);
        drain(stdout);
        drain(stderr);
        try {
            runtime.cli().delete(id, true);
        } catch (NoSuchContainerException e) {
            // already gone
        }
        rootfs.removeCreatedMountPoints();
        rootfs.unmount();
        return code;
    }

    private static int awaitExit(OciRuntime runtime, String id, long pid) throws InterruptedException {
        CompletableFuture<Integer> exit = ChildReaper.exitOf(pid);
        try {
            return exit.get();
        } catch (InterruptedException e) {
            // The caller gave up: the command must not outlive the call.
            try {
                runtime.killAll(id);
                exit.get(10, TimeUnit.SECONDS);
            } catch (RuntimeException | ExecutionException | TimeoutException ignored) {
                // the teardown's forced delete settles it
            }
            throw e;
        } catch (ExecutionException e) {
            throw new ContainerException("build container " + id + ": lost its exit status: " + e.getCause(), e.getCause());
        }
    }

    private static void drain(OutputPump pump) throws InterruptedException {
        try {
            pump.done().get(DRAIN_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("the build command's output did not end within {} s of its exit; going on without the rest",
                    DRAIN_SECONDS);
        }
    }

    /** The runtime config: the image's defaults, the request's overrides, Buildah's choices for the rest. */
    static BundleSpec spec(OciRuntime runtime, ContainerDirectory dir, RunRequest request) throws IOException {
        ContainerConfig config = request.config();
        ImageConfig image = ImageConfig.builder().platform(Platform.of("linux", runtime.platform().architecture()))
                .config(config).build();
        BundleSpec spec = BundleSpec.from(image).entrypoint(request.command().toArray(String[]::new));
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : request.env()) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        spec = spec.env(env);
        if (request.user().isPresent()) {
            spec = spec.user(request.user().get());
        }
        if (request.workdir().isPresent()) {
            spec = spec.workdir(absoluteWorkdir(config, request.workdir().get()));
        }
        spec = switch (request.network()) {
            case NONE -> spec.noNetwork().hostname(dir.id().substring(0, 12));
            case HOST -> spec.hostNetwork();
        };
        for (BuildMount m : request.mounts()) {
            spec = spec.bind(m.source(), m.destination(), m.readOnly());
        }
        spec = spec.terminal(false);
        if (runtime.rootless()) {
            spec = spec.rootless(IdMappings.forCurrentUser());
        }
        return spec.mounts(spec.etcFiles().write(dir.etc()));
    }

    /** A relative working directory is taken from the image's, as Dockerfile's {@code WORKDIR} does. */
    static String absoluteWorkdir(ContainerConfig config, String workdir) {
        if (workdir.startsWith("/")) {
            return workdir;
        }
        String base = config.workingDir().filter(w -> !w.isEmpty()).orElse("/");
        base = base.startsWith("/") ? base : "/" + base;
        return base.endsWith("/") ? base + workdir : base + "/" + workdir;
    }

    private static OutputPump pump(ContainerDirectory dir, String stream, Path pipe, OutputStream target) {
        try {
            Libc.mkfifo(pipe.toString(), 0600);
        } catch (LastErrorException e) {
            throw new ContainerException("cannot make the pipe " + pipe + ": " + Libc.strerror(e.getErrorCode()), e);
        }
        OutputPump pump = new OutputPump(dir.id().substring(0, 12) + " " + stream,
                () -> new FileInputStream(pipe.toFile()), new NotClosing(target), List.of());
        Thread t = new Thread(pump, "ocikit-build-" + dir.id().substring(0, 12) + "-" + stream);
        t.setDaemon(true);
        t.start();
        return pump;
    }

    /** The caller's stream, written and flushed but never closed: it belongs to the caller. */
    private static final class NotClosing extends FilterOutputStream {
        NotClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
