package dev.ocikit.runtime.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs CNI plugins by the CNI protocol (spec 1.0): the command and the container in environment
 * variables, the network configuration on stdin, the result or a CNI error on stdout. For a
 * configuration list it does what libcni does: ADD through the plugins in order, each getting the
 * previous result as {@code prevResult}; DEL in reverse order with the final ADD result; and only
 * the {@code runtimeConfig} keys a plugin declares in its {@code capabilities}. Thread-safe.
 */
final class CniInvoker {
    private static final Logger LOG = LoggerFactory.getLogger(CniInvoker.class);
    private static final long TIMEOUT_SECONDS = 120;

    private final List<Path> pluginDirs;

    CniInvoker(List<Path> pluginDirs) {
        this.pluginDirs = List.copyOf(pluginDirs);
    }

    List<String> cniPath() {
        return pluginDirs.stream().map(Path::toString).toList();
    }

    /** ADD for a list; on failure the plugins already run are DELeted before the error is thrown. */
    JsonNode add(JsonNode conflist, JsonNode runtimeConfig, Target target) {
        JsonNode prev = null;
        for (JsonNode plugin : plugins(conflist)) {
            try {
                JsonNode result = exec("ADD", pluginConfig(conflist, plugin, runtimeConfig, prev), target);
                if (result == null) {
                    throw new CniPluginException(type(plugin), "ADD", CniPluginException.NOT_A_CNI_ERROR,
                            "printed no result", "", "the plugin is broken or not a CNI plugin");
                }
                prev = result;
            } catch (RuntimeException e) {
                try {
                    del(conflist, runtimeConfig, prev, target);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
        return prev;
    }

    /** DEL for a list, every plugin even if one fails (so as much as possible is released); the first failure is thrown. */
    void del(JsonNode conflist, JsonNode runtimeConfig, JsonNode prevResult, Target target) {
        List<JsonNode> plugins = new ArrayList<>(plugins(conflist));
        java.util.Collections.reverse(plugins);
        RuntimeException first = null;
        for (JsonNode plugin : plugins) {
            try {
                exec("DEL", pluginConfig(conflist, plugin, runtimeConfig, prevResult), target);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** CHECK for a list with the final ADD result. */
    void check(JsonNode conflist, JsonNode runtimeConfig, JsonNode prevResult, Target target) {
        for (JsonNode plugin : plugins(conflist)) {
            exec("CHECK", pluginConfig(conflist, plugin, runtimeConfig, prevResult), target);
        }
    }

    /** The container a command is about: {@code netns} may be empty on DEL when the namespace is gone. */
    record Target(String containerId, String netns, String ifName) {}

    private static List<JsonNode> plugins(JsonNode conflist) {
        JsonNode plugins = conflist.get("plugins");
        if (plugins == null || !plugins.isArray() || plugins.isEmpty()) {
            throw new NetworkException("CNI configuration list '" + conflist.path("name").asText() + "' has no plugins");
        }
        List<JsonNode> list = new ArrayList<>();
        plugins.forEach(list::add);
        return list;
    }

    private static String type(JsonNode plugin) {
        return plugin.path("type").asText("");
    }

    /** The stdin of one plugin run: its own object plus the list's name and version, capabilities' runtimeConfig and prevResult. */
    static ObjectNode pluginConfig(JsonNode conflist, JsonNode plugin, JsonNode runtimeConfig, JsonNode prevResult) {
        ObjectNode config = plugin.deepCopy();
        config.put("cniVersion", conflist.path("cniVersion").asText());
        config.put("name", conflist.path("name").asText());
        JsonNode caps = plugin.get("capabilities");
        if (caps != null && caps.isObject() && runtimeConfig != null) {
            ObjectNode rc = config.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = caps.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> cap = it.next();
                if (cap.getValue().asBoolean(false) && runtimeConfig.has(cap.getKey())) {
                    rc.set(cap.getKey(), runtimeConfig.get(cap.getKey()).deepCopy());
                }
            }
            if (!rc.isEmpty()) {
                config.set("runtimeConfig", rc);
            }
        }
        if (prevResult != null) {
            config.set("prevResult", prevResult.deepCopy());
        }
        return config;
    }

    private Path find(String type, String command) {
        if (type.isEmpty() || type.contains("/") || type.startsWith(".")) {
            throw new CniPluginException(type, command, CniPluginException.NOT_A_CNI_ERROR,
                    "invalid plugin type", "", "a plugin type is a file name in the CNI plugin directories");
        }
        for (Path dir : pluginDirs) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new CniPluginException(type, command, CniPluginException.NOT_A_CNI_ERROR,
                "plugin not found in " + pluginDirs, "",
                "install the CNI plugins (Debian: apt-get install containernetworking-plugins) or set CniNetwork.pluginDirs");
    }

    /** One plugin run: the parsed stdout (null if it printed nothing), or a {@link CniPluginException}. */
    JsonNode exec(String command, ObjectNode config, Target target) {
        String type = type(config);
        Path plugin = find(type, command);
        ProcessBuilder pb = new ProcessBuilder(plugin.toString());
        Map<String, String> env = pb.environment();
        env.remove("CNI_ARGS");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", target.containerId());
        env.put("CNI_NETNS", target.netns());
        env.put("CNI_IFNAME", target.ifName());
        env.put("CNI_PATH", String.join(":", cniPath()));
        // plugins exec iptables and friends, which live in sbin: a JVM started by a user may lack those in PATH
        env.put("PATH", env.getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin");
        byte[] stdin = Json.write(config);
        LOG.debug("CNI {} {} container={} netns={} ifname={} config={}", command, plugin, target.containerId(),
                target.netns(), target.ifName(), new String(stdin, StandardCharsets.UTF_8));
        Path errFile = null;
        Process process;
        try {
            errFile = Files.createTempFile("ocikit-cni-", ".stderr");
            pb.redirectError(errFile.toFile());
            process = pb.start();
        } catch (IOException e) {
            deleteQuietly(errFile);
            throw new CniPluginException(type, command, CniPluginException.NOT_A_CNI_ERROR,
                    "cannot run " + plugin + ": " + e.getMessage(), "", "check the plugin is executable");
        }
        try {
            CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // a plugin that exits before reading stdin: its exit status and stdout tell why
                LOG.debug("CNI plugin {} did not read its whole config: {}", type, e.getMessage());
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CniPluginException(type, command, CniPluginException.NOT_A_CNI_ERROR,
                        "did not finish within " + TIMEOUT_SECONDS + "s and was killed", stderrTail(errFile),
                        "check for a stuck iptables lock (xtables.lock) or a hung plugin");
            }
            byte[] out = stdout.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            int exit = process.exitValue();
            String err = stderrTail(errFile);
            if (exit != 0) {
                throw error(type, command, exit, out, err);
            }
            if (out.length == 0 || new String(out, StandardCharsets.UTF_8).isBlank()) {
                return null;
            }
            try {
                JsonNode result = Json.tree(out, "CNI " + type + " " + command + " result");
                if (!result.isObject()) {
                    throw new MalformedDocumentException("CNI " + type + " result", "", "not a JSON object");
                }
                return result;
            } catch (MalformedDocumentException e) {
                throw new CniPluginException(type, command, CniPluginException.NOT_A_CNI_ERROR,
                        "exited 0 but printed something that is not a CNI result: " + e.getMessage(), err,
                        "the plugin is broken or not a CNI plugin");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while CNI plugin " + type + " ran " + command
                    + "; the network may be half set up, sweep the container's state directory", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new CniPluginException(type, command, CniPluginException.NOT_A_CNI_ERROR,
                    "cannot read its output: " + e, "", "");
        } finally {
            deleteQuietly(errFile);
        }
    }

    /** A CNI error object on stdout when the plugin gave one, else the exit status and stderr. */
    static CniPluginException error(String type, String command, int exit, byte[] out, String stderr) {
        try {
            JsonNode error = Json.tree(out, "CNI " + type + " error");
            JsonNode code = error.get("code");
            JsonNode msg = error.get("msg");
            if (error.isObject() && code != null && code.canConvertToInt() && msg != null && msg.isTextual()) {
                JsonNode details = error.get("details");
                String d = details == null || details.isNull() ? "" : details.isTextual() ? details.asText() : details.toString();
                return new CniPluginException(type, command, code.asInt(), msg.asText(), d, hint(code.asInt()));
            }
        } catch (MalformedDocumentException e) {
            // not JSON: fall through to the exit status
        }
        String printed = new String(out, StandardCharsets.UTF_8).strip();
        return new CniPluginException(type, command, CniPluginException.NOT_A_CNI_ERROR,
                "exited with status " + exit + (printed.isEmpty() ? "" : ": " + tail(printed)),
                stderr, "the plugin printed no CNI error; see its stderr");
    }

    private static String hint(int code) {
        return switch (code) {
            case 1 -> "the plugin does not support cniVersion 1.0.0; install containernetworking-plugins 1.0 or newer";
            case 4 -> "the environment is wrong (is the container still running? is its netns there?)";
            case 7, 50 -> "the network configuration is invalid; check CniNetwork";
            case 11 -> "try again later";
            default -> "";
        };
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String stderrTail(Path errFile) {
        if (errFile == null) {
            return "";
        }
        try {
            return tail(Files.readString(errFile, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.debug("cannot delete {}: {}", p, e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "CniInvoker" + pluginDirs.stream().map(Path::toString).collect(Collectors.joining(":", "[", "]"));
    }
}
