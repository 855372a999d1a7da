package dev.ocikit.examples.cli;

import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoredImage;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Podman's local-store commands: {@code images}, {@code tag}, {@code rmi}. */
final class StoreCommands {
    private StoreCommands() {}

    static ImageStore open(Ocikit parent) throws IOException {
        return parent.root().isPresent() ? ImageStore.open(parent.root().get()) : ImageStore.open();
    }

    @Command(name = "images", description = "List the images in the local store, as podman images does.",
        footer = {"", "Examples:", "  ocikit images", "  ocikit images -q"})
    static final class Images implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-q", "--quiet"}, description = "print image IDs only")
        boolean quiet;

        @Option(names = "--format", paramLabel = "json", description = "json: podman's JSON array of images")
        String format;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            ImageStore store = open(parent);
            List<StoredImage> images = store.list();
            if (quiet) {
                images.forEach(i -> out.println(i.shortId()));
                return 0;
            }
            if (format != null) {
                if (!format.equals("json")) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--format takes json, not " + format);
                }
                out.println(new String(Json.write(json(store, images)), java.nio.charset.StandardCharsets.UTF_8));
                out.flush();
                return 0;
            }
            out.printf("%-40s %-16s %-14s %-16s %s%n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            for (StoredImage image : images) {
                String created = "";
                String size = "";
                if (!image.isIndex()) {
                    Parsed<ImageManifest> m = store.manifest(image, Platform.host());
                    Parsed<ImageConfig> c = store.config(m.model());
                    created = c.model().createdInstant().map(StoreCommands::ago).orElse("");
                    long bytes = c.size() + m.model().layers().stream().mapToLong(Descriptor::size).sum();
                    size = humanSize(bytes);
                }
                if (image.names().isEmpty()) {
                    out.printf("%-40s %-16s %-14s %-16s %s%n", "<none>", "<none>", image.shortId(), created, size);
                }
                for (ImageReference name : image.names()) {
                    out.printf("%-40s %-16s %-14s %-16s %s%n", name.withoutTagOrDigest(),
                            name.tag().orElse("<none>"), image.shortId(), created, size);
                }
            }
            return 0;
        }
    }

    /** The images as podman images --format json names their fields. */
    static List<java.util.Map<String, Object>> json(ImageStore store, List<StoredImage> images) throws IOException {
        List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
        for (StoredImage image : images) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("Id", image.id().encoded());
            m.put("Digest", image.digest().toString());
            m.put("Names", image.names().stream().map(ImageReference::toString).toList());
            if (!image.isIndex()) {
                Parsed<ImageManifest> man = store.manifest(image, Platform.host());
                Parsed<ImageConfig> c = store.config(man.model());
                m.put("Size", c.size() + man.model().layers().stream().mapToLong(Descriptor::size).sum());
                c.model().createdInstant().ifPresent(t -> {
                    m.put("Created", t.getEpochSecond());
                    m.put("CreatedAt", t.toString());
                });
                m.put("Labels", c.model().config().labels());
                m.put("Architecture", c.model().architecture());
                m.put("Os", c.model().os());
            }
            out.add(m);
        }
        return out;
    }

    @Command(name = "tag", description = "Give an image in the local store another name, as podman tag does.",
        footer = {"", "Examples:", "  ocikit tag localhost/app:1 localhost/app:latest"})
    static final class Tag implements Callable<Integer> {
        @ParentCommand
        Ocikit parent;

        @Parameters(index = "0", paramLabel = "IMAGE")
        String image;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public Integer call() throws IOException {
            ImageStore store = open(parent);
            for (String name : names) {
                store.tag(image, name);
            }
            return 0;
        }
    }

    @Command(name = "rmi", description = "Remove images from the local store, as podman rmi does.",
        footer = {"", "Examples:", "  ocikit rmi localhost/app:1", "  ocikit rmi -f 3f2a1b"})
    static final class Rmi implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-f", "--force"}, description = "remove an image even if it has several names")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            ImageStore store = open(parent);
            for (String image : images) {
                StoredImage target = store.resolve(image);
                ImageStore.Removal removal = store.remove(image, force);
                removal.untagged().forEach(n -> out.println("Untagged: " + n));
                // Podman names what it deleted by image ID, not by manifest digest.
                removal.removed().ifPresent(d -> out.println("Deleted: " + target.id().encoded()));
            }
            collectGarbage(parent, store);
            return 0;
        }
    }

    /**
     * Frees what the store no longer needs, as podman rmi frees an image's storage: its blobs, and
     * the layer snapshots that containers ran on, unless a container still uses them.
     */
    static void collectGarbage(Ocikit parent, ImageStore store) throws IOException {
        if (!java.nio.file.Files.isDirectory(store.root().resolve("snapshots"))) {
            store.collectGarbage(); // no container ever ran on this store
            return;
        }
        try {
            dev.ocikit.runtime.OciRuntime.builder().store(store).sweepOnStart(false).build().collectGarbage();
        } catch (dev.ocikit.runtime.invoker.RuntimeNotFoundException e) {
            store.collectGarbage(); // without runc no container can be inspected: snapshots are kept
        }
    }

    static String ago(Instant then) {
        Duration d = Duration.between(then, Instant.now());
        if (d.isNegative() || d.toMinutes() < 1) {
            return "Less than a minute ago";
        }
        long[] amounts = {d.toDays() / 365, d.toDays() / 30, d.toDays() / 7, d.toDays(), d.toHours(), d.toMinutes()};
        String[] units = {"year", "month", "week", "day", "hour", "minute"};
        for (int i = 0; i < amounts.length; i++) {
            if (amounts[i] >= 1) {
                return amounts[i] + " " + units[i] + (amounts[i] == 1 ? "" : "s") + " ago";
            }
        }
        return "";
    }

    /** Podman's sizes: decimal units, three significant digits. */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 || u == 0 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
    }
}
