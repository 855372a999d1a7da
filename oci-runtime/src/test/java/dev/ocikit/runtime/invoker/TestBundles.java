package dev.ocikit.runtime.invoker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.runtime.testing.BusyboxRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Busybox bundles in {@code runc spec}'s shape, with the process the test wants. */
final class TestBundles {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestBundles() {}

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A bundle at {@code dir} whose process runs {@code args}, with or without a terminal. */
    static Path create(Path dir, boolean terminal, String... args) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        BusyboxRootfs.create(dir.resolve("rootfs"));
        java.lang.Process p = new ProcessBuilder(RuntimeCli.runc().executable().toString(), "spec", "--bundle",
                dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("runc spec failed: " + out);
        }
        edit(dir, terminal, null, args);
        return dir;
    }

    /** Rewrites the bundle's process: terminal, cwd (null keeps it) and args. */
    static void edit(Path dir, boolean terminal, String cwd, String... args) throws IOException {
        Path config = dir.resolve("config.json");
        ObjectNode root = (ObjectNode) MAPPER.readTree(config.toFile());
        ObjectNode process = (ObjectNode) root.get("process");
        process.put("terminal", terminal);
        if (cwd != null) {
            process.put("cwd", cwd);
        }
        ArrayNode a = process.putArray("args");
        for (String s : args) {
            a.add(s);
        }
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(config.toFile(), root);
    }

    /** Deletes every container under the runtime's root, whatever its state. */
    static void deleteAll(RuntimeCli runc) {
        for (ContainerSummary c : runc.list()) {
            try {
                runc.delete(c.id(), true);
            } catch (NoSuchContainerException e) {
                // gone meanwhile
            }
        }
    }
}
