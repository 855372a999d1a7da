package dev.ocikit.junit.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.ocikit.runtime.ContainerBuilder;
import dev.ocikit.runtime.network.NetworkMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Everything that makes a container from an image of the store, in a form that can be written
 * down: what a test's {@code ContainerSpec} asks of the runtime (not its wait strategies or
 * output listeners). A reused container's supervising process reads it from a file, and its hash
 * names the container. Immutable.
 *
 * @param imageId the store id of the image
 * @param files host files or directories copied in: a private copy of each is bind-mounted
 * @param network a {@link NetworkMode} name
 * @param cpus CPU time as a number of CPUs (a quota per 100 ms period)
 */
public record LaunchDefinition(
        String imageId,
        Optional<List<String>> entrypoint,
        Optional<List<String>> command,
        Map<String, String> env,
        Optional<String> workdir,
        Optional<String> user,
        Optional<String> hostname,
        List<FileCopy> files,
        List<Bind> binds,
        List<String> tmpfs,
        List<Integer> ports,
        String network,
        Optional<Long> memory,
        Optional<Double> cpus,
        Optional<Long> pidsLimit,
        long stopTimeoutMillis) {

    /** The CFS period a CPU count is a quota of, as Podman's {@code --cpus} uses. */
    static final long CPU_PERIOD = 100_000;

    static final ObjectMapper JSON = JsonMapper.builder().addModule(new Jdk8Module()).build();

    public LaunchDefinition {
        entrypoint = entrypoint == null ? Optional.empty() : entrypoint.map(List::copyOf);
        command = command == null ? Optional.empty() : command.map(List::copyOf);
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        workdir = workdir == null ? Optional.empty() : workdir;
        user = user == null ? Optional.empty() : user;
        hostname = hostname == null ? Optional.empty() : hostname;
        files = files == null ? List.of() : List.copyOf(files);
        binds = binds == null ? List.of() : List.copyOf(binds);
        tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
        ports = ports == null ? List.of() : List.copyOf(ports);
        network = network == null ? NetworkMode.NONE.name() : network;
        memory = memory == null ? Optional.empty() : memory;
        cpus = cpus == null ? Optional.empty() : cpus;
        pidsLimit = pidsLimit == null ? Optional.empty() : pidsLimit;
    }

    /** A host file or directory whose private copy is mounted at {@code destination}. */
    public record FileCopy(String source, String destination) {}

    /** A host file or directory mounted as it is. */
    public record Bind(String source, String destination, boolean readOnly) {}

    /**
     * Sets this definition on {@code builder}; copies the files to copy under {@code filesDir}
     * (which must be empty or missing, and must outlive the container) and mounts the copies.
     *
     * @throws java.nio.file.NoSuchFileException if a file to copy does not exist
     */
    public ContainerBuilder applyTo(ContainerBuilder builder, Path filesDir) throws IOException {
        entrypoint.ifPresent(e -> builder.entrypoint(e.toArray(String[]::new)));
        command.ifPresent(builder::command);
        builder.env(env);
        workdir.ifPresent(builder::workdir);
        user.ifPresent(builder::user);
        hostname.ifPresent(builder::hostname);
        for (int i = 0; i < files.size(); i++) {
            FileCopy copy = files.get(i);
            Path source = Path.of(copy.source());
            Path target = filesDir.resolve(Integer.toString(i)).resolve(
                    source.getFileName() == null ? "root" : source.getFileName().toString());
            Files.createDirectories(target.getParent());
            copyTree(source, target);
            builder.bind(target, copy.destination(), false);
        }
        for (Bind bind : binds) {
            builder.bind(Path.of(bind.source()), bind.destination(), bind.readOnly());
        }
        for (String path : tmpfs) {
            builder.tmpfs(path);
        }
        for (int port : ports) {
            builder.publish(port);
        }
        if (ports.isEmpty()) {
            builder.network(NetworkMode.valueOf(network));
        }
        memory.ifPresent(builder::memory);
        pidsLimit.ifPresent(builder::pidsLimit);
        cpus.ifPresent(c -> builder.cpuQuota(Math.max(1000, Math.round(c * CPU_PERIOD)), CPU_PERIOD));
        builder.stopTimeout(Duration.ofMillis(stopTimeoutMillis));
        return builder;
    }

    /** Copies a file, or a directory with everything in it, keeping modes and times; symbolic links are copied as links. */
    static void copyTree(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            return;
        }
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.copy(dir, target.resolve(source.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * A digest of this definition and of the content of the files it copies in, within
     * {@code scope} (the store and runtime root): equal for two definitions that make the same
     * container from the same files, and different when anything of that changes.
     */
    public String hash(String scope) throws IOException {
        MessageDigest sha = sha256();
        sha.update(scope.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(toJson());
        for (FileCopy copy : files) {
            sha.update((byte) 0);
            digestTree(Path.of(copy.source()), sha);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void digestTree(Path root, MessageDigest sha) throws IOException {
        List<Path> paths = new ArrayList<>();
        if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted().forEach(paths::add);
            }
        } else {
            paths.add(root);
        }
        for (Path p : paths) {
            String relative = root.relativize(p).toString();
            sha.update(relative.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            if (Files.isSymbolicLink(p)) {
                sha.update(("-> " + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8));
            } else if (Files.isRegularFile(p)) {
                sha.update(Integer.toString(Files.isExecutable(p) ? 1 : 0).getBytes(StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] buffer = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
            sha.update((byte) 0);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static LaunchDefinition fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, LaunchDefinition.class);
    }
}
