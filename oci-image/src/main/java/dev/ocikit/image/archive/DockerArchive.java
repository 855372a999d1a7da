package dev.ocikit.image.archive;

import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.Copy;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Several images in one {@code docker save} archive, as {@code podman save -m} writes them (the
 * {@code docker-archive:} transport writes one image a copy). Each image is copied from its
 * source with every digest verified, layers that images share are stored once, and the archive
 * appears at its path whole, or not at all. Immutable; {@link #write()} may be called again.
 *
 * <pre>{@code
 * DockerArchive.at(Path.of("images.tar"))
 *     .add(store.reference("localhost/app:1"), "localhost/app:1")
 *     .add(store.reference("docker.io/library/busybox:latest"), "busybox:latest")
 *     .write();
 * }</pre>
 */
public final class DockerArchive {
    /** One image to write, and the tags it gets in the archive's {@code manifest.json}. */
    private record Entry(TransportReference source, List<String> tags) {}

    private final Path archive;
    private final List<Entry> entries;
    private final Optional<Platform> platform;

    private DockerArchive(Path archive, List<Entry> entries, Optional<Platform> platform) {
        this.archive = archive;
        this.entries = List.copyOf(entries);
        this.platform = platform;
    }

    /** An archive to write at {@code archive}, which must not exist yet (or be empty). */
    public static DockerArchive at(Path archive) {
        return new DockerArchive(Objects.requireNonNull(archive, "archive"), List.of(), Optional.empty());
    }

    /**
     * Adds the image {@code source} names, tagged with {@code tags} (registry names, normalised as
     * {@code docker save} writes them: {@code docker.io/library/busybox:latest}); none leaves it
     * untagged, to be loaded by its ID.
     */
    public DockerArchive add(TransportReference source, String... tags) {
        Objects.requireNonNull(source, "source");
        List<String> normalised = new ArrayList<>();
        for (String tag : tags) {
            normalised.add(ImageReference.parse(tag).withDefaultTag().toString());
        }
        List<Entry> more = new ArrayList<>(entries);
        more.add(new Entry(source, normalised));
        return new DockerArchive(archive, more, platform);
    }

    /** The image to take out of a source that is an index (by default this machine's). */
    public DockerArchive platform(Platform value) {
        return new DockerArchive(archive, entries, Optional.of(Objects.requireNonNull(value, "platform")));
    }

    /**
     * Copies every image into the archive and publishes it.
     *
     * @throws IllegalStateException if no image was added
     */
    public void write() throws IOException {
        if (entries.isEmpty()) {
            throw new IllegalStateException("a docker-archive needs at least one image");
        }
        DockerArchiveReference target = new DockerArchiveReference(archive, Optional.empty(), OptionalInt.empty());
        try (DockerArchiveDestination destination = DockerArchiveDestination.open(target)) {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                Copy copy = Copy.from(e.source()).to(new OneImage(target, i, destination, e.tags()));
                if (platform.isPresent()) {
                    copy = copy.platform(platform.get());
                }
                copy.run();
            }
            destination.commit();
        }
    }

    /** A reference to one image's place in the shared archive: its copy stages, the archive's commit writes. */
    private record OneImage(DockerArchiveReference archive, int index, DockerArchiveDestination shared,
            List<String> tags) implements TransportReference {
        @Override
        public Transport transport() {
            return DockerArchiveTransport.INSTANCE;
        }

        @Override
        public String withinTransport() {
            return archive.path() + ":@" + index;
        }

        @Override
        public ImageSource openSource() {
            throw new UnsupportedOperationException("an archive being written cannot be read");
        }

        @Override
        public ImageDestination openDestination() {
            return new ImageDestination() {
                @Override
                public TransportReference reference() {
                    return OneImage.this;
                }

                @Override
                public List<String> supportedManifestMediaTypes() {
                    return shared.supportedManifestMediaTypes();
                }

                @Override
                public Optional<Compression> desiredLayerCompression() {
                    return shared.desiredLayerCompression();
                }

                @Override
                public Optional<BlobInfo> tryReuseBlob(Descriptor blob) {
                    return shared.tryReuseBlob(blob);
                }

                @Override
                public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
                    return shared.putBlob(content, blob);
                }

                @Override
                public void putManifest(ManifestBlob manifest, Optional<Digest> instance) {
                    shared.putManifest(manifest, instance, tags);
                }

                @Override
                public void commit() {
                    // the archive is written once, with every image, by DockerArchive.write
                }

                @Override
                public void close() {
                    // the staging directory is the archive's, closed by DockerArchive.write
                }
            };
        }
    }
}
