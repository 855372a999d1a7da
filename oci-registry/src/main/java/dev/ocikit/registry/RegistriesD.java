package dev.ocikit.registry;

import dev.ocikit.image.policy.PolicyTarget;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.internal.Text;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where image signatures of registry images are kept, per the {@code registries.d} directory
 * (containers-registries.d(5)), as containers/image reads it: for each image, the lookaside
 * storage to read simple signatures from ({@code lookaside}), the one to write them to
 * ({@code lookaside-staging}, else {@code lookaside}), and whether sigstore signatures are read
 * and written as attachments in the registry ({@code use-sigstore-attachments}).
 *
 * <h2>Which files</h2>
 *
 * <p>{@link #load(ContainersEnvironment)} reads {@code $HOME/.config/containers/registries.d} if
 * that exists, otherwise {@code /etc/containers/registries.d}; {@link #load(Path, ContainersEnvironment)}
 * reads the directory given (skopeo's {@code --registries.d}). No environment variable changes the
 * directory, as none does for containers/image. A missing directory is an empty configuration.
 * Every {@code *.yaml} file in it (not in subdirectories) is read, in name order; their sections
 * are merged, and a scope (or {@code default-docker}) defined in two files is an error that names
 * both. Keys ocikit does not know are ignored (logged), as containers/image ignores them; the
 * legacy spellings {@code sigstore} and {@code sigstore-staging} mean {@code lookaside} and
 * {@code lookaside-staging}, which win when both are given. The YAML must be the plain subset
 * these files use (block mappings and one-line scalars); see {@link ContainersConfigException}
 * for how a problem is reported ({@code file:line: problem}).
 *
 * <h2>Which section applies to an image</h2>
 *
 * <p>The image's policy scopes are tried from the most specific ({@code host/ns/repo:tag} or
 * {@code host/ns/repo@digest}, then {@code host/ns/repo}, each parent namespace, the host, then
 * {@code *.domain} wildcards; see {@link PolicyTarget#docker(ImageReference)}), then
 * {@code default-docker}. For a storage URL, the first of those sections that sets one for the
 * use (reading or writing) wins; for {@code use-sigstore-attachments}, the first that sets the
 * key. (containers/image's manual says only the most specific section counts; its code, which
 * this follows, goes on to broader ones when a section does not set what is asked.) When no
 * section names a storage, the built-in default is used: {@code file:///var/lib/containers/sigstore}
 * for root, {@code file://$HOME/.local/share/containers/sigstore} otherwise. Sigstore attachments
 * are off unless a section turns them on.
 *
 * <p>Storage URLs are checked when an image needs them: {@code file://} with an absolute path
 * (and no host but {@code localhost}), {@code http://} or {@code https://}. The signatures of
 * manifest {@code D} of repository {@code host/path} are at
 * {@code <storage>/path@<algorithm>=<hex>/signature-<n>}, {@code n} counting from 1.
 *
 * <p>Immutable and thread-safe. {@link #none()} (the {@link RegistryClient} default) keeps no
 * signatures at all.
 */
public final class RegistriesD {
    private static final Logger LOG = LoggerFactory.getLogger(RegistriesD.class);
    private static final Path SYSTEM_DIRECTORY = Path.of("/etc/containers/registries.d");
    private static final String USER_DIRECTORY = ".config/containers/registries.d";
    private static final Path ROOT_DEFAULT_STORAGE = Path.of("/var/lib/containers/sigstore");
    private static final String USER_DEFAULT_STORAGE = ".local/share/containers/sigstore";
    private static final int MAX_FILE_SIZE = 1 << 20;
    private static final Set<String> SECTION_KEYS = Set.of("lookaside", "lookaside-staging", "sigstore", "sigstore-staging",
            "use-sigstore-attachments");

    /** A URL as a file wrote it: where, for messages. */
    record Setting(String value, Path file, String key, int line) {}

    /** One configuration section: a scope's, or {@code default-docker}. */
    record Section(Path file, String name, Optional<Setting> lookaside, Optional<Setting> staging,
            Optional<Boolean> useSigstoreAttachments) {

        /** The URL for reading, or for writing (staging first), if this section sets one. */
        Optional<Setting> storage(boolean write) {
            return write ? staging.or(() -> lookaside) : lookaside;
        }
    }

    private final List<Path> files;
    private final Map<String, Section> scopes;
    private final Optional<Section> defaultDocker;
    private final Optional<URI> builtInDefault;

    private RegistriesD(List<Path> files, Map<String, Section> scopes, Optional<Section> defaultDocker,
            Optional<URI> builtInDefault) {
        this.files = List.copyOf(files);
        this.scopes = Collections.unmodifiableMap(new LinkedHashMap<>(scopes));
        this.defaultDocker = defaultDocker;
        this.builtInDefault = builtInDefault;
    }

    /**
     * No signature storage: images are read without signatures, and writing signatures to a
     * registry is refused. The default of {@link RegistryClient.Builder}.
     */
    public static RegistriesD none() {
        return new RegistriesD(List.of(), Map.of(), Optional.empty(), Optional.empty());
    }

    /**
     * The directory {@link #load(ContainersEnvironment)} reads: {@code $HOME/.config/containers/registries.d}
     * if it exists, else {@code /etc/containers/registries.d}.
     */
    public static Path directory(ContainersEnvironment env) {
        Path user = env.home().resolve(USER_DIRECTORY);
        return Files.exists(user) ? user : SYSTEM_DIRECTORY;
    }

    /**
     * The machine's configuration, as containers/image finds it for this environment's user
     * (see {@link #directory}), with the built-in default storage of that user.
     *
     * @throws ContainersConfigException if a file is malformed, or two files define one scope
     */
    public static RegistriesD load(ContainersEnvironment env) throws IOException {
        return load(directory(env), env);
    }

    /**
     * The configuration in {@code directory} (skopeo's {@code --registries.d}); a directory that
     * does not exist is an empty configuration. {@code env} chooses the built-in default storage
     * (root's or the user's).
     *
     * @throws ContainersConfigException if a file is malformed, or two files define one scope
     */
    public static RegistriesD load(Path directory, ContainersEnvironment env) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(env, "env");
        List<Path> yamlFiles = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path p : entries) {
                if (p.getFileName().toString().endsWith(".yaml")) {
                    yamlFiles.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            LOG.debug("no registries.d directory at {}", directory);
        } catch (NotDirectoryException e) {
            throw new ContainersConfigException(directory, null, "is not a directory (registries.d must be one)");
        }
        Collections.sort(yamlFiles);
        Map<String, Section> scopes = new LinkedHashMap<>();
        Optional<Section> defaultDocker = Optional.empty();
        for (Path file : yamlFiles) {
            ParsedFile parsed = readFile(file);
            if (parsed.defaultDocker().isPresent()) {
                if (defaultDocker.isPresent()) {
                    throw new ContainersConfigException(file, "default-docker", "\"default-docker\" is defined both in "
                            + defaultDocker.get().file() + " and " + file + "; keep one");
                }
                defaultDocker = parsed.defaultDocker();
            }
            for (Section s : parsed.scopes()) {
                Section first = scopes.get(s.name());
                if (first != null) {
                    throw new ContainersConfigException(file, "docker." + s.name(), "\"docker\" namespace \""
                            + Text.printable(s.name(), 200) + "\" is defined both in " + first.file() + " and " + file
                            + "; a scope may be configured in one file only");
                }
                scopes.put(s.name(), s);
            }
        }
        return new RegistriesD(yamlFiles, scopes, defaultDocker, Optional.of(builtInDefault(env)));
    }

    /** The built-in storage when no section names one: root's, or the user's under {@code $HOME}. */
    static URI builtInDefault(ContainersEnvironment env) {
        Path dir = env.isRoot() ? ROOT_DEFAULT_STORAGE : env.home().resolve(USER_DEFAULT_STORAGE);
        try {
            // not Path.toUri(), which ends an existing directory with a slash
            return new URI("file", "", dir.toAbsolutePath().normalize().toString(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot make a file URL of " + dir, e);
        }
    }

    /** The files read, in the order they were merged. */
    public List<Path> files() {
        return files;
    }

    /**
     * The storage to read {@code image}'s simple signatures from: the URL its section sets, else
     * the built-in default; empty only for {@link #none()}.
     *
     * @throws ContainersConfigException if the URL is not one ocikit can use (it names the file and key)
     */
    public Optional<URI> lookasideForReading(ImageReference image) {
        return storage(image, false);
    }

    /**
     * The storage to write {@code image}'s simple signatures to: {@code lookaside-staging} of its
     * section, else {@code lookaside}, else the built-in default; empty only for {@link #none()}.
     * Only a {@code file://} storage can be written to.
     *
     * @throws ContainersConfigException if the URL is not one ocikit can use (it names the file and key)
     */
    public Optional<URI> lookasideForWriting(ImageReference image) {
        return storage(image, true);
    }

    /** Whether sigstore signatures of {@code image} are read from and written to the registry as attachments. */
    public boolean useSigstoreAttachments(ImageReference image) {
        for (Section s : sections(image)) {
            if (s.useSigstoreAttachments().isPresent()) {
                LOG.debug("sigstore attachments for {}: {} (from {} in {})", image, s.useSigstoreAttachments().get(),
                        s.name(), s.file());
                return s.useSigstoreAttachments().get();
            }
        }
        return false;
    }

    private Optional<URI> storage(ImageReference image, boolean write) {
        for (Section s : sections(image)) {
            Optional<Setting> url = s.storage(write);
            if (url.isPresent()) {
                LOG.debug("signature storage for {} ({}): {} (from {} in {})", image, write ? "writing" : "reading",
                        url.get().key(), s.name(), s.file());
                return Optional.of(checkedUrl(url.get()));
            }
        }
        return builtInDefault;
    }

    /** The sections that may apply to {@code image}, most specific first, {@code default-docker} last. */
    private List<Section> sections(ImageReference image) {
        Objects.requireNonNull(image, "image");
        PolicyTarget target = PolicyTarget.docker(image);
        List<Section> found = new ArrayList<>();
        Section exact = scopes.get(target.identity());
        if (exact != null) {
            found.add(exact);
        }
        for (String ns : target.namespaces()) {
            Section s = scopes.get(ns);
            if (s != null) {
                found.add(s);
            }
        }
        defaultDocker.ifPresent(found::add);
        return found;
    }

    /** A storage URL as ocikit uses it; anything else is refused with the file and key that set it. */
    static URI checkedUrl(Setting s) {
        URI u;
        try {
            u = new URI(s.value());
        } catch (URISyntaxException e) {
            throw bad(s, "is not a valid URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file" -> {
                if (u.isOpaque() || u.getPath() == null || !u.getPath().startsWith("/")) {
                    throw bad(s, "a file URL needs an absolute path (file:///path)");
                }
                if (u.getRawAuthority() != null && !u.getRawAuthority().isEmpty()
                        && !u.getRawAuthority().equalsIgnoreCase("localhost")) {
                    throw bad(s, "a file URL names no host (write file:///path, with three slashes)");
                }
                if (u.getRawQuery() != null || u.getRawFragment() != null) {
                    throw bad(s, "a file URL may not have a query or fragment");
                }
                return URI.create("file://" + u.getRawPath());
            }
            case "http", "https" -> {
                if (u.isOpaque() || u.getHost() == null || u.getHost().isEmpty()) {
                    throw bad(s, "an " + scheme + " URL needs a host name");
                }
                if (u.getRawFragment() != null) {
                    throw bad(s, "a lookaside URL may not have a fragment (#...)");
                }
                return u;
            }
            default -> throw bad(s, "has scheme \"" + Text.printable(scheme, 40)
                    + "\", which ocikit cannot use for signatures (use file://, http:// or https://)");
        }
    }

    private static ContainersConfigException bad(Setting s, String problem) {
        // a URL may carry a password: the message shows the key and line, never the value
        return new ContainersConfigException(s.file(), s.key(), "the signature storage URL on line " + s.line() + " " + problem);
    }

    // ---------------------------------------------------------------- reading files

    private record ParsedFile(Optional<Section> defaultDocker, List<Section> scopes) {}

    private static ParsedFile readFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ContainersConfigException(file, null, "is not a regular file");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_SIZE) {
            throw new ContainersConfigException(file, null, "is " + size + " bytes, more than the " + MAX_FILE_SIZE
                    + " a registries.d file may have");
        }
        Optional<RegistriesDYaml.Mapping> doc = RegistriesDYaml.parse(Files.readAllBytes(file), file);
        if (doc.isEmpty()) {
            return new ParsedFile(Optional.empty(), List.of());
        }
        Optional<Section> defaultDocker = Optional.empty();
        List<Section> scopes = new ArrayList<>();
        for (RegistriesDYaml.Entry top : doc.get().entries().values()) {
            switch (top.key()) {
                case "default-docker" -> defaultDocker = section(file, "default-docker", top);
                case "docker" -> {
                    RegistriesDYaml.Node v = top.value();
                    if (isNull(v)) {
                        continue;
                    }
                    if (!(v instanceof RegistriesDYaml.Mapping m)) {
                        throw new ContainersConfigException(file, top.line(), "\"docker\" must be a mapping of scopes to sections");
                    }
                    for (RegistriesDYaml.Entry scope : m.entries().values()) {
                        if (scope.key().isEmpty()) {
                            throw new ContainersConfigException(file, scope.line(), "an empty scope name");
                        }
                        // a scope with no value is still defined (as in containers/image): it sets nothing
                        scopes.add(section(file, scope.key(), scope)
                                .orElse(new Section(file, scope.key(), Optional.empty(), Optional.empty(), Optional.empty())));
                    }
                }
                default -> LOG.warn("{}:{}: ignoring unknown key \"{}\" (registries.d knows docker and default-docker)",
                        file, top.line(), Text.printable(top.key(), 100));
            }
        }
        return new ParsedFile(defaultDocker, scopes);
    }

    private static boolean isNull(RegistriesDYaml.Node v) {
        return v instanceof RegistriesDYaml.Null || (v instanceof RegistriesDYaml.Scalar s && s.isNull());
    }

    /** A section's keys; empty when its value is null (for default-docker: as if it were absent). */
    private static Optional<Section> section(Path file, String name, RegistriesDYaml.Entry entry) {
        RegistriesDYaml.Node v = entry.value();
        if (isNull(v)) {
            return Optional.empty();
        }
        if (!(v instanceof RegistriesDYaml.Mapping m)) {
            throw new ContainersConfigException(file, entry.line(), "the section of \"" + Text.printable(name, 200)
                    + "\" must be a mapping (lookaside:, lookaside-staging:, use-sigstore-attachments:)");
        }
        Map<String, Setting> urls = new HashMap<>();
        Optional<Boolean> attachments = Optional.empty();
        String prefix = name.equals("default-docker") ? "default-docker." : "docker." + name + ".";
        for (RegistriesDYaml.Entry e : m.entries().values()) {
            if (!SECTION_KEYS.contains(e.key())) {
                LOG.warn("{}:{}: ignoring unknown key \"{}\" in the section of {}", file, e.line(),
                        Text.printable(e.key(), 100), Text.printable(name, 200));
                continue;
            }
            if (e.key().equals("use-sigstore-attachments")) {
                attachments = bool(file, e);
                continue;
            }
            if (e.value() instanceof RegistriesDYaml.Mapping) {
                throw new ContainersConfigException(file, e.line(), "\"" + e.key() + "\" must be a URL, not a mapping");
            }
            if (e.value() instanceof RegistriesDYaml.Scalar s && !s.isNull() && !s.text().isEmpty()) {
                urls.put(e.key(), new Setting(s.text(), file, prefix + e.key(), e.line()));
            }
        }
        Optional<Setting> lookaside = Optional.ofNullable(urls.get("lookaside")).or(() -> Optional.ofNullable(urls.get("sigstore")));
        Optional<Setting> staging = Optional.ofNullable(urls.get("lookaside-staging"))
                .or(() -> Optional.ofNullable(urls.get("sigstore-staging")));
        return Optional.of(new Section(file, name, lookaside, staging, attachments));
    }

    /** A boolean as containers/image's YAML decoder reads one into a bool: YAML 1.2's and 1.1's words, unquoted. */
    private static Optional<Boolean> bool(Path file, RegistriesDYaml.Entry e) {
        if (isNull(e.value())) {
            return Optional.empty();
        }
        if (e.value() instanceof RegistriesDYaml.Scalar s && !s.quoted()) {
            switch (s.text()) {
                case "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON" -> {
                    return Optional.of(true);
                }
                case "false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF" -> {
                    return Optional.of(false);
                }
                default -> { }
            }
        }
        throw new ContainersConfigException(file, e.line(), "\"" + e.key() + "\" must be true or false (unquoted)");
    }

    @Override
    public String toString() {
        return "RegistriesD[" + files.size() + " files, " + scopes.size() + " scopes"
                + (defaultDocker.isPresent() ? ", default-docker" : "") + "]";
    }
}
