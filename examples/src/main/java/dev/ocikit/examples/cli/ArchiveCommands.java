package dev.ocikit.examples.cli;

import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoreTransport;
import dev.ocikit.image.StoredImage;
import dev.ocikit.image.archive.DockerArchive;
import dev.ocikit.image.archive.DockerArchiveTransport;
import dev.ocikit.image.archive.OciArchiveTransport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Podman's {@code save} and {@code load}: images of the local store to and from archives. */
final class ArchiveCommands {
    private ArchiveCommands() {}

    @Command(name = "save", description = "Save images of the local store to an archive, as podman save does.",
            footer = {"", "Examples:", "  ocikit save -o app.tar localhost/app:1",
                    "  ocikit save -m -o images.tar localhost/app:1 docker.io/library/busybox:latest",
                    "  ocikit save --format oci-archive -o app.tar localhost/app:1"})
    static final class Save implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "the archive to write (default: standard output, which must not be a terminal)")
        Path output;

        @Option(names = "--format", paramLabel = "docker-archive|oci-archive", defaultValue = "docker-archive",
                description = "default: ${DEFAULT-VALUE}")
        String format;

        @Option(names = {"-m", "--multi-image-archive"}, description = "the names are images, not tags of the first")
        boolean multi;

        @Option(names = {"-q", "--quiet"}, description = "print nothing but errors")
        boolean quiet;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        @Override
        public Integer call() throws Exception {
            String kind = format.toLowerCase(Locale.ROOT);
            if (!kind.equals("docker-archive") && !kind.equals("oci-archive")) {
                throw new IllegalArgumentException("--format must be docker-archive or oci-archive, not " + format);
            }
            if (multi && !kind.equals("docker-archive")) {
                throw new IllegalArgumentException("--multi-image-archive is only supported with --format docker-archive");
            }
            if (output == null && System.console() != null) {
                throw new IllegalArgumentException("refusing to write an archive to a terminal: name a file with -o,"
                        + " or redirect standard output");
            }
            ImageStore store = StoreCommands.open(parent);
            // Written beside the output and renamed over it at the end, as podman save replaces the file:
            // a save that fails leaves the previous archive as it was.
            Path target = output != null
                    ? output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".ocikit-save")
                    : Files.createTempFile("ocikit-save-", ".tar");
            try {
                Files.deleteIfExists(target);
                if (kind.equals("oci-archive")) {
                    StoredImage image = store.resolve(images.get(0));
                    String ref = images.get(0).equals(image.id().encoded()) || images.get(0).startsWith("sha256:")
                            ? "" : ":" + ImageStore.normalizeName(images.get(0));
                    Copy.from(store.reference(images.get(0))).to(Transports.load().parse("oci-archive:" + target + ref)).run();
                } else {
                    DockerArchive archive = DockerArchive.at(target);
                    List<String> names = multi ? images : images.subList(0, 1);
                    for (String name : names) {
                        List<String> tags = new ArrayList<>();
                        if (isName(store, name)) {
                            tags.add(ImageStore.normalizeName(name).toString());
                        }
                        if (!multi) {
                            for (String extra : images.subList(1, images.size())) {
                                tags.add(ImageStore.normalizeName(extra).toString());
                            }
                        }
                        archive = archive.add(store.reference(name), tags.toArray(String[]::new));
                    }
                    archive.write();
                }
                if (output == null) {
                    try (InputStream in = Files.newInputStream(target)) {
                        in.transferTo(System.out);
                    }
                    System.out.flush();
                } else {
                    Files.move(target, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                Files.deleteIfExists(target);
            }
            return 0;
        }

        /** Whether the image was given by a name, which the archive then records, rather than by its ID. */
        private static boolean isName(ImageStore store, String given) throws IOException {
            StoredImage image = store.resolve(given);
            String hex = given.startsWith("sha256:") ? given.substring("sha256:".length()) : given;
            return !image.id().encoded().startsWith(hex) && !image.digest().encoded().startsWith(hex);
        }
    }

    @Command(name = "load", description = "Load the images of an archive into the local store, as podman load does.",
            footer = {"", "Examples:", "  ocikit load -i images.tar", "  ocikit load < app.tar"})
    static final class Load implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        Ocikit parent;

        @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "the archive (default: standard input)")
        Path input;

        @Option(names = {"-q", "--quiet"}, description = "print nothing but errors")
        boolean quiet;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path archive = input;
            boolean temporary = false;
            if (archive == null) {
                archive = Files.createTempFile("ocikit-load-", ".tar");
                temporary = true;
                try (OutputStream to = Files.newOutputStream(archive)) {
                    System.in.transferTo(to);
                }
            }
            try {
                List<TransportReference> sources = sources(archive);
                ImageStore store = StoreCommands.open(parent);
                List<String> loaded = new ArrayList<>();
                for (TransportReference from : sources) {
                    List<String> names = PullPushCommands.podmanNames(from);
                    String first = names.isEmpty() ? "" : names.get(0);
                    var result = Copy.from(from).to(StoreTransport.reference(PullPushCommands.storeRoot(parent), first))
                            .run();
                    for (String more : names.subList(Math.min(1, names.size()), names.size())) {
                        store.tag(first, more);
                    }
                    if (names.isEmpty()) {
                        loaded.add("sha256:" + store.resolve(result.manifestDigest().toString()).id().encoded());
                    } else {
                        loaded.addAll(names);
                    }
                }
                if (!quiet) {
                    loaded.forEach(n -> out.println("Loaded image: " + n));
                }
            } finally {
                if (temporary) {
                    Files.deleteIfExists(archive);
                }
            }
            return 0;
        }

        /** Every image of the archive: a docker-archive's each by its place, an oci-archive's each by its ref name. */
        private static List<TransportReference> sources(Path archive) throws IOException {
            List<TransportReference> out = new ArrayList<>();
            Transports transports = Transports.load();
            java.util.Optional<List<String>> oci = OciArchiveTransport.refNames(archive);
            if (oci.isPresent()) {
                List<String> refs = oci.get();
                if (refs.isEmpty()) {
                    out.add(transports.parse("oci-archive:" + archive));
                }
                for (String ref : refs) {
                    out.add(transports.parse("oci-archive:" + archive + ":" + ref));
                }
                return out;
            }
            int images = DockerArchiveTransport.imageCount(archive);
            for (int i = 0; i < images; i++) {
                out.add(DockerArchiveTransport.reference(archive, i));
            }
            return out;
        }
    }
}
