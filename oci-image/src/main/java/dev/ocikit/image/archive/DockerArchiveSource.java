package dev.ocikit.image.archive;

import dev.ocikit.image.BlobUnknownException;
import dev.ocikit.image.LayerCodecs;
import dev.ocikit.image.LayerInputStream;
import dev.ocikit.image.LayerLimits;
import dev.ocikit.image.archive.DockerArchiveManifest.Item;
import dev.ocikit.image.spi.ImageNotFoundException;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one image out of a {@code docker save} archive. The manifest is made up from
 * {@code manifest.json} and the config: Docker v2 schema 2, config as it is in the archive,
 * layers uncompressed with their DiffIDs as digests (a compressed layer file, as Docker 25 with
 * the containerd store writes, is decompressed as it is read). Thread-safe for {@link #blob}.
 */
final class DockerArchiveSource implements ImageSource {
    static final long MAX_MANIFEST_JSON = 16L << 20;
    static final long MAX_CONFIG = 64L << 20;

    private final DockerArchiveReference reference;
    private final TarArchive archive;
    private final ManifestBlob manifest;
    private final byte[] config;
    private final Digest configDigest;
    /** Each layer's file in the archive, by the layer's digest (its DiffID), and its compression. */
    private final Map<Digest, Layer> layers;

    private record Layer(String file, Compression compression) {}

    private DockerArchiveSource(DockerArchiveReference reference, TarArchive archive, ManifestBlob manifest,
            byte[] config, Map<Digest, Layer> layers) {
        this.reference = reference;
        this.archive = archive;
        this.manifest = manifest;
        this.config = config;
        this.configDigest = Digest.sha256(config);
        this.layers = layers;
    }

    static DockerArchiveSource open(DockerArchiveReference reference) throws IOException {
        TarArchive archive = TarArchive.open(reference.path());
        try {
            return read(reference, archive);
        } catch (IOException | RuntimeException e) {
            archive.close();
            throw e;
        }
    }

    /** The RepoTags of the image {@code reference} names in its archive. */
    static List<String> repoTags(DockerArchiveReference reference) throws IOException {
        try (TarArchive archive = TarArchive.open(reference.path())) {
            return item(reference, archive).repoTags();
        }
    }

    private static Item item(DockerArchiveReference reference, TarArchive archive) throws IOException {
        return choose(reference, items(reference.path(), archive));
    }

    /** The images {@code manifest.json} lists. */
    static List<Item> items(Path path, TarArchive archive) throws IOException {
        if (!archive.has(DockerArchiveManifest.FILE)) {
            throw new MalformedArchiveException(path, "it has no " + DockerArchiveManifest.FILE
                    + "; it is not a docker-archive (archives from Docker before 1.10 are not supported)");
        }
        return DockerArchiveManifest.parse(archive.readAll(DockerArchiveManifest.FILE, MAX_MANIFEST_JSON, "the file"),
                path);
    }

    private static DockerArchiveSource read(DockerArchiveReference reference, TarArchive archive) throws IOException {
        Item item = item(reference, archive);

        byte[] config = archive.readAll(item.config(), MAX_CONFIG, "the config");
        List<Digest> diffIds;
        try {
            diffIds = ImageConfig.parse(config).diffIds();
        } catch (MalformedDocumentException e) {
            throw new MalformedArchiveException(reference.path(), "its config " + item.config() + " is invalid: "
                    + e.getMessage(), e);
        }
        if (diffIds.size() != item.layers().size()) {
            throw new MalformedArchiveException(reference.path(), "the config " + item.config() + " lists "
                    + diffIds.size() + " layers but " + DockerArchiveManifest.FILE + " names " + item.layers().size());
        }

        Map<Digest, Layer> layers = new HashMap<>();
        List<Descriptor> descriptors = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            String file = item.layers().get(i);
            Digest diffId = diffIds.get(i);
            Compression compression = compressionOf(archive, file);
            long size = compression == Compression.NONE ? archive.size(file) : uncompressedSize(archive, file, diffId,
                    compression);
            layers.put(diffId, new Layer(file, compression));
            descriptors.add(Descriptor.of(MediaTypes.DOCKER_LAYER_TAR, diffId, size));
        }
        ImageManifest model = ImageManifest.builder().docker()
                .config(Descriptor.of(MediaTypes.DOCKER_CONFIG, config))
                .layers(descriptors)
                .build();
        ManifestBlob manifest = ManifestBlob.of(model.toJson(), MediaTypes.DOCKER_MANIFEST);
        return new DockerArchiveSource(reference, archive, manifest, config, layers);
    }

    private static Item choose(DockerArchiveReference reference, List<Item> items) {
        if (reference.tag().isPresent()) {
            ImageReference wanted = reference.tag().get();
            for (Item item : items) {
                for (String tag : item.repoTags()) {
                    try {
                        if (ImageReference.parse(tag).equals(wanted)) {
                            return item;
                        }
                    } catch (InvalidReferenceException e) {
                        throw new MalformedArchiveException(reference.path(), "its tag \"" + tag + "\" is not a valid"
                                + " reference: " + e.getMessage(), e);
                    }
                }
            }
            throw new ImageNotFoundException(reference.toString(), "the archive has no image tagged " + wanted
                    + "; it has " + items.stream().flatMap(i -> i.repoTags().stream()).toList());
        }
        if (reference.index().isPresent()) {
            int index = reference.index().getAsInt();
            if (index >= items.size()) {
                throw new ImageNotFoundException(reference.toString(), "the archive has no image @" + index + ": it has "
                        + items.size() + (items.size() == 1 ? " image" : " images") + ", numbered from @0");
            }
            return items.get(index);
        }
        if (items.size() != 1) {
            throw new ImageNotFoundException(reference.toString(), "the archive has " + items.size()
                    + " images; pick one with :REFERENCE or :@INDEX (from @0)");
        }
        return items.get(0);
    }

    private static Compression compressionOf(TarArchive archive, String file) throws IOException {
        byte[] head;
        try (InputStream in = archive.open(file)) {
            head = in.readNBytes(6);
        }
        try {
            return LayerCodecs.detect(head, head.length);
        } catch (OciException e) {
            throw new MalformedArchiveException(archive.path(), "layer " + file + ": " + e.getMessage(), e);
        }
    }

    /** Decompresses a compressed layer once, to learn its size and check its DiffID. */
    private static long uncompressedSize(TarArchive archive, String file, Digest diffId, Compression compression)
            throws IOException {
        try (LayerInputStream in = LayerInputStream.open(archive.open(file), compression, LayerLimits.DEFAULT)) {
            in.transferTo(OutputStream.nullOutputStream());
            if (!in.diffId().equals(diffId)) {
                throw new MalformedArchiveException(archive.path(), "layer " + file + " decompresses to "
                        + in.diffId() + " but the config says " + diffId);
            }
            return in.uncompressedSize();
        }
    }

    @Override
    public TransportReference reference() {
        return reference;
    }

    @Override
    public ManifestBlob manifest(Optional<Digest> instance) {
        if (instance.isPresent() && !instance.get().equals(manifest.digest())) {
            throw new BlobUnknownException(instance.get(), "docker-archive " + reference.path()
                    + " (it holds one image per reference, manifest " + manifest.digest() + ")");
        }
        return manifest;
    }

    @Override
    public InputStream blob(Descriptor blob) throws IOException {
        if (blob.digest().equals(configDigest)) {
            return new ByteArrayInputStream(config);
        }
        Layer layer = layers.get(blob.digest());
        if (layer == null) {
            throw new BlobUnknownException(blob.digest(), "docker-archive " + reference.path());
        }
        InputStream in = archive.open(layer.file());
        return layer.compression() == Compression.NONE ? in
                : LayerInputStream.open(in, layer.compression(), LayerLimits.DEFAULT);
    }

    @Override
    public void close() throws IOException {
        archive.close();
    }
}
