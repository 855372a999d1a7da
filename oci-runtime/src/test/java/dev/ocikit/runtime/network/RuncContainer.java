package dev.ocikit.runtime.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.runtime.testing.BusyboxRootfs;
import dev.ocikit.spec.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real busybox container driven by runc for the network tests: {@code runc create} with the
 * container's stdout on a pipe this JVM reads (runc hands its stdio to the container), so a test
 * can block on the line the container prints when it is ready.
 */
final class RuncContainer implements AutoCloseable {
    final String id;
    final Path dir;
    final Path root;
    final Path bundle;
    private Process create;
    private BufferedReader stdout;
    long pid;

    RuncContainer(Path dir, String name) {
        this.id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.dir = dir;
        this.root = dir.resolve("runc-root");
        this.bundle = dir.resolve("bundle");
    }

    /** Writes the bundle: busybox rootfs, {@code /www/index.html} holding {@code page}, and the spec. */
    RuncContainer bundle(boolean ownNetns, String page, String... args) throws IOException, InterruptedException {
        Files.createDirectories(bundle);
        Path rootfs = BusyboxRootfs.create(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("www"));
        Files.writeString(rootfs.resolve("www/index.html"), page);
        run(List.of("runc", "spec", "--bundle", bundle.toString()));
        ObjectNode spec = (ObjectNode) Json.tree(Files.readAllBytes(bundle.resolve("config.json")), "runc spec");
        ObjectNode process = (ObjectNode) spec.get("process");
        process.put("terminal", false);
        ArrayNode a = process.putArray("args");
        for (String s : args) {
            a.add(s);
        }
        ArrayNode namespaces = (ArrayNode) spec.get("linux").get("namespaces");
        ArrayNode kept = spec.arrayNode();
        namespaces.forEach(ns -> {
            if (ownNetns || !ns.path("type").asText().equals("network")) {
                kept.add(ns);
            }
        });
        ((ObjectNode) spec.get("linux")).set("namespaces", kept);
        Files.write(bundle.resolve("config.json"), Json.writePretty(spec));
        return this;
    }

    /** {@code runc create}; returns the init pid. */
    long create() throws IOException, InterruptedException {
        Files.createDirectories(root);
        Path pidFile = dir.resolve("pid");
        // a FIFO, not a Process pipe: the JDK drains and closes a child's stdout pipe when the child
        // (runc create) exits, but the container keeps writing to it long after
        Path fifo = dir.resolve("stdout");
        run(List.of("mkfifo", fifo.toString()));
        java.util.concurrent.CompletableFuture<java.io.InputStream> reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newInputStream(fifo); // blocks until runc opens the write end
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ProcessBuilder pb = new ProcessBuilder("runc", "--root", root.toString(), "--log", dir.resolve("runc.log").toString(),
                "create", "--pid-file", pidFile.toString(), "--bundle", bundle.toString(), id)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(fifo.toFile())
                .redirectError(dir.resolve("create.stderr").toFile());
        create = pb.start();
        try {
            stdout = new BufferedReader(new InputStreamReader(reader.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot open the container's stdout fifo", e);
        }
        if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
            throw new IllegalStateException("runc create failed: " + Files.readString(dir.resolve("create.stderr"))
                    + Files.readString(dir.resolve("runc.log")));
        }
        pid = Long.parseLong(Files.readString(pidFile).strip());
        return pid;
    }

    void start() throws IOException, InterruptedException {
        run(List.of("runc", "--root", root.toString(), "start", id));
    }

    /** The next line the container prints (blocks until it does; null at its end). */
    String readLine() throws IOException {
        return stdout.readLine();
    }

    /** Everything the container prints until it exits. */
    String readAll() throws IOException {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = stdout.readLine()) != null) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    String exec(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("runc", "--root", root.toString(), "exec", id));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** {@code runc delete --force}: kills and removes the container; harmless if it is gone. */
    void delete() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("runc", "--root", root.toString(), "delete", "--force", id)
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        delete();
        if (stdout != null) {
            stdout.close();
        }
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
