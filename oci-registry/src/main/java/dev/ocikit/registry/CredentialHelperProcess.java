package dev.ocikit.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.internal.Text;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code docker-credential-<name>} helpers with the docker-credential-helpers protocol: the
 * verb as the only argument, the input on stdin, JSON (or an error text) on stdout.
 */
final class CredentialHelperProcess {
    /** What every helper prints when it has nothing for the server URL. */
    static final String NOT_FOUND = "credentials not found in native keychain";
    private static final int MAX_OUTPUT = 1 << 20;
    /** Built on first use: an ObjectMapper costs a fresh JVM tens of milliseconds that most commands never spend. */
    private static final class Lazy {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final List<Path> directories;
    private final Map<String, String> environment;
    private final Duration timeout;

    CredentialHelperProcess(List<Path> directories, Map<String, String> environment, Duration timeout) {
        this.directories = List.copyOf(directories);
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    private Optional<Path> find(String helper) {
        String name = "docker-credential-" + helper;
        if (helper.isEmpty() || helper.contains("/") || helper.contains("\0")) {
            throw new CredentialHelperException("credential helper name \"" + Text.printable(helper)
                    + "\" is not valid; it must be a plain name such as \"pass\" (for " + "docker-credential-pass)");
        }
        for (Path dir : directories) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Credentials for {@code serverUrl}; empty if the helper is not installed or has none. */
    Optional<Credentials> get(String helper, String serverUrl) throws IOException {
        Optional<Result> r = run(helper, "get", serverUrl.getBytes(StandardCharsets.UTF_8), serverUrl);
        if (r.isEmpty() || r.get().notFound()) {
            return Optional.empty();
        }
        JsonNode json = parse(helper, "get", serverUrl, r.get().stdout);
        String user = json.path("Username").asText("");
        String secret = json.path("Secret").asText("");
        if (user.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        // "<token>" is the protocol's marker for an identity token rather than a user name.
        return Optional.of("<token>".equals(user) ? Credentials.identityToken("", secret) : Credentials.of(user, secret));
    }

    /** Stores credentials; false if the helper is not installed. */
    boolean store(String helper, String serverUrl, Credentials credentials) throws IOException {
        ObjectNode in = Lazy.MAPPER.createObjectNode();
        in.put("ServerURL", serverUrl);
        in.put("Username", credentials.identityToken().isPresent() ? "<token>" : credentials.username());
        in.put("Secret", credentials.identityToken().orElseGet(() -> credentials.password().orElse("")));
        Optional<Result> r = run(helper, "store", Lazy.MAPPER.writeValueAsBytes(in), serverUrl);
        if (r.isPresent() && r.get().exit != 0) {
            throw failure(helper, "store", serverUrl, r.get());
        }
        return r.isPresent();
    }

    /** Erases credentials; true if the helper had some. */
    boolean erase(String helper, String serverUrl) throws IOException {
        Optional<Result> r = run(helper, "erase", serverUrl.getBytes(StandardCharsets.UTF_8), serverUrl);
        if (r.isEmpty() || r.get().notFound()) {
            return false;
        }
        return true;
    }

    /** Server URLs the helper has credentials for; empty if it is not installed. */
    List<String> list(String helper) throws IOException {
        Optional<Result> r = run(helper, "list", new byte[0], "(all)");
        if (r.isEmpty()) {
            return List.of();
        }
        JsonNode json = parse(helper, "list", "(all)", r.get().stdout);
        List<String> urls = new ArrayList<>();
        json.fieldNames().forEachRemaining(urls::add);
        return urls;
    }

    private record Result(int exit, byte[] stdout) {
        String text() {
            return new String(stdout, StandardCharsets.UTF_8).trim();
        }

        boolean notFound() {
            return exit != 0 && text().equals(NOT_FOUND);
        }
    }

    private Optional<Result> run(String helper, String verb, byte[] input, String serverUrl) throws IOException {
        Optional<Path> exe = find(helper);
        if (exe.isEmpty()) {
            return Optional.empty();
        }
        ProcessBuilder pb = new ProcessBuilder(exe.get().toString(), verb);
        pb.environment().clear();
        pb.environment().putAll(environment);
        // The protocol answers on stdout, errors included; stderr is only noise for us.
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try {
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(input);
            } catch (IOException e) {
                // A helper may exit without reading stdin (for example "list"); its answer still counts.
            }
            // Read on another thread so that a helper that hangs with stdout open still times out.
            java.util.concurrent.FutureTask<byte[]> stdout = new java.util.concurrent.FutureTask<>(() -> readBounded(p.getInputStream()));
            Thread reader = new Thread(stdout, "docker-credential-" + helper + " reader");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CredentialHelperException("credential helper docker-credential-" + helper + " " + verb
                        + " for " + Text.printable(serverUrl) + " did not finish within " + timeout.toMillis() + " ms");
            }
            byte[] out;
            try {
                out = stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("reading the answer of docker-credential-" + helper, e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new CredentialHelperException("credential helper docker-credential-" + helper + " " + verb
                        + " for " + Text.printable(serverUrl) + " exited but left its output open");
            }
            Result r = new Result(p.exitValue(), out);
            if (r.exit != 0 && !r.notFound() && !verb.equals("store")) {
                throw failure(helper, verb, serverUrl, r);
            }
            return Optional.of(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running docker-credential-" + helper, e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (b.size() + n > MAX_OUTPUT) {
                throw new CredentialHelperException("credential helper wrote more than " + MAX_OUTPUT + " bytes");
            }
            b.write(buf, 0, n);
        }
        return b.toByteArray();
    }

    private static CredentialHelperException failure(String helper, String verb, String serverUrl, Result r) {
        String text = r.text();
        int nl = text.indexOf('\n');
        return new CredentialHelperException("credential helper docker-credential-" + helper + " " + verb + " for "
                + Text.printable(serverUrl) + " failed with exit status " + r.exit
                + (text.isEmpty() ? "" : ": " + Text.printable(nl < 0 ? text : text.substring(0, nl), 200)));
    }

    private static JsonNode parse(String helper, String verb, String serverUrl, byte[] stdout) {
        try {
            JsonNode n = Lazy.MAPPER.readTree(stdout);
            if (n != null && n.isObject()) {
                return n;
            }
        } catch (IOException e) {
            // The output may hold a secret, so neither it nor the parser's message is shown.
        }
        throw new CredentialHelperException("credential helper docker-credential-" + helper + " " + verb + " for "
                + Text.printable(serverUrl) + " did not answer with a JSON object");
    }

}
