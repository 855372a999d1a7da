package dev.ocikit.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.internal.Text;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials from {@code auth.json} files and {@code docker-credential-<name>} helpers, read
 * and written as containers/image (Podman, Skopeo, Buildah) does; see containers-auth.json(5).
 *
 * <h2>Where credentials are looked up</h2>
 *
 * <p>{@link #forEnvironment} searches, in order, the first file that has an entry:
 * <ol>
 *   <li>{@code $REGISTRY_AUTH_FILE} if set, and then no other file (as with {@code --authfile});
 *   <li>otherwise {@code $XDG_RUNTIME_DIR/containers/auth.json} (or
 *       {@code /run/containers/<uid>/auth.json} when {@code XDG_RUNTIME_DIR} is unset), the
 *       file {@link #login} writes; {@code $XDG_CONFIG_HOME/containers/auth.json} (default
 *       {@code ~/.config}); {@code $DOCKER_CONFIG/config.json} (default
 *       {@code ~/.docker/config.json}); and the legacy {@code ~/.dockercfg}.
 * </ol>
 * Within a file: a {@code credHelpers} entry for the registry asks that helper and ends the
 * search in that file; otherwise the {@code auths} keys are tried most specific first
 * ({@code registry/ns/repo}, {@code registry/ns}, {@code registry}), then any key that names the
 * registry as a URL ({@code https://registry/…}, and {@code https://index.docker.io/v1/} or
 * {@code registry-1.docker.io} for {@code docker.io}). As an extension Docker users expect, a
 * file's {@code credsStore} helper is asked when the file has no usable {@code auths} entry.
 * An {@code auth} field is base64 of {@code user:password}; an {@code identitytoken} next to it
 * makes these identity-token credentials.
 *
 * <p>Helpers run as processes found in the environment's {@code PATH} (or
 * {@link #withHelperDirectories}), with the registry host on stdin. A helper that is not
 * installed, or that answers "credentials not found", is a miss; any other failure is a
 * {@link CredentialHelperException}. {@link #withCredentialHelpers} sets the
 * {@code credential-helpers} list of registries.conf ({@value #AUTH_FILES_HELPER} stands for the
 * files); the default is the files only.
 *
 * <p>Instances are immutable and thread-safe; every lookup reads the files afresh, so a login by
 * another process is seen at once. Like containers/image, writers do not lock the file: two
 * concurrent logins may lose one update, but the file is always whole (atomic rename). Credentials never appear in logs, exception messages or
 * {@link #toString()}.
 */
public final class AuthFiles implements CredentialProvider {
    /** The {@code credential-helpers} name for the auth.json files themselves. */
    public static final String AUTH_FILES_HELPER = "containers-auth.json";

    private static final Logger LOG = LoggerFactory.getLogger(AuthFiles.class);
    /** Built on first use: an ObjectMapper costs a fresh JVM tens of milliseconds that most commands never spend. */
    private static final class Lazy {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_FILE_SIZE = 4 << 20;

    /** One file to search; legacy is the {@code ~/.dockercfg} format without the {@code auths} wrapper. */
    private record AuthPath(Path path, boolean legacy) {}

    private final List<AuthPath> readPaths;
    private final Optional<Path> writePath;
    private final String writePathProblem;
    private final List<String> helpers;
    private final List<Path> helperDirectories;
    private final ContainersEnvironment environment;

    private AuthFiles(List<AuthPath> readPaths, Optional<Path> writePath, String writePathProblem,
            List<String> helpers, List<Path> helperDirectories, ContainersEnvironment environment) {
        this.readPaths = List.copyOf(readPaths);
        this.writePath = writePath;
        this.writePathProblem = writePathProblem;
        this.helpers = List.copyOf(helpers);
        this.helperDirectories = List.copyOf(helperDirectories);
        this.environment = environment;
    }

    /** The files Podman would use in the real process environment. */
    public static AuthFiles forEnvironment() {
        return forEnvironment(ContainersEnvironment.system());
    }

    /** The files Podman would use in {@code env}; see the class description for the order. */
    public static AuthFiles forEnvironment(ContainersEnvironment env) {
        Objects.requireNonNull(env, "env");
        Optional<String> explicit = env.get("REGISTRY_AUTH_FILE");
        if (explicit.isPresent()) {
            Path p = Path.of(explicit.get());
            return new AuthFiles(List.of(new AuthPath(p, false)), Optional.of(p), null,
                    List.of(AUTH_FILES_HELPER), env.path(), env);
        }
        List<AuthPath> paths = new ArrayList<>();
        Optional<Path> write = Optional.empty();
        String problem = null;
        Optional<String> runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (runtimeDir.isPresent()) {
            Path dir = Path.of(runtimeDir.get());
            if (Files.isDirectory(dir)) {
                write = Optional.of(dir.resolve("containers/auth.json"));
            } else {
                problem = "directory \"" + dir + "\" set by $XDG_RUNTIME_DIR does not exist; create it or unset $XDG_RUNTIME_DIR";
                LOG.warn("{}; looking for credentials in the other auth files", problem);
            }
        } else if (env.uid().isPresent()) {
            write = Optional.of(Path.of("/run/containers/" + env.uid().getAsInt() + "/auth.json"));
        } else {
            problem = "neither $XDG_RUNTIME_DIR nor the user id is known; set $REGISTRY_AUTH_FILE";
        }
        write.ifPresent(w -> paths.add(new AuthPath(w, false)));
        paths.add(new AuthPath(env.configHome().resolve("containers/auth.json"), false));
        paths.add(new AuthPath(env.get("DOCKER_CONFIG").map(d -> Path.of(d, "config.json"))
                .orElse(env.home().resolve(".docker/config.json")), false));
        paths.add(new AuthPath(env.home().resolve(".dockercfg"), true));
        return new AuthFiles(paths, write, problem, List.of(AUTH_FILES_HELPER), env.path(), env);
    }

    /** The files Podman would use with these environment variables (never the real environment). */
    public static AuthFiles forEnvironment(Map<String, String> env) {
        return forEnvironment(ContainersEnvironment.of(env));
    }

    /**
     * Only {@code file}, read and written, as with {@code --authfile}. Credential helpers are found
     * on the real {@code PATH}; use {@link #withHelperDirectories} to choose.
     */
    public static AuthFiles at(Path file) {
        ContainersEnvironment env = ContainersEnvironment.system();
        return new AuthFiles(List.of(new AuthPath(file, false)), Optional.of(file), null,
                List.of(AUTH_FILES_HELPER), env.path(), env);
    }

    /**
     * These instead of the {@code credential-helpers} of registries.conf: names of
     * {@code docker-credential-<name>} helpers, and {@value #AUTH_FILES_HELPER} for the files, tried
     * in order until one has credentials. An empty list means the default, the files only.
     */
    public AuthFiles withCredentialHelpers(List<String> credentialHelpers) {
        List<String> h = credentialHelpers.isEmpty() ? List.of(AUTH_FILES_HELPER) : credentialHelpers;
        return new AuthFiles(readPaths, writePath, writePathProblem, h, helperDirectories, environment);
    }

    /** Where {@code docker-credential-*} executables are looked for, instead of {@code PATH}. */
    public AuthFiles withHelperDirectories(List<Path> directories) {
        return new AuthFiles(readPaths, writePath, writePathProblem, helpers, directories, environment);
    }

    /** The files searched, in order (some may not exist). */
    public List<Path> searchPaths() {
        return readPaths.stream().map(AuthPath::path).toList();
    }

    /** The file {@link #login} and {@link #logout} change, if one can be determined. */
    public Optional<Path> writePath() {
        return writePath;
    }

    // ---- reading ----------------------------------------------------------------------------

    @Override
    public Optional<Credentials> credentials(String registry, String repository) throws IOException {
        Objects.requireNonNull(registry, "registry");
        String repo = repository == null ? "" : repository;
        return credentials(repo.isEmpty() ? registry : registry + "/" + repo);
    }

    /**
     * Credentials for {@code key}: a registry ({@code quay.io}), a namespace in it
     * ({@code quay.io/team}) or a repository ({@code quay.io/team/app}); no tag, digest or scheme.
     *
     * @throws ContainersConfigException if a file is malformed
     * @throws InvalidReferenceException if the key has a scheme, a tag or a digest
     * @throws CredentialHelperException if a helper failed
     */
    public Optional<Credentials> credentials(String key) throws IOException {
        validateKey(key);
        int slash = key.indexOf('/');
        String registry = slash < 0 ? key : key.substring(0, slash);
        CredentialHelperProcess runner = runner();
        List<RuntimeException> failures = new ArrayList<>();
        for (String helper : helpers) {
            try {
                Optional<Credentials> c = helper.equals(AUTH_FILES_HELPER)
                        ? fromFiles(key, registry, runner)
                        : runner.get(helper, registry);
                if (c.isPresent()) {
                    LOG.debug("found credentials for {} with {}", key, helper);
                    return c;
                }
            } catch (CredentialHelperException | ContainersConfigException e) {
                if (helpers.size() == 1) {
                    throw e;
                }
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            CredentialHelperException e = new CredentialHelperException("no credential helper could look up credentials for "
                    + Text.printable(key) + ": " + failures.get(0).getMessage()
                    + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more failures)" : ""));
            failures.forEach(e::addSuppressed);
            throw e;
        }
        LOG.debug("no credentials for {}", key);
        return Optional.empty();
    }

    private Optional<Credentials> fromFiles(String key, String registry, CredentialHelperProcess runner) throws IOException {
        for (AuthPath p : readPaths) {
            Optional<Credentials> c = fromFile(p, key, registry, runner);
            if (c.isPresent()) {
                LOG.debug("credentials for {} from {}", key, p.path());
                return c;
            }
        }
        return Optional.empty();
    }

    private Optional<Credentials> fromFile(AuthPath p, String key, String registry, CredentialHelperProcess runner)
            throws IOException {
        Optional<ObjectNode> read = readJson(p.path());
        if (read.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode root = read.get();
        ObjectNode auths;
        if (p.legacy()) {
            auths = root;
        } else {
            Map<String, String> credHelpers = stringMap(p.path(), root, "credHelpers");
            if (credHelpers.containsKey(registry)) {
                return runner.get(credHelpers.get(registry), registry);
            }
            auths = objectField(p.path(), root, "auths");
        }
        List<String> candidates = new ArrayList<>();
        if (p.legacy()) {
            candidates.add(registry);
        } else {
            for (String k = key; ; k = k.substring(0, k.lastIndexOf('/'))) {
                candidates.add(k);
                if (k.indexOf('/') < 0) {
                    break;
                }
            }
        }
        Optional<Credentials> found = Optional.empty();
        boolean matched = false;
        for (String k : candidates) {
            if (auths.has(k)) {
                found = decode(p.path(), k, auths.get(k));
                matched = true;
                break;
            }
        }
        if (!matched) {
            String normalized = normalizeRegistry(registry);
            for (Iterator<String> it = auths.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (normalizeKey(k, p.legacy()).equals(normalized)) {
                    found = decode(p.path(), k, auths.get(k));
                    break;
                }
            }
        }
        if (found.isEmpty() && !p.legacy()) {
            Optional<String> store = stringField(p.path(), root, "credsStore");
            if (store.isPresent()) {
                // Docker keeps Docker Hub's credentials under its v1 API URL.
                String server = normalizeRegistry(registry).equals("index.docker.io") ? "https://index.docker.io/v1/" : registry;
                return runner.get(store.get(), server);
            }
        }
        return found;
    }

    private static Optional<Credentials> decode(Path file, String key, JsonNode entry) {
        String where = "auths." + key;
        if (!entry.isObject()) {
            throw new ContainersConfigException(file, where, "must be a JSON object");
        }
        JsonNode authNode = entry.get("auth");
        JsonNode tokenNode = entry.get("identitytoken");
        if (authNode != null && !authNode.isTextual() && !authNode.isNull()) {
            throw new ContainersConfigException(file, where + ".auth", "must be a string");
        }
        if (tokenNode != null && !tokenNode.isTextual() && !tokenNode.isNull()) {
            throw new ContainersConfigException(file, where + ".identitytoken", "must be a string");
        }
        String auth = authNode == null ? "" : authNode.asText("");
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(auth);
        } catch (IllegalArgumentException e) {
            throw new ContainersConfigException(file, where + ".auth", "is not valid base64");
        }
        String text = new String(decoded, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        if (colon < 0) {
            // Docker leaves "{}" entries behind when a helper holds the secret; like Docker, skip them.
            if (!text.isEmpty()) {
                LOG.warn("the \"auth\" field of entry {} in {} has no ':' between user and password; ignoring it",
                        Text.printable(key), file);
            }
            return Optional.empty();
        }
        String user = text.substring(0, colon);
        String password = stripNul(text.substring(colon + 1));
        String token = tokenNode == null ? "" : tokenNode.asText("");
        return Optional.of(token.isEmpty() ? Credentials.of(user, password) : Credentials.identityToken(user, token));
    }

    private static String stripNul(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == '\0') {
            b++;
        }
        while (e > b && s.charAt(e - 1) == '\0') {
            e--;
        }
        return s.substring(b, e);
    }

    static String normalizeRegistry(String registry) {
        return switch (registry) {
            case "registry-1.docker.io", "docker.io" -> "index.docker.io";
            default -> registry;
        };
    }

    private static String normalizeKey(String key, boolean legacy) {
        String stripped = key;
        if (stripped.startsWith("http://")) {
            stripped = stripped.substring(7);
        } else if (stripped.startsWith("https://")) {
            stripped = stripped.substring(8);
        }
        if (legacy || !stripped.equals(key)) {
            int slash = stripped.indexOf('/');
            if (slash >= 0) {
                stripped = stripped.substring(0, slash);
            }
        }
        return normalizeRegistry(stripped);
    }

    /** Whether {@code key} is namespaced; refuses schemes, digests and tags as containers/image does. */
    private static boolean validateKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new InvalidReferenceException(key, "an auth key (registry[/namespace…]) must not be empty");
        }
        if (key.startsWith("http://") || key.startsWith("https://")) {
            throw new InvalidReferenceException(key, "an auth key must not start with http:// or https://;"
                    + " give the registry as host[:port]");
        }
        if (key.indexOf('@') >= 0) {
            throw new InvalidReferenceException(key, "an auth key contains '@'; it names a registry,"
                    + " namespace or repository, never a digest");
        }
        int slash = key.indexOf('/');
        if (slash >= 0 && key.indexOf(':', slash) >= 0) {
            throw new InvalidReferenceException(key, "an auth key contains ':' after host[:port];"
                    + " it never carries a tag");
        }
        return slash >= 0;
    }

    // ---- writing ----------------------------------------------------------------------------

    /**
     * Stores credentials for {@code key} ({@code registry[/namespace…]}) as {@code podman login}
     * does: with the first of the credential helpers that succeeds; for the files, in the file's
     * {@code credHelpers} helper for that registry if it has one, otherwise as
     * {@code auths[key].auth} (and {@code identitytoken}) in {@link #writePath()}. Every other
     * key and entry of the file is kept; the file is replaced atomically with mode 0600.
     *
     * @return a human-readable description of where the credentials went
     */
    public String login(String key, Credentials credentials) throws IOException {
        Objects.requireNonNull(credentials, "credentials");
        boolean namespaced = validateKey(key);
        CredentialHelperProcess runner = runner();
        List<RuntimeException> failures = new ArrayList<>();
        for (String helper : helpers) {
            try {
                if (helper.equals(AUTH_FILES_HELPER)) {
                    Path file = requireWritePath();
                    String[] where = {file.toString()};
                    edit(file, root -> {
                        Map<String, String> credHelpers = stringMap(file, root, "credHelpers");
                        if (credHelpers.containsKey(key)) {
                            String ch = credHelpers.get(key);
                            if (!runner.store(ch, key, credentials)) {
                                throw new CredentialHelperException("credential helper docker-credential-" + ch
                                        + " named in " + file + " is not installed");
                            }
                            where[0] = "credential helper: " + ch;
                            return false;
                        }
                        ObjectNode auths = root.has("auths") ? objectField(file, root, "auths") : root.putObject("auths");
                        ObjectNode entry = Lazy.MAPPER.createObjectNode();
                        String user = credentials.username();
                        String password = credentials.password().orElse("");
                        entry.put("auth", Base64.getEncoder().encodeToString(
                                (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
                        credentials.identityToken().ifPresent(t -> entry.put("identitytoken", t));
                        auths.set(key, entry);
                        return true;
                    });
                    return where[0];
                }
                if (namespaced) {
                    throw new CredentialHelperException("credential helper docker-credential-" + helper
                            + " cannot store credentials for a namespace (" + Text.printable(key) + ")");
                }
                if (runner.store(helper, key, credentials)) {
                    return "credential helper: " + helper;
                }
                throw new CredentialHelperException("credential helper docker-credential-" + helper + " is not installed");
            } catch (CredentialHelperException | ContainersConfigException e) {
                failures.add(e);
            }
        }
        RuntimeException first = failures.get(0);
        if (failures.size() == 1) {
            throw first;
        }
        CredentialHelperException e = new CredentialHelperException("could not store credentials for "
                + Text.printable(key) + ": " + first.getMessage());
        failures.forEach(e::addSuppressed);
        throw e;
    }

    /**
     * Removes the credentials for exactly {@code key} from the write file (and from the helper the
     * file's {@code credHelpers} names for it, and from the external credential helpers), as
     * {@code podman logout} does.
     *
     * @return whether there were credentials to remove (Podman reports "not logged in" otherwise)
     */
    public boolean logout(String key) throws IOException {
        boolean namespaced = validateKey(key);
        CredentialHelperProcess runner = runner();
        boolean[] loggedIn = {false};
        for (String helper : helpers) {
            if (helper.equals(AUTH_FILES_HELPER)) {
                Path file = requireWritePath();
                edit(file, root -> {
                    Map<String, String> credHelpers = stringMap(file, root, "credHelpers");
                    if (credHelpers.containsKey(key) && !namespaced && runner.erase(credHelpers.get(key), key)) {
                        loggedIn[0] = true;
                    }
                    if (root.has("auths") && objectField(file, root, "auths").remove(key) != null) {
                        loggedIn[0] = true;
                        return true;
                    }
                    return false;
                });
            } else if (!namespaced && runner.erase(helper, key)) {
                loggedIn[0] = true;
            }
        }
        return loggedIn[0];
    }

    /**
     * Removes every credential: all {@code auths} and {@code credHelpers} of the write file (erasing
     * what those helpers hold), and everything the external credential helpers list, as
     * {@code podman logout --all} does. Other keys of the file are kept.
     */
    public void logoutAll() throws IOException {
        CredentialHelperProcess runner = runner();
        for (String helper : helpers) {
            if (helper.equals(AUTH_FILES_HELPER)) {
                Path file = requireWritePath();
                edit(file, root -> {
                    for (Map.Entry<String, String> e : stringMap(file, root, "credHelpers").entrySet()) {
                        runner.erase(e.getValue(), e.getKey());
                    }
                    boolean changed = root.has("auths") || root.has("credHelpers");
                    root.putObject("auths");
                    root.remove("credHelpers");
                    return changed;
                });
            } else {
                for (String server : runner.list(helper)) {
                    runner.erase(helper, server);
                }
            }
        }
    }

    private Path requireWritePath() {
        return writePath.orElseThrow(() -> new ContainersConfigException(null, null,
                "no auth.json to write credentials to: " + writePathProblem));
    }

    @FunctionalInterface
    private interface Editor {
        boolean edit(ObjectNode root) throws IOException;
    }

    private static void edit(Path file, Editor editor) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // Raced with another writer; fine.
            }
        }
        ObjectNode root = readJson(file).orElseGet(Lazy.MAPPER::createObjectNode);
        if (!editor.edit(root)) {
            return;
        }
        writeAtomically(file, format(root));
    }

    /** Tab-indented like Go's json.MarshalIndent, with {@code auths} keys sorted as Go sorts map keys. */
    static byte[] format(ObjectNode root) throws JsonProcessingException {
        JsonNode auths = root.get("auths");
        if (auths instanceof ObjectNode a) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            a.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
            a.removeAll();
            sorted.forEach(a::set);
        }
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new DefaultIndenter("\t", "\n"));
        return Lazy.MAPPER.writer(pp).writeValueAsBytes(root);
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- JSON helpers -------------------------------------------------------------------------

    private static Optional<ObjectNode> readJson(Path file) throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new ContainersConfigException(file, null, "is larger than " + MAX_FILE_SIZE + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = Lazy.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            // The parser's own message may quote file content, which may be a secret: only the place.
            JsonLocation l = e.getLocation();
            throw new ContainersConfigException(file, null, "is not valid JSON"
                    + (l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")"));
        }
        if (n == null || n.isMissingNode()) {
            throw new ContainersConfigException(file, null, "is empty; it must hold a JSON object");
        }
        if (!n.isObject()) {
            throw new ContainersConfigException(file, null, "must hold a JSON object");
        }
        return Optional.of((ObjectNode) n);
    }

    private static ObjectNode objectField(Path file, ObjectNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return Lazy.MAPPER.createObjectNode();
        }
        if (!n.isObject()) {
            throw new ContainersConfigException(file, name, "must be a JSON object");
        }
        return (ObjectNode) n;
    }

    private static Map<String, String> stringMap(Path file, ObjectNode root, String name) {
        ObjectNode o = objectField(file, root, name);
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new ContainersConfigException(file, name + "." + e.getKey(), "must be a string (a helper name)");
            }
            m.put(e.getKey(), e.getValue().asText());
        }
        return m;
    }

    private static Optional<String> stringField(Path file, ObjectNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new ContainersConfigException(file, name, "must be a string");
        }
        return n.asText().isEmpty() ? Optional.empty() : Optional.of(n.asText());
    }

    private CredentialHelperProcess runner() {
        return new CredentialHelperProcess(helperDirectories, environment.variables(), HELPER_TIMEOUT);
    }

    @Override
    public String toString() {
        return "AuthFiles" + searchPaths() + (helpers.equals(List.of(AUTH_FILES_HELPER)) ? "" : ", helpers " + helpers);
    }
}
