package dev.ocikit.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import dev.ocikit.spec.internal.JsonTrees;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.internal.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The registries configuration, {@code registries.conf} version 2 with its drop-ins, as
 * containers/image reads it (see containers-registries.conf(5)): unqualified-search registries,
 * short-name aliases and mode, credential helpers, and {@code [[registry]]} tables with prefixes,
 * locations, {@code insecure}, {@code blocked} and mirrors. Version 1 files
 * ({@code [registries.search]}, {@code [registries.insecure]}, {@code [registries.block]}) are
 * converted as containers/image converts them.
 *
 * <h2>Which files</h2>
 *
 * <p>{@link #load(ContainersEnvironment)} reads {@code $CONTAINERS_REGISTRIES_CONF} if set;
 * otherwise {@code $HOME/.config/containers/registries.conf} if it exists (and then only the
 * drop-ins in {@code $HOME/.config/containers/registries.conf.d}); otherwise
 * {@code /etc/containers/registries.conf}. Unless the per-user file was chosen, drop-ins come
 * from {@code /etc/containers/registries.conf.d} and then the per-user directory. A missing main
 * file is an empty configuration (an explicitly chosen one must exist). Drop-ins are the
 * {@code *.conf} files of each directory (not of its subdirectories) in name order, and must
 * use the version 2 format; each overrides what came before:
 * {@code unqualified-search-registries}, {@code short-name-mode} and {@code credential-helpers}
 * when it sets them, a {@code [[registry]]} with the same prefix as a whole, aliases one by one
 * (an empty value removes one). {@link #loader()} overrides every path.
 *
 * <p>Short-name aliases are also read from the machine-written {@code short-name-aliases.conf}
 * ({@code /var/cache/containers/} for root, {@code $XDG_CACHE_HOME/containers/} otherwise),
 * which takes precedence over registries.conf; it is read at each resolution, as Podman may
 * update it at any time.
 *
 * <p>Immutable and thread-safe. Invalid files throw {@link ContainersConfigException} naming the
 * file and the key.
 */
public final class RegistriesConf {
    /** The built-in short-name mode when no file sets one. */
    public static final ShortNameMode DEFAULT_SHORT_NAME_MODE = ShortNameMode.PERMISSIVE;
    private static final Path SYSTEM_DIRECTORY = Path.of("/etc/containers");
    private static final int MAX_FILE_SIZE = 4 << 20;

    /** How short names are resolved when several search registries are candidates. */
    public enum ShortNameMode {
        /** Use every candidate, in order. */
        PERMISSIVE,
        /** Refuse ambiguity (Podman would prompt; a library has no one to ask). */
        ENFORCING,
        /** Use every candidate, never prompt or record. */
        DISABLED;

        /** The value as written in registries.conf. */
        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which references a mirror serves. */
    public enum PullFromMirror {
        /** Tags and digests (the default). */
        ALL("all"),
        /** Only references with a digest. */
        DIGEST_ONLY("digest-only"),
        /** Only references without a digest. */
        TAG_ONLY("tag-only");

        private final String configValue;

        PullFromMirror(String configValue) {
            this.configValue = configValue;
        }

        /** The value as written in registries.conf. */
        public String configValue() {
            return configValue;
        }
    }

    /**
     * A {@code [[registry.mirror]]}.
     *
     * @param location {@code host[:port][/namespace…]} that replaces the registry's prefix
     * @param insecure whether TLS may be unverified or plain http used
     * @param pullFromMirror which references this mirror serves
     */
    public record Mirror(String location, boolean insecure, PullFromMirror pullFromMirror) {
        public Mirror {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(pullFromMirror, "pullFromMirror");
        }
    }

    /**
     * A {@code [[registry]]} table after containers/image's processing: the prefix defaults to the
     * location; only a {@code *.example.com} prefix may go without a location (empty here,
     * meaning "the image's own host").
     *
     * @param prefix what image names it applies to: {@code host[:port][/path…]} or {@code *.domain}
     * @param location where those images really are; empty for a wildcard prefix without location
     * @param insecure whether TLS may be unverified or plain http used
     * @param blocked whether pulling from it is refused
     * @param mirrorByDigestOnly whether mirrors are used only for references with a digest
     * @param mirrors the mirrors, tried in order before the location
     */
    public record Registry(String prefix, String location, boolean insecure, boolean blocked,
            boolean mirrorByDigestOnly, List<Mirror> mirrors) {
        public Registry {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(location, "location");
            mirrors = List.copyOf(mirrors);
        }
    }

    /**
     * One place to try pulling an image from, in the order {@link #pullSources} gives.
     *
     * @param reference the image's name at that place
     * @param insecure whether that place is marked insecure
     * @param mirror whether it is a mirror (false for the registry itself)
     */
    public record PullSource(ImageReference reference, boolean insecure, boolean mirror) {
        public PullSource {
            Objects.requireNonNull(reference, "reference");
        }
    }

    /** An alias value (empty when a file set it to "" to remove it) and the file it came from. */
    private record Alias(Optional<ImageReference> value, Path origin) {}

    private final List<Path> files;
    private final List<String> unqualifiedSearchRegistries;
    private final Optional<Path> searchRegistriesOrigin;
    private final Optional<ShortNameMode> shortNameMode;
    private final Map<String, Alias> aliases;
    private final Optional<List<String>> credentialHelpers;
    private final List<Registry> registries;
    private final Optional<Path> shortNameAliasesFile;

    private RegistriesConf(Parsed p, Optional<Path> shortNameAliasesFile) {
        this.files = List.copyOf(p.files);
        this.unqualifiedSearchRegistries = p.search == null ? List.of() : List.copyOf(p.search);
        this.searchRegistriesOrigin = Optional.ofNullable(p.searchOrigin);
        this.shortNameMode = Optional.ofNullable(p.mode);
        this.aliases = Map.copyOf(p.aliases);
        this.credentialHelpers = Optional.ofNullable(p.helpers).map(List::copyOf);
        this.registries = List.copyOf(new TreeMap<>(p.registries).values());
        this.shortNameAliasesFile = shortNameAliasesFile;
    }

    // ---- loading ------------------------------------------------------------------------------

    /** The configuration the real environment's Podman would use. */
    public static RegistriesConf load() throws IOException {
        return loader().load();
    }

    /** The configuration Podman would use in {@code env}; see the class description. */
    public static RegistriesConf load(ContainersEnvironment env) throws IOException {
        return loader().environment(env).load();
    }

    /**
     * Exactly these files, merged in order as a main file and its drop-ins (so only the first
     * may use the version 1 format; missing files are skipped); no {@code short-name-aliases.conf}.
     */
    public static RegistriesConf load(Path... files) throws IOException {
        Parsed merged = new Parsed();
        for (int i = 0; i < files.length; i++) {
            readFile(files[i], i > 0).ifPresent(merged::update);
        }
        return finish(merged, Optional.empty());
    }

    /** A configuration with nothing in it: no search registries, aliases or registry tables. */
    public static RegistriesConf empty() {
        return new RegistriesConf(new Parsed(), Optional.empty());
    }

    /** Chooses every path explicitly; what is not set follows the environment. */
    public static Loader loader() {
        return new Loader();
    }

    /** Chooses the files {@link RegistriesConf} reads. Not thread-safe; use it once. */
    public static final class Loader {
        private ContainersEnvironment env;
        private Path mainFile;
        private List<Path> dropInDirectories;
        private Path systemDirectory = SYSTEM_DIRECTORY;
        private Optional<Path> aliasesFile;

        private Loader() {}

        /** The environment (default: the real one). */
        public Loader environment(ContainersEnvironment env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        /** The main file, as {@code CONTAINERS_REGISTRIES_CONF} sets it (it need not exist). */
        public Loader mainFile(Path file) {
            this.mainFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** The drop-in directories, in order, instead of the defaults. */
        public Loader dropInDirectories(Path... directories) {
            this.dropInDirectories = List.of(directories);
            return this;
        }

        /** Where the system files are, instead of {@code /etc/containers}. */
        public Loader systemDirectory(Path directory) {
            this.systemDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** The {@code short-name-aliases.conf} file, or none when {@code file} is null. */
        public Loader shortNameAliasesFile(Path file) {
            this.aliasesFile = Optional.ofNullable(file);
            return this;
        }

        /**
         * Reads and merges the files.
         *
         * @throws ContainersConfigException if a file is malformed or holds an invalid value
         */
        public RegistriesConf load() throws IOException {
            ContainersEnvironment e = env == null ? ContainersEnvironment.system() : env;
            Path userDir = e.home().resolve(".config/containers");
            Path userFile = userDir.resolve("registries.conf");
            Path userDropIns = userDir.resolve("registries.conf.d");
            Path main;
            List<Path> dirs;
            Optional<Path> explicit = Optional.ofNullable(mainFile)
                    .or(() -> e.get("CONTAINERS_REGISTRIES_CONF").map(Path::of));
            if (explicit.isPresent()) {
                main = explicit.get();
                dirs = List.of(systemDirectory.resolve("registries.conf.d"), userDropIns);
            } else if (Files.exists(userFile)) {
                main = userFile;
                dirs = List.of(userDropIns);
            } else {
                main = systemDirectory.resolve("registries.conf");
                dirs = List.of(systemDirectory.resolve("registries.conf.d"), userDropIns);
            }
            if (dropInDirectories != null) {
                dirs = dropInDirectories;
            }
            Parsed merged = new Parsed();
            Optional<Parsed> mainConf = readFile(main, false);
            if (mainConf.isEmpty() && explicit.isPresent()) {
                throw new ContainersConfigException(main, null, "does not exist");
            }
            mainConf.ifPresent(merged::update);
            for (Path dir : dirs) {
                for (Path f : dropIns(dir)) {
                    readFile(f, true).ifPresent(merged::update);
                }
            }
            Optional<Path> cache = aliasesFile != null ? aliasesFile
                    : Optional.of(e.isRoot() ? Path.of("/var/cache/containers/short-name-aliases.conf")
                            : e.cacheHome().resolve("containers/short-name-aliases.conf"));
            return finish(merged, cache);
        }
    }

    /** The {@code *.conf} files directly in {@code dir}, in name order (subdirectories are not read). */
    private static List<Path> dropIns(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        for (Path p : entries) {
            if (!Files.isDirectory(p) && p.getFileName().toString().endsWith(".conf")) {
                out.add(p);
            }
        }
        return out;
    }

    private static RegistriesConf finish(Parsed merged, Optional<Path> cache) {
        checkConflicts(merged);
        return new RegistriesConf(merged, cache);
    }

    // Two [[registry]] tables for the same location must agree on insecure and blocked.
    private static void checkConflicts(Parsed p) {
        Map<String, Registry> byLocation = new LinkedHashMap<>();
        for (Registry r : p.registries.values()) {
            String where = r.location().isEmpty() ? r.prefix() : r.location();
            Registry other = byLocation.putIfAbsent(where, r);
            if (other != null && other.insecure() != r.insecure()) {
                throw new ContainersConfigException(null, "registry", "registry \"" + where
                        + "\" is defined several times with conflicting 'insecure' settings (prefixes \""
                        + other.prefix() + "\" and \"" + r.prefix() + "\") in " + p.files);
            }
            if (other != null && other.blocked() != r.blocked()) {
                throw new ContainersConfigException(null, "registry", "registry \"" + where
                        + "\" is defined several times with conflicting 'blocked' settings (prefixes \""
                        + other.prefix() + "\" and \"" + r.prefix() + "\") in " + p.files);
            }
        }
    }

    /** What one or more files say; null where nothing was said, so that drop-ins override only what they set. */
    private static final class Parsed {
        final List<Path> files = new ArrayList<>();
        List<String> search;
        Path searchOrigin;
        ShortNameMode mode;
        List<String> helpers;
        final Map<String, Alias> aliases = new LinkedHashMap<>();
        final Map<String, Registry> registries = new LinkedHashMap<>();

        void update(Parsed u) {
            files.addAll(u.files);
            if (u.search != null) {
                search = u.search;
                searchOrigin = u.searchOrigin;
            }
            if (u.mode != null) {
                mode = u.mode;
            }
            if (u.helpers != null) {
                helpers = u.helpers;
            }
            aliases.putAll(u.aliases);
            registries.putAll(u.registries);
        }
    }

    /** The factory, not a TomlMapper: a mapper costs a fresh JVM tens of milliseconds for a file read into a tree. */
    private static final TomlFactory TOML = new TomlFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static Optional<JsonNode> readToml(Path file) throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new ContainersConfigException(file, null, "is larger than " + MAX_FILE_SIZE + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            try (JsonParser p = TOML.createParser(bytes)) {
                JsonToken first = p.nextToken();
                return Optional.of(first == null ? NODES.objectNode() : JsonTrees.read(p, first));
            }
        } catch (JacksonException e) {
            JsonLocation l = e.getLocation();
            String problem = e.getOriginalMessage();
            int nl = problem == null ? -1 : problem.indexOf('\n');
            throw new ContainersConfigException(file, null, "is not valid TOML"
                    + (l == null || l.getLineNr() < 1 ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")")
                    + (problem == null ? "" : ": " + Text.printable(nl < 0 ? problem : problem.substring(0, nl), 200)), e);
        }
    }

    private static Optional<Parsed> readFile(Path file, boolean dropIn) throws IOException {
        Optional<JsonNode> tree = readToml(file);
        if (tree.isEmpty()) {
            return Optional.empty();
        }
        JsonNode root = tree.get();
        Parsed p = new Parsed();
        p.files.add(file);
        boolean v2 = false;
        if (root.has("unqualified-search-registries")) {
            p.search = searchRegistries(file, "unqualified-search-registries", root.get("unqualified-search-registries"));
            p.searchOrigin = file;
            v2 = true;
        }
        if (root.has("short-name-mode")) {
            String m = string(file, "short-name-mode", root.get("short-name-mode"));
            if (!m.isEmpty()) {
                p.mode = switch (m) {
                    case "enforcing" -> ShortNameMode.ENFORCING;
                    case "permissive" -> ShortNameMode.PERMISSIVE;
                    case "disabled" -> ShortNameMode.DISABLED;
                    default -> throw new ContainersConfigException(file, "short-name-mode", "\"" + Text.printable(m)
                            + "\" is not a short-name mode; use enforcing, permissive or disabled");
                };
            }
        }
        if (root.has("credential-helpers")) {
            List<String> h = strings(file, "credential-helpers", root.get("credential-helpers"));
            for (int i = 0; i < h.size(); i++) {
                if (h.get(i).isEmpty()) {
                    throw new ContainersConfigException(file, "credential-helpers[" + i + "]", "must not be empty");
                }
            }
            p.helpers = h;
        }
        if (root.has("aliases")) {
            p.aliases.putAll(aliases(file, root.get("aliases")));
        }
        if (root.has("registry")) {
            JsonNode regs = root.get("registry");
            if (!regs.isArray()) {
                throw new ContainersConfigException(file, "registry", "must be an array of tables ([[registry]])");
            }
            for (int i = 0; i < regs.size(); i++) {
                Registry r = registry(file, "registry[" + i + "]", regs.get(i));
                // The first table with a prefix wins within one file; later ones are ignored, as containers/image does.
                p.registries.putIfAbsent(r.prefix(), r);
            }
            v2 = true;
        }
        if (root.has("registries")) {
            if (dropIn) {
                throw new ContainersConfigException(file, "registries", "drop-in files must use the version 2 format"
                        + " ([[registry]], unqualified-search-registries), not [registries.*]");
            }
            convertV1(file, root.get("registries"), p, v2);
        }
        return Optional.of(p);
    }

    private static void convertV1(Path file, JsonNode v1, Parsed p, boolean v2) {
        if (!v1.isObject()) {
            throw new ContainersConfigException(file, "registries", "must be a table (the version 1 format)");
        }
        if (v2) {
            throw new ContainersConfigException(file, "registries", "mixes the version 1 format ([registries.*])"
                    + " with version 2 keys; use only version 2 ([[registry]], unqualified-search-registries)");
        }
        Map<String, boolean[]> flags = new LinkedHashMap<>();
        for (String kind : List.of("search", "insecure", "block")) {
            JsonNode table = v1.get(kind);
            if (table == null) {
                continue;
            }
            String key = "registries." + kind + ".registries";
            JsonNode list = table.get("registries");
            List<String> locations = list == null ? List.of() : strings(file, key, list);
            if (kind.equals("search")) {
                p.search = searchRegistries(file, key, list == null ? NODES.arrayNode() : list);
                p.searchOrigin = file;
                continue;
            }
            for (int i = 0; i < locations.size(); i++) {
                String loc = location(file, key + "[" + i + "]", locations.get(i));
                flags.computeIfAbsent(loc, l -> new boolean[2])[kind.equals("insecure") ? 0 : 1] = true;
            }
        }
        flags.forEach((loc, f) -> p.registries.put(loc, new Registry(loc, loc, f[0], f[1], false, List.of())));
    }

    private static Registry registry(Path file, String key, JsonNode n) {
        if (!n.isObject()) {
            throw new ContainersConfigException(file, key, "must be a table");
        }
        String prefix = n.has("prefix") ? location(file, key + ".prefix", string(file, key + ".prefix", n.get("prefix"))) : "";
        String location = n.has("location") ? location(file, key + ".location", string(file, key + ".location", n.get("location"))) : "";
        boolean insecure = bool(file, key + ".insecure", n.get("insecure"));
        boolean blocked = bool(file, key + ".blocked", n.get("blocked"));
        boolean digestOnly = bool(file, key + ".mirror-by-digest-only", n.get("mirror-by-digest-only"));
        if (prefix.isEmpty()) {
            if (location.isEmpty()) {
                throw new ContainersConfigException(file, key, "neither prefix nor location is set");
            }
            prefix = location;
        } else if (prefix.startsWith("*.")) {
            if (prefix.indexOf('/') >= 0 || prefix.indexOf('@') >= 0 || prefix.indexOf(':') >= 0) {
                throw new ContainersConfigException(file, key + ".prefix", "wildcard prefix \"" + Text.printable(prefix)
                        + "\" must have the form *.example.com (no port, path, tag or digest)");
            }
        } else if (location.isEmpty()) {
            throw new ContainersConfigException(file, key + ".location", "is not set; only a wildcard prefix"
                    + " (*.example.com) may go without a location");
        }
        if (n.has("pull-from-mirror")) {
            throw new ContainersConfigException(file, key + ".pull-from-mirror",
                    "applies to mirrors only; set it in [[registry.mirror]]");
        }
        List<Mirror> mirrors = new ArrayList<>();
        JsonNode ms = n.get("mirror");
        if (ms != null) {
            if (!ms.isArray()) {
                throw new ContainersConfigException(file, key + ".mirror", "must be an array of tables ([[registry.mirror]])");
            }
            for (int i = 0; i < ms.size(); i++) {
                String mk = key + ".mirror[" + i + "]";
                JsonNode m = ms.get(i);
                if (!m.isObject()) {
                    throw new ContainersConfigException(file, mk, "must be a table");
                }
                String ml = m.has("location") ? location(file, mk + ".location", string(file, mk + ".location", m.get("location"))) : "";
                if (ml.isEmpty()) {
                    throw new ContainersConfigException(file, mk + ".location", "is not set; a mirror needs a location");
                }
                PullFromMirror pfm = PullFromMirror.ALL;
                if (m.has("pull-from-mirror")) {
                    String v = string(file, mk + ".pull-from-mirror", m.get("pull-from-mirror"));
                    if (!v.isEmpty() && digestOnly) {
                        throw new ContainersConfigException(file, mk + ".pull-from-mirror", "cannot be set when the registry \""
                                + prefix + "\" sets mirror-by-digest-only; use one or the other");
                    }
                    pfm = switch (v) {
                        case "", "all" -> PullFromMirror.ALL;
                        case "digest-only" -> PullFromMirror.DIGEST_ONLY;
                        case "tag-only" -> PullFromMirror.TAG_ONLY;
                        default -> throw new ContainersConfigException(file, mk + ".pull-from-mirror", "\"" + Text.printable(v)
                                + "\" is not valid; use all, digest-only or tag-only");
                    };
                }
                mirrors.add(new Mirror(ml, bool(file, mk + ".insecure", m.get("insecure")), pfm));
            }
        }
        return new Registry(prefix, location, insecure, blocked, digestOnly, mirrors);
    }

    /** Trailing slashes dropped; URL schemes refused, as containers/image does. */
    private static String location(Path file, String key, String value) {
        String trimmed = value;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
            throw new ContainersConfigException(file, key, "\"" + Text.printable(value)
                    + "\" has a URL scheme, which is not supported; write host[:port][/path]");
        }
        return trimmed;
    }

    private static List<String> searchRegistries(Path file, String key, JsonNode n) {
        List<String> raw = strings(file, key, n);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String reg = location(file, key + "[" + i + "]", raw.get(i));
            if (!isHostPort(reg)) {
                throw new ContainersConfigException(file, key + "[" + i + "]", "\"" + Text.printable(reg)
                        + "\" is not a registry host[:port]");
            }
            out.add(reg);
        }
        return out;
    }

    /** A host name, IPv4 or [IPv6] address, with an optional port; no path. */
    private static boolean isHostPort(String s) {
        String host = s;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = null;
            String inner = s.substring(1, close);
            if (inner.isEmpty() || !inner.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':')) {
                return false;
            }
            s = s.substring(close + 1);
            if (s.isEmpty()) {
                return true;
            }
            if (s.charAt(0) != ':') {
                return false;
            }
            return isPort(s.substring(1));
        }
        int colon = s.indexOf(':');
        if (colon >= 0) {
            host = s.substring(0, colon);
            if (!isPort(s.substring(colon + 1))) {
                return false;
            }
        }
        if (host.isEmpty()) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.startsWith("-") || label.endsWith("-")
                    || !label.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPort(String p) {
        return !p.isEmpty() && p.length() <= 5 && p.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static Map<String, Alias> aliases(Path file, JsonNode n) {
        if (!n.isObject()) {
            throw new ContainersConfigException(file, "aliases", "must be a table");
        }
        Map<String, Alias> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String key = "aliases.\"" + name + "\"";
            String problem = shortNameProblem(name);
            if (problem != null) {
                throw new ContainersConfigException(file, key, problem);
            }
            String value = string(file, key, e.getValue());
            if (value.isEmpty()) {
                out.put(name, new Alias(Optional.empty(), file));
                continue;
            }
            out.put(name, new Alias(Optional.of(aliasValue(file, key, value)), file));
        }
        return out;
    }

    /** Null if {@code name} may be an alias key: a short name without tag or digest. */
    private static String shortNameProblem(String name) {
        boolean shortName;
        try {
            shortName = ImageReference.isShortName(name);
        } catch (InvalidReferenceException e) {
            return "\"" + Text.printable(name) + "\" is not a valid short name: " + e.getMessage();
        }
        if (!shortName) {
            return "short name \"" + Text.printable(name) + "\" must not contain a registry";
        }
        ImageReference r = ImageReference.parse(name);
        if (r.digest().isPresent()) {
            return "short name \"" + Text.printable(name) + "\" must not contain a digest";
        }
        if (r.tag().isPresent()) {
            return "short name \"" + Text.printable(name) + "\" must not contain a tag";
        }
        return null;
    }

    private static ImageReference aliasValue(Path file, String key, String value) {
        ImageReference r;
        try {
            r = ImageReference.parseFullyQualified(value);
        } catch (InvalidReferenceException e) {
            throw new ContainersConfigException(file, key, "alias \"" + Text.printable(value)
                    + "\" must be a fully qualified repository (registry and repository): " + e.getMessage());
        }
        if (r.digest().isPresent()) {
            throw new ContainersConfigException(file, key, "alias \"" + Text.printable(value) + "\" must not contain a digest");
        }
        if (r.tag().isPresent()) {
            throw new ContainersConfigException(file, key, "alias \"" + Text.printable(value) + "\" must not contain a tag");
        }
        return r;
    }

    private static String string(Path file, String key, JsonNode n) {
        if (n == null || !n.isTextual()) {
            throw new ContainersConfigException(file, key, "must be a string");
        }
        return n.asText();
    }

    private static boolean bool(Path file, String key, JsonNode n) {
        if (n == null) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new ContainersConfigException(file, key, "must be true or false");
        }
        return n.asBoolean();
    }

    private static List<String> strings(Path file, String key, JsonNode n) {
        if (n == null || !n.isArray()) {
            throw new ContainersConfigException(file, key, "must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            out.add(string(file, key + "[" + i + "]", n.get(i)));
        }
        return out;
    }

    // ---- accessors ------------------------------------------------------------------------------

    /** The files that were read, in merge order (missing ones left out). */
    public List<Path> files() {
        return files;
    }

    /** The registries short names are searched in, in order. */
    public List<String> unqualifiedSearchRegistries() {
        return unqualifiedSearchRegistries;
    }

    /** The short-name mode, {@link #DEFAULT_SHORT_NAME_MODE} unless a file sets one. */
    public ShortNameMode shortNameMode() {
        return shortNameMode.orElse(DEFAULT_SHORT_NAME_MODE);
    }

    /** The {@code credential-helpers} list; {@code [containers-auth.json]} unless a file sets one. */
    public List<String> credentialHelpers() {
        return credentialHelpers.filter(h -> !h.isEmpty()).orElse(List.of(AuthFiles.AUTH_FILES_HELPER));
    }

    /** The {@code [aliases]} of the registries.conf files (not the aliases cache), short name to repository. */
    public Map<String, ImageReference> aliases() {
        Map<String, ImageReference> out = new TreeMap<>();
        aliases.forEach((k, v) -> v.value().ifPresent(r -> out.put(k, r)));
        return out;
    }

    /** The {@code [[registry]]} tables, one per prefix, sorted by prefix. */
    public List<Registry> registries() {
        return registries;
    }

    /** {@link AuthFiles} using this configuration's {@code credential-helpers}. */
    public AuthFiles authFiles(AuthFiles files) {
        return files.withCredentialHelpers(credentialHelpers());
    }

    // ---- matching -------------------------------------------------------------------------------

    /** The registry table whose prefix matches {@code reference}'s repository longest, if any. */
    public Optional<Registry> registryFor(ImageReference reference) {
        return registryFor(reference.repository());
    }

    /**
     * The registry table whose prefix matches {@code name} longest ({@code host[:port][/path…]},
     * optionally with a tag or digest); the first table wins a tie. A prefix matches whole
     * components only: {@code example.com/foo} matches {@code example.com/foo/bar} and
     * {@code example.com/foo:1} but not {@code example.com/foobar}; {@code *.example.com}
     * matches the hosts under example.com, at any depth, but not example.com itself. As in
     * containers/image, the longest prefix wins, so {@code *.sub.example.com} beats
     * {@code *.example.com}, and {@code example.com} also matches {@code example.com:5000}.
     */
    public Optional<Registry> registryFor(String name) {
        Registry best = null;
        int bestLength = -1;
        for (Registry r : registries) {
            // Like containers/image, the longer prefix wins, not the longer match.
            int len = matchLength(name, r.prefix()) < 0 ? -1 : r.prefix().length();
            if (len > bestLength) {
                best = r;
                bestLength = len;
            }
        }
        return Optional.ofNullable(best);
    }

    /** How many characters of {@code ref} {@code prefix} matches, or -1. */
    static int matchLength(String ref, String prefix) {
        if (prefix.startsWith("*.")) {
            String domain = prefix.substring(1);
            int at = ref.indexOf(domain);
            if (at < 0 || ref.substring(0, at).indexOf('/') >= 0) {
                return -1;
            }
            int end = at + domain.length();
            return end == ref.length() || isBoundary(ref.charAt(end)) ? end : -1;
        }
        if (!ref.startsWith(prefix)) {
            return -1;
        }
        return ref.length() == prefix.length() || isBoundary(ref.charAt(prefix.length())) ? prefix.length() : -1;
    }

    private static boolean isBoundary(char c) {
        return c == '/' || c == ':' || c == '@';
    }

    /**
     * Where to pull {@code reference} from, in order, as containers/image does: the mirrors of its
     * registry table that serve this kind of reference (with a digest or without, per
     * {@code mirror-by-digest-only} and {@code pull-from-mirror}), then the registry's location;
     * each with the matched prefix replaced by the mirror's or registry's location. Without a
     * matching table, the reference itself.
     *
     * @throws BlockedRegistryException if the matching table is blocked
     * @throws ContainersConfigException if a rewritten name is not a valid reference
     */
    public List<PullSource> pullSources(ImageReference reference) {
        Optional<Registry> match = registryFor(reference);
        if (match.isEmpty()) {
            return List.of(new PullSource(reference, false, false));
        }
        Registry r = match.get();
        if (r.blocked()) {
            throw new BlockedRegistryException("registry \"" + r.prefix() + "\" is blocked in " + files
                    + "; " + reference + " cannot be pulled");
        }
        boolean digested = reference.digest().isPresent();
        List<PullSource> out = new ArrayList<>();
        for (Mirror m : r.mirrors()) {
            boolean use = r.mirrorByDigestOnly() ? digested : switch (m.pullFromMirror()) {
                case ALL -> true;
                case DIGEST_ONLY -> digested;
                case TAG_ONLY -> !digested;
            };
            if (use) {
                out.add(new PullSource(rewrite(reference, r.prefix(), m.location()), m.insecure(), true));
            }
        }
        out.add(new PullSource(r.location().isEmpty() ? reference : rewrite(reference, r.prefix(), r.location()),
                r.insecure(), false));
        return List.copyOf(out);
    }

    private ImageReference rewrite(ImageReference reference, String prefix, String location) {
        String text = reference.toString();
        int len = matchLength(text, prefix);
        String rewritten = location + text.substring(len);
        try {
            return ImageReference.parseFullyQualified(rewritten);
        } catch (InvalidReferenceException e) {
            throw new ContainersConfigException(null, "location", "rewriting " + reference + " with prefix \"" + prefix
                    + "\" and location \"" + location + "\" gives \"" + Text.printable(rewritten)
                    + "\", which is not a valid reference (" + e.getMessage() + "); files: " + files);
        }
    }

    // ---- short names ----------------------------------------------------------------------------

    /**
     * The fully qualified references to try pulling {@code name} as, in order, as Podman resolves
     * it without a terminal: a reference naming its registry as is; a short name through its
     * alias (the aliases cache first, then registries.conf) if there is one, else through each
     * unqualified-search registry. Tags and digests are kept; without either, {@code latest} is
     * added.
     *
     * @throws ShortNameResolutionException if there is no alias and no search registry, or the
     *     mode is {@code enforcing} and more than one search registry would be a candidate
     * @throws dev.ocikit.spec.InvalidReferenceException if {@code name} is not a valid reference
     */
    public List<ImageReference> resolveShortName(String name) throws IOException {
        if (!ImageReference.isShortName(name)) {
            return List.of(ImageReference.parse(name).withDefaultTag());
        }
        ImageReference input = ImageReference.parse(name);
        Optional<ImageReference> alias = alias(repositoryOf(name));
        if (alias.isPresent()) {
            return List.of(withTagAndDigestOf(alias.get(), input));
        }
        if (unqualifiedSearchRegistries.isEmpty()) {
            throw new ShortNameResolutionException("short name \"" + Text.printable(name)
                    + "\" did not resolve to an alias and no unqualified-search registries are defined in "
                    + searchRegistriesOrigin.map(Path::toString).orElse(files.isEmpty() ? "any registries.conf" : files.toString()));
        }
        List<ImageReference> candidates = searchCandidates(name, unqualifiedSearchRegistries);
        if (candidates.size() > 1 && shortNameMode() == ShortNameMode.ENFORCING) {
            throw new ShortNameResolutionException("short name \"" + Text.printable(name) + "\" is ambiguous and"
                    + " short-name-mode is enforcing: it could be any of " + candidates
                    + "; use a fully qualified reference or add an alias");
        }
        return candidates;
    }

    /**
     * The references to look {@code name} up as in local storage, as Podman does: a reference
     * naming its registry as is; for a short name its alias (if any), then {@code localhost/name},
     * then each unqualified-search registry. Tags and digests are kept; without either,
     * {@code latest} is added. Never empty.
     */
    public List<ImageReference> resolveLocally(String name) throws IOException {
        if (!ImageReference.isShortName(name)) {
            return List.of(ImageReference.parse(name).withDefaultTag());
        }
        ImageReference input = ImageReference.parse(name);
        List<ImageReference> out = new ArrayList<>();
        alias(repositoryOf(name)).ifPresent(a -> out.add(withTagAndDigestOf(a, input)));
        List<String> regs = new ArrayList<>();
        regs.add("localhost");
        regs.addAll(unqualifiedSearchRegistries);
        out.addAll(searchCandidates(name, regs));
        return List.copyOf(out);
    }

    private static List<ImageReference> searchCandidates(String name, List<String> registries) {
        List<ImageReference> out = new ArrayList<>();
        for (String reg : registries) {
            out.add(ImageReference.parse(reg + "/" + name).withDefaultTag());
        }
        return out;
    }

    private static ImageReference withTagAndDigestOf(ImageReference alias, ImageReference input) {
        ImageReference r = alias;
        if (input.tag().isPresent()) {
            r = r.withTag(input.tag().get());
        }
        if (input.digest().isPresent()) {
            r = r.withDigest(input.digest().get());
        }
        return r.withDefaultTag();
    }

    /** The short name as written, without tag or digest: the alias key. */
    private static String repositoryOf(String name) {
        String s = name;
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int colon = s.lastIndexOf(':');
        if (colon > s.lastIndexOf('/')) {
            s = s.substring(0, colon);
        }
        return s;
    }

    /** The alias of a short name: the aliases cache first (an empty value there ends the search), then registries.conf. */
    private Optional<ImageReference> alias(String shortName) throws IOException {
        if (shortNameAliasesFile.isPresent()) {
            Optional<JsonNode> cache = readToml(shortNameAliasesFile.get());
            if (cache.isPresent() && cache.get().has("aliases")) {
                Alias a = aliases(shortNameAliasesFile.get(), cache.get().get("aliases")).get(shortName);
                if (a != null) {
                    return a.value();
                }
            }
        }
        Alias a = aliases.get(shortName);
        return a == null ? Optional.empty() : a.value();
    }

    @Override
    public String toString() {
        return "RegistriesConf[files=" + files + ", unqualified-search-registries=" + unqualifiedSearchRegistries
                + ", short-name-mode=" + shortNameMode().configValue() + ", " + registries.size() + " registries, "
                + aliases().size() + " aliases]";
    }
}
