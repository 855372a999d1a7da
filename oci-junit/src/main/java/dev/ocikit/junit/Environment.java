package dev.ocikit.junit;

import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoredImage;
import dev.ocikit.image.internal.FileTrees;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.junit.internal.ImageProvisioner;
import dev.ocikit.junit.internal.ReuseManager;
import dev.ocikit.runtime.OciRuntime;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the containers of tests using one image store and runtime root share in a JVM: the store,
 * one {@link OciRuntime} (built once, which sweeps what killed JVMs left), the image provisioner,
 * reused containers, and the directory of files copied into containers. Thread-safe.
 */
final class Environment {
    private static final Logger LOG = LoggerFactory.getLogger(Environment.class);
    /** The system property naming the image store's directory. */
    static final String STORE_PROPERTY = "ocikit.store";
    /** The system property naming the runtime's root. */
    static final String ROOT_PROPERTY = "ocikit.root";
    private static final Map<Key, Environment> ALL = new HashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Key(Path store, Optional<Path> root) {}

    final ImageStore store;
    final OciRuntime runtime;
    final ImageProvisioner images;
    final ReuseManager reuse;
    private final Path files;

    private Environment(ImageStore store, OciRuntime runtime) {
        this.store = store;
        this.runtime = runtime;
        this.images = new ImageProvisioner(store, Transports.load(Environment.class.getClassLoader()));
        this.reuse = new ReuseManager(runtime);
        this.files = runtime.root().resolve("junit").resolve("files");
    }

    /** The environment for a test class: its (or an enclosing class's) {@link OciContainers} settings, else the defaults. */
    static Environment forTestClass(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<OciContainers> settings = org.junit.platform.commons.support.AnnotationSupport.findAnnotation(c,
                    OciContainers.class);
            if (settings.isPresent()) {
                return of(settings.get().store(), settings.get().root());
            }
        }
        return of("", "");
    }

    /** The environment of the system properties {@value #STORE_PROPERTY} and {@value #ROOT_PROPERTY}, else the defaults. */
    static Environment defaults() {
        return of("", "");
    }

    /** The environment for these settings: each empty one is taken from its system property, else its default. */
    static Environment of(String storeSetting, String rootSetting) {
        Path store = setting(storeSetting, STORE_PROPERTY).orElseGet(ImageStore::defaultRoot);
        Optional<Path> root = setting(rootSetting, ROOT_PROPERTY);
        Key key = new Key(store.toAbsolutePath().normalize(), root.map(r -> r.toAbsolutePath().normalize()));
        synchronized (ALL) {
            Environment env = ALL.get(key);
            if (env == null) {
                env = open(key);
                ALL.put(key, env);
            }
            return env;
        }
    }

    private static Optional<Path> setting(String value, String property) {
        if (!value.isBlank()) {
            return Optional.of(Path.of(value));
        }
        String fromProperty = System.getProperty(property, "");
        return fromProperty.isBlank() ? Optional.empty() : Optional.of(Path.of(fromProperty));
    }

    private static Environment open(Key key) {
        ImageStore store;
        try {
            store = ImageStore.open(key.store());
        } catch (IOException | OciException e) {
            throw new ContainerLaunchException("cannot open the image store at " + key.store() + ": " + e.getMessage()
                    + "; set another with @OciContainers(store = ...) or -D" + STORE_PROPERTY + "=DIR", e);
        }
        OciRuntime runtime;
        try {
            OciRuntime.Builder builder = OciRuntime.builder().store(store);
            key.root().ifPresent(builder::root);
            runtime = builder.build(); // sweeps containers of JVMs that were killed
        } catch (IOException | OciException e) {
            throw new ContainerLaunchException("cannot set up the container runtime for the image store at "
                    + key.store() + ": " + e.getMessage(), e);
        }
        try {
            // copies of the tests' files, reused containers' definitions (with their environment): the user's alone
            Path own = runtime.root().resolve("junit");
            Files.createDirectories(own);
            Files.setPosixFilePermissions(own, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new ContainerLaunchException("cannot make " + runtime.root().resolve("junit") + ": " + e.getMessage(), e);
        }
        Environment env = new Environment(store, runtime);
        sweepFiles(env.files);
        return env;
    }

    /** Where containers' copied files are kept, one directory per container. */
    Path filesRoot() {
        return files;
    }

    /**
     * A new directory for one container's copied files, named after this JVM so that a later
     * JVM can tell those of killed JVMs, which {@link #sweepFiles} removes.
     */
    Path newFilesDirectory() {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        return files.resolve(ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random));
    }

    static void deleteQuietly(Path dir) {
        try {
            if (Files.exists(dir)) {
                FileTrees.deleteRecursively(dir);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    /** Deletes the directories of copied files of JVMs that are gone, under {@code files}. */
    static void sweepFiles(Path files) {
        if (!Files.isDirectory(files)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(files)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                int dash = name.indexOf('-');
                try {
                    long pid = Long.parseLong(dash > 0 ? name.substring(0, dash) : name);
                    if (ProcessHandle.of(pid).isEmpty()) {
                        deleteQuietly(dir);
                    }
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        } catch (IOException e) {
            LOG.warn("could not look for files of containers of killed JVMs under {}: {}", files, e.toString());
        }
    }

    /** The config of an image of the store. */
    ContainerConfig imageConfig(StoredImage image) throws IOException {
        return store.config(store.manifest(image, Platform.host()).model()).model().config();
    }

    @Override
    public String toString() {
        return "Environment[" + store.root() + ", " + runtime + "]";
    }
}
