package dev.ocikit.image.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageTree;
import dev.ocikit.image.LayerContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import dev.ocikit.spec.image.ContainerConfig;

/** The steps an {@link ImageBuilder} records, and the fingerprints that key them in the cache. */
final class Steps {
    /** Built on first use: an ObjectMapper costs a fresh JVM tens of milliseconds that most commands never spend. */
    private static final class Lazy {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private Steps() {}

    sealed interface Step permits ConfigStep, LayerStep, RunStep {
        /** What the history records. */
        String createdBy();
    }

    /**
     * Changes the container config; makes no layer. {@code setsCmd} marks a CMD step, which an
     * ENTRYPOINT after it in the same builder must not clear.
     */
    record ConfigStep(String createdBy, UnaryOperator<ContainerConfig> change, boolean setsCmd) implements Step {}

    /** Makes a layer from content that needs no runtime. */
    record LayerStep(String createdBy, LayerInput input) implements Step {}

    /** Runs a command through the build runtime; its changes become a layer. */
    record RunStep(RunCommand command) implements Step {
        @Override
        public String createdBy() {
            return command.description();
        }
    }

    /** What a {@link LayerStep} packs, opened at commit time. */
    interface LayerInput {
        /**
         * A digest of everything the layer will be made of, when it can be had without packing
         * it; empty when only packing tells (then the cache serves the steps after it only).
         */
        Optional<String> fingerprint() throws IOException;

        /** Opens the content; closing it releases what opening made (temporary files). */
        Opened open() throws IOException;

        /**
         * Opens the content to go on top of the image {@code below} gives; only inputs whose
         * content depends on what is there ask for it (the others open as {@link #open()}).
         */
        default Opened open(Below below) throws IOException {
            return open();
        }
    }

    /**
     * The image below a step, read only when asked. The step's cache key covers every step
     * before it, so what this gives is fixed for a given key and needs no place in fingerprints.
     */
    @FunctionalInterface
    interface Below {
        ImageTree tree() throws IOException;
    }

    /** Content ready to pack. */
    interface Opened extends AutoCloseable {
        LayerContent content();

        @Override
        void close() throws IOException;
    }

    static Opened opened(LayerContent content) {
        return new Opened() {
            @Override
            public LayerContent content() {
                return content;
            }

            @Override
            public void close() {}
        };
    }

    /** Files placed at destinations: the fingerprint hashes their names, metadata and bytes. */
    record FilesInput(List<AddedFile> files) implements LayerInput {
        FilesInput {
            files = List.copyOf(files);
        }

        @Override
        public Optional<String> fingerprint() throws IOException {
            Hasher h = new Hasher();
            for (AddedFile f : files) {
                // A file going into a directory (one ending in '/', or one the image below has) is
                // named by its source: hash that name, a link's own as the walk takes it.
                String destination = Files.isDirectory(f.source()) ? f.destination()
                        : f.destination() + " name=" + f.source().getFileName();
                h.text("item " + destination + " uid=" + f.uid().map(String::valueOf).orElse("-") + " gid="
                        + f.gid().map(String::valueOf).orElse("-") + " mode=" + f.mode().map(Integer::toOctalString).orElse("-")
                        + " mtime=" + f.mtime().map(Object::toString).orElse("-"));
                Path top = f.source().toRealPath();
                h.tree(top, "", f.uid().isPresent() || f.gid().isPresent(), f.exclude().orElse(p -> false));
            }
            return Optional.of(h.hex());
        }

        @Override
        public Opened open() {
            return opened(LayerContent.files(files));
        }

        @Override
        public Opened open(Below below) throws IOException {
            return opened(LayerContent.files(files, below.tree()));
        }
    }

    /**
     * Files to be owned by a user and group named as COPY --chown names them; the names are
     * resolved against the image as it is at the step, then it is a {@link FilesInput}.
     */
    record OwnedFilesInput(List<AddedFile> files, String owner) implements LayerInput {
        OwnedFilesInput {
            files = List.copyOf(files);
        }

        @Override
        public Optional<String> fingerprint() {
            throw new IllegalStateException("resolve the owner first");
        }

        @Override
        public Opened open() {
            throw new IllegalStateException("resolve the owner first");
        }
    }

    /** Content given as such: only packing it tells what it is. */
    record ContentInput(LayerContent content) implements LayerInput {
        @Override
        public Optional<String> fingerprint() {
            return Optional.empty();
        }

        @Override
        public Opened open() {
            return opened(content);
        }
    }

    /** SHA-256 over a stream of labelled values. */
    static final class Hasher {
        private final MessageDigest md;
        /** One buffer for every file hashed: a tree of thousands of files would otherwise make as many. */
        private final byte[] buf = new byte[64 * 1024];

        Hasher() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
        }

        Hasher text(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            md.update(longBytes(b.length));
            md.update(b);
            return this;
        }

        private static byte[] longBytes(long v) {
            byte[] out = new byte[8];
            for (int i = 7; i >= 0; i--) {
                out[i] = (byte) v;
                v >>>= 8;
            }
            return out;
        }

        /** Hashes a file tree in name order: names, types, modes, owners (unless overridden), link targets, bytes. */
        void tree(Path p, String name, boolean ownerOverridden, Predicate<Path> exclude) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            String owner = ownerOverridden ? "" : " " + a.get("uid") + ":" + a.get("gid");
            if (Files.isSymbolicLink(p)) {
                text("link " + name + " " + Files.readSymbolicLink(p) + owner);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                text("dir " + name + " " + Integer.toOctalString(mode) + owner);
                List<Path> children = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                    ds.forEach(children::add);
                }
                children.sort((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString()));
                for (Path c : children) {
                    if (!exclude.test(c)) {
                        tree(c, name + "/" + c.getFileName(), ownerOverridden, exclude);
                    }
                }
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                text("file " + name + " " + Integer.toOctalString(mode) + owner + " " + a.get("size"));
                try (InputStream in = Files.newInputStream(p)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                    }
                }
            } else {
                text("special " + name + " " + Integer.toOctalString(mode) + owner);
            }
        }

        String hex() {
            return HexFormat.of().formatHex(md.digest());
        }
    }

    /** A JSON array of strings, as Containerfiles and histories write commands. */
    static String json(List<String> values) {
        try {
            return Lazy.JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
