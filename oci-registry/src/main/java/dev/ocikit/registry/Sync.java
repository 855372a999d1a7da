package dev.ocikit.registry;

import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.DirTransport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Many images at once, as {@code skopeo sync} copies them: every tag of a registry repository
 * (or one tagged image), or every image directory under a local directory, to a registry
 * namespace or a local directory.
 *
 * <p>Naming follows skopeo. A registry image {@code reg/ns/app:1} is written as {@code app:1}
 * below the destination ({@code DST/app:1} as a {@code dir:} directory, or
 * {@code DST/app:1} pushed to a registry); with {@link #scoped()} the whole name is kept
 * ({@code DST/reg/ns/app:1}). A source directory's images are the directories under it that
 * hold a {@code manifest.json}; each is named by its path below the source (its last component
 * unless scoped), or, when the source itself is an image directory, by the source's own name.
 * {@code dir} to {@code dir} is refused, as skopeo refuses it.
 *
 * <p>Immutable and thread-safe; every setter returns a new {@code Sync}. {@link #plan()} lists
 * the copies without copying; {@link #run()} does them in order, one {@link Copy} each, and stops
 * at the first failure (the images copied before it stay copied).
 */
public final class Sync {
    private final Side source;
    private final Optional<Side> destination;
    private final boolean scoped;
    private final UnaryOperator<Copy> configure;

    /** One end: a registry (its client and name) or a local directory. */
    private record Side(Optional<RegistryClient> client, String name) {
        boolean isDirectory() {
            return client.isEmpty();
        }
    }

    /** One copy of a sync: from where, to where. */
    public record Item(TransportReference source, TransportReference destination) {
        public Item {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
        }
    }

    private Sync(Side source, Optional<Side> destination, boolean scoped, UnaryOperator<Copy> configure) {
        this.source = source;
        this.destination = destination;
        this.scoped = scoped;
        this.configure = configure;
    }

    /**
     * Sync from a registry: {@code repository} is a repository ({@code reg/ns/app}: all its tags)
     * or one image ({@code reg/ns/app:1} or {@code @sha256:...}), read through {@code client}.
     */
    public static Sync fromRegistry(RegistryClient client, String repository) {
        Objects.requireNonNull(client, "client");
        ImageReference.parse(Objects.requireNonNull(repository, "repository")); // fail early on a bad name
        return new Sync(new Side(Optional.of(client), repository), Optional.empty(), false, UnaryOperator.identity());
    }

    /** Sync from the image directories ({@code dir:} format) found under {@code directory}. */
    public static Sync fromDirectory(Path directory) {
        return new Sync(new Side(Optional.empty(), Objects.requireNonNull(directory, "directory").toString()),
                Optional.empty(), false, UnaryOperator.identity());
    }

    /**
     * Push to {@code namespace} ({@code reg[:port]} or {@code reg/ns}) through {@code client}; each
     * image goes to {@code namespace/<name>}.
     */
    public Sync toRegistry(RegistryClient client, String namespace) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(namespace, "namespace");
        return new Sync(source, Optional.of(new Side(Optional.of(client), stripSlashes(namespace))), scoped, configure);
    }

    /** Write each image as a {@code dir:} directory {@code directory/<name>}. */
    public Sync toDirectory(Path directory) {
        if (source.isDirectory()) {
            throw new SyncException("sync from a directory to a directory is not supported; copy the directory instead");
        }
        return new Sync(source, Optional.of(new Side(Optional.empty(), Objects.requireNonNull(directory, "directory").toString())),
                scoped, configure);
    }

    /** Keep each image's full name (registry and path, or path below the source directory), not only its last component. */
    public Sync scoped() {
        return new Sync(source, destination, true, configure);
    }

    /**
     * Adjusts every copy (platforms, {@link Copy#allPlatforms()}, progress, compression...);
     * applied to each {@link Copy} before it runs.
     */
    public Sync configure(UnaryOperator<Copy> each) {
        return new Sync(source, destination, scoped, Objects.requireNonNull(each, "each"));
    }

    /**
     * The copies this sync would do, in order; lists the registry's tags or walks the source
     * directory, copies nothing.
     *
     * @throws SyncException when there is no destination yet or the source holds no image
     */
    public List<Item> plan() throws IOException {
        Side to = destination.orElseThrow(() -> new SyncException("a sync needs a destination: toRegistry or toDirectory"));
        List<Item> items = new ArrayList<>();
        if (source.isDirectory()) {
            Path base = Path.of(source.name());
            for (Path image : imageDirectories(base)) {
                String suffix = base.relativize(image).toString();
                if (suffix.isEmpty()) {
                    suffix = nameOf(base.toAbsolutePath().normalize());
                }
                items.add(new Item(DirTransport.reference(image), target(to, suffix)));
            }
        } else {
            RegistryClient client = source.client().orElseThrow();
            DockerTransport transport = new DockerTransport(client);
            ImageReference ref = ImageReference.parse(source.name());
            List<ImageReference> images = new ArrayList<>();
            if (ref.tag().isPresent() || ref.digest().isPresent()) {
                images.add(ref);
            } else {
                for (String tag : client.repository(ref).tags()) {
                    images.add(ref.withTag(tag));
                }
            }
            for (ImageReference image : images) {
                items.add(new Item(transport.reference(image), target(to, image.toString())));
            }
        }
        if (items.isEmpty()) {
            throw new SyncException("no images to sync found in " + source.name());
        }
        return List.copyOf(items);
    }

    /** Does every copy of {@link #plan()}, in order; their results, in the same order. */
    public List<CopyResult> run() throws IOException {
        List<CopyResult> results = new ArrayList<>();
        for (Item item : plan()) {
            results.add(copy(item).run());
        }
        return List.copyOf(results);
    }

    /** The configured copy of one item, for a caller that runs them itself (to report each, say). */
    public Copy copy(Item item) {
        Copy copy = configure.apply(Copy.from(item.source()).to(item.destination()));
        return Objects.requireNonNull(copy, "configure returned null");
    }

    private TransportReference target(Side to, String suffix) {
        String name = scoped ? suffix : lastComponent(suffix);
        if (to.isDirectory()) {
            return DirTransport.reference(Path.of(to.name()).resolve(name));
        }
        return new DockerTransport(to.client().orElseThrow()).reference(ImageReference.parse(to.name() + "/" + name));
    }

    /** The directories at or under {@code base} that hold a {@code manifest.json}, sorted. */
    private static List<Path> imageDirectories(Path base) throws IOException {
        if (!Files.isDirectory(base)) {
            throw new SyncException("the sync source " + base + " is not a directory");
        }
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("manifest.json")
                            && Files.isRegularFile(p))
                    .map(Path::getParent)
                    .sorted()
                    .toList();
        }
    }

    private static String lastComponent(String name) {
        String s = stripSlashes(name);
        return s.substring(s.lastIndexOf('/') + 1);
    }

    private static String nameOf(Path p) {
        return p.getFileName() == null ? p.toString() : p.getFileName().toString();
    }

    private static String stripSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    @Override
    public String toString() {
        return "Sync[" + (source.isDirectory() ? "dir:" : "docker://") + source.name() + " -> "
                + destination.map(d -> (d.isDirectory() ? "dir:" : "docker://") + d.name()).orElse("?")
                + (scoped ? ", scoped" : "") + "]";
    }
}
